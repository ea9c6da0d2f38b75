"""Estimated waits from recent counter times: plain numbers in, plain numbers out, no clock inside.

A counter's time on a ticket is measured from its call to the first event that closes it at that
counter (finish, no-show, transfer, or the implicit finish of the next call): call to call when
staff go straight from ticket to ticket, whether or not they pressed 开始办理, and cut at the
finish when they finished before a pause or a break, so idle time never counts as service. Only
start-to-finish times were used before, and a day where staff skip 开始办理 left one or two
forgotten services to estimate from (约7 became 约122 分钟 for 8 people: issue 20).

The estimate for someone with N people ahead is N × (typical counter time of the service type) ÷
(counters serving it now). The typical time is the mean of the latest samples after outliers are
dropped by the interquartile rule (Tukey's fences), so one ticket left open over lunch does not
move the day. When the estimate is uncertain (few samples, a wide spread, or no history at all, when
the service type's default duration stands in) it is a range, 约10–15分钟, never a false precision.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

# How many recent counter times of a type are used, and how far back they may lie.
SAMPLE_SIZE: Final = 20
HISTORY: Final = timedelta(hours=3)
# A counter time is counted as at least 30 s and at most an hour, whatever the fences say.
MIN_SERVICE_SECONDS: Final = 30.0
MAX_SERVICE_SECONDS: Final = 3600.0
# Tukey's fences: drop samples beyond 1.5 interquartile ranges outside the quartiles (with 4 or more).
FENCE: Final = 1.5
FENCE_MIN_SAMPLES: Final = 4
# Fewer samples than this and the estimate is a range.
CONFIDENT_SAMPLES: Final = 5
# A range when its half-width exceeds this share of the estimate; and the half-width it has at least.
UNCERTAIN_SHARE: Final = 0.2
MIN_RANGE_SHARE: Final = 0.2
# With no history, the default duration is right to within this share either way (a guess).
DEFAULT_RANGE_SHARE: Final = 0.3
# A counter that called or finished a ticket this recently is counted as open.
COUNTER_ACTIVE_WINDOW: Final = timedelta(minutes=30)


@dataclass(frozen=True)
class ServiceSample:
    """One counter time: the ticket's type, when it closed at the counter and how long it took."""

    service_type_id: int
    ended_at: datetime
    seconds: float


@dataclass(frozen=True)
class TypicalTime:
    """What a counter typically spends on a ticket of one type: mean and spread of the samples kept."""

    mean: float
    spread: float  # the samples' standard deviation (0 with fewer than two)
    based_on: int  # samples kept (0: the service type's default duration)
    dropped: int = 0  # outliers beyond the fences


@dataclass(frozen=True)
class Estimate:
    ahead: int
    seconds: int
    based_on: int  # how many recent counter times the mean came from (0: the default duration)
    low_seconds: int = -1  # the range, when uncertain; -1 (the default) means "same as seconds"
    high_seconds: int = -1

    def __post_init__(self) -> None:
        if self.low_seconds < 0:
            object.__setattr__(self, "low_seconds", self.seconds)
        if self.high_seconds < 0:
            object.__setattr__(self, "high_seconds", self.seconds)

    @property
    def minutes(self) -> int:
        """Whole minutes, rounded up, for display (0 only when nobody is ahead)."""
        return math.ceil(self.seconds / 60)

    @property
    def low_minutes(self) -> int:
        """The range's low end in whole minutes (rounded up like ``minutes``; at least 1 when someone is ahead)."""
        if self.ahead <= 0:
            return 0
        return max(1, min(self.minutes, math.ceil(self.low_seconds / 60)))

    @property
    def high_minutes(self) -> int:
        """The range's high end in whole minutes, rounded up."""
        return max(self.minutes, math.ceil(self.high_seconds / 60))

    @property
    def is_range(self) -> bool:
        """Whether to show 约{low}–{high}分钟 rather than 约{minutes}分钟."""
        return self.low_minutes < self.high_minutes

    def fields(self) -> dict[str, Any]:
        """The estimate as board and ticket payload fields (``wait_minutes_low == wait_minutes_high``: no range)."""
        return {
            "wait_seconds": self.seconds,
            "wait_minutes": self.minutes,
            "wait_minutes_low": self.low_minutes,
            "wait_minutes_high": self.high_minutes,
        }


@dataclass(frozen=True)
class CounterEvent:
    """One event of the log, as the counter-time pairing needs it."""

    ticket_id: int
    service_type_id: int
    counter_id: int | None
    kind: str  # an EventKind value
    at: datetime


# Events that close a ticket at the counter that called it (EventKind values; models are not imported
# here so this module stays plain data).
CLOSING_KINDS: Final = frozenset({"end", "no_show", "transfer"})


def counter_times(events: Iterable[CounterEvent]) -> list[ServiceSample]:
    """Pair each call with the first event closing that ticket at that counter: the counter's time on it.

    ``events`` in the order they happened. A call never closed (still open) gives nothing; a recall
    is part of the call's time; a transferred ticket's follow-up is a new ticket with its own call.
    """
    open_calls: dict[int, CounterEvent] = {}
    samples: list[ServiceSample] = []
    for event in events:
        if event.kind == "call":
            open_calls[event.ticket_id] = event
        elif event.kind in CLOSING_KINDS:
            call = open_calls.pop(event.ticket_id, None)
            if call is None or call.counter_id != event.counter_id:
                continue
            seconds = (event.at - call.at).total_seconds()
            if seconds >= 0:
                samples.append(ServiceSample(call.service_type_id, event.at, seconds))
    return samples


def _quartiles(values: Sequence[float]) -> tuple[float, float]:
    q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, q3


def without_outliers(values: Sequence[float]) -> list[float]:
    """``values`` inside Tukey's fences (all of them when there are too few to judge)."""
    if len(values) < FENCE_MIN_SAMPLES:
        return list(values)
    q1, q3 = _quartiles(values)
    low, high = q1 - FENCE * (q3 - q1), q3 + FENCE * (q3 - q1)
    return [v for v in values if low <= v <= high]


def typical_time(
    samples: Iterable[ServiceSample], service_type_id: int, now: datetime, default_seconds: float
) -> TypicalTime:
    """The typical counter time of a type from its latest SAMPLE_SIZE samples within HISTORY."""
    recent = sorted(
        (s for s in samples if s.service_type_id == service_type_id and now - HISTORY <= s.ended_at <= now),
        key=lambda s: s.ended_at,
        reverse=True,
    )[:SAMPLE_SIZE]
    if not recent:
        return TypicalTime(float(default_seconds), 0.0, 0)
    clipped = [min(MAX_SERVICE_SECONDS, max(MIN_SERVICE_SECONDS, s.seconds)) for s in recent]
    kept = without_outliers(clipped)
    spread = statistics.stdev(kept) if len(kept) > 1 else 0.0
    return TypicalTime(statistics.fmean(kept), spread, len(kept), len(clipped) - len(kept))


def mean_service_seconds(
    samples: Iterable[ServiceSample], service_type_id: int, now: datetime, default_seconds: float
) -> tuple[float, int]:
    """(typical time, samples it used): the older interface, kept for callers that want only the mean."""
    typical = typical_time(samples, service_type_id, now, default_seconds)
    return typical.mean, typical.based_on


def estimate_wait(
    ahead: int, mean_seconds: float, open_counters: int, based_on: int = 0, spread: float | None = None
) -> Estimate:
    """The wait of someone with ``ahead`` people before them, served by ``open_counters`` counters.

    The range: with no history, ±DEFAULT_RANGE_SHARE; otherwise the spread of a sum of ``ahead``
    counter times plus the uncertainty of the mean itself, at least ±MIN_RANGE_SHARE when there are
    fewer than CONFIDENT_SAMPLES samples. A range narrower than UNCERTAIN_SHARE is not shown.
    """
    if ahead <= 0:
        return Estimate(0, 0, based_on)
    counters = max(1, open_counters)
    total = ahead * mean_seconds / counters
    if based_on <= 0:
        half = DEFAULT_RANGE_SHARE * total
    else:
        sd = mean_seconds * MIN_RANGE_SHARE if spread is None else spread
        half = math.sqrt(ahead * sd**2 + (ahead * sd) ** 2 / based_on) / counters
        if based_on < CONFIDENT_SAMPLES:
            half = max(half, MIN_RANGE_SHARE * total)
        elif half <= UNCERTAIN_SHARE * total:
            half = 0.0
    return Estimate(ahead, round(total), based_on, round(max(0.0, total - half)), round(total + half))


def estimate_from(typical: TypicalTime, ahead: int, open_counters: int) -> Estimate:
    """``estimate_wait`` for a TypicalTime."""
    return estimate_wait(ahead, typical.mean, open_counters, typical.based_on, typical.spread)


def open_counters(configured: Iterable[int], last_activity: Mapping[int, datetime], now: datetime) -> int:
    """How many of the counters serving a type are working now: active lately, else all configured."""
    counters = list(configured)
    working = [c for c in counters if c in last_activity and now - last_activity[c] <= COUNTER_ACTIVE_WINDOW]
    return len(working) or len(counters) or 1
