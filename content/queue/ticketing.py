"""Queue operations: take a ticket, and a counter's call next, recall, start, finish, no-show, transfer.

Every operation first bumps its hall's board version (``lock_board``). That write takes the hall's
row lock on PostgreSQL and the write lock on SQLite before anything is read, so a hall's queue
changes are serialised and two counters calling at once can never pick the same ticket. Callers
commit; ``session.info["queue_halls"]`` names the halls whose boards changed, for the publisher.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Final, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from content.errors import ContentError, NotFound, ValidationError
from content.org.timezones import zone
from content.org.tree import Hall
from content.queue.evaluations import open_evaluation, withdraw_pending
from content.queue.models import (
    OPEN_AT_COUNTER,
    Counter,
    DailySequence,
    EventKind,
    QueueBoard,
    ServiceType,
    Ticket,
    TicketEvent,
    TicketSource,
    TicketState,
)

# Far enough in the past that a strict priority-lane ticket sorts before any normal one.
_STRICT_PRIORITY: Final = timedelta(days=3650)


class QueueError(ContentError):
    """A queue operation that cannot be done now; the message says why, for the person at the counter."""


class NoCurrentTicket(QueueError):
    def __init__(self, counter: Counter, wanted: str) -> None:
        super().__init__(f"{counter.name} has no ticket that can be {wanted}")


def lock_board(session: Session, hall_id: int, now: datetime) -> int:
    """Bump the hall's board version and return it; the first write of every queue change."""
    bumped = session.execute(
        update(QueueBoard)
        .where(QueueBoard.hall_id == hall_id)
        .values(version=QueueBoard.version + 1, updated_at=now)
        .returning(QueueBoard.version)
    ).scalar()
    if bumped is None:
        insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
        session.execute(
            insert(QueueBoard)
            .values(hall_id=hall_id, version=0, updated_at=now)
            .on_conflict_do_nothing(index_elements=["hall_id"])
        )
        return lock_board(session, hall_id, now)
    session.info.setdefault("queue_halls", set()).add(hall_id)
    return int(bumped)


def hall_day(hall: Hall, now: datetime) -> date:
    """The hall-local date at ``now``: the day a ticket's number belongs to."""
    return now.astimezone(zone(hall.timezone)).date()


def format_number(prefix: str, seq: int) -> str:
    return f"{prefix}{seq:03d}"


def _next_sequence(session: Session, hall_id: int, prefix: str, day: date) -> int:
    row = session.get(DailySequence, (hall_id, prefix, day))
    if row is None:
        row = DailySequence(hall_id=hall_id, prefix=prefix, day=day, last=0)
        session.add(row)
    row.last += 1
    return row.last


def log_event(
    session: Session, ticket: Ticket, kind: EventKind, at: datetime, counter_id: int | None = None, **detail: Any
) -> TicketEvent:
    event = TicketEvent(
        hall_id=ticket.hall_id,
        ticket_id=ticket.id,
        kind=kind.value,
        at=at,
        counter_id=counter_id,
        service_type_id=ticket.service_type_id,
        detail=detail,
    )
    session.add(event)
    session.flush()
    return event


def get_service_type(session: Session, service_type_id: int) -> ServiceType:
    service = session.get(ServiceType, service_type_id)
    if service is None:
        raise NotFound("service type", service_type_id)
    return service


def get_counter(session: Session, counter_id: int) -> Counter:
    counter = session.get(Counter, counter_id)
    if counter is None:
        raise NotFound("counter", counter_id)
    return counter


def take_ticket(
    session: Session,
    service_type_id: int,
    now: datetime,
    *,
    priority: bool = False,
    person_ref: str | None = None,
    source: TicketSource = TicketSource.KIOSK,
) -> Ticket:
    """Issue the next number of a service type for today (hall-local)."""
    service = get_service_type(session, service_type_id)
    if not service.active:
        raise QueueError(f"{service.name} is not taking tickets now")
    lock_board(session, service.hall_id, now)
    hall = session.get(Hall, service.hall_id)
    assert hall is not None  # the foreign key guarantees it
    day = hall_day(hall, now)
    seq = _next_sequence(session, hall.id, service.prefix, day)
    ticket = Ticket(
        hall_id=hall.id,
        service_type_id=service.id,
        day=day,
        number=format_number(service.prefix, seq),
        priority=priority,
        state=TicketState.WAITING.value,
        source=source.value,
        public_code=secrets.token_urlsafe(12),
        person_ref=person_ref,
        arrived_at=now,
    )
    session.add(ticket)
    session.flush()
    log_event(session, ticket, EventKind.ARRIVE, now, priority=priority)
    return ticket


def call_order_key(ticket: Ticket, boost_minutes: int | None) -> tuple[datetime, int]:
    """Sort key of the calling rule: the priority lane first (or boosted), then first come first served."""
    effective = ticket.arrived_at
    if ticket.priority:
        effective -= _STRICT_PRIORITY if boost_minutes is None else timedelta(minutes=boost_minutes)
    return effective, ticket.id


def _head_of_line(session: Session, service: ServiceType, day: date, priority: bool, counter_id: int) -> Ticket | None:
    stmt = (
        select(Ticket)
        .where(
            Ticket.service_type_id == service.id,
            Ticket.day == day,
            Ticket.state == TicketState.WAITING.value,
            Ticket.priority.is_(priority),
            (Ticket.target_counter_id.is_(None)) | (Ticket.target_counter_id == counter_id),
        )
        .order_by(Ticket.arrived_at, Ticket.id)
        .limit(1)
    )
    return session.scalar(stmt)


def next_for_counter(session: Session, counter: Counter, day: date) -> Ticket | None:
    """The ticket this counter calls next: one transferred to it first, then by the calling rule."""
    directed = session.scalar(
        select(Ticket)
        .where(Ticket.target_counter_id == counter.id, Ticket.day == day, Ticket.state == TicketState.WAITING.value)
        .order_by(Ticket.arrived_at, Ticket.id)
        .limit(1)
    )
    if directed is not None:
        return directed
    candidates: list[tuple[tuple[datetime, int], Ticket]] = []
    for service in counter.services:
        if not service.active:
            continue
        for priority in (True, False):
            head = _head_of_line(session, service, day, priority, counter.id)
            if head is not None:
                candidates.append((call_order_key(head, service.priority_boost_minutes), head))
    return min(candidates, key=lambda pair: pair[0])[1] if candidates else None


def current_ticket(session: Session, counter: Counter) -> Ticket | None:
    """The ticket this counter has called or is serving, if any."""
    return session.scalar(
        select(Ticket)
        .where(Ticket.counter_id == counter.id, Ticket.state.in_(OPEN_AT_COUNTER))
        .order_by(Ticket.last_called_at.desc(), Ticket.id.desc())
        .limit(1)
    )


def finish_open(session: Session, counter: Counter, now: datetime) -> None:
    for ticket in session.scalars(
        select(Ticket).where(Ticket.counter_id == counter.id, Ticket.state.in_(OPEN_AT_COUNTER))
    ):
        ticket.state = TicketState.DONE.value
        ticket.ended_at = now
        log_event(session, ticket, EventKind.END, now, counter.id, implicit=True)


def call_next(session: Session, counter_id: int, now: datetime) -> Ticket | None:
    """Finish what the counter had open, then call the next ticket it serves (None when nobody waits)."""
    counter = get_counter(session, counter_id)
    lock_board(session, counter.hall_id, now)
    hall = session.get(Hall, counter.hall_id)
    assert hall is not None
    finish_open(session, counter, now)
    ticket = next_for_counter(session, counter, hall_day(hall, now))
    if ticket is None:
        return None
    withdraw_pending(session, counter.id, now)  # 好差评: never asked of the next citizen
    # An UPDATE gives a CursorResult, which has the row count; Session.execute is typed for any statement.
    claimed = cast(
        CursorResult[Any],
        session.execute(
            update(Ticket)
            .where(Ticket.id == ticket.id, Ticket.state == TicketState.WAITING.value)
            .values(state=TicketState.CALLED.value, counter_id=counter.id, called_at=now, last_called_at=now)
            .execution_options(synchronize_session=False)
        ),
    ).rowcount
    if claimed != 1:  # cannot happen while lock_board serialises the hall; never hand out a ticket twice
        raise QueueError(f"ticket {ticket.number} was taken by another counter; call again")
    session.refresh(ticket)
    log_event(session, ticket, EventKind.CALL, now, counter.id)
    return ticket


def _open_ticket(
    session: Session, counter_id: int, now: datetime, states: Sequence[str], wanted: str
) -> tuple[Counter, Ticket]:
    counter = get_counter(session, counter_id)
    lock_board(session, counter.hall_id, now)
    ticket = current_ticket(session, counter)
    if ticket is None or ticket.state not in states:
        raise NoCurrentTicket(counter, wanted)
    return counter, ticket


def recall(session: Session, counter_id: int, now: datetime) -> Ticket:
    """Call the counter's current ticket again (重呼)."""
    counter, ticket = _open_ticket(session, counter_id, now, (TicketState.CALLED.value,), "recalled")
    ticket.recalls += 1
    ticket.last_called_at = now
    log_event(session, ticket, EventKind.RECALL, now, counter.id, recall=ticket.recalls)
    return ticket


def start_service(session: Session, counter_id: int, now: datetime) -> Ticket:
    """The citizen has arrived at the counter: service starts."""
    counter, ticket = _open_ticket(session, counter_id, now, (TicketState.CALLED.value,), "started")
    ticket.state = TicketState.SERVING.value
    ticket.serving_at = now
    log_event(session, ticket, EventKind.SERVE, now, counter.id)
    return ticket


def finish(session: Session, counter_id: int, now: datetime) -> Ticket:
    counter, ticket = _open_ticket(session, counter_id, now, OPEN_AT_COUNTER, "finished")
    ticket.state = TicketState.DONE.value
    ticket.ended_at = now
    log_event(session, ticket, EventKind.END, now, counter.id)
    open_evaluation(session, counter, ticket, now)  # 好差评, in the same transaction as 办结
    return ticket


def no_show(session: Session, counter_id: int, now: datetime) -> Ticket:
    """Nobody came (过号): the number is void and must be taken again."""
    counter, ticket = _open_ticket(session, counter_id, now, (TicketState.CALLED.value,), "marked as a no-show")
    ticket.state = TicketState.NO_SHOW.value
    ticket.ended_at = now
    log_event(session, ticket, EventKind.NO_SHOW, now, counter.id)
    return ticket


@dataclass(frozen=True)
class Transfer:
    """Where a ticket goes: another service type, another counter, or both."""

    service_type_id: int | None = None
    counter_id: int | None = None


def transfer(session: Session, counter_id: int, to: Transfer, now: datetime) -> Ticket:
    """End the current ticket here as transferred and queue it, same number, where it is sent.

    It keeps its arrival time, so it is called ahead of those who came after it.
    """
    counter, ticket = _open_ticket(session, counter_id, now, OPEN_AT_COUNTER, "transferred")
    if to.service_type_id is None and to.counter_id is None:
        raise ValidationError.single("to", "name a service type or a counter to transfer to")
    service = ticket.service_type
    if to.service_type_id is not None:
        service = get_service_type(session, to.service_type_id)
        if service.hall_id != counter.hall_id:
            raise ValidationError.single("service_type_id", f"{service.name} is not a service of this hall")
    target: Counter | None = None
    if to.counter_id is not None:
        target = get_counter(session, to.counter_id)
        if target.hall_id != counter.hall_id:
            raise ValidationError.single("counter_id", f"{target.name} is not a counter of this hall")
        if target.id == counter.id:
            raise ValidationError.single("counter_id", "a ticket cannot be transferred to its own counter")
    ticket.state = TicketState.TRANSFERRED.value
    ticket.ended_at = now
    follow = Ticket(
        hall_id=ticket.hall_id,
        service_type_id=service.id,
        day=ticket.day,
        number=ticket.number,
        priority=ticket.priority,
        state=TicketState.WAITING.value,
        source=ticket.source,
        public_code=secrets.token_urlsafe(12),
        person_ref=ticket.person_ref,
        arrived_at=ticket.arrived_at,
        target_counter_id=target.id if target else None,
        transferred_from_id=ticket.id,
    )
    session.add(follow)
    session.flush()
    log_event(
        session,
        ticket,
        EventKind.TRANSFER,
        now,
        counter.id,
        to_ticket=follow.id,
        to_service=service.id,
        to_counter=target.id if target else None,
    )
    return follow


def latest_of(session: Session, ticket: Ticket) -> Ticket:
    """Follow a ticket through its transfers to the one that carries its number now."""
    seen = {ticket.id}
    while True:
        nxt = session.scalar(select(Ticket).where(Ticket.transferred_from_id == ticket.id))
        if nxt is None or nxt.id in seen:
            return ticket
        seen.add(nxt.id)
        ticket = nxt
