"""Reading one cell of a vacancy import: money, salary text, headcount, education, codes and dates.

Each function takes the cell's text and returns the value a vacancy stores, or raises ``Bad`` with the
zh-CN and English messages of the row problem (``content.library.vacancy_import`` adds row and column).
The rules themselves live in ``content.library.vacancy_rules`` and ``content.library.salary_text``.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from content.library._import_table import header_key
from content.library.items import Education
from content.library.salary_text import Period, SalaryTextError, parse_salary
from content.library.vacancy_rules import (
    CREDIT_CODE,
    MAX_HEADCOUNT,
    MAX_YUAN,
    MIN_HEADCOUNT,
    headcount_problem,
    occupation_code_problem,
)

_EDUCATION: Final = {
    header_key(alias): level
    for level, aliases in {
        Education.NONE: ("不限", "学历不限", "无", "无要求", "none", "any"),
        Education.JUNIOR: ("初中", "初中及以上", "junior", "junior high"),
        Education.SENIOR: (
            "高中/中专",
            "高中",
            "中专",
            "中专/高中",
            "高中及以上",
            "中专及以上",
            "高中/中专及以上",
            "职高",
            "中技",
            "senior",
            "high school",
        ),
        Education.COLLEGE: ("大专", "专科", "大专及以上", "专科及以上", "高职", "college", "associate"),
        Education.BACHELOR: ("本科", "大学本科", "本科及以上", "bachelor"),
        Education.MASTER: ("硕士及以上", "硕士", "研究生", "博士", "master", "phd"),
    }.items()
    for alias in aliases
}
_NEGOTIABLE: Final = frozenset({"面议", "negotiable"})
_DASHES: Final = str.maketrans({c: "-" for c in "‐‑‒–—―−"})
_YUAN: Final = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+)(?:\.0*)?")
_WHOLE: Final = re.compile(r"(\d+)(?:\.0*)?")
_EXCEL_NUMBER: Final = re.compile(r"\d(\.\d+)?E\+\d+")  # what Excel shows for a long number: 9.16201E+17
_DATE: Final = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[\sT]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?|(\d{4})(\d{2})(\d{2})"
)


class Bad(Exception):
    """A cell's text does not parse; carries the messages for its RowProblem."""

    def __init__(self, message_zh: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_zh = message_zh
        self.message_en = message_en


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def yuan(text: str) -> int | None:
    t = fold(text).replace(" ", "").removesuffix("/月").removesuffix("元")
    if t.casefold() in _NEGOTIABLE:
        return None
    match = _YUAN.fullmatch(t.removeprefix("-"))
    if match is None:
        raise Bad(
            f"“{text}”不是整数金额（元/月），面议请留空或填“面议”",
            f"{text!r} is not a whole number of yuan per month (leave it blank or write 面议 if negotiable)",
        )
    value = int(match.group(1).replace(",", ""))
    if t.startswith("-") or value > MAX_YUAN:
        raise Bad(f"{t} 超出范围 0–{MAX_YUAN}", f"{t} is outside 0–{MAX_YUAN}")
    return value


def salary(text: str) -> tuple[int | None, int | None, bool]:
    """A salary text as monthly (min, max), and whether it was converted from another period."""
    try:
        stated = parse_salary(text)
    except SalaryTextError as err:
        raise Bad(err.message_zh, err.message_en) from err
    return (*stated.monthly(), stated.period is not Period.MONTH and not stated.negotiable)


def headcount(text: str) -> int:
    t = fold(text).replace(" ", "").removesuffix("人").removesuffix("名")
    if t in ("若干", "不限"):
        raise Bad(
            f"请填写具体人数（如 5），“{t}”无法作为招聘人数", f"give a number such as 5; {t!r} is not a headcount"
        )
    match = _WHOLE.fullmatch(t)
    if match is None:
        raise Bad(f"“{text}”不是整数", f"{text!r} is not a whole number")
    value = int(match.group(1))
    problem = headcount_problem(value)
    if problem is not None:
        raise Bad(f"招聘人数应在 {MIN_HEADCOUNT}–{MAX_HEADCOUNT} 之间，而不是 {value}", problem)
    return value


def education(text: str) -> str:
    level = _EDUCATION.get(header_key(text))
    if level is None:
        choices = "、".join(e.value for e in Education)
        raise Bad(
            f"“{text}”不是可选的学历：{choices}", f"{text!r} is not one of {', '.join(e.value for e in Education)}"
        )
    return level.value


def occupation_code(text: str) -> str:
    code = fold(text).translate(_DASHES).replace(" ", "")
    if occupation_code_problem(code) is not None:
        raise Bad(
            f"“{text}”不是 GB/T 6565 职业代码，应形如 4-02-06-03",
            f"{text!r} is not a GB/T 6565 occupation code like 4-02-06-03",  # the text as written, not as folded
        )
    return code


def credit_code(text: str) -> str:
    code = fold(text).replace(" ", "").upper()
    if _EXCEL_NUMBER.fullmatch(code):
        raise Bad(
            f"“{text}”被 Excel 当成了数字，请把该列设为文本后重新填写",
            f"{text!r} was turned into a number by Excel: format the column as text and enter it again",
        )
    if not CREDIT_CODE.fullmatch(code):
        raise Bad(f"“{text}”不是 18 位统一社会信用代码", f"{text!r} is not an 18-character unified social credit code")
    return code


def external_ref(text: str) -> str:
    """A 岗位编号 as written (trimmed): it is matched exactly, so only a number Excel mangled is refused."""
    ref = text.strip()
    if _EXCEL_NUMBER.fullmatch(fold(ref).replace(" ", "").upper()):
        raise Bad(
            f"“{text}”被 Excel 当成了数字，请把该列设为文本后重新填写",
            f"{text!r} was turned into a number by Excel: format the column as text and enter it again",
        )
    return ref


def instant(text: str, tz: ZoneInfo, *, next_day: bool) -> datetime:
    """A date (the start of that local day, or of the next one for an end date) or a date and time."""
    t = fold(text)
    match = _DATE.fullmatch(t)
    try:
        if match is None:
            value = datetime.fromisoformat(t)
            return value if value.tzinfo is not None else value.replace(tzinfo=tz)
        y, mo, d, h, mi, s, cy, cm, cd = match.groups()
        day = date(int(y or cy), int(mo or cm), int(d or cd))
        if h is None:
            return datetime.combine(day + timedelta(days=1 if next_day else 0), time(), tzinfo=tz)
        return datetime.combine(day, time(int(h), int(mi), int(s or 0)), tzinfo=tz)
    except ValueError as err:
        raise Bad(f"“{text}”不是有效的日期，应形如 2026-12-31", f"{text!r} is not a date like 2026-12-31") from err
