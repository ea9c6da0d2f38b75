"""Social-security card APDUs and status words (docs/cards.md §1): pure builders and one exchange helper.

Nothing here talks to hardware: ``exchange`` takes a ``transmit(apdu) -> (data, sw1, sw2)`` callable,
follows ``61xx`` with GET RESPONSE and ``6Cxx`` with a resend at the right Le, and turns every other
status word than ``9000`` into a specific ``CardStatusError``. Messages never carry card data.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from devices.errors import DeviceError

Transmit = Callable[[bytes], tuple[bytes, int, int]]
"""Send one command APDU, return ``(data, sw1, sw2)``."""

SSSE_AID: Final = b"sx1.sh." + "社会保障".encode("gbk")  # 7378312E73682E C9E7BBE1B1A3D5CF
MF: Final = 0x3F00
EF05: Final = 0xEF05
EF06: Final = 0xEF06

MAX_CHAINED_RESPONSES: Final = 16  # more 61xx than this in a row is a broken card, not more data


# builders ------------------------------------------------------------------------------------------


def select_mf() -> bytes:
    """``00 A4 00 00 02 3F 00``: select the master file (some card makes want it before the SSSE)."""
    return bytes.fromhex("00A40000023F00")


def select_ssse() -> bytes:
    """``00 A4 04 00 0F <sx1.sh.社会保障>``: select the social-security application by name."""
    return bytes([0x00, 0xA4, 0x04, 0x00, len(SSSE_AID)]) + SSSE_AID


def select_ef(file_id: int) -> bytes:
    """``00 A4 02 00 02 <fid>``: select an elementary file (``EF05`` or ``EF06``) under the SSSE."""
    if not 0 <= file_id <= 0xFFFF:
        raise ValueError(f"file id {file_id:#x} does not fit two bytes")
    return bytes([0x00, 0xA4, 0x02, 0x00, 0x02]) + file_id.to_bytes(2, "big")


def read_record_by_tag(tag: int, le: int) -> bytes:
    """``00 B2 <tag> 00 <Le>``: read the record with identifier ``tag`` in the current file."""
    _check_byte("tag", tag)
    _check_byte("Le", le)
    return bytes([0x00, 0xB2, tag, 0x00, le])


def get_response(le: int) -> bytes:
    """``00 C0 00 00 <Le>``: fetch the data a ``61xx`` announced."""
    _check_byte("Le", le)
    return bytes([0x00, 0xC0, 0x00, 0x00, le])


def verify_pin(pin: str) -> bytes:
    """``00 20 00 00 <len> <pin>``: verify the card-holder PIN.

    The PIN is sent as packed BCD (two digits a byte, an odd digit count padded with ``F``), the
    usual encoding on these cards. Raises ``ValueError`` for anything but 4–12 ASCII digits.
    """
    if not (pin.isascii() and pin.isdigit() and 4 <= len(pin) <= 12):
        raise ValueError("a PIN is 4 to 12 digits")
    digits = pin + ("F" if len(pin) % 2 else "")
    body = bytes.fromhex(digits)
    return bytes([0x00, 0x20, 0x00, 0x00, len(body)]) + body


def with_le(apdu: bytes, le: int) -> bytes:
    """``apdu`` with its last byte (a short Le) replaced by ``le``, as a ``6Cxx`` asks."""
    _check_byte("Le", le)
    return apdu[:-1] + bytes([le])


def _check_byte(what: str, value: int) -> None:
    if not 0 <= value <= 0xFF:
        raise ValueError(f"{what} {value} does not fit one byte")


# status words ----------------------------------------------------------------------------------------


class CardStatusError(DeviceError):
    """The card answered ``command`` with a status word other than ``9000``."""

    meaning = "unexpected status word"

    def __init__(self, command: str, sw1: int, sw2: int) -> None:
        self.command = command
        self.sw1 = sw1
        self.sw2 = sw2
        super().__init__(f"{command}: card answered {sw1:02X}{sw2:02X} ({self.describe()})")

    @property
    def sw(self) -> int:
        return (self.sw1 << 8) | self.sw2

    def describe(self) -> str:
        return self.meaning


class SecurityStatusNotSatisfied(CardStatusError):
    """``6982``: the file needs authentication first (3.0 cards: external authentication with a PSAM)."""

    meaning = "security status not satisfied: this data needs authentication (a PSAM-equipped reader)"


class AuthenticationBlocked(CardStatusError):
    """``6983``: the PIN (or key) is locked after too many wrong tries."""

    meaning = "authentication method blocked: the PIN is locked"


class FileNotFound(CardStatusError):
    """``6A82``: the file or application is not on this card."""

    meaning = "file or application not found"


class RecordNotFound(CardStatusError):
    """``6A83``: no record with that tag or number in the current file."""

    meaning = "record not found"


class BadParameters(CardStatusError):
    """``6A86``: the card rejected P1/P2."""

    meaning = "incorrect parameters P1/P2"


class WrongPin(CardStatusError):
    """``63Cx``: the PIN was wrong; ``tries_left`` more attempts before it locks."""

    def __init__(self, command: str, sw1: int, sw2: int) -> None:
        self.tries_left = sw2 & 0x0F
        super().__init__(command, sw1, sw2)

    def describe(self) -> str:
        return f"wrong PIN, {self.tries_left} tries left"


class ApplicationLocked(CardStatusError):
    """``9303``: the application is permanently locked; the card must go back to the issuer."""

    meaning = "application permanently locked"


class TooManyResponses(CardStatusError):
    """The card kept answering ``61xx`` past ``MAX_CHAINED_RESPONSES`` GET RESPONSEs."""

    meaning = "too many chained 61xx answers"


_BY_SW: Final[dict[int, type[CardStatusError]]] = {
    0x6982: SecurityStatusNotSatisfied,
    0x6983: AuthenticationBlocked,
    0x6A82: FileNotFound,
    0x6A83: RecordNotFound,
    0x6A86: BadParameters,
    0x9303: ApplicationLocked,
}


def status_error(command: str, sw1: int, sw2: int) -> CardStatusError:
    """The specific error for a status word that is not ``9000`` (``CardStatusError`` if unknown)."""
    if sw1 == 0x63 and sw2 & 0xF0 == 0xC0:
        return WrongPin(command, sw1, sw2)
    return _BY_SW.get((sw1 << 8) | sw2, CardStatusError)(command, sw1, sw2)


def exchange(transmit: Transmit, apdu: bytes, command: str) -> bytes:
    """Send ``apdu`` and return its data on ``9000``, following ``61xx`` and ``6Cxx``.

    ``command`` names the step in error messages (``"select EF06"``). Any other status word raises
    the matching ``CardStatusError`` subclass.
    """
    data, sw1, sw2 = transmit(apdu)
    if sw1 == 0x6C:
        data, sw1, sw2 = transmit(with_le(apdu, sw2))
    collected = bytearray(data)
    for _ in range(MAX_CHAINED_RESPONSES):
        if sw1 != 0x61:
            break
        data, sw1, sw2 = transmit(get_response(sw2))
        if sw1 == 0x6C:
            data, sw1, sw2 = transmit(get_response(sw2))
        collected += data
    else:
        raise TooManyResponses(command, sw1, sw2)
    if (sw1, sw2) != (0x90, 0x00):
        raise status_error(command, sw1, sw2)
    return bytes(collected)
