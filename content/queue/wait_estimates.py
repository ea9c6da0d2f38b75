"""Estimated waits from recent service times: plain numbers in, plain numbers out, no clock inside.

The estimate for someone with N people ahead is N × (mean of the recent service times of that
service type) ÷ (counters serving it now). With no recent history the service type's default
duration stands in. Service times are clipped so one forgotten "finish" does not inflate a day.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

# How many recent services of a type are averaged, and how far back they may lie.
SAMPLE_SIZE: Final = 20
HISTORY: Final = timedelta(hours=3)
# A service is counted as at least 30 s and at most an hour.
MIN_SERVICE_SECONDS: Final = 30.0
MAX_SERVICE_SECONDS: Final = 3600.0
# A counter that called or finished a ticket this recently is counted as open.
COUNTER_ACTIVE_WINDOW: Final = timedelta(minutes=30)


@dataclass(frozen=True)
class ServiceSample:
    """One finished service: its type, when it ended and how long it took."""

    service_type_id: int
    ended_at: datetime
    seconds: float


@dataclass(frozen=True)
class Estimate:
    ahead: int
    seconds: int
    based_on: int  # how many recent services the mean came from (0: the default duration)

    @property
    def minutes(self) -> int:
        """Whole minutes, rounded up, for display (0 only when nobody is ahead)."""
        return math.ceil(self.seconds / 60)


def mean_service_seconds(
    samples: Iterable[ServiceSample], service_type_id: int, now: datetime, default_seconds: float
) -> tuple[float, int]:
    """The mean of the latest SAMPLE_SIZE services of a type within HISTORY, and how many it used."""
    recent = sorted(
        (s for s in samples if s.service_type_id == service_type_id and now - HISTORY <= s.ended_at <= now),
        key=lambda s: s.ended_at,
        reverse=True,
    )[:SAMPLE_SIZE]
    if not recent:
        return float(default_seconds), 0
    clipped = [min(MAX_SERVICE_SECONDS, max(MIN_SERVICE_SECONDS, s.seconds)) for s in recent]
    return sum(clipped) / len(clipped), len(clipped)


def estimate_wait(ahead: int, mean_seconds: float, open_counters: int, based_on: int = 0) -> Estimate:
    """The wait of someone with ``ahead`` people before them, served by ``open_counters`` counters."""
    if ahead <= 0:
        return Estimate(0, 0, based_on)
    return Estimate(ahead, round(ahead * mean_seconds / max(1, open_counters)), based_on)


def open_counters(configured: Iterable[int], last_activity: Mapping[int, datetime], now: datetime) -> int:
    """How many of the counters serving a type are working now: active lately, else all configured."""
    counters = list(configured)
    working = [c for c in counters if c in last_activity and now - last_activity[c] <= COUNTER_ACTIVE_WINDOW]
    return len(working) or len(counters) or 1
