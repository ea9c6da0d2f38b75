"""Taking tickets and calling them: numbering, the midnight reset, the calling rule, transfers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from content_factories import Factory
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.errors import ValidationError
from content.queue.board import ahead_of, board_state, ticket_status
from content.queue.models import EventKind, Ticket, TicketEvent, TicketState
from content.queue.setup import add_counter, add_service_type
from content.queue.ticketing import (
    NoCurrentTicket,
    Transfer,
    call_next,
    finish,
    no_show,
    recall,
    start_service,
    take_ticket,
    transfer,
)

DATABASES = ("sqlite", "postgres")

# 09:00 in Lanzhou (UTC+8) on a Wednesday.
NINE = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)


@pytest.fixture
def hall(make: Factory):
    return make.hall(timezone="Asia/Shanghai")


@pytest.fixture
def lines(session: Session, hall):
    social = add_service_type(session, hall.id, prefix="A", name="社保业务", name_en="Social security")
    jobs = add_service_type(session, hall.id, prefix="B", name="就业登记", name_en="Employment registration")
    return social, jobs


def _minutes(n: float) -> datetime:
    return NINE + timedelta(minutes=n)


def test_numbers_run_per_letter_with_three_digits(session: Session, lines) -> None:
    social, jobs = lines
    numbers = [take_ticket(session, social.id, _minutes(i)).number for i in range(3)]
    numbers.append(take_ticket(session, jobs.id, _minutes(4)).number)
    assert numbers == ["A001", "A002", "A003", "B001"]


def test_numbers_start_again_at_local_midnight_not_utc_midnight(session: Session, lines) -> None:
    social, _ = lines
    late = datetime(2026, 12, 2, 15, 59, tzinfo=UTC)  # 23:59 in Lanzhou
    assert take_ticket(session, social.id, late).number == "A001"
    assert take_ticket(session, social.id, late + timedelta(seconds=30)).number == "A002"
    after_midnight = datetime(2026, 12, 2, 16, 0, 1, tzinfo=UTC)  # 00:00:01 on the 3rd, local
    ticket = take_ticket(session, social.id, after_midnight)
    assert ticket.number == "A001"
    assert ticket.day.isoformat() == "2026-12-03"


def test_yesterdays_waiting_tickets_are_not_called_today(session: Session, hall, lines) -> None:
    social, _ = lines
    counter = add_counter(session, hall.id, number=1, services=[social])
    take_ticket(session, social.id, NINE - timedelta(days=1))
    assert call_next(session, counter.id, NINE) is None


def test_fifo_within_a_line_and_across_the_lines_a_counter_serves(session: Session, hall, lines) -> None:
    social, jobs = lines
    counter = add_counter(session, hall.id, number=1, services=[social, jobs])
    take_ticket(session, jobs.id, _minutes(0))
    take_ticket(session, social.id, _minutes(1))
    take_ticket(session, jobs.id, _minutes(2))
    called = [call_next(session, counter.id, _minutes(10 + i)).number for i in range(3)]
    assert called == ["B001", "A001", "B002"]
    assert call_next(session, counter.id, _minutes(20)) is None


def test_priority_lane_is_called_first_by_default(session: Session, hall, lines) -> None:
    social, _ = lines
    counter = add_counter(session, hall.id, number=1, services=[social])
    take_ticket(session, social.id, _minutes(0))
    take_ticket(session, social.id, _minutes(1))
    elder = take_ticket(session, social.id, _minutes(30), priority=True)
    assert ahead_of(session, elder) == 0
    assert call_next(session, counter.id, _minutes(31)).number == elder.number


def test_weighted_priority_counts_as_arriving_earlier(session: Session, hall, make: Factory) -> None:
    social = add_service_type(session, hall.id, prefix="A", name="社保业务", priority_boost_minutes=10)
    counter = add_counter(session, hall.id, number=1, services=[social])
    early = take_ticket(session, social.id, _minutes(0))
    take_ticket(session, social.id, _minutes(15))
    elder = take_ticket(session, social.id, _minutes(20), priority=True)  # counts as 10 min
    assert ahead_of(session, elder) == 1
    assert [call_next(session, counter.id, _minutes(30 + i)).number for i in range(3)] == [
        early.number,
        elder.number,
        "A002",
    ]


def test_counter_flow_records_every_event(session: Session, hall, lines) -> None:
    social, _ = lines
    counter = add_counter(session, hall.id, number=5, services=[social])
    ticket = take_ticket(session, social.id, _minutes(0))
    call_next(session, counter.id, _minutes(1))
    recall(session, counter.id, _minutes(2))
    start_service(session, counter.id, _minutes(3))
    finish(session, counter.id, _minutes(8))
    session.refresh(ticket)
    assert ticket.state == TicketState.DONE
    assert ticket.recalls == 1
    kinds = session.scalars(
        select(TicketEvent.kind).where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.id)
    ).all()
    assert kinds == [EventKind.ARRIVE, EventKind.CALL, EventKind.RECALL, EventKind.SERVE, EventKind.END]


def test_call_next_finishes_what_the_counter_had_open(session: Session, hall, lines) -> None:
    social, _ = lines
    counter = add_counter(session, hall.id, number=1, services=[social])
    first = take_ticket(session, social.id, _minutes(0))
    take_ticket(session, social.id, _minutes(1))
    call_next(session, counter.id, _minutes(2))
    start_service(session, counter.id, _minutes(3))
    assert call_next(session, counter.id, _minutes(9)).number == "A002"
    session.refresh(first)
    assert first.state == TicketState.DONE
    assert first.ended_at == _minutes(9)


def test_no_show_voids_the_number(session: Session, hall, lines) -> None:
    social, _ = lines
    counter = add_counter(session, hall.id, number=1, services=[social])
    ticket = take_ticket(session, social.id, _minutes(0))
    call_next(session, counter.id, _minutes(1))
    no_show(session, counter.id, _minutes(4))
    session.refresh(ticket)
    assert ticket.state == TicketState.NO_SHOW
    with pytest.raises(NoCurrentTicket, match="1号窗口 has no ticket that can be recalled"):
        recall(session, counter.id, _minutes(5))


def test_transfer_keeps_the_number_and_its_place(session: Session, hall, lines) -> None:
    social, jobs = lines
    one = add_counter(session, hall.id, number=1, services=[social])
    two = add_counter(session, hall.id, number=2, services=[jobs])
    ticket = take_ticket(session, social.id, _minutes(0))
    take_ticket(session, jobs.id, _minutes(5))  # B001 came later than A001
    call_next(session, one.id, _minutes(6))
    follow = transfer(session, one.id, Transfer(service_type_id=jobs.id), _minutes(7))
    session.refresh(ticket)
    assert ticket.state == TicketState.TRANSFERRED
    assert follow.number == "A001" and follow.state == TicketState.WAITING
    assert call_next(session, two.id, _minutes(8)).id == follow.id


def test_transfer_to_a_counter_is_called_only_there(session: Session, hall, lines) -> None:
    social, _ = lines
    one = add_counter(session, hall.id, number=1, services=[social])
    two = add_counter(session, hall.id, number=2, services=[social])
    three = add_counter(session, hall.id, number=3, services=[social])
    take_ticket(session, social.id, _minutes(0))
    call_next(session, one.id, _minutes(1))
    follow = transfer(session, one.id, Transfer(counter_id=three.id), _minutes(2))
    assert call_next(session, two.id, _minutes(3)) is None
    assert call_next(session, three.id, _minutes(3)).id == follow.id
    take_ticket(session, social.id, _minutes(4))
    call_next(session, one.id, _minutes(5))
    with pytest.raises(ValidationError, match="own counter"):
        transfer(session, one.id, Transfer(counter_id=one.id), _minutes(6))


def test_board_shows_calls_newest_first_with_recall_marked(session: Session, hall, lines) -> None:
    social, jobs = lines
    one = add_counter(session, hall.id, number=1, services=[social])
    five = add_counter(session, hall.id, number=5, services=[jobs])
    take_ticket(session, social.id, _minutes(0))
    take_ticket(session, jobs.id, _minutes(0))
    take_ticket(session, jobs.id, _minutes(1))
    call_next(session, one.id, _minutes(2))
    call_next(session, five.id, _minutes(3))
    recall(session, one.id, _minutes(4))
    board = board_state(session, hall.id, _minutes(5))
    assert [(c["ticket"], c["counter"], c["recall"]) for c in board["calls"]] == [
        ("A001", 1, True),
        ("B001", 5, False),
        ("A001", 1, False),
    ]
    assert {s["prefix"]: s["waiting"] for s in board["services"]} == {"A": 0, "B": 1}
    assert {c["number"]: c["ticket"] for c in board["counters"]} == {1: "A001", 5: "B001"}
    assert board["version"] == 6  # three tickets, two calls, one recall


def test_status_of_a_waiting_ticket_says_how_many_are_ahead(session: Session, hall, lines) -> None:
    social, _ = lines
    add_counter(session, hall.id, number=1, services=[social])
    for i in range(3):
        take_ticket(session, social.id, _minutes(i))
    mine = take_ticket(session, social.id, _minutes(3))
    status = ticket_status(session, mine, _minutes(4))
    assert status["ahead"] == 3
    assert status["wait_seconds"] == 3 * social.default_service_seconds
    assert "person" not in status and mine.person_ref is None


def test_tickets_of_one_counter_are_never_mixed_with_another_hall(session: Session, make: Factory, lines, hall) -> None:
    social, _ = lines
    other = make.hall(name="另一个大厅")
    elsewhere = add_service_type(session, other.id, prefix="A", name="社保业务")
    counter = add_counter(session, hall.id, number=1, services=[social])
    take_ticket(session, elsewhere.id, _minutes(0))
    assert call_next(session, counter.id, _minutes(1)) is None
    with pytest.raises(ValidationError, match="belong to this hall"):
        add_counter(session, hall.id, number=2, services=[elsewhere])
    assert session.scalar(select(Ticket.number).where(Ticket.hall_id == other.id)) == "A001"
