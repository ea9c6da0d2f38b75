"""Salary text as job boards and hall spreadsheets write it (薪资待遇), read into a range, a period and 面议.

``parse_salary`` understands what managers type: ``3000-4500元/月``, ``４５００－６０００元`` (full-width),
``4k-6k``, ``4K～6K``, ``1.2w-1.5w``, ``月薪5000元以上``, ``5000以上``, ``2000元以下``, ``面议``,
``薪资面议``, ``8-10万/年``, ``150元/天``, ``20元/小时``, with any dash (``-`` ``–`` ``—`` ``~`` ``～``
``至`` ``到``). A unit written only after the second figure is shared (``8-10万`` is 80,000–100,000),
unless the first figure is already the larger (``4500-6k`` is 4,500–6,000). A single figure is a fixed
salary (both ends); ``以上``/``起`` leave the top open and ``以下``/``以内`` the bottom.

A vacancy stores a monthly range only (``content.library.items.Vacancy``: ``salary_min``/``salary_max``,
both None for 面议), which is what every screen shows, so ``Salary.monthly`` converts other periods
with the factors of labour law, which a hall manager meets in every wage calculation: a month is
21.75 paid days (劳社部发〔2008〕3号, 月计薪天数 = (365 − 104) ÷ 12) and 174 paid hours (21.75 × 8),
a year is 12 months. Each end is rounded to whole yuan (half up). Anything else raises
``SalaryTextError`` with a message in both languages; the function raises nothing else.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Final

from content.errors import ContentError
from content.library.vacancy_rules import MAX_YUAN

__all__ = ["MAX_TEXT_LENGTH", "MONTHLY_FACTOR", "Period", "Salary", "SalaryTextError", "parse_salary"]

MAX_TEXT_LENGTH: Final = 100


class Period(StrEnum):
    MONTH = "month"
    YEAR = "year"
    DAY = "day"
    HOUR = "hour"


PERIOD_ZH: Final = {Period.MONTH: "月", Period.YEAR: "年", Period.DAY: "天", Period.HOUR: "小时"}
# A month in units of the period, as (numerator, denominator): see the module docstring for the legal basis.
MONTHLY_FACTOR: Final = {
    Period.MONTH: (Decimal(1), Decimal(1)),
    Period.YEAR: (Decimal(1), Decimal(12)),
    Period.DAY: (Decimal("21.75"), Decimal(1)),
    Period.HOUR: (Decimal(174), Decimal(1)),
}
_PREFIXES: Final = {
    "薪资待遇": None,
    "工资待遇": None,
    "薪酬待遇": None,
    "薪资": None,
    "薪酬": None,
    "工资": None,
    "待遇": None,
    "底薪": None,
    "月工资": Period.MONTH,
    "月薪": Period.MONTH,
    "年薪": Period.YEAR,
    "日薪": Period.DAY,
    "时薪": Period.HOUR,
}
_PERIOD_WORDS: Final = {
    "月": Period.MONTH,
    "个月": Period.MONTH,
    "month": Period.MONTH,
    "年": Period.YEAR,
    "year": Period.YEAR,
    "天": Period.DAY,
    "日": Period.DAY,
    "day": Period.DAY,
    "小时": Period.HOUR,
    "时": Period.HOUR,
    "h": Period.HOUR,
    "hour": Period.HOUR,
}
_NEGOTIABLE: Final = frozenset({"面议", "可面议", "面谈", "negotiable"})
_UNITS: Final = {None: Decimal(1), "k": Decimal(1000), "千": Decimal(1000), "w": Decimal(10_000), "万": Decimal(10_000)}
_NUMBER: Final = r"([0-9]+(?:\.[0-9]+)?)(k|千|w|万)?(?:元|块)?"
_DASH: Final = r"(?:-|~|–|—|―|−|‐|‑|‒|〜|至|到)"
_PERIOD: Final = r"(?:(?:/|每|一)?(个月|month|year|hour|day|小时|月|年|天|日|时|h))?"
_ABOVE: Final = ("以上", "及以上", "起")
_BELOW: Final = ("以下", "及以下", "以内")
_BOUND: Final = r"(以上|及以上|起|以下|及以下|以内|左右)?"
_RANGE: Final = re.compile(rf"{_NUMBER}{_DASH}{_NUMBER}{_PERIOD}")
_SINGLE: Final = re.compile(rf"(≥|>=|>|≤|<=|<)?{_NUMBER}{_BOUND}{_PERIOD}{_BOUND}")
_THOUSANDS: Final = re.compile(r"(?<=[0-9]),(?=[0-9]{3}(?![0-9]))")


class SalaryTextError(ContentError):
    """A salary text that cannot be read; ``message_zh`` and ``message_en`` say what to write instead."""

    def __init__(self, message_zh: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_zh = message_zh
        self.message_en = message_en


@dataclass(frozen=True)
class Salary:
    """A salary as written: ``low``–``high`` yuan per ``period`` (either end open, both for 面议)."""

    low: Decimal | None
    high: Decimal | None
    period: Period = Period.MONTH

    @property
    def negotiable(self) -> bool:
        return self.low is None and self.high is None

    def monthly(self) -> tuple[int | None, int | None]:
        """The range in whole yuan per month, as a vacancy stores it."""
        return _per_month(self.low, self.period), _per_month(self.high, self.period)


def _per_month(amount: Decimal | None, period: Period) -> int | None:
    if amount is None:
        return None
    times, per = MONTHLY_FACTOR[period]
    return int((amount * times / per).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _unreadable(text: str) -> SalaryTextError:
    return SalaryTextError(
        f"“{text}”不是可识别的薪资，应形如 3000-4500元/月、5000元以上、2000元以下、8-10万/年、150元/天 或 面议",
        f"{text!r} is not a salary like 3000-4500元/月, 5000元以上, 2000元以下, 8-10万/年, 150元/天 or 面议",
    )


def _fold(text: str) -> str:
    """NFKC (full-width digits and dashes become ASCII), case-folded, without spaces or thousands commas."""
    folded = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).casefold())
    return _THOUSANDS.sub("", folded).strip("()（）[]【】")


def _amount(digits: str, unit: str | None) -> Decimal:
    return Decimal(digits) * _UNITS[unit]


def _show(amount: Decimal) -> str:
    return f"{amount.normalize():f}"


def parse_salary(text: str) -> Salary:
    """The salary ``text`` states; ``SalaryTextError`` when it states none we can read (see the module)."""
    if len(text) > MAX_TEXT_LENGTH:
        raise SalaryTextError(
            f"薪资有 {len(text)} 个字，超过上限 {MAX_TEXT_LENGTH} 个字",
            f"the salary text has {len(text)} characters, above the limit of {MAX_TEXT_LENGTH}",
        )
    t = _fold(text)
    stated: Period | None = None
    for prefix, period in _PREFIXES.items():
        if t.startswith(prefix):
            t, stated = t[len(prefix) :].removeprefix(":"), period
            break
    if t in _NEGOTIABLE:
        return Salary(None, None, stated or Period.MONTH)
    if match := _RANGE.fullmatch(t):
        first, first_unit, second, second_unit, written = match.groups()
        high = _amount(second, second_unit)
        shared = first_unit is None and second_unit is not None and Decimal(first) < Decimal(second)
        low = _amount(first, second_unit if shared else first_unit)
        salary = Salary(low, high, _period(text, stated, written))
    elif match := _SINGLE.fullmatch(t):
        compare, digits, unit, bound_before, written, bound_after = match.groups()
        if bound_before and bound_after:
            raise _unreadable(text)
        amount = _amount(digits, unit)
        bound = bound_before or bound_after or ""
        above = bound in _ABOVE or compare in ("≥", ">=", ">")
        below = bound in _BELOW or compare in ("≤", "<=", "<")
        if above and below:
            raise _unreadable(text)
        salary = Salary(None if below else amount, None if above else amount, _period(text, stated, written))
    else:
        raise _unreadable(text)
    return _checked(text, salary)


def _period(text: str, stated: Period | None, written: str | None) -> Period:
    """The period a prefix (年薪…) and a suffix (/年…) give; they must agree when both are there."""
    suffix = _PERIOD_WORDS[written] if written else None
    if stated is not None and suffix is not None and stated != suffix:
        raise SalaryTextError(
            f"“{text}”的开头是按{PERIOD_ZH[stated]}计，结尾却是按{PERIOD_ZH[suffix]}计",
            f"{text!r} begins per {stated.value} but ends per {suffix.value}",
        )
    return stated or suffix or Period.MONTH


def _checked(text: str, salary: Salary) -> Salary:
    low, high = salary.low, salary.high
    if low is not None and high is not None and low > high:
        raise SalaryTextError(
            f"“{text}”的最低 {_show(low)} 高于最高 {_show(high)}",
            f"{text!r}: the minimum {_show(low)} is above the maximum {_show(high)}",
        )
    times, per = MONTHLY_FACTOR[salary.period]
    for amount in (low, high):
        # Checked before rounding: a figure of dozens of digits cannot be rounded to whole yuan.
        if amount is not None and amount * times / per > MAX_YUAN:
            raise SalaryTextError(
                f"“{text}”折合月薪超出范围 0–{MAX_YUAN} 元",
                f"{text!r} comes to more than {MAX_YUAN} yuan a month",
            )
    return salary
