"""Calendar quarters (季度) as the labour-market figures count them: ``2026Q3``, in a hall's time zone."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, time
from typing import Final
from zoneinfo import ZoneInfo

from content.errors import ContentError

FIRST_YEAR: Final = 2000
_CHINESE_DIGITS: Final = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_FORMS: Final = (
    re.compile(r"(\d{4})\s*[-/ ]?\s*q([1-4])"),  # 2026Q3, 2026-Q3
    re.compile(r"(\d{4})年?\s*第?([1-4一二三四])季度?"),  # 2026年第3季度, 2026年三季度, 2026年第三季
)


class BadQuarter(ContentError):
    """A quarter text that cannot be read, or lies outside the years figures are kept for."""

    def __init__(self, message_zh: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_zh, self.message_en = message_zh, message_en


def quarter_of(moment: datetime, tz: ZoneInfo) -> str:
    """The quarter ``moment`` falls in, on the local calendar of ``tz``: ``2026Q3``."""
    local = moment.astimezone(tz)
    return f"{local.year}Q{(local.month - 1) // 3 + 1}"


def quarter_start(quarter: str, tz: ZoneInfo) -> datetime:
    """Local midnight of the first day of ``quarter`` (a canonical ``2026Q3``)."""
    year, number = int(quarter[:4]), int(quarter[5])
    return datetime.combine(datetime(year, 3 * number - 2, 1).date(), time(), tzinfo=tz)


def shift(quarter: str, by: int) -> str:
    """The quarter ``by`` quarters after ``quarter`` (before, when negative)."""
    index = int(quarter[:4]) * 4 + int(quarter[5]) - 1 + by
    return f"{index // 4}Q{index % 4 + 1}"


def span(last: str, count: int) -> list[str]:
    """``count`` consecutive quarters ending with ``last``, oldest first."""
    return [shift(last, by) for by in range(1 - count, 1)]


def parse_quarter(text: str, latest: str) -> str:
    """Read ``2026Q3``, ``2026-Q3``, ``2026年第3季度`` or ``2026年三季度`` as ``2026Q3``; no later than ``latest``."""
    folded = unicodedata.normalize("NFKC", text).strip().casefold()
    for form in _FORMS:
        match = form.fullmatch(folded)
        if match:
            quarter = f"{match.group(1)}Q{_CHINESE_DIGITS[match.group(2)]}"
            break
    else:
        raise BadQuarter(
            f"“{text[:20]}”不是季度，请写成 2026Q3 或 2026年第3季度", f"{text[:20]!r} is not a quarter: write 2026Q3"
        )
    if int(quarter[:4]) < FIRST_YEAR or quarter > latest:
        raise BadQuarter(
            f"季度 {quarter} 不在 {FIRST_YEAR}Q1 至 {latest} 之间",
            f"the quarter {quarter} is outside {FIRST_YEAR}Q1–{latest}",
        )
    return quarter
