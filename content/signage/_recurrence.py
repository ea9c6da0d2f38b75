"""RFC 5545 RRULE checking and day expansion for schedules (private helper of ``schedules``).

Every expansion is bounded: the rule is walked only up to the last day asked for (dateutil would
otherwise look for a next occurrence until the year 9999, seconds per call for a rule that never
occurs) and for at most ``MAX_OCCURRENCES`` occurrences. A rule must occur within five years of its
start to be saved; a stored one that does not is skipped by the resolver and logged once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from itertools import islice
from typing import Final

from dateutil.relativedelta import relativedelta
from dateutil.rrule import rrule as RRule
from dateutil.rrule import rruleset as RRuleSet
from dateutil.rrule import rrulestr

# When a schedule has no date_from the rule still needs a DTSTART; a fixed Monday keeps weekly
# rules without BYDAY (and INTERVAL>1 parities) stable whatever day the schedule was saved on.
FALLBACK_ANCHOR: Final = date(2000, 1, 3)

OCCURS_WITHIN_YEARS: Final = 5
# Walked from DTSTART at most this many occurrences: a daily COUNT rule from 2000 to 2100 is ~36,500.
MAX_OCCURRENCES: Final = 50_000
NEVER_OCCURS: Final = "the rule never occurs within five years of its start"

log = logging.getLogger(__name__)

_DAY_FREQS: Final = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
_TIME_PARTS: Final = ("BYHOUR", "BYMINUTE", "BYSECOND")


def normalize_rrule(text: str | None) -> str | None:
    """Strip whitespace and an optional ``RRULE:`` prefix; blank means no rule."""
    if text is None:
        return None
    body = text.strip()
    if body.upper().startswith("RRULE:"):
        body = body[len("RRULE:") :].strip()
    return body or None


def _parts(body: str) -> dict[str, str]:
    parts: dict[str, str] = {}
    for chunk in body.split(";"):
        if not chunk.strip():
            continue
        key, _, value = chunk.partition("=")
        parts[key.strip().upper()] = value.strip()
    return parts


def rrule_problem(text: str | None, start: date | None = None) -> str | None:
    """Why ``text`` (starting on ``start``, the schedule's date_from) is not a usable day-choosing RRULE, or None."""
    body = normalize_rrule(text)
    if body is None:
        return None
    return _problem(body, start or FALLBACK_ANCHOR)


@lru_cache(maxsize=4096)
def _problem(body: str, start: date) -> str | None:
    if "\n" in body or "DTSTART" in body.upper():
        return "give the RRULE line alone (FREQ=...;...); the schedule's date_from is its start"
    parts = _parts(body)
    freq = parts.get("FREQ")
    if freq is None:
        return "FREQ is required, e.g. FREQ=WEEKLY;BYDAY=MO,WE,FR"
    if freq.upper() not in _DAY_FREQS:
        return f"FREQ={freq} is not allowed; the RRULE picks days, use one of {', '.join(_DAY_FREQS)}"
    for key in _TIME_PARTS:
        if key in parts:
            return f"{key} is not allowed; the daypart sets the time of day, the RRULE only picks days"
    for key in ("INTERVAL", "COUNT"):
        if key in parts and not (parts[key].isdigit() and int(parts[key]) >= 1):
            return f"{key} must be a whole number of at least 1, got {parts[key]!r}"
    if parts.get("UNTIL", "").upper().endswith("Z"):
        return "UNTIL must be a local date such as 20261231 (no 'Z'); or leave it out and set date_until"
    try:
        rule = rrulestr(body, dtstart=datetime.combine(start, time()))
    except (ValueError, KeyError, TypeError, IndexError) as err:
        return f"not a valid RRULE: {err}"
    horizon = _years_after(start, OCCURS_WITHIN_YEARS)
    if next(_walk(rule, datetime.combine(start, time()), datetime.combine(horizon, time.max)), None) is None:
        return f"{NEVER_OCCURS} ({start.isoformat()} to {horizon.isoformat()}); check BYMONTH, BYMONTHDAY and UNTIL"
    return None


def _years_after(day: date, years: int) -> date:
    try:
        return day + relativedelta(years=years)
    except (OverflowError, ValueError):
        return date.max


def _walk(rule: RRule | RRuleSet, first: datetime, last: datetime) -> Iterator[datetime]:
    """The occurrences of ``rule`` in [first, last], found without looking past ``last``.

    UNTIL is set to ``last`` (COUNT is applied by counting instead: RFC 5545 forbids both in one
    rule), so a rule that never occurs stops at ``last`` rather than at the year 9999.
    """
    if isinstance(rule, RRule):
        count = getattr(rule, "_count", None)
        until = getattr(rule, "_until", None)
        bounded = rule.replace(count=None, until=last if until is None else min(until, last))
        limit = MAX_OCCURRENCES if count is None else min(int(count), MAX_OCCURRENCES)
        hits: Iterator[datetime] = islice(iter(bounded), limit)
    else:  # not produced by a single RRULE line; bounded by the window only
        hits = iter(rule.between(first, last, inc=True))
    return (hit for hit in hits if first <= hit <= last)


def usable_rule(text: str | None, start: date | None) -> bool:
    """Whether the resolver may expand ``text``; a stored rule that cannot work is logged (once) and skipped."""
    body = normalize_rrule(text)
    if body is None:
        return True
    return _stored_rule_ok(body, start or FALLBACK_ANCHOR)


@lru_cache(maxsize=4096)
def _stored_rule_ok(body: str, start: date) -> bool:
    # Cached, so each bad (rule, start) is logged once per process rather than once per resolution.
    problem = _problem(body, start)
    if problem is not None:
        log.warning("schedule rule %r starting %s skipped: %s", body, start.isoformat(), problem)
    return problem is None


def _shift_anchor(parts: dict[str, str], anchor: date, first_day: date) -> date:
    """Move ``anchor`` forward by whole recurrence periods to just before ``first_day``.

    dateutil iterates every occurrence from DTSTART; from a 2000 anchor that is ~10,000 steps per
    call. Moving DTSTART by whole periods keeps the same phase (week grid, month day, year day),
    so the days on or after ``first_day`` are unchanged. COUNT counts from DTSTART: never shift.
    """
    if "COUNT" in parts or first_day <= anchor:
        return anchor
    freq = parts["FREQ"].upper()
    interval = int(parts.get("INTERVAL", "1"))
    if freq in ("DAILY", "WEEKLY"):
        step = interval * (7 if freq == "WEEKLY" else 1)
        periods = (first_day - anchor).days // step - 1
        return anchor + timedelta(days=step * periods) if periods > 0 else anchor
    if freq == "MONTHLY" and anchor.day <= 28:  # day 29-31 would be clamped by relativedelta
        months = (first_day.year - anchor.year) * 12 + first_day.month - anchor.month
        periods = months // interval - 1
        return anchor + relativedelta(months=interval * periods) if periods > 0 else anchor
    if freq == "YEARLY" and (anchor.month, anchor.day) != (2, 29):
        periods = (first_day.year - anchor.year) // interval - 1
        return anchor + relativedelta(years=interval * periods) if periods > 0 else anchor
    return anchor


@lru_cache(maxsize=4096)
def _rule(body: str, dtstart: datetime) -> RRule | RRuleSet:
    return rrulestr(body, dtstart=dtstart)


def rule_days(text: str, anchor: date | None, first_day: date, last_day: date) -> list[date]:
    """Local dates in [first_day, last_day] that the RRULE ``text`` (DTSTART at ``anchor``) chooses."""
    body = normalize_rrule(text)
    if body is None or last_day < first_day:
        return []
    parts = _parts(body)
    start = _shift_anchor(parts, anchor or FALLBACK_ANCHOR, first_day)
    rule = _rule(body, datetime.combine(start, time()))
    hits = _walk(rule, datetime.combine(first_day, time()), datetime.combine(last_day, time.max))
    return sorted({hit.date() for hit in hits})
