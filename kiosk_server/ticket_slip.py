"""The queue ticket slip as ESC/POS bytes for 58 mm and 80 mm receipt printers: a pure function of its content.

The printers sold for Chinese service halls print Chinese in "Chinese character mode" (``FS &``)
and read their text as GB18030 (GBK on older firmware, which GB18030 contains for every character
a hall or service name uses). The QR code is drawn by the printer itself from ``GS ( k`` (model 2),
so no raster image is sent. Nothing personal is ever printed: the slip carries the hall, the line,
the number, the queue ahead and the status-page address, which identifies the ticket only.

Layout, top to bottom: hall name, service name, the number (4× size), 您前面还有 N 人,
预计等候约 M 分钟, the issue time in hall-local time, the QR code of the status page and what it is
for, 过号无效，请重新取号, then a feed and a partial cut.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum
from typing import Final
from zoneinfo import ZoneInfo

ENCODING: Final = "gb18030"

ESC: Final = b"\x1b"
FS: Final = b"\x1c"
GS: Final = b"\x1d"
LF: Final = b"\n"

INIT: Final = ESC + b"@"  # ESC @: reset the printer to its power-on state
CHINESE_ON: Final = FS + b"&"  # FS &: Chinese character mode, text read as GB18030/GBK
CHINESE_OFF: Final = FS + b"."  # FS .: back to single-byte mode
ALIGN_LEFT: Final = ESC + b"a\x00"
ALIGN_CENTER: Final = ESC + b"a\x01"
BOLD_ON: Final = ESC + b"E\x01"
BOLD_OFF: Final = ESC + b"E\x00"
SIZE_NORMAL: Final = GS + b"!\x00"
SIZE_TALL: Final = GS + b"!\x01"  # double height
SIZE_DOUBLE: Final = GS + b"!\x11"  # double width and height
SIZE_NUMBER: Final = GS + b"!\x33"  # four times width and height: "A023" is 192 dots, a 58 mm line has 384
FEED_LINES: Final = 4
PARTIAL_CUT: Final = GS + b"VB\x00"  # GS V 66 0: feed to the cutter, then cut leaving a hinge

# GS ( k, symbol "1" (QR code): model 2, module size, error correction M, store, print.
QR_MODEL_2: Final = GS + b"(k\x04\x001A2\x00"
QR_ERROR_M: Final = GS + b"(k\x03\x001E1"
QR_PRINT: Final = GS + b"(k\x03\x001Q0"
# The most bytes a version-40 QR code holds at error correction M.
QR_MAX_BYTES: Final = 2331

MISSED: Final = "过号无效，请重新取号"
SCAN_HINT: Final = "微信或手机扫码查看排队进度"
PRIORITY: Final = "绿色通道"
SOON: Final = "即将叫号，请留意叫号屏"


class Paper(IntEnum):
    """Paper width in mm; the printable width decides the QR module size."""

    MM58 = 58
    MM80 = 80


_QR_MODULE_DOTS: Final = {Paper.MM58: 5, Paper.MM80: 7}


class SlipError(ValueError):
    """The content cannot be printed as given (the message says which part)."""


@dataclass(frozen=True)
class SlipContent:
    """What a slip says; ``issued_at`` is an aware instant, printed in ``timezone`` (the hall's)."""

    hall_name: str
    service_name: str
    number: str
    ahead: int
    wait_minutes: int
    issued_at: datetime
    timezone: str
    status_url: str
    priority: bool = False
    # The estimate's range when it is uncertain (约10–15分钟); None, or equal ends: one number.
    wait_minutes_low: int | None = None
    wait_minutes_high: int | None = None


def _printable(text: str) -> str:
    """The text without control characters: a name must never smuggle printer commands in."""
    return "".join(ch for ch in text if unicodedata.category(ch)[0] != "C").strip()


def _text(text: str) -> bytes:
    return _printable(text).encode(ENCODING) + LF


def qr_store(data: bytes) -> bytes:
    """GS ( k fn 180 (store the symbol data): pL pH count the data plus the three bytes ``1 P 0``."""
    if not data:
        raise SlipError("status_url: the QR code needs a non-empty address")
    if len(data) > QR_MAX_BYTES:
        raise SlipError(f"status_url: {len(data)} bytes, a QR code at level M holds at most {QR_MAX_BYTES}")
    size = len(data) + 3
    return GS + b"(k" + bytes((size & 0xFF, size >> 8)) + b"1P0" + data


def qr_code(data: bytes, paper: Paper) -> bytes:
    """The whole QR sequence: model 2, module size, error level M, store, print."""
    module = GS + b"(k\x03\x001C" + bytes((_QR_MODULE_DOTS[paper],))
    return QR_MODEL_2 + module + QR_ERROR_M + qr_store(data) + QR_PRINT


def issue_time(issued_at: datetime, timezone: str) -> str:
    """``2026-11-22 10:05`` in the hall's time zone."""
    if issued_at.tzinfo is None:
        raise SlipError("issued_at: an aware datetime is required")
    return issued_at.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")


def _wait_text(content: SlipContent) -> str:
    low, high = content.wait_minutes_low, content.wait_minutes_high
    if low is not None and high is not None and 0 < low < high:
        return f"预计等候约 {low}–{high} 分钟"
    return f"预计等候约 {content.wait_minutes} 分钟"


def slip_bytes(content: SlipContent, paper: Paper = Paper.MM80) -> bytes:
    """The ESC/POS job printing ``content`` on ``paper``, from reset to cut."""
    if content.ahead < 0 or content.wait_minutes < 0:
        raise SlipError("ahead and wait_minutes cannot be negative")
    number = _printable(content.number)
    if not number.isascii() or not number:
        raise SlipError("number: expected a ticket number such as A023")
    out = bytearray(INIT + CHINESE_ON + ALIGN_CENTER)
    out += BOLD_ON + SIZE_TALL + _text(content.hall_name) + SIZE_NORMAL + BOLD_OFF
    out += LF + _text(content.service_name)
    out += BOLD_ON + SIZE_NUMBER + number.encode("ascii") + LF + SIZE_NORMAL + BOLD_OFF
    if content.priority:
        out += BOLD_ON + _text(f"【{PRIORITY}】") + BOLD_OFF
    out += SIZE_DOUBLE + _text(f"您前面还有 {content.ahead} 人") + SIZE_NORMAL
    out += _text(_wait_text(content) if content.ahead else SOON)
    out += _text(f"取号时间：{issue_time(content.issued_at, content.timezone)}")
    out += LF + qr_code(content.status_url.encode("utf-8"), paper) + LF
    out += _text(SCAN_HINT)
    out += LF + BOLD_ON + _text(MISSED) + BOLD_OFF
    out += ALIGN_LEFT + CHINESE_OFF + ESC + b"d" + bytes((FEED_LINES,)) + PARTIAL_CUT
    return bytes(out)
