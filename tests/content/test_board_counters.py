"""The hall board's counter grid (窗口 · 状态 · 当前号) and its recent calls."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from content_factories import Factory
from sqlalchemy.orm import Session

from content.queue.board import RECENT_CALLS, board_state
from content.queue.setup import add_counter, add_service_type
from content.queue.ticketing import call_next, finish, start_service, take_ticket

# 09:00 in Lanzhou (UTC+8).
NINE = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)


def _minutes(n: float) -> datetime:
    return NINE + timedelta(minutes=n)


@pytest.fixture
def hall(make: Factory):
    return make.hall(timezone="Asia/Shanghai")


def _by_number(board: dict) -> dict[int, dict]:
    return {c["number"]: c for c in board["counters"]}


def test_each_counter_has_its_status_ticket_and_pause_reason(session: Session, hall) -> None:
    social = add_service_type(session, hall.id, prefix="A", name="社保业务", name_en="Social security")
    counters = {n: add_counter(session, hall.id, number=n, services=[social]) for n in (1, 2, 3, 4, 5)}
    for i in range(4):
        take_ticket(session, social.id, _minutes(i))
    call_next(session, counters[1].id, _minutes(5))  # 呼叫中
    call_next(session, counters[2].id, _minutes(5))
    start_service(session, counters[2].id, _minutes(6))  # 办理中
    call_next(session, counters[3].id, _minutes(6))
    finish(session, counters[3].id, _minutes(7))  # 空闲
    call_next(session, counters[4].id, _minutes(7))
    counters[4].paused_since = _minutes(8)  # 暂停服务, with a ticket still open: the pause wins
    counters[4].pause_reason = "业务培训"
    session.flush()
    board = board_state(session, hall.id, _minutes(9))
    shown = {n: (c["status"], c["ticket"], c["paused"], c["pause_reason"]) for n, c in _by_number(board).items()}
    assert shown == {
        1: ("calling", "A001", False, None),
        2: ("serving", "A002", False, None),
        3: ("idle", None, False, None),
        4: ("paused", "A004", True, "业务培训"),
        5: ("closed", None, False, None),  # 未开放: nobody called there today
    }


def test_a_reason_left_on_a_resumed_counter_is_not_shown(session: Session, hall) -> None:
    social = add_service_type(session, hall.id, prefix="A", name="社保业务")
    counter = add_counter(session, hall.id, number=1, services=[social])
    counter.pause_reason = "休息"  # paused_since is None: the counter works again
    session.flush()
    [row] = board_state(session, hall.id, _minutes(1))["counters"]
    assert (row["status"], row["paused"], row["pause_reason"]) == ("closed", False, None)


def test_calls_of_yesterday_do_not_open_a_counter_today(session: Session, hall) -> None:
    social = add_service_type(session, hall.id, prefix="A", name="社保业务")
    counter = add_counter(session, hall.id, number=1, services=[social])
    take_ticket(session, social.id, _minutes(-24 * 60))
    call_next(session, counter.id, _minutes(-24 * 60 + 1))
    finish(session, counter.id, _minutes(-24 * 60 + 2))
    [row] = board_state(session, hall.id, _minutes(0))["counters"]
    assert row["status"] == "closed"


def test_the_board_carries_the_newest_call_and_eight_before_it(session: Session, hall) -> None:
    social = add_service_type(session, hall.id, prefix="A", name="社保业务")
    counter = add_counter(session, hall.id, number=1, services=[social])
    for i in range(12):
        take_ticket(session, social.id, _minutes(i))
    for i in range(12):
        call_next(session, counter.id, _minutes(20 + i))
        finish(session, counter.id, _minutes(20.5 + i))
    board = board_state(session, hall.id, _minutes(40))
    assert RECENT_CALLS == 9
    assert [c["ticket"] for c in board["calls"]] == [f"A{n:03d}" for n in range(12, 3, -1)]


def test_board_holds_no_personal_data_and_stays_small(session: Session, hall) -> None:
    social = add_service_type(session, hall.id, prefix="A", name="社保业务")
    counters = [add_counter(session, hall.id, number=n, services=[social]) for n in range(1, 21)]
    for i in range(40):
        take_ticket(session, social.id, _minutes(i / 10))
    for counter in counters:
        call_next(session, counter.id, _minutes(10))
    counters[0].paused_since, counters[0].pause_reason = _minutes(11), "系统故障"
    session.flush()
    board = board_state(session, hall.id, _minutes(12))
    text = json.dumps(board, ensure_ascii=False)
    assert "person" not in text and "public_code" not in text
    assert len(text.encode()) < 12_000, "20 counters and 9 calls fit in a few kilobytes"
