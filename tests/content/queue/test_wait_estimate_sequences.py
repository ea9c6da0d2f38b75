"""Wait estimates on recorded mornings (data/*.json) replayed through the real counter operations.

The mornings include staff who skip 开始办理, a ticket left open over a break and a counter paused
for training: the estimate must follow what counters actually do (call to call), not jump.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from content_factories import Factory
from sqlalchemy.orm import Session

from content.queue.counter_pause import pause, resume
from content.queue.models import ServiceType
from content.queue.setup import add_counter, add_service_type
from content.queue.ticketing import call_next, finish, no_show, start_service, take_ticket
from content.queue.wait_estimates import ServiceSample, estimate_wait, typical_time
from content.queue.wait_history import HallWaits

DATA = Path(__file__).parent / "data"
NINE = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)  # 09:00 in Lanzhou


def at(minutes: float) -> datetime:
    return NINE + timedelta(minutes=minutes)


def recorded(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((DATA / name).read_text(encoding="utf-8"))
    return loaded


def setup_line(session: Session, make: Factory, morning: dict[str, Any]) -> tuple[int, ServiceType, dict[int, int]]:
    hall = make.hall(timezone="Asia/Shanghai")
    spec = morning["line"]
    line = add_service_type(
        session,
        hall.id,
        prefix=spec["prefix"],
        name=spec["name"],
        default_service_seconds=spec["default_service_seconds"],
    )
    counters = {n: add_counter(session, hall.id, number=n, services=[line]).id for n in morning["counters"]}
    return hall.id, line, counters


def play(session: Session, step: list[Any], line: ServiceType, counters: dict[int, int]) -> None:
    minute, kind, number = step
    when = at(minute)
    if kind == "take":
        take_ticket(session, line.id, when)
    elif kind == "call":
        call_next(session, counters[number], when)
    elif kind == "serve":
        start_service(session, counters[number], when)
    elif kind == "end":
        finish(session, counters[number], when)
    elif kind == "no-show":
        no_show(session, counters[number], when)
    elif kind == "pause":
        pause(session, counters[number], "training", when)
    elif kind == "resume":
        resume(session, counters[number], when)
    else:
        raise AssertionError(f"unknown step {step}")


def test_skipped_starts_give_call_to_call_times_and_a_break_is_dropped(session: Session, make: Factory) -> None:
    morning = recorded("skipped_starts.json")
    hall_id, line, counters = setup_line(session, make, morning)
    for step in morning["steps"]:
        play(session, step, line, counters)
    now = at(morning["steps"][-1][0] + 1)
    waits = HallWaits.load(session, hall_id, now)
    typical = typical_time(waits.samples, line.id, now, line.default_service_seconds)
    low, high = morning["expect"]["typical_minutes"]
    assert low * 60 <= typical.mean <= high * 60, f"call to call about 5 min, got {typical.mean / 60:.1f}"
    assert typical.dropped == 1, "the ticket left open over the break is an outlier"
    assert typical.based_on == 10
    ahead = morning["expect"]["ahead_of_new_ticket"]
    estimate = waits.estimate(line, ahead)
    # 8 people × about 5 minutes at one counter: about 40 minutes, never 约4 or 约122.
    assert 35 <= estimate.minutes <= 45, estimate
    assert estimate.low_minutes <= estimate.minutes <= estimate.high_minutes


def test_the_estimate_for_eight_people_never_jumps_through_the_morning(session: Session, make: Factory) -> None:
    morning = recorded("skipped_starts.json")
    hall_id, line, counters = setup_line(session, make, morning)
    seen: list[tuple[float, int]] = []
    for step in morning["steps"]:
        play(session, step, line, counters)
        if step[1] in ("call", "end") and step[0] >= 20:
            estimate = HallWaits.load(session, hall_id, at(step[0])).estimate(line, 8)
            seen.append((step[0], estimate.minutes))
    assert len(seen) >= 8
    for (before_at, before), (after_at, after) in zip(seen, seen[1:], strict=False):
        assert after <= before * 1.6 and before <= after * 1.6, f"{before} min at {before_at} → {after} at {after_at}"
    assert all(25 <= minutes <= 55 for _, minutes in seen), seen


def test_a_pause_is_not_counter_time_and_mixed_habits_agree(session: Session, make: Factory) -> None:
    morning = recorded("pause_and_mixed_counters.json")
    hall_id, line, counters = setup_line(session, make, morning)
    for step in morning["steps"]:
        play(session, step, line, counters)
    now = at(morning["steps"][-1][0] + 1)
    waits = HallWaits.load(session, hall_id, now)
    mine = [s for s in waits.samples if s.service_type_id == line.id]
    assert max(s.seconds for s in mine) <= 7 * 60 + 1, "the 40-minute pause never counts as a counter time"
    typical = typical_time(waits.samples, line.id, now, line.default_service_seconds)
    low, high = morning["expect"]["typical_minutes"]
    assert low * 60 <= typical.mean <= high * 60
    assert typical.dropped == 0


def test_a_paused_counter_is_not_counted_as_open(session: Session, make: Factory) -> None:
    morning = {"line": {"prefix": "A", "name": "社保业务", "default_service_seconds": 300}, "counters": [1, 2]}
    hall_id, line, counters = setup_line(session, make, morning)
    steps = [[0, "take", 0]] * 12
    for start in (1, 7, 13):
        steps += [[start, "call", 1], [start + 5, "end", 1], [start + 1, "call", 2], [start + 6, "end", 2]]
    for step in sorted(steps, key=lambda s: s[0]):
        play(session, step, line, counters)
    both_open = HallWaits.load(session, hall_id, at(20)).estimate(line, 6)
    pause(session, counters[1], "break", at(20))
    one_open = HallWaits.load(session, hall_id, at(20)).estimate(line, 6)
    assert both_open.seconds == 6 * 300 / 2
    assert one_open.seconds == 6 * 300, "the paused counter calls nobody: one counter serves the line"


def test_no_history_gives_the_default_duration_as_a_range(session: Session, make: Factory) -> None:
    morning = recorded("skipped_starts.json")
    hall_id, line, _ = setup_line(session, make, morning)
    estimate = HallWaits.load(session, hall_id, at(0)).estimate(line, 2)
    assert estimate.seconds == 2 * 300 and estimate.based_on == 0
    assert estimate.is_range and estimate.low_minutes == 7 and estimate.high_minutes == 13


def test_few_samples_give_a_range_and_many_steady_ones_a_single_number() -> None:
    now = at(60)
    few = [ServiceSample(1, at(50 + i), 300) for i in range(3)]
    typical = typical_time(few, 1, now, 300)
    assert estimate_wait(3, typical.mean, 1, typical.based_on, typical.spread).is_range
    steady = [ServiceSample(1, at(i * 3), 290 + (i % 3) * 10) for i in range(20)]
    typical = typical_time(steady, 1, now, 300)
    estimate = estimate_wait(8, typical.mean, 1, typical.based_on, typical.spread)
    assert not estimate.is_range and estimate.minutes == 40
    spread = [ServiceSample(1, at(i * 3), (120, 600)[i % 2]) for i in range(20)]
    typical = typical_time(spread, 1, now, 300)
    assert estimate_wait(8, typical.mean, 1, typical.based_on, typical.spread).is_range, "a wide spread: a range"


def test_nobody_ahead_has_no_range() -> None:
    estimate = estimate_wait(0, 300, 1)
    assert (estimate.minutes, estimate.low_minutes, estimate.high_minutes, estimate.is_range) == (0, 0, 0, False)
    assert estimate.fields() == {"wait_seconds": 0, "wait_minutes": 0, "wait_minutes_low": 0, "wait_minutes_high": 0}
