"""Estimated waits: the pure estimator, and recorded mornings replayed through the counter operations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from content_factories import Factory
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.queue.board import board_state, ticket_status
from content.queue.models import Ticket
from content.queue.setup import add_counter, add_service_type
from content.queue.ticketing import call_next, finish, start_service, take_ticket
from content.queue.wait_estimates import (
    COUNTER_ACTIVE_WINDOW,
    HISTORY,
    SAMPLE_SIZE,
    ServiceSample,
    estimate_wait,
    mean_service_seconds,
    open_counters,
)

DATABASES = ("sqlite", "postgres")
NINE = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)  # 09:00 in Lanzhou


def at(minutes: float) -> datetime:
    return NINE + timedelta(minutes=minutes)


def test_nobody_ahead_waits_nothing() -> None:
    assert estimate_wait(0, 600, 2).seconds == 0


def test_the_wait_is_people_ahead_times_the_mean_over_open_counters() -> None:
    estimate = estimate_wait(6, 300, 2)
    assert estimate.seconds == 900 and estimate.minutes == 15


def test_minutes_round_up_so_nobody_is_promised_too_little() -> None:
    assert estimate_wait(1, 61, 1).minutes == 2


def test_without_history_the_default_service_time_stands_in() -> None:
    assert mean_service_seconds([], 1, NINE, 420) == (420.0, 0)


def test_only_the_latest_samples_within_the_history_window_count() -> None:
    old = [ServiceSample(1, NINE - HISTORY - timedelta(minutes=1), 3000)]
    other_line = [ServiceSample(2, NINE, 3000)]
    recent = [ServiceSample(1, NINE - timedelta(minutes=i), 100 + i) for i in range(SAMPLE_SIZE + 5)]
    mean, used = mean_service_seconds(old + other_line + recent, 1, NINE, 420)
    assert used == SAMPLE_SIZE
    assert mean == pytest.approx(sum(100 + i for i in range(SAMPLE_SIZE)) / SAMPLE_SIZE)


def test_a_forgotten_finish_is_clipped_to_an_hour() -> None:
    samples = [ServiceSample(1, NINE, 300), ServiceSample(1, NINE, 8 * 3600)]
    assert mean_service_seconds(samples, 1, NINE, 420)[0] == (300 + 3600) / 2


def test_counters_count_as_open_when_active_lately_else_all_configured() -> None:
    recently = {5: NINE - timedelta(minutes=5), 6: NINE - COUNTER_ACTIVE_WINDOW - timedelta(minutes=1)}
    assert open_counters([5, 6, 7], recently, NINE) == 1
    assert open_counters([5, 6, 7], {}, NINE) == 3
    assert open_counters([], {}, NINE) == 1


def replay(session: Session, steps: list[tuple[float, str, int]], line_id: int, counters: dict[int, int]) -> None:
    """Replay a recorded morning: (minute, event, counter number) with events take/call/serve/end."""
    for minute, kind, number in steps:
        when = at(minute)
        if kind == "take":
            take_ticket(session, line_id, when)
        elif kind == "call":
            call_next(session, counters[number], when)
        elif kind == "serve":
            start_service(session, counters[number], when)
        elif kind == "end":
            finish(session, counters[number], when)


# Two counters; services of 4, 6, 5 and 7 minutes (mean 5.5 min); then five people wait.
MORNING: list[tuple[float, str, int]] = [
    (0, "take", 0),
    (0.5, "take", 0),
    (1, "take", 0),
    (1.5, "take", 0),
    (2, "call", 5),
    (2, "serve", 5),
    (2, "call", 6),
    (2, "serve", 6),
    (6, "end", 5),
    (6.5, "call", 5),
    (6.5, "serve", 5),
    (8, "end", 6),
    (8.5, "call", 6),
    (8.5, "serve", 6),
    (11.5, "end", 5),
    (15.5, "end", 6),
    *((16 + i / 10, "take", 0) for i in range(5)),
]


def test_a_recorded_morning_gives_each_waiting_ticket_its_wait(session: Session, make: Factory) -> None:
    hall = make.hall(timezone="Asia/Shanghai")
    line = add_service_type(session, hall.id, prefix="A", name="社保业务", default_service_seconds=600)
    counters = {n: add_counter(session, hall.id, number=n, services=[line]).id for n in (5, 6)}
    replay(session, MORNING, line.id, counters)
    now = at(17)
    board = board_state(session, hall.id, now)
    [row] = board["services"]
    assert row["waiting"] == 5
    # 5 ahead of a new ticket × 330 s ÷ 2 counters.
    assert row["wait_seconds"] == 5 * 330 / 2
    last = session.scalars(select(Ticket).where(Ticket.number == "A009")).one()
    status = ticket_status(session, last, now)
    assert status["ahead"] == 4
    assert status["wait_seconds"] == 4 * 330 / 2


def test_one_counter_gone_quiet_for_half_an_hour_doubles_the_wait(session: Session, make: Factory) -> None:
    hall = make.hall(timezone="Asia/Shanghai")
    line = add_service_type(session, hall.id, prefix="A", name="社保业务")
    counters = {n: add_counter(session, hall.id, number=n, services=[line]).id for n in (5, 6)}
    replay(session, MORNING, line.id, counters)
    # Counter 6 finished at 15.5; counter 5 keeps working; at 50 min only counter 5 is open.
    replay(session, [(40, "call", 5), (40, "serve", 5), (45.5, "end", 5), (46, "take", 0)], line.id, counters)
    [row] = board_state(session, hall.id, at(50))["services"]
    samples = [240, 360, 300, 420, 330]  # 4, 6, 5, 7 min and the last 5.5 min service
    assert row["waiting"] == 5
    assert row["wait_seconds"] == 5 * sum(samples) / len(samples)  # one open counter


def test_an_empty_day_uses_the_default_service_time(session: Session, make: Factory) -> None:
    hall = make.hall(timezone="Asia/Shanghai")
    line = add_service_type(session, hall.id, prefix="A", name="社保业务", default_service_seconds=600)
    add_counter(session, hall.id, number=1, services=[line])
    for i in range(3):
        take_ticket(session, line.id, at(i))
    [row] = board_state(session, hall.id, at(5))["services"]
    assert row["wait_seconds"] == 3 * 600
