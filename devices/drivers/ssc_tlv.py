"""Social-security card records (docs/cards.md §1): one-byte-tag, one-byte-length TLV and its field formats.

Pure functions. Every malformed input raises ``TlvError`` (or its ``NameNotGbk`` subclass) with a
message that says what was wrong and never repeats the bytes, which may be personal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

from devices.errors import DeviceError

CARD_ID_CODE_BYTES: Final = 16
CARD_ID_CODE_RID: Final = "D156000005"  # the registered application provider id, at hex digits 6-15


class TlvError(DeviceError):
    """A record or field could not be decoded. ``field`` names it (``"EF06/09"``, ``"tlv"``)."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


class NameNotGbk(TlvError):
    """The name bytes are not valid GBK (a damaged card or a misread record)."""

    def __init__(self, field: str, offset: int) -> None:
        super().__init__(field, f"name is not valid GBK (bad byte at offset {offset})")
        self.offset = offset


def parse_tlv(data: bytes, *, field: str = "tlv") -> dict[int, bytes]:
    """Split ``data`` into ``{tag: value}``. Raises ``TlvError`` on truncation or a repeated tag."""
    items: dict[int, bytes] = {}
    pos = 0
    while pos < len(data):
        if pos + 2 > len(data):
            raise TlvError(field, f"TLV header truncated at offset {pos} of {len(data)} bytes")
        tag, length = data[pos], data[pos + 1]
        end = pos + 2 + length
        if end > len(data):
            raise TlvError(field, f"tag {tag:02X} announces {length} bytes, only {len(data) - pos - 2} follow")
        if tag in items:
            raise TlvError(field, f"tag {tag:02X} appears twice")
        items[tag] = bytes(data[pos + 2 : end])
        pos = end
    return items


def record_value(data: bytes, tag: int, *, field: str) -> bytes:
    """The value of the single record ``tag`` that a READ RECORD by tag returned."""
    items = parse_tlv(data, field=field)
    if tag not in items:
        raise TlvError(field, f"record answer does not contain tag {tag:02X}")
    return items[tag]


def decode_bcd(value: bytes, *, field: str) -> str:
    """Packed BCD digits with trailing ``F`` padding removed (``19 85 FF`` → ``"1985"``)."""
    digits = value.hex().upper()
    stripped = digits.rstrip("F")
    if not stripped.isdigit() and stripped:
        raise TlvError(field, "BCD field holds a nibble that is not a digit")
    return stripped


def decode_bcd_date(value: bytes, *, field: str) -> str:
    """A BCD ``YYYYMMDD`` date (``F``-padded to the field) as ``"YYYYMMDD"``; a calendar date is required."""
    digits = decode_bcd(value, field=field)
    if len(digits) != 8:
        raise TlvError(field, f"date has {len(digits)} digits, expected 8 (YYYYMMDD)")
    try:
        date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise TlvError(field, "date is not a calendar date") from None
    return digits


def decode_binary(value: bytes, *, field: str, size: int | None = None) -> str:
    """A binary field (format b) as upper-case hex digits; ``size`` bytes exactly when given."""
    if size is not None and len(value) != size:
        raise TlvError(field, f"binary field has {len(value)} bytes, expected {size}")
    return value.hex().upper()


@dataclass(frozen=True)
class CardIdCode:
    """卡识别码 (EF05/01): ``code`` is the 32 hex digits; ``region_code`` the first 6, the issuing region.

    ``has_rid`` tells whether ``D156000005`` sits at digits 6-15, as the standard has it. A code
    without it is kept as read (some issuers' cards may differ; the code is only passed on, never
    interpreted further), so it never fails a read.
    """

    code: str
    region_code: str
    has_rid: bool


def decode_card_id_code(value: bytes, *, field: str = "EF05/01 card id code") -> CardIdCode:
    """The card identification code: 16 binary bytes whose first 6 hex digits are a region code."""
    code = decode_binary(value, field=field, size=CARD_ID_CODE_BYTES)
    region = code[:6]
    if not region.isdigit() or region == "000000":
        raise TlvError(field, "the first 6 hex digits are not a region code (6 decimal digits, not all zero)")
    return CardIdCode(code, region, code[6:16] == CARD_ID_CODE_RID)


def decode_ascii(value: bytes, *, field: str) -> str:
    """An alphanumeric field: ASCII, right-padded with ``00`` (and tolerated spaces)."""
    text = value.rstrip(b"\x00 ")
    if not text.isascii() or any(b < 0x20 or b == 0x7F for b in text):
        raise TlvError(field, "alphanumeric field holds bytes that are not printable ASCII")
    return text.decode("ascii")


def decode_gbk(value: bytes, *, field: str) -> str:
    """GBK text right-padded with ``00``. Raises ``NameNotGbk`` when the bytes are not GBK."""
    text = value.rstrip(b"\x00")
    try:
        decoded = text.decode("gbk")
    except UnicodeDecodeError as err:
        raise NameNotGbk(field, err.start) from None
    if any(ch < " " for ch in decoded):
        raise NameNotGbk(field, next(i for i, ch in enumerate(decoded) if ch < " "))
    return decoded


def decode_name(name: bytes, extension: bytes = b"") -> str:
    """姓名 (EF06/09) with 姓名扩展 (EF06/4E, 2.0/3.0 cards, may be empty) appended; the name may not be empty."""
    text = decode_gbk(name, field="EF06/09 name").strip()
    if not text:
        raise TlvError("EF06/09 name", "name is empty")
    return text + decode_gbk(extension, field="EF06/4E name extension").strip()
