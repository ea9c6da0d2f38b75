"""Events the device drivers emit: frozen dataclasses, safe to log (only the log form of an ID number in ``repr``)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Final

from content.citizens.idnumbers import mask_id_number, mask_id_number_for_log


class DocumentKind(enum.Enum):
    """The four documents a GA/T 467 reader returns, by the byte at offset 248 of the text block."""

    RESIDENT = "resident"  # 居民身份证
    HK_MACAO_TAIWAN = "J"  # 港澳台居民居住证
    FOREIGNER_OLD = "I"  # 外国人永久居留身份证 (old)
    FOREIGNER_2023 = "Y"  # 外国人永久居留身份证 (2023)


@dataclass(frozen=True, repr=False)
class IdCardRead:
    """A card was read. ``id_number`` holds the resident/permit ID or the foreigner card number.

    ``repr`` shows only the log form of the number; photo bytes are never kept here.
    """

    reader_id: str
    kind: DocumentKind
    name: str
    sex_code: str
    sex: str | None
    birth_date: str  # YYYYMMDD as printed
    id_number: str = field(repr=False)
    valid_from: str
    valid_to: str  # YYYYMMDD or 长期
    address: str = ""
    issuing_authority: str = ""
    nation_code: str = ""  # resident cards only
    nation: str | None = None
    nationality: str = ""  # I and Y cards: ISO 3166 alpha-3
    english_name: str = ""  # I and Y cards
    permit_number: str = ""  # J: travel permit number
    issue_count: str = ""  # J: times issued
    card_version: str = ""  # I: card version; Y: renewal count
    previous_number_link: str = ""  # Y: link to the old card number

    @property
    def masked_id_number(self) -> str:
        """The ID number as screens show it (``content.citizens.idnumbers.mask_id_number``)."""
        return mask_id_number(self.id_number)

    @property
    def logged_id_number(self) -> str:
        """The ID number as log lines and this repr show it: less than a screen shows."""
        return mask_id_number_for_log(self.id_number)

    def __repr__(self) -> str:
        return f"IdCardRead(reader_id={self.reader_id!r}, kind={self.kind.name}, id_number={self.logged_id_number!r})"

    __str__ = __repr__


@dataclass(frozen=True, repr=False)
class SocialSecurityCardRead:
    """A social-security card was read over PC/SC (docs/cards.md §1).

    ``personal_fields_available`` is False when the card identified itself but would not give EF06
    without a PSAM (3.0 cards): then the person fields are empty and ``message`` says why. ``repr``
    shows only the log form of the ID number, never the name.
    """

    reader_id: str
    card_number: str
    card_id_code: str
    region_code: str  # digits 0-5 of the card id code
    spec_version: str  # e.g. "2.00"
    generation: int  # 1, 2 or 3
    issue_date: str = ""  # YYYYMMDD, empty when the card would not say
    expiry_date: str = ""
    id_number: str = field(default="", repr=False)
    name: str = field(default="", repr=False)
    sex_code: str = ""
    sex: str | None = None
    nation_code: str = ""
    nation: str | None = None
    birth_date: str = ""
    personal_fields_available: bool = True
    message: str = ""

    @property
    def masked_id_number(self) -> str:
        """The ID number as screens show it (``content.citizens.idnumbers.mask_id_number``)."""
        return mask_id_number(self.id_number)

    @property
    def logged_id_number(self) -> str:
        """The ID number as log lines and this repr show it: less than a screen shows."""
        return mask_id_number_for_log(self.id_number)

    def __repr__(self) -> str:
        return (
            f"SocialSecurityCardRead(reader_id={self.reader_id!r}, generation={self.generation}, "
            f"personal_fields_available={self.personal_fields_available}, "
            f"id_number={self.logged_id_number!r})"
        )

    __str__ = __repr__


@dataclass(frozen=True)
class CardRemoved:
    """The card that was read has left the reader."""

    reader_id: str


@dataclass(frozen=True)
class ReaderAttached:
    """The reader's port is open and its SAM answered."""

    reader_id: str
    sam_id: str = ""


@dataclass(frozen=True)
class ReaderDetached:
    """The reader's port went away (unplugged) or could not be opened."""

    reader_id: str
    reason: str


@dataclass(frozen=True)
class ReaderFault:
    """The reader sent something we could not use; the driver carries on.

    ``reason`` is a machine code (``"unreadable_card"``, ``"io_error"``, ``"protocol_error"``,
    ``"probe_failed"``, ``"sam_fault"``, …); ``hint`` tells the citizen what to do (``""``,
    ``"reposition"``, ``"removed_too_early"``, ``"needs_psam"``, ``"unsupported_card"``);
    ``card_lost`` is True when the fault means the card can no longer be seen.
    """

    reader_id: str
    message: str
    reason: str = ""
    hint: str = ""
    card_lost: bool = False


# ReaderFault.reason codes the drivers share (the agent forwards UNREADABLE_CARD as card_unreadable).
UNREADABLE_CARD: Final = "unreadable_card"
IO_ERROR: Final = "io_error"
PROTOCOL_ERROR: Final = "protocol_error"
PROBE_FAILED: Final = "probe_failed"
SAM_FAULT: Final = "sam_fault"
DRIVER_ERROR: Final = "driver_error"
# ReaderFault.hint values: what the citizen should do.
HINT_REPOSITION: Final = "reposition"
HINT_REMOVED_TOO_EARLY: Final = "removed_too_early"
HINT_NEEDS_PSAM: Final = "needs_psam"
HINT_UNSUPPORTED_CARD: Final = "unsupported_card"

DeviceEvent = IdCardRead | SocialSecurityCardRead | CardRemoved | ReaderAttached | ReaderDetached | ReaderFault
