"""The social-security card protocol (docs/cards.md §1) over any ``transmit`` callable.

``SocialSecurityCard(transmit).read(reader_id)`` selects the SSSE (falling back to select-MF-first),
reads EF05 and EF06 by tag and returns a ``SocialSecurityCardRead``. A card that refuses EF06 with
``6982`` (3.0 cards without a PSAM) is identified by its card number, id code and version, with a
plain message: that is a result, never an error. ``verify_pin`` answers ok / wrong with tries left /
locked. Nothing here logs card data.

The card identification code (EF05/01) is binary: 16 bytes shown as 32 upper-case hex digits, the
first 6 the issuing region code (which must be decimal digits). A code whose digits 6-15 are not the
application provider id ``D156000005`` is kept as read and the read goes on: the code is only passed
to the records backend, and refusing a card for it would lock out a card the citizen can use
elsewhere. ``failure_hint`` says what a citizen should be told when a read fails.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass, replace
from typing import Final

from content.citizens.idnumbers import id_number_problem
from devices.drivers import ssc_apdu as apdu
from devices.drivers.codes import SEXES, nation_label, sex_label
from devices.drivers.ssc_apdu import (
    CardStatusError,
    FileNotFound,
    RecordNotFound,
    SecurityStatusNotSatisfied,
    Transmit,
)
from devices.drivers.ssc_tlv import (
    TlvError,
    decode_ascii,
    decode_bcd,
    decode_bcd_date,
    decode_card_id_code,
    decode_name,
    record_value,
)
from devices.errors import DeviceError, InvalidIdNumber
from devices.events import HINT_NEEDS_PSAM, HINT_UNSUPPORTED_CARD, SocialSecurityCardRead

log = logging.getLogger(__name__)

PSAM_MESSAGE: Final = (
    "此卡为第三代社会保障卡，读取个人信息需要配备PSAM卡的读卡器；已按卡号识别。"
    " (3rd-generation card: personal fields need a PSAM-equipped reader; the card was identified by its number.)"
)

# (tag, Le) from docs/cards.md §1; Le counts the tag and length bytes too.
EF05_CARD_ID: Final = (0x01, 0x12)
EF05_VERSION: Final = (0x03, 0x06)
EF05_ISSUE: Final = (0x05, 0x06)
EF05_EXPIRY: Final = (0x06, 0x06)
EF05_CARD_NUMBER: Final = (0x07, 0x0B)
EF06_ID_NUMBER: Final = (0x08, 0x14)
EF06_NAME: Final = (0x09, 0x20)
EF06_NAME_EXT: Final = (0x4E, 0x16)
EF06_SEX: Final = (0x0A, 0x03)
EF06_NATION: Final = (0x0B, 0x03)
EF06_BIRTH: Final = (0x0D, 0x06)


class PinStatus(enum.Enum):
    OK = "ok"
    WRONG = "wrong"
    LOCKED = "locked"


@dataclass(frozen=True)
class PinResult:
    """The outcome of ``verify_pin``; ``tries_left`` is set for ``WRONG`` (0 for ``LOCKED``)."""

    status: PinStatus
    tries_left: int | None = None

    @property
    def ok(self) -> bool:
        return self.status is PinStatus.OK


class SocialSecurityCard:
    """One inserted card, spoken to through ``transmit(apdu) -> (data, sw1, sw2)``."""

    def __init__(self, transmit: Transmit) -> None:
        self._transmit = transmit

    def _send(self, command_apdu: bytes, command: str) -> bytes:
        return apdu.exchange(self._transmit, command_apdu, command)

    def select_application(self) -> None:
        """Select the SSSE by name; on ``6A82``/``6A86`` select the MF first and try once more."""
        try:
            self._send(apdu.select_ssse(), "select SSSE")
        except (FileNotFound, apdu.BadParameters):
            self._send(apdu.select_mf(), "select MF")
            self._send(apdu.select_ssse(), "select SSSE after MF")

    def _read(self, file: str, tag_le: tuple[int, int]) -> bytes:
        tag, le = tag_le
        data = self._send(apdu.read_record_by_tag(tag, le), f"read {file}/{tag:02X}")
        return record_value(data, tag, field=f"{file}/{tag:02X}")

    def read(self, reader_id: str = "") -> SocialSecurityCardRead:
        """Read EF05 and EF06; raises ``CardStatusError`` or ``TlvError`` on anything unusable."""
        self.select_application()
        self._send(apdu.select_ef(apdu.EF05), "select EF05")
        card_id = decode_card_id_code(self._read("EF05", EF05_CARD_ID))
        if not card_id.has_rid:
            # Kept as read: the code is passed on to the records backend, never interpreted further.
            log.info("card id code does not carry the application provider id at digits 6-15; kept as read")
        version = decode_ascii(self._read("EF05", EF05_VERSION), field="EF05/03 spec version")
        generation = _generation(version)
        card_number = _card_number(self._read("EF05", EF05_CARD_NUMBER))
        issue_date = self._optional_date("EF05", EF05_ISSUE, "issue date")
        expiry_date = self._optional_date("EF05", EF05_EXPIRY, "expiry date")
        identified = SocialSecurityCardRead(
            reader_id=reader_id,
            card_number=card_number,
            card_id_code=card_id.code,
            region_code=card_id.region_code,
            spec_version=version,
            generation=generation,
            issue_date=issue_date,
            expiry_date=expiry_date,
            personal_fields_available=False,
            message=PSAM_MESSAGE,
        )
        try:
            self._send(apdu.select_ef(apdu.EF06), "select EF06")
            return self._read_person(identified)
        except SecurityStatusNotSatisfied:
            log.info("card generation %d: EF06 needs a PSAM; identified by card number only", generation)
            return identified

    def _optional_date(self, file: str, tag_le: tuple[int, int], what: str) -> str:
        # 3.0 cards guard the dates behind external authentication: identify the card anyway.
        try:
            return decode_bcd_date(self._read(file, tag_le), field=f"{file}/{tag_le[0]:02X} {what}")
        except SecurityStatusNotSatisfied:
            return ""

    def _read_person(self, identified: SocialSecurityCardRead) -> SocialSecurityCardRead:
        """``identified`` completed with EF06 (the person), which the card must let us read."""
        id_number = decode_ascii(self._read("EF06", EF06_ID_NUMBER), field="EF06/08 ID number")
        problem = id_number_problem(id_number, from_card=True)
        if problem is not None:
            raise InvalidIdNumber(problem)
        name_bytes = self._read("EF06", EF06_NAME)
        try:
            extension = self._read("EF06", EF06_NAME_EXT)
        except (RecordNotFound, FileNotFound, apdu.BadParameters):
            extension = b""  # 1.0 cards, or no extension on this card
        name = decode_name(name_bytes, extension)
        sex_code = decode_ascii(self._read("EF06", EF06_SEX), field="EF06/0A sex")
        if sex_code not in SEXES:
            raise TlvError("EF06/0A sex", "sex code is not one of 0, 1, 2, 9 (GB/T 2261.1)")
        nation_digits = decode_bcd(self._read("EF06", EF06_NATION), field="EF06/0B nation")
        nation_code = nation_digits.zfill(2) if nation_digits else ""  # all F: not recorded
        birth = decode_bcd_date(self._read("EF06", EF06_BIRTH), field="EF06/0D birth date")
        return replace(
            identified,
            id_number=id_number,
            name=name,
            sex_code=sex_code,
            sex=sex_label(sex_code),
            nation_code=nation_code,
            nation=nation_label(nation_code),
            birth_date=birth,
            personal_fields_available=True,
            message="",
        )

    def verify_pin(self, pin: str) -> PinResult:
        """Verify ``pin`` in the SSSE: ok, wrong (with tries left) or locked; other answers raise."""
        self.select_application()
        try:
            self._send(apdu.verify_pin(pin), "verify PIN")
        except apdu.WrongPin as err:
            if err.tries_left == 0:
                return PinResult(PinStatus.LOCKED, 0)
            return PinResult(PinStatus.WRONG, err.tries_left)
        except (apdu.AuthenticationBlocked, apdu.ApplicationLocked):
            return PinResult(PinStatus.LOCKED, 0)
        return PinResult(PinStatus.OK)


def _generation(version: str) -> int:
    if version[:1] in ("1", "2", "3"):
        return int(version[0])
    raise TlvError("EF05/03 spec version", f"version {version!r} does not start with 1, 2 or 3")


def failure_hint(err: DeviceError) -> str:
    """What the citizen should be told about a card that could not be read (a ``ReaderFault.hint``).

    ``needs_psam`` when the card would not even give what identifies it (card number, id code,
    version) without authentication; ``unsupported_card`` when it is not a social-security card (no
    SSSE application) or the application is locked for good; otherwise ``""`` (put the card down
    again). A 3.0 card identified without a PSAM is a read, not a failure, and never comes here.
    """
    if isinstance(err, SecurityStatusNotSatisfied):
        return HINT_NEEDS_PSAM
    if isinstance(err, FileNotFound | apdu.BadParameters) and err.command.startswith(("select SSSE", "select MF")):
        return HINT_UNSUPPORTED_CARD
    if isinstance(err, apdu.ApplicationLocked):
        return HINT_UNSUPPORTED_CARD
    return ""


def _card_number(value: bytes) -> str:
    """卡号 (EF05/07): the first 9 characters of an alphanumeric field, letters and digits only."""
    field = "EF05/07 card number"
    number = decode_ascii(value, field=field)[:9]
    if not (number.isascii() and number.isalnum()):
        raise TlvError(field, "card number is empty or holds characters other than letters and digits")
    return number


def read_card(transmit: Transmit, reader_id: str = "") -> SocialSecurityCardRead:
    """Shorthand for ``SocialSecurityCard(transmit).read(reader_id)``."""
    return SocialSecurityCard(transmit).read(reader_id)


__all__ = [
    "CardStatusError",
    "PinResult",
    "PinStatus",
    "SocialSecurityCard",
    "failure_hint",
    "read_card",
    "PSAM_MESSAGE",
]
