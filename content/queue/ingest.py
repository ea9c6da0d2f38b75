"""Mirroring a hall's own queuing system: validate a batch of its events and apply it, all or nothing.

A batch is checked in four steps, and the first step that finds anything refuses the whole batch:

1. shape (``parse_batch``, no database): every field of every event, all errors at once;
2. replays: an event id already ingested for this hall and source, or repeated in the batch;
3. references and times: service letters and counter numbers of the hall, ``at`` within the hall's day;
4. application, event by event in batch order, by the state rules of ``content.queue.ticketing``; the first
   event that does not fit stops the batch.

Every error names its event and field (``events[3].counter: counter 9 does not exist in this hall``).
Nothing is committed here: the caller commits on success and rolls back on any error.

Foreign numbers are stored as they come and do not advance our own daily sequence, so a line should
be fed either by the hall's system or by our kiosks, not both. The schema is in docs/queue-ingest.md.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from content.errors import ContentError, NotFound
from content.org.timezones import zone
from content.org.tree import Hall
from content.queue._ingest_schema import (
    EVENT_FIELDS,
    MAX_EVENTS,
    Batch,
    ExternalEvent,
    IngestError,
    MalformedBatch,
    parse_batch,
)
from content.queue.board import board_version
from content.queue.models import (
    Counter,
    EventKind,
    IngestedEvent,
    ServiceType,
    Ticket,
    TicketSource,
    TicketState,
)
from content.queue.ticketing import (
    QueueError,
    Transfer,
    current_ticket,
    finish,
    finish_open,
    hall_day,
    lock_board,
    log_event,
    no_show,
    recall,
    start_service,
    transfer,
)

__all__ = [
    "EVENT_FIELDS",
    "MAX_EVENTS",
    "IngestError",
    "IngestResult",
    "MalformedBatch",
    "ReplayedEvents",
    "arrive_ticket",
    "call_ticket",
    "ingest",
    "parse_batch",
]

FUTURE_SLACK: Final = timedelta(minutes=5)
# The states a ticket must be in for each event, and the verb of the error message.
_NEEDS: Final[dict[EventKind, tuple[tuple[str, ...], str]]] = {
    EventKind.CALL: ((TicketState.WAITING.value,), "called"),
    EventKind.RECALL: ((TicketState.CALLED.value,), "recalled"),
    EventKind.SERVE: ((TicketState.CALLED.value,), "served"),
    EventKind.END: ((TicketState.CALLED.value, TicketState.SERVING.value), "ended"),
    EventKind.NO_SHOW: ((TicketState.CALLED.value,), "marked as a no-show"),
    EventKind.TRANSFER: ((TicketState.CALLED.value, TicketState.SERVING.value), "transferred"),
}


class ReplayedEvents(IngestError):
    """Event ids already ingested for this hall and source, or repeated inside the batch."""


@dataclass(frozen=True)
class IngestResult:
    source: str
    accepted: int
    version: int  # the hall's board version after the batch


@dataclass
class _Hall:
    """The hall's lines and counters, looked up once per batch."""

    hall: Hall
    services: dict[str, ServiceType]
    counters: dict[int, Counter]

    @classmethod
    def load(cls, session: Session, hall: Hall) -> _Hall:
        services = {s.prefix: s for s in session.scalars(select(ServiceType).where(ServiceType.hall_id == hall.id))}
        counters = {c.number: c for c in session.scalars(select(Counter).where(Counter.hall_id == hall.id))}
        return cls(hall, services, counters)


def _check_replays(session: Session, hall_id: int, batch: Batch) -> None:
    first_seen: dict[str, int] = {}
    found: dict[int, str] = {}
    for event in batch.events:
        if event.id in first_seen:
            found[event.index] = f"{event.id!r} is repeated: events[{first_seen[event.id]}] has it too"
        else:
            first_seen[event.id] = event.index
    for event_id in session.scalars(
        select(IngestedEvent.event_id).where(
            IngestedEvent.hall_id == hall_id,
            IngestedEvent.source == batch.source,
            IngestedEvent.event_id.in_(list(first_seen)),
        )
    ):
        found[first_seen[event_id]] = f"{event_id!r} from {batch.source!r} was already ingested; the batch was refused"
    if found:
        raise ReplayedEvents({f"events[{index}].id": found[index] for index in sorted(found)})


def _check_references(site: _Hall, batch: Batch, now: datetime) -> None:
    tz = zone(site.hall.timezone)
    today = hall_day(site.hall, now)
    day_start = datetime.combine(today, time(), tzinfo=tz)
    latest = now + FUTURE_SLACK
    letters = ", ".join(sorted(site.services)) or "none yet"
    errors: dict[str, str] = {}
    for event in batch.events:
        if event.at > latest:
            errors[event.field("at")] = (
                f"{event.at.isoformat()} is more than {FUTURE_SLACK.seconds // 60} "
                f"minutes ahead of the server's clock ({now.astimezone(tz).isoformat()})"
            )
        elif event.at < day_start:
            errors[event.field("at")] = (
                f"{event.at.isoformat()} is before the start of the hall's day "
                f"{today.isoformat()} ({site.hall.timezone}); earlier days are closed"
            )
        for name, letter in (("service", event.service), ("to_service", event.to_service)):
            if letter is not None and letter not in site.services:
                errors[event.field(name)] = f"no service type with letter {letter} in this hall (it has: {letters})"
        for name, number in (("counter", event.counter), ("to_counter", event.to_counter)):
            if number is not None and number not in site.counters:
                errors[event.field(name)] = f"counter {number} does not exist in this hall"
    if errors:
        raise MalformedBatch(errors)


def _refuse(event: ExternalEvent, field: str, message: str) -> MalformedBatch:
    return MalformedBatch({event.field(field): message})


def _latest_moment(session: Session, ticket: Ticket) -> datetime:
    """The last instant recorded for a ticket record (for a continuation, at least its transfer)."""
    moments = [m for m in (ticket.arrived_at, ticket.last_called_at, ticket.serving_at, ticket.ended_at) if m]
    if ticket.transferred_from_id is not None:
        before = session.get(Ticket, ticket.transferred_from_id)
        if before is not None and before.ended_at is not None:
            moments.append(before.ended_at)
    return max(moments)


def _not_before(session: Session, event: ExternalEvent, ticket: Ticket) -> None:
    latest = _latest_moment(session, ticket)
    if event.at < latest:
        raise _refuse(
            event,
            "at",
            f"{event.at.isoformat()} is before {ticket.number}'s previous event "
            f"at {latest.astimezone(event.at.tzinfo).isoformat()}",
        )


def _find_ticket(session: Session, site: _Hall, event: ExternalEvent, day: date) -> Ticket:
    """The record that carries the event's number today (not one it was transferred away from)."""
    stmt = select(Ticket).where(
        Ticket.hall_id == site.hall.id,
        Ticket.day == day,
        Ticket.number == event.ticket,
        Ticket.state != TicketState.TRANSFERRED.value,
    )
    if event.service is not None:
        stmt = stmt.where(Ticket.service_type_id == site.services[event.service].id)
    found = list(session.scalars(stmt.order_by(Ticket.id)))
    if not found:
        where = f" in line {event.service}" if event.service else ""
        raise _refuse(
            event,
            "ticket",
            f"no ticket {event.ticket}{where} today ({day.isoformat()}); an 'arrive' event must come first",
        )
    if len(found) > 1:
        lines = ", ".join(sorted(t.service_type.prefix for t in found))
        raise _refuse(event, "service", f"{event.ticket} is in more than one line today ({lines}); name its line")
    return found[0]


def arrive_ticket(
    session: Session, service: ServiceType, number: str, at: datetime, *, priority: bool = False
) -> Ticket:
    """Record a ticket the hall's own system issued, with its number (our daily sequence is left alone)."""
    hall = session.get(Hall, service.hall_id)
    assert hall is not None  # the foreign key guarantees it
    lock_board(session, hall.id, at)
    ticket = Ticket(
        hall_id=hall.id,
        service_type_id=service.id,
        day=hall_day(hall, at),
        number=number,
        priority=priority,
        state=TicketState.WAITING.value,
        source=TicketSource.INGEST.value,
        public_code=secrets.token_urlsafe(12),
        arrived_at=at,
    )
    session.add(ticket)
    session.flush()
    log_event(session, ticket, EventKind.ARRIVE, at, priority=priority)
    return ticket


def call_ticket(session: Session, counter: Counter, ticket: Ticket, at: datetime) -> Ticket:
    """Call one particular waiting ticket to a counter, finishing what the counter had open (as call_next does)."""
    if ticket.state != TicketState.WAITING.value:
        raise QueueError(f"ticket {ticket.number} is {ticket.state}, not waiting; only a waiting ticket is called")
    lock_board(session, counter.hall_id, at)
    finish_open(session, counter, at)
    ticket.state = TicketState.CALLED.value
    ticket.counter_id = counter.id
    ticket.called_at = ticket.last_called_at = at
    session.flush()
    log_event(session, ticket, EventKind.CALL, at, counter.id)
    return ticket


def _arrive(session: Session, site: _Hall, event: ExternalEvent) -> None:
    assert event.service is not None  # parse_batch requires it on arrive
    service = site.services[event.service]
    if not service.active:
        raise _refuse(event, "service", f"{service.prefix} ({service.name}) is not taking tickets now")
    day = hall_day(site.hall, event.at)
    clash = session.scalar(
        select(Ticket.id).where(Ticket.service_type_id == service.id, Ticket.day == day, Ticket.number == event.ticket)
    )
    if clash is not None:
        raise _refuse(event, "ticket", f"{event.ticket} already exists today in line {service.prefix} ({service.name})")
    arrive_ticket(session, service, event.ticket, event.at, priority=event.priority)


def _at_its_counter(session: Session, event: ExternalEvent, counter: Counter, ticket: Ticket) -> None:
    if ticket.counter_id != counter.id:
        held_by = session.get(Counter, ticket.counter_id) if ticket.counter_id else None
        where = f"counter {held_by.number}" if held_by else "no counter"
        raise _refuse(event, "counter", f"{ticket.number} is at {where}, not counter {counter.number}")
    current = current_ticket(session, counter)
    if current is None or current.id != ticket.id:
        shown = current.number if current else "none"
        raise _refuse(event, "ticket", f"counter {counter.number}'s current ticket is {shown}, not {ticket.number}")


def _apply(session: Session, site: _Hall, event: ExternalEvent) -> None:
    if event.kind is EventKind.ARRIVE:
        _arrive(session, site, event)
        return
    ticket = _find_ticket(session, site, event, hall_day(site.hall, event.at))
    states, verb = _NEEDS[event.kind]
    if ticket.state not in states:
        raise _refuse(
            event, "ticket", f"{ticket.number} is {ticket.state}; only a {' or '.join(states)} ticket can be {verb}"
        )
    _not_before(session, event, ticket)
    if event.kind is EventKind.CALL:
        assert event.counter is not None
        calling = site.counters[event.counter]
        open_ticket = current_ticket(session, calling)
        if open_ticket is not None:
            _not_before(session, event, open_ticket)
        call_ticket(session, calling, ticket, event.at)
        return
    counter = site.counters[event.counter] if event.counter is not None else ticket.counter
    assert counter is not None  # an open ticket always has its counter
    _at_its_counter(session, event, counter, ticket)
    if event.kind is EventKind.TRANSFER:
        _transfer(session, site, event, counter)
        return
    action = {
        EventKind.RECALL: recall,
        EventKind.SERVE: start_service,
        EventKind.END: finish,
        EventKind.NO_SHOW: no_show,
    }[event.kind]
    action(session, counter.id, event.at)


def _transfer(session: Session, site: _Hall, event: ExternalEvent, counter: Counter) -> None:
    to_service = site.services[event.to_service].id if event.to_service else None
    to_counter = site.counters[event.to_counter].id if event.to_counter is not None else None
    if to_counter == counter.id:
        raise _refuse(event, "to_counter", "a ticket cannot be transferred to the counter it is at")
    try:
        transfer(session, counter.id, Transfer(service_type_id=to_service, counter_id=to_counter), event.at)
    except ContentError as err:  # the rules of ticketing.transfer, said for this event
        raise _refuse(event, "to_service" if to_service else "to_counter", str(err)) from err


def ingest(session: Session, hall_id: int, data: object, now: datetime) -> IngestResult:
    """Validate a batch of external events (parsed JSON) and apply it to the hall's queue; the caller commits.

    Raises MalformedBatch or ReplayedEvents (both IngestError) without having applied anything the
    caller would keep: on any error the caller rolls back.
    """
    hall = session.get(Hall, hall_id)
    if hall is None:
        raise NotFound("hall", hall_id)
    batch = parse_batch(data)
    lock_board(session, hall.id, now)  # before any read: batches of one hall are serialised from here
    _check_replays(session, hall.id, batch)
    site = _Hall.load(session, hall)
    _check_references(site, batch, now)
    for event in batch.events:
        _apply(session, site, event)
    session.add_all(
        IngestedEvent(hall_id=hall.id, source=batch.source, event_id=e.id, received_at=now) for e in batch.events
    )
    session.flush()
    return IngestResult(batch.source, len(batch.events), board_version(session, hall.id))
