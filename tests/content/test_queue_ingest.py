"""Ingesting a hall's own queuing system: the schema, replays, time windows, state rules, all or nothing."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from content_factories import Factory
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from content.queue.board import board_state, board_version
from content.queue.ingest import MalformedBatch, ReplayedEvents, ingest
from content.queue.models import EventKind, IngestedEvent, Ticket, TicketEvent, TicketSource, TicketState
from content.queue.setup import add_counter, add_service_type
from content.queue.ticketing import take_ticket

DATABASES = ("sqlite", "postgres")
DOC = Path(__file__).resolve().parents[2] / "docs" / "queue-ingest.md"

# 10:00 in Lanzhou (UTC+8) on Wednesday 2 December 2026: the server's clock in these tests.
NOW = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)


def local(clock: str, day: int = 2) -> str:
    """An ISO-8601 instant of 2 (or ``day``) December 2026 in hall-local time, e.g. local("09:05")."""
    return f"2026-12-{day:02d}T{clock}:00+08:00"


def ev(event_id: str, kind: str, clock: str, ticket: str = "A023", **fields: Any) -> dict[str, Any]:
    return {"id": event_id, "type": kind, "at": local(clock), "ticket": ticket, **fields}


def batch(*events: dict[str, Any], source: str = "hallq") -> dict[str, Any]:
    return {"source": source, "events": list(events)}


@pytest.fixture
def hall(make: Factory):
    return make.hall(timezone="Asia/Shanghai")


@pytest.fixture
def site(session: Session, hall):
    social = add_service_type(session, hall.id, prefix="A", name="社保业务")
    jobs = add_service_type(session, hall.id, prefix="B", name="就业登记")
    for number in (1, 2):
        add_counter(session, hall.id, number=number, services=[social])
    add_counter(session, hall.id, number=3, services=[jobs])
    session.commit()
    return hall


def _tickets(session: Session, hall_id: int) -> list[tuple[str, str, str]]:
    rows = session.execute(
        select(Ticket.number, Ticket.state, Ticket.source).where(Ticket.hall_id == hall_id).order_by(Ticket.id)
    )
    return [tuple(row) for row in rows]


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def _refused(
    session: Session, hall_id: int, data: object, error: type[Exception] = MalformedBatch, now: datetime = NOW
) -> dict[str, str]:
    with pytest.raises(error) as caught:
        ingest(session, hall_id, data, now)
    session.rollback()
    return caught.value.errors  # type: ignore[attr-defined]


# ---- applying ----------------------------------------------------------------------------


def test_a_good_batch_is_applied_through_the_ticket_model(session: Session, site) -> None:
    result = ingest(
        session,
        site.id,
        batch(
            ev("e1", "arrive", "09:00", service="A"),
            ev("e2", "arrive", "09:01", "A024", service="A", priority=True),
            ev("e3", "call", "09:05", counter=1),
            ev("e4", "recall", "09:06", counter=1),
            ev("e5", "serve", "09:07", counter=1),
            ev("e6", "end", "09:12", counter=1),
        ),
        NOW,
    )
    session.commit()

    assert (result.source, result.accepted) == ("hallq", 6)
    assert result.version == board_version(session, site.id) and result.version >= 6
    assert _tickets(session, site.id) == [("A023", "done", "ingest"), ("A024", "waiting", "ingest")]
    ticket = session.scalar(select(Ticket).where(Ticket.number == "A023"))
    assert (ticket.called_at, ticket.serving_at, ticket.ended_at, ticket.recalls, ticket.counter.number) == (
        NOW - timedelta(minutes=55),
        NOW - timedelta(minutes=53),
        NOW - timedelta(minutes=48),
        1,
        1,
    )
    kinds = session.scalars(
        select(TicketEvent.kind).where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.id)
    ).all()
    assert kinds == [EventKind.ARRIVE, EventKind.CALL, EventKind.RECALL, EventKind.SERVE, EventKind.END]
    assert session.scalar(select(Ticket.priority).where(Ticket.number == "A024")) is True
    stored = session.scalars(select(IngestedEvent.event_id).where(IngestedEvent.source == "hallq")).all()
    assert sorted(stored) == ["e1", "e2", "e3", "e4", "e5", "e6"]


def test_the_board_shows_ingested_calls_newest_first_with_the_recall_marked(session: Session, site) -> None:
    ingest(
        session,
        site.id,
        batch(
            ev("e1", "arrive", "09:00", service="A"),
            ev("e2", "arrive", "09:00", "B001", service="B"),
            ev("e3", "call", "09:02", counter=1),
            ev("e4", "call", "09:03", "B001", counter=3),
            ev("e5", "recall", "09:04", counter=1),
        ),
        NOW,
    )
    board = board_state(session, site.id, NOW)
    assert [(c["ticket"], c["counter"], c["recall"]) for c in board["calls"]] == [
        ("A023", 1, True),
        ("B001", 3, False),
        ("A023", 1, False),
    ]
    assert session.info["queue_halls"] == {site.id}


def test_foreign_numbers_leave_our_daily_sequence_alone(session: Session, site) -> None:
    ingest(session, site.id, batch(ev("e1", "arrive", "09:00", service="A")), NOW)
    social = session.scalar(select(Ticket.service_type_id).where(Ticket.number == "A023"))
    assert take_ticket(session, social, NOW).number == "A001"
    assert _tickets(session, site.id)[-1] == ("A001", "waiting", TicketSource.KIOSK.value)


def test_a_call_ends_what_the_counter_had_open(session: Session, site) -> None:
    ingest(
        session,
        site.id,
        batch(
            ev("e1", "arrive", "09:00", service="A"),
            ev("e2", "arrive", "09:01", "A024", service="A"),
            ev("e3", "call", "09:02", counter=1),
            ev("e4", "serve", "09:03", counter=1),
            ev("e5", "call", "09:09", "A024", counter=1),
        ),
        NOW,
    )
    assert _tickets(session, site.id) == [("A023", "done", "ingest"), ("A024", "called", "ingest")]
    implicit = session.scalar(select(TicketEvent).where(TicketEvent.kind == EventKind.END.value))
    assert implicit.detail == {"implicit": True}


def test_a_transfer_queues_the_same_number_in_the_other_line(session: Session, site) -> None:
    ingest(
        session,
        site.id,
        batch(
            ev("e1", "arrive", "09:00", service="A"),
            ev("e2", "call", "09:02", counter=1),
            ev("e3", "transfer", "09:04", counter=1, to_service="B"),
            ev("e4", "call", "09:06", counter=3),
            ev("e5", "no_show", "09:09", counter=3),
        ),
        NOW,
    )
    assert _tickets(session, site.id) == [("A023", "transferred", "ingest"), ("A023", "no_show", "ingest")]


# ---- the schema --------------------------------------------------------------------------


def test_malformed_events_are_named_by_index_and_field(session: Session, site) -> None:
    errors = _refused(
        session,
        site.id,
        batch(
            ev("e1", "arrive", "09:00", service="A"),
            {"id": "e2", "at": local("09:01"), "ticket": "A024"},
            {**ev("e3", "call", "09:02"), "at": "2026-12-02T09:02:00"},
            ev("e4", "call", "09:03", "a-25", priority=True),
            ev("e5", "transfer", "09:04", counter="five"),
            ev("e6", "leave", "09:05"),
            ev("", "arrive", "09:06", service="AB"),
        ),
    )
    assert errors == {
        "events[1].type": "required",
        "events[2].at": "an ISO-8601 instant with its offset, e.g. 2026-12-02T09:15:00+08:00, "
        "got '2026-12-02T09:02:00'",
        "events[2].counter": "required for a 'call' event: the counter number",
        "events[3].ticket": "a ticket number of 1–8 capital letters and digits, e.g. A023, got 'a-25'",
        "events[3].priority": "not a field of a 'call' event",
        "events[3].counter": "required for a 'call' event: the counter number",
        "events[4].counter": "a counter number 1–999, got 'five'",
        "events[4].to_service": "a transfer names to_service, to_counter or both",
        "events[5].type": "one of arrive|call|recall|serve|end|no_show|transfer, got 'leave'",
        "events[6].id": "a string of 1–80 characters, got ''",
        "events[6].service": "the capital letter of a service type of this hall, e.g. A, got 'AB'",
    }
    assert _tickets(session, site.id) == [] and board_version(session, site.id) == 0


def test_the_batch_itself_must_be_well_formed(session: Session, site) -> None:
    assert _refused(session, site.id, ["not", "an", "object"]) == {
        "body": "a JSON object with 'source' and 'events', got a list"
    }
    assert _refused(session, site.id, {"source": "x" * 41, "events": [], "extra": 1}) == {
        "extra": "not a field of a batch",
        "source": "the name of the sending system, 1–40 characters, got '" + "x" * 41 + "'",
        "events": "a list of 1–500 events, got an empty list",
    }
    assert _refused(session, site.id, batch({**ev("e1", "call", "09:00", counter=1), "type": ["call"]}, "e2")) == {
        "events[0].type": "one of arrive|call|recall|serve|end|no_show|transfer, got ['call']",
        "events[1]": "an event object, got a string",
    }
    too_many = [ev(f"e{i}", "arrive", "09:00", f"A{i:03d}", service="A") for i in range(501)]
    assert _refused(session, site.id, batch(*too_many)) == {
        "events": "at most 500 events per batch, got 501; send it in parts"
    }


# ---- replays -----------------------------------------------------------------------------


def test_a_replayed_event_id_refuses_the_batch_and_applies_nothing(session: Session, site) -> None:
    ingest(session, site.id, batch(ev("e1", "arrive", "09:00", service="A")), NOW)
    session.commit()
    version = board_version(session, site.id)
    errors = _refused(
        session,
        site.id,
        batch(
            ev("e2", "arrive", "09:01", "A024", service="A"),
            ev("e1", "call", "09:02", counter=1),
        ),
        ReplayedEvents,
    )
    assert errors == {"events[1].id": "'e1' from 'hallq' was already ingested; the batch was refused"}
    assert _tickets(session, site.id) == [("A023", "waiting", "ingest")]
    assert board_version(session, site.id) == version and _count(session, IngestedEvent) == 1


def test_an_id_repeated_inside_a_batch_is_a_replay(session: Session, site) -> None:
    errors = _refused(
        session,
        site.id,
        batch(ev("e1", "arrive", "09:00", service="A"), ev("e1", "call", "09:02", counter=1)),
        ReplayedEvents,
    )
    assert errors == {"events[1].id": "'e1' is repeated: events[0] has it too"}


def test_the_same_id_from_another_source_is_a_different_event(session: Session, site) -> None:
    ingest(session, site.id, batch(ev("e1", "arrive", "09:00", service="A"), source="hallq"), NOW)
    ingest(session, site.id, batch(ev("e1", "arrive", "09:00", "B007", service="B"), source="jobs-desk"), NOW)
    assert [t[0] for t in _tickets(session, site.id)] == ["A023", "B007"]


# ---- references and times ----------------------------------------------------------------


def test_counters_and_services_the_hall_lacks_are_named(session: Session, site) -> None:
    errors = _refused(
        session,
        site.id,
        batch(
            ev("e1", "arrive", "09:00", service="D"),
            ev("e2", "call", "09:01", counter=9),
            ev("e3", "transfer", "09:02", to_counter=7),
        ),
    )
    assert errors == {
        "events[0].service": "no service type with letter D in this hall (it has: A, B)",
        "events[1].counter": "counter 9 does not exist in this hall",
        "events[2].to_counter": "counter 7 does not exist in this hall",
    }


def test_events_more_than_five_minutes_ahead_are_refused(session: Session, site) -> None:
    ingest(session, site.id, batch(ev("e1", "arrive", "10:05", service="A")), NOW)  # exactly 5 minutes: fine
    errors = _refused(session, site.id, batch(ev("e2", "arrive", "10:06", "A024", service="A")))
    assert errors == {
        "events[0].at": "2026-12-02T10:06:00+08:00 is more than 5 minutes ahead of the server's "
        "clock (2026-12-02T10:00:00+08:00)"
    }


def test_yesterdays_events_are_refused_at_the_hall_local_midnight(session: Session, site) -> None:
    just_after_midnight = datetime(2026, 12, 2, 16, 10, tzinfo=UTC)  # 00:10 on the 3rd in Lanzhou
    errors = _refused(session, site.id, batch(ev("e1", "arrive", "23:59", service="A")), now=just_after_midnight)
    assert errors == {
        "events[0].at": "2026-12-02T23:59:00+08:00 is before the start of the hall's day "
        "2026-12-03 (Asia/Shanghai); earlier days are closed"
    }
    late = {**ev("e2", "arrive", "00:01", service="A"), "at": local("00:01", day=3)}
    ingest(session, site.id, batch(late), just_after_midnight)
    assert session.scalar(select(Ticket.day).where(Ticket.number == "A023")).isoformat() == "2026-12-03"


# ---- state rules -------------------------------------------------------------------------


def test_one_bad_event_refuses_the_whole_batch(session: Session, site) -> None:
    errors = _refused(
        session,
        site.id,
        batch(
            ev("e1", "arrive", "09:00", service="A"),
            ev("e2", "call", "09:02", counter=1),
            ev("e3", "serve", "09:03", counter=2),
        ),
    )
    assert errors == {"events[2].counter": "A023 is at counter 1, not counter 2"}
    assert _tickets(session, site.id) == []
    assert (_count(session, TicketEvent), _count(session, IngestedEvent), board_version(session, site.id)) == (0, 0, 0)


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        (
            [ev("e2", "serve", "09:03", counter=1)],
            {"events[1].ticket": "A023 is waiting; only a called ticket can be served"},
        ),
        (
            [ev("e2", "call", "09:03", "A099", counter=1)],
            {"events[1].ticket": "no ticket A099 today (2026-12-02); an 'arrive' event must come first"},
        ),
        (
            [ev("e2", "arrive", "09:03", service="A")],
            {"events[1].ticket": "A023 already exists today in line A (社保业务)"},
        ),
        (
            [ev("e2", "call", "08:59", counter=1)],
            {"events[1].at": "2026-12-02T08:59:00+08:00 is before A023's previous event at 2026-12-02T09:00:00+08:00"},
        ),
        (
            [
                ev("e2", "call", "09:01", counter=1),
                ev("e3", "end", "09:05", counter=1),
                ev("e4", "no_show", "09:06", counter=1),
            ],
            {"events[3].ticket": "A023 is done; only a called ticket can be marked as a no-show"},
        ),
        (
            [ev("e2", "call", "09:01", counter=1), ev("e3", "transfer", "09:02", counter=1, to_counter=1)],
            {"events[2].to_counter": "a ticket cannot be transferred to the counter it is at"},
        ),
    ],
    ids=[
        "serve-waiting",
        "unknown-ticket",
        "duplicate-number",
        "time-backwards",
        "no-show-after-end",
        "transfer-to-itself",
    ],
)
def test_events_that_break_the_state_rules_are_refused(
    session: Session, site, events: list[dict[str, Any]], expected: dict[str, str]
) -> None:
    errors = _refused(session, site.id, batch(ev("e1", "arrive", "09:00", service="A"), *events))
    assert errors == expected
    assert _tickets(session, site.id) == []


def test_a_no_show_ends_the_ticket_at_the_events_time(session: Session, site) -> None:
    ingest(
        session,
        site.id,
        batch(
            ev("e1", "arrive", "09:00", service="A"),
            ev("e2", "call", "09:01", counter=2),
            ev("e3", "no_show", "09:04", counter=2),
        ),
        NOW,
    )
    ticket = session.scalar(select(Ticket).where(Ticket.number == "A023"))
    assert (ticket.state, ticket.ended_at) == (TicketState.NO_SHOW.value, NOW - timedelta(minutes=56))


def test_the_documented_example_batch_is_accepted(session: Session, hall) -> None:
    example = json.loads(re.search(r"### Example batch\s+```json\n(.*?)```", DOC.read_text(), re.S).group(1))
    social = add_service_type(session, hall.id, prefix="A", name="社保业务")
    jobs = add_service_type(session, hall.id, prefix="B", name="就业登记")
    add_counter(session, hall.id, number=5, services=[social])
    add_counter(session, hall.id, number=3, services=[jobs])
    result = ingest(session, hall.id, example, NOW)
    assert result.accepted == len(example["events"]) == 10
    assert _tickets(session, hall.id) == [
        ("A023", "transferred", "ingest"),
        ("A024", "no_show", "ingest"),
        ("A023", "done", "ingest"),
    ]
