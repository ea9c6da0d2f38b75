"""Opening hours in the console's words: the canonical text read aloud in Chinese, and the parser's problems.

``content/org/opening_hours.py`` reports a malformed text in English, naming the clause and the
part that is wrong (``clause 'Mun 08:00-12:00': 'Mun' is not a day; …``). The console shows the same
problem in zh-CN by matching those messages here; one it does not know is shown as it came, so a
new message in the parser is never lost, only untranslated (a test feeds every known kind).
"""

from __future__ import annotations

import ast
import re
from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo

from content.errors import ValidationError
from content.org.opening_hours import DAY_CODES, FIELD, MAX_MARGIN_MINUTES, OpeningHoursError
from content.org.power_schedules import MAX_HOURS_TEXT
from kiosk_server.console.words import say

_QUOTED: Final = r"""(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""
_CLAUSE: Final = re.compile(rf"^clause (?P<clause>{_QUOTED}): (?P<rest>.*)$", re.DOTALL)
_PART: Final = rf"(?P<part>{_QUOTED})"
# (words key, what follows "clause '…': "), tried in order: the first match names the problem.
_PROBLEMS: Final = (
    ("duplicate", re.compile(r"^(?P<part>\S+) is already given in another clause$")),
    ("shape", re.compile(r"^expected days then times")),
    ("not_time", re.compile(rf"^{_PART} is not a time range")),
    ("time_backwards", re.compile(rf"^{_PART} ends before it starts \(a range")),
    ("dates_backwards", re.compile(rf"^{_PART} ends before it starts$")),
    ("overlap", re.compile(r"^(?P<part>\S+) and (?P<other>\S+) overlap$")),
    ("no_such_time", re.compile(rf"^{_PART} has a time that does not exist")),
    ("days_backwards", re.compile(rf"^{_PART} runs backwards")),
    ("not_day_range", re.compile(rf"^{_PART} is not a day or a range")),
    ("not_day", re.compile(rf"^{_PART} is not a day;")),
    ("not_date_range", re.compile(rf"^{_PART} is not a date or a range")),
    ("too_long_range", re.compile(rf"^{_PART} is longer than a year$")),
    ("not_date", re.compile(rf"^{_PART} is not a date YYYY-MM-DD$")),
)
_DAY_RANGE: Final = re.compile(r"^(?P<first>[A-Z][a-z]{2})(?:-(?P<last>[A-Z][a-z]{2}))?$")


def _unquote(text: str) -> str:
    """A Python repr of a string (as the parser writes it) back to the string."""
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text
    return value if isinstance(value, str) else text


def hours_problem(err: ValidationError, lang: str) -> str:
    """The problem with the opening hours text, in ``lang``, naming the clause and part that are wrong."""
    if not isinstance(err, OpeningHoursError):
        detail = err.errors.get(FIELD, str(err))
        if detail == f"at most {MAX_HOURS_TEXT} characters":
            return say(lang, "power.problem.too_long", limit=MAX_HOURS_TEXT)
        return say(lang, "power.problem.other", detail=detail)
    problem = err.problem
    if problem.startswith("empty:"):
        return say(lang, "power.problem.empty")
    clause = _CLAUSE.match(problem)
    if clause is not None:
        rest = clause.group("rest")
        for key, pattern in _PROBLEMS:
            found = pattern.match(rest)
            if found is not None:
                parts = {name: _unquote(value) for name, value in found.groupdict().items()}
                return say(lang, f"power.problem.{key}", clause=_unquote(clause.group("clause")), **parts)
    return say(lang, "power.problem.other", detail=problem)


def margin_problem(typed: str, lang: str) -> str:
    return say(lang, "power.problem.margin", limit=MAX_MARGIN_MINUTES, part=typed)


def hours_in_words(canonical: str, lang: str) -> str:
    """The canonical text (``format_hours``) as a manager reads it: in Chinese, ``周一至周五 08:30-17:30；…``."""
    if lang == "en" or not canonical:
        return canonical
    clauses: list[str] = []
    for clause in canonical.split("; "):
        days, _, times = clause.partition(" ")
        day_range = _DAY_RANGE.match(days)
        if day_range is not None:
            days = _weekday(day_range.group("first"), lang)
            if day_range.group("last"):
                days += say(lang, "power.days.to") + _weekday(day_range.group("last"), lang)
        else:
            days = days.replace("..", say(lang, "power.days.to"))
        times = say(lang, "power.closed") if times == "closed" else times.replace(",", "、")
        clauses.append(f"{days} {times}")
    return "；".join(clauses)


def _weekday(code: str, lang: str) -> str:
    return say(lang, f"power.weekday.{DAY_CODES.index(code)}")


def local_moment(moment: datetime | None, tz: ZoneInfo, lang: str) -> str | None:
    """An instant in the hall's zone, with its weekday: ``2026-12-07 周一 08:15``."""
    if moment is None:
        return None
    local = moment.astimezone(tz)
    return say(
        lang,
        "power.when",
        date=local.strftime("%Y-%m-%d"),
        weekday=say(lang, f"power.weekday.{local.weekday()}"),
        time=local.strftime("%H:%M"),
    )
