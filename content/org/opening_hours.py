"""A hall's opening hours and the power schedule of its panels: parse, format, and decide on or off.

One rule in one home: the console shows what this module decides, and the kiosk agent
(``devices/agent/power.py``) runs the same decisions offline, so this module imports nothing but
the standard library and ``content.errors`` (pyproject's import-linter contracts keep it so).

The text form is clauses separated by ``;`` or new lines, each ``<days> <times>``:

    Mon-Fri 08:30-12:00,14:00-17:30; Sat 09:00-12:00
    周一至周五 08:30-17:30; 2026-10-01..2026-10-07 closed; 2026-10-11 08:30-17:30

Days are English (``Mon``…``Sun``) or Chinese (``周一``/``星期一``…``周日``/``星期天``) names, ranges
(``Mon-Fri``, ``周一至周五``) and lists (``Mon,Wed``). A date or a date range (``..``, ``~`` or ``至``)
overrides the week for those dates: ``closed`` (``休息``) for a holiday, times for a 调休 working
day. A day no clause names is closed. Times are ``HH:MM-HH:MM`` within one day (``24:00`` allowed).

Panels are on from ``margin`` before each opening to ``margin`` after it closes (the staff arrive
earlier and leave later). Opening times are wall-clock times of the hall's zone (``_instant`` says
how a time skipped or repeated by a DST change is read), and the margin is counted in real minutes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from content.errors import ValidationError

DEFAULT_MARGIN_MINUTES: Final = 15
MAX_MARGIN_MINUTES: Final = 180
FIELD: Final = "opening_hours"

DAY_CODES: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_CHINESE_DIGITS: Final = ("一", "二", "三", "四", "五", "六", "日")
_DAY_WORDS: Final[dict[str, int]] = {
    **{code.lower(): index for index, code in enumerate(DAY_CODES)},
    **{
        name: index
        for index, name in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))
    },
    **{prefix + digit: index for index, digit in enumerate(_CHINESE_DIGITS) for prefix in ("周", "星期", "礼拜")},
    "周天": 6,
    "星期天": 6,
    "礼拜天": 6,
}
_CLOSED_WORDS: Final = frozenset({"closed", "off", "休息", "闭馆", "不开放"})
_RANGE_MARKS: Final = re.compile(r"\s*(?:\.\.|~|～|至|到)\s*")
_DAY_RANGE_MARKS: Final = re.compile(r"\s*(?:-|–|~|～|至|到)\s*")
_LIST_MARKS: Final = re.compile(r"\s*[,，、]\s*")
_CLAUSE_MARKS: Final = re.compile(r"[;；\n]")
_TIME_SPAN: Final = re.compile(r"^(\d{1,2}):(\d{2})\s*[-–~～至到]\s*(\d{1,2}):(\d{2})$")
_DATE: Final = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_WEEK_DAYS: Final = 7


class OpeningHoursError(ValidationError):
    """The opening hours text is malformed; the message names the clause or part that is wrong."""

    def __init__(self, problem: str) -> None:
        super().__init__({FIELD: problem})
        self.problem = problem


class BadMargin(ValidationError):
    """The margin around opening hours is not whole minutes within bounds."""

    def __init__(self, problem: str) -> None:
        super().__init__({"margin_minutes": problem})


@dataclass(frozen=True, order=True)
class Span:
    """Open from ``start`` to ``end`` minutes after local midnight (``end`` may be 1440)."""

    start: int
    end: int

    def text(self) -> str:
        return f"{_hhmm(self.start)}-{_hhmm(self.end)}"


Spans = tuple[Span, ...]


@dataclass(frozen=True)
class OpeningHours:
    """The week (Monday first; an empty tuple is a closed day) and the dates that differ from it."""

    week: tuple[Spans, Spans, Spans, Spans, Spans, Spans, Spans]
    dates: tuple[tuple[date, Spans], ...] = ()  # sorted by date

    def spans_on(self, day: date) -> Spans:
        """The opening spans of a local date: its exception if it has one, else its weekday's."""
        for exception_day, spans in self.dates:
            if exception_day == day:
                return spans
        return self.week[day.weekday()]


@dataclass(frozen=True)
class PowerSchedule:
    """What a panel follows: opening hours (None: always on), the hall's zone, and the margin."""

    hours: OpeningHours | None
    tz: ZoneInfo
    margin: timedelta = timedelta(minutes=DEFAULT_MARGIN_MINUTES)


# parsing --------------------------------------------------------------------------------------------


def parse_hours(text: str) -> OpeningHours:
    """Parse the text form (module docstring); raise ``OpeningHoursError`` naming the bad part."""
    if not isinstance(text, str) or not text.strip():
        raise OpeningHoursError('empty: write the opening hours, such as "Mon-Fri 08:30-12:00,14:00-17:30"')
    week: list[Spans | None] = [None] * 7
    dates: dict[date, Spans] = {}
    for raw in _CLAUSE_MARKS.split(text):
        clause = raw.strip()
        if not clause:
            continue
        days_part, times_part = _split_clause(clause)
        spans = _spans(times_part, clause)
        if _DATE.match(_RANGE_MARKS.split(days_part)[0]):
            for day in _dates(days_part, clause):
                if day in dates:
                    raise OpeningHoursError(f"clause {clause!r}: {day.isoformat()} is already given in another clause")
                dates[day] = spans
        else:
            for index in _weekdays(days_part, clause):
                if week[index] is not None:
                    raise OpeningHoursError(f"clause {clause!r}: {DAY_CODES[index]} is already given in another clause")
                week[index] = spans
    filled = tuple(spans or () for spans in week)
    return OpeningHours(
        (filled[0], filled[1], filled[2], filled[3], filled[4], filled[5], filled[6]), tuple(sorted(dates.items()))
    )


def _split_clause(clause: str) -> tuple[str, str]:
    """``"Mon-Fri 08:30-12:00"`` → ``("Mon-Fri", "08:30-12:00")``: the times start at the first digit
    after a space, or at a closed word."""
    match = re.match(r"^(.*?)\s+((?:\d{1,2}:\d{2}).*|\S+)$", clause)
    if match is None:
        raise OpeningHoursError(f'clause {clause!r}: expected days then times, such as "Mon-Fri 08:30-17:30"')
    return match.group(1).strip(), match.group(2).strip()


def _spans(part: str, clause: str) -> Spans:
    if part.lower() in _CLOSED_WORDS:
        return ()
    spans: list[Span] = []
    for piece in _LIST_MARKS.split(part):
        match = _TIME_SPAN.match(piece.strip())
        if match is None:
            raise OpeningHoursError(
                f'clause {clause!r}: {piece!r} is not a time range such as "08:30-12:00" (or "closed")'
            )
        start = _minutes(int(match.group(1)), int(match.group(2)), piece, clause)
        end = _minutes(int(match.group(3)), int(match.group(4)), piece, clause)
        if end <= start:
            raise OpeningHoursError(
                f"clause {clause!r}: {piece!r} ends before it starts (a range cannot cross midnight; end at 24:00)"
            )
        spans.append(Span(start, end))
    spans.sort()
    for before, after in zip(spans, spans[1:], strict=False):
        if after.start < before.end:
            raise OpeningHoursError(f"clause {clause!r}: {before.text()} and {after.text()} overlap")
    return tuple(spans)


def _minutes(hour: int, minute: int, piece: str, clause: str) -> int:
    if minute > 59 or hour > 24 or (hour == 24 and minute):
        raise OpeningHoursError(f"clause {clause!r}: {piece!r} has a time that does not exist (00:00 to 24:00)")
    return hour * 60 + minute


def _weekdays(part: str, clause: str) -> list[int]:
    found: list[int] = []
    # "周一至周五" has no separator between its names: split day ranges after cutting the list.
    for piece in _LIST_MARKS.split(part):
        ends = _DAY_RANGE_MARKS.split(piece.strip())
        if len(ends) == 1:
            found.append(_weekday(ends[0], clause))
        elif len(ends) == 2:
            first, last = _weekday(ends[0], clause), _weekday(ends[1], clause)
            if last < first:
                raise OpeningHoursError(f"clause {clause!r}: {piece!r} runs backwards (write Monday first)")
            found.extend(range(first, last + 1))
        else:
            raise OpeningHoursError(f'clause {clause!r}: {piece!r} is not a day or a range such as "Mon-Fri"')
    return found


def _weekday(word: str, clause: str) -> int:
    index = _DAY_WORDS.get(word.strip().lower())
    if index is None:
        raise OpeningHoursError(
            f"clause {clause!r}: {word.strip()!r} is not a day; use Mon Tue Wed Thu Fri Sat Sun, 周一…周日, "
            "or a date YYYY-MM-DD"
        )
    return index


def _dates(part: str, clause: str) -> list[date]:
    ends = _RANGE_MARKS.split(part)
    if len(ends) > 2:
        raise OpeningHoursError(
            f'clause {clause!r}: {part!r} is not a date or a range such as "2026-10-01..2026-10-07"'
        )
    first = _date(ends[0], clause)
    last = _date(ends[-1], clause)
    if last < first:
        raise OpeningHoursError(f"clause {clause!r}: {part!r} ends before it starts")
    if (last - first).days > 366:
        raise OpeningHoursError(f"clause {clause!r}: {part!r} is longer than a year")
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def _date(word: str, clause: str) -> date:
    try:
        return date.fromisoformat(word.strip())
    except ValueError as err:
        raise OpeningHoursError(f"clause {clause!r}: {word.strip()!r} is not a date YYYY-MM-DD") from err


# formatting -----------------------------------------------------------------------------------------


def format_hours(hours: OpeningHours) -> str:
    """The canonical text of ``hours`` (parses back to the same value): days with equal times grouped."""
    clauses: list[str] = []
    index = 0
    while index < 7:
        last = index
        while last + 1 < 7 and hours.week[last + 1] == hours.week[index]:
            last += 1
        if hours.week[index]:
            days = DAY_CODES[index] if last == index else f"{DAY_CODES[index]}-{DAY_CODES[last]}"
            clauses.append(f"{days} {_spans_text(hours.week[index])}")
        index = last + 1
    position = 0
    while position < len(hours.dates):
        first_day, spans = hours.dates[position]
        last = position
        while (
            last + 1 < len(hours.dates)
            and hours.dates[last + 1][1] == spans
            and hours.dates[last + 1][0] == hours.dates[last][0] + timedelta(days=1)
        ):
            last += 1
        days = first_day.isoformat()
        if last != position:
            days += f"..{hours.dates[last][0].isoformat()}"
        clauses.append(f"{days} {_spans_text(spans) if spans else 'closed'}")
        position = last + 1
    return "; ".join(clauses)


def _spans_text(spans: Spans) -> str:
    return ",".join(span.text() for span in spans)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def check_margin(minutes: object) -> timedelta:
    """A margin in whole minutes, 0 to ``MAX_MARGIN_MINUTES``; raise ``BadMargin`` otherwise."""
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 0 <= minutes <= MAX_MARGIN_MINUTES:
        raise BadMargin(f"expected whole minutes from 0 to {MAX_MARGIN_MINUTES}, got {minutes!r}")
    return timedelta(minutes=minutes)


# decisions ------------------------------------------------------------------------------------------


def panel_on(
    hours: OpeningHours | None,
    at: datetime,
    tz: ZoneInfo,
    margin: timedelta = timedelta(minutes=DEFAULT_MARGIN_MINUTES),
) -> bool:
    """Whether a panel following ``hours`` in zone ``tz`` is on at the aware instant ``at`` (None: always)."""
    if hours is None:
        return True
    instant = _utc(at)
    return any(on <= instant < off for on, off in _powered(hours, tz, margin, _local_day(instant, tz), days=3))


def next_change(
    hours: OpeningHours | None,
    after: datetime,
    tz: ZoneInfo,
    margin: timedelta = timedelta(minutes=DEFAULT_MARGIN_MINUTES),
) -> datetime | None:
    """The first instant strictly after ``after`` when the panel turns on or off (UTC), or None if it
    never changes (always on, or never open again)."""
    if hours is None:
        return None
    instant = _utc(after)
    today = _local_day(instant, tz)
    # Far enough to pass every exception date and then a whole week of the regular schedule.
    last_exception = hours.dates[-1][0] if hours.dates else today
    days = max((last_exception - today).days, 0) + 2 * _WEEK_DAYS + 2
    for on, off in _powered(hours, tz, margin, today, days=days):
        if on > instant:
            return on
        if off > instant:
            return off
    return None


def _powered(
    hours: OpeningHours, tz: ZoneInfo, margin: timedelta, around: date, *, days: int
) -> list[tuple[datetime, datetime]]:
    """The on-periods (UTC, merged, sorted) of the local days from the day before ``around`` on."""
    periods: list[tuple[datetime, datetime]] = []
    for offset in range(-1, days):
        day = around + timedelta(days=offset)
        for span in hours.spans_on(day):
            periods.append((_instant(day, span.start, tz) - margin, _instant(day, span.end, tz) + margin))
    periods.sort()
    merged: list[tuple[datetime, datetime]] = []
    for on, off in periods:
        if merged and on <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], off))
        else:
            merged.append((on, off))
    return merged


def _instant(day: date, minutes: int, tz: ZoneInfo) -> datetime:
    """The UTC instant of ``minutes`` after local midnight of ``day`` by the wall clock.

    Ambiguous wall times (clocks going back) are their first occurrence (fold 0); a wall time the
    clock skips is read with the offset before the jump, so 02:30 on a spring-forward night is 03:30.
    """
    if minutes >= 24 * 60:
        return _instant(day + timedelta(days=1), minutes - 24 * 60, tz)
    return datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=tz).astimezone(UTC)


def _utc(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ValueError("expected an aware datetime")
    return at.astimezone(UTC)


def _local_day(instant: datetime, tz: ZoneInfo) -> date:
    return instant.astimezone(tz).date()
