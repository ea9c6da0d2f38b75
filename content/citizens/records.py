"""The records-backend seam: what a card told us (``CardIdentity``), who that is (``PersonRecord``), and errors.

A records backend resolves a card to a person: the built-in demo backend (``content.citizens.demo_backend``)
or an adapter for the upstream social-security system. Both sit behind ``RecordsBackend``. Nothing
here puts an ID number, card number, token or full name into a ``repr`` or an error message
(docs/architecture.md, "Personal data"): those reach logs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, ClassVar, Final, Protocol

from content.citizens.idnumbers import id_number_problem, mask_id_number, mask_id_number_for_log, normalise_id_number
from content.citizens.person_records import PersonRecords
from content.errors import ContentError


class CardSource(StrEnum):
    IDCARD = "idcard"  # second-generation resident ID card (and the permits read by the same reader)
    SSC = "ssc"  # social-security card over PC/SC
    ECARD = "ecard"  # electronic social-security card QR


DOCUMENT_KINDS: Final = ("resident", "J", "I", "Y")  # GA/T 467: resident, HK/Macao/Taiwan, foreigner old/2023
SEX_LABELS: Final = {"1": "男", "2": "女", "0": "未知", "9": "未说明"}  # GB/T 2261.1
MAX_TOKEN_LENGTH: Final = 2048
MAX_NAME_LENGTH: Final = 60


class RecordsError(ContentError):
    """A card could not be resolved to a person; ``code`` is the error code of the agent protocol."""

    code: ClassVar[str] = "records_error"


class InvalidIdentity(RecordsError):
    """The card data is incomplete or malformed (an ID number failing the GB 11643 check, a missing field)."""

    code = "invalid_identity"

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"identity.{field}: {problem}")
        self.field = field


class UnknownPerson(RecordsError):
    """The records backend has nobody for this card."""

    code = "unknown_person"


class TokenExpired(RecordsError):
    """An e-card token that was genuine but is past its validity."""

    code = "token_expired"


class TokenInvalid(RecordsError):
    """An e-card token that is garbled, tampered with or not issued by this backend."""

    code = "token_invalid"


class BackendUnavailable(RecordsError):
    """The records backend could not be asked (down, timed out, answered nonsense)."""

    code = "backend_unavailable"


def mask_name(name: str) -> str:
    """The first character and a star for every other one: 张* / 欧阳** (an empty name stays empty)."""
    text = name.strip()
    return text[:1] + "*" * (len(text) - 1) if text else ""


def sex_label(sex_code: str) -> str:
    """男 / 女 for GB/T 2261.1 codes 1 / 2; 未知 for anything else."""
    return SEX_LABELS.get(sex_code, SEX_LABELS["0"])


def age_on(birth_date: date, day: date) -> int:
    """Completed years between ``birth_date`` and ``day`` (a 29 February birthday counts on 1 March)."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


@dataclass(frozen=True, repr=False)
class CardIdentity:
    """What the agent read from a card, checked for shape. Never stored; ``repr`` shows the masked number only."""

    source: CardSource
    reader_id: str
    id_number: str = ""
    name: str = ""
    sex_code: str = ""
    birth_date: date | None = None
    document_kind: str = ""  # idcard only
    card_number: str = ""  # ssc only
    card_id_code: str = ""  # ssc only
    region_code: str = ""  # ssc: region of issue
    generation: int = 0  # ssc: 1, 2 or 3
    personal_fields_available: bool = True  # ssc: False for a 3.0 card read without a PSAM
    token: str = ""  # ecard only

    @property
    def masked_id(self) -> str:
        return mask_id_number(self.id_number) if self.id_number else ""

    @property
    def lookup(self) -> str:
        """Which kind of lookup this identity asks for (audited instead of the number itself)."""
        if self.source is CardSource.ECARD:
            return "ecard_token"
        return "id_number" if self.id_number else "card_number"

    @property
    def card_only(self) -> bool:
        """A social-security card that identified itself but would not give the person fields (no PSAM)."""
        return self.source is CardSource.SSC and not self.personal_fields_available

    def __repr__(self) -> str:
        return (
            f"CardIdentity(source={self.source.value!r}, reader_id={self.reader_id!r}, "
            f"lookup={self.lookup!r}, masked_id={mask_id_number_for_log(self.id_number)!r})"
        )

    __str__ = __repr__


@dataclass(frozen=True, repr=False)
class PersonRecord:
    """A person as a records backend knows them; ``ref`` is opaque to everyone but that backend."""

    ref: str
    name: str
    sex_code: str
    birth_date: date
    masked_id: str
    region_code: str

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)

    def __repr__(self) -> str:
        masked_id = mask_id_number_for_log(self.masked_id)  # the log form of the screen form
        return f"PersonRecord(ref={self.ref!r}, name={self.masked_name!r}, masked_id={masked_id!r})"

    __str__ = __repr__


class RecordsBackend(Protocol):
    """Resolves a card to a person and reads their records, or raises a ``RecordsError`` subclass saying why not."""

    def identify(self, identity: CardIdentity) -> PersonRecord: ...

    def records(self, person_ref: str, today: date) -> PersonRecords:
        """Enrollments, the 36 months before ``today``'s month, balances and employment of ``identify``'s person.

        UnknownPerson when the backend no longer knows ``person_ref``; BackendUnavailable when it cannot answer.
        """
        ...


# -- reading the agent's identity object ---------------------------------------------------------------


def _text(fields: Mapping[str, Any], name: str, *, required: bool = False, max_length: int = 64) -> str:
    value = fields.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidIdentity(name, f"expected text, got {type(value).__name__}")
    value = value.strip()
    if required and not value:
        raise InvalidIdentity(name, "missing")
    if len(value) > max_length:
        raise InvalidIdentity(name, f"longer than {max_length} characters")
    return value


def _birth_date(fields: Mapping[str, Any]) -> date | None:
    text = _text(fields, "birth_date", max_length=10).replace("-", "")
    if not text:
        return None
    if len(text) != 8 or not text.isascii() or not text.isdigit():
        raise InvalidIdentity("birth_date", "expected YYYYMMDD")
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError as err:
        raise InvalidIdentity("birth_date", "not a calendar date") from err


def _sex_code(fields: Mapping[str, Any]) -> str:
    code = _text(fields, "sex_code", max_length=1)
    if code and code not in SEX_LABELS:
        raise InvalidIdentity("sex_code", "expected 1, 2, 0 or 9 (GB/T 2261.1)")
    return code


def _resident_id(fields: Mapping[str, Any], today: date, *, required: bool) -> str:
    number = normalise_id_number(_text(fields, "id_number", required=required, max_length=18))
    if number:
        problem = id_number_problem(number, today=today)
        if problem is not None:
            raise InvalidIdentity("id_number", problem)
    return number


def _foreign_id(fields: Mapping[str, Any]) -> str:
    number = normalise_id_number(_text(fields, "id_number", required=True, max_length=18))
    if len(number) not in (15, 18) or not number.isascii() or not number.isalnum():
        raise InvalidIdentity(
            "id_number",
            f"a permanent residence card number has 15 or 18 letters and digits, got {len(number)} characters",
        )
    return number


def _idcard(reader_id: str, fields: Mapping[str, Any], today: date) -> CardIdentity:
    kind = _text(fields, "document_kind", required=True, max_length=8)
    if kind not in DOCUMENT_KINDS:
        raise InvalidIdentity("document_kind", f"expected one of {', '.join(DOCUMENT_KINDS)}")
    # Resident cards and the HK/Macao/Taiwan residence permit carry GB 11643 numbers and a Chinese name;
    # foreigners' permanent residence cards have their own numbers and may have no Chinese name.
    gb11643 = kind in ("resident", "J")
    number = _resident_id(fields, today, required=True) if gb11643 else _foreign_id(fields)
    return CardIdentity(
        source=CardSource.IDCARD,
        reader_id=reader_id,
        document_kind=kind,
        id_number=number,
        name=_text(fields, "name", required=gb11643, max_length=MAX_NAME_LENGTH),
        sex_code=_sex_code(fields),
        birth_date=_birth_date(fields),
    )


def _ssc(reader_id: str, fields: Mapping[str, Any], today: date) -> CardIdentity:
    card_number = _text(fields, "card_number", required=True, max_length=20).upper()
    if not card_number.isascii() or not card_number.isalnum():
        raise InvalidIdentity("card_number", "expected letters and digits only")
    generation = fields.get("generation", 0)
    if isinstance(generation, bool) or not isinstance(generation, int) or not 0 <= generation <= 9:
        raise InvalidIdentity("generation", "expected a whole number (1, 2 or 3)")
    available = fields.get("personal_fields_available", True)
    if not isinstance(available, bool):
        raise InvalidIdentity("personal_fields_available", "expected true or false")
    return CardIdentity(
        source=CardSource.SSC,
        reader_id=reader_id,
        card_number=card_number,
        card_id_code=_text(fields, "card_id_code", max_length=64),
        region_code=_text(fields, "region_code"),
        generation=generation,
        personal_fields_available=available,
        id_number=_resident_id(fields, today, required=False),
        name=_text(fields, "name", max_length=MAX_NAME_LENGTH),
        sex_code=_sex_code(fields),
        birth_date=_birth_date(fields),
    )


def _ecard(reader_id: str, fields: Mapping[str, Any]) -> CardIdentity:
    token = _text(fields, "token", required=True, max_length=MAX_TOKEN_LENGTH)
    return CardIdentity(source=CardSource.ECARD, reader_id=reader_id, token=token)


def identity_from_card(source: CardSource, reader_id: str, fields: Mapping[str, Any], *, today: date) -> CardIdentity:
    """The ``identity`` object of a ``card_read`` checked for ``source``; raises InvalidIdentity naming the field.

    ``today`` (the hall's date) rejects birth dates in the future.
    """
    if source is CardSource.IDCARD:
        return _idcard(reader_id, fields, today)
    if source is CardSource.SSC:
        return _ssc(reader_id, fields, today)
    return _ecard(reader_id, fields)
