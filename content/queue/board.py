"""What a hall's boards show: current calls, each line's length and estimated wait, each counter's ticket.

``board_state`` is the whole state of one hall's queue stream (docs/architecture.md, "Delivery"): small, so it is pushed
whole at every change and sent as the snapshot on reconnect. ``ticket_status`` is what a citizen
sees of their own ticket (kiosk screen, phone status page): nothing personal.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time
from enum import StrEnum
from typing import Any, Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from content.errors import NotFound
from content.org.timezones import zone
from content.org.tree import Hall
from content.queue.models import (
    OPEN_AT_COUNTER,
    Counter,
    EventKind,
    QueueBoard,
    ServiceType,
    Ticket,
    TicketEvent,
    TicketState,
)
from content.queue.ticketing import call_order_key, hall_day
from content.queue.wait_estimates import Estimate
from content.queue.wait_history import HallWaits

# The newest call and the eight before it (docs/queue.md, "Reading from across the hall").
RECENT_CALLS: Final = 9


class CounterStatus(StrEnum):
    """What the board says of a counter (窗口 · 状态 · 当前号)."""

    CALLING = "calling"  # 呼叫中: its ticket was called, not yet started
    SERVING = "serving"  # 办理中
    IDLE = "idle"  # 空闲: has called today, no ticket open now
    PAUSED = "paused"  # 暂停服务, with the reason staff gave
    CLOSED = "closed"  # 未开放: has not called anyone today


def board_version(session: Session, hall_id: int) -> int:
    return int(session.scalar(select(QueueBoard.version).where(QueueBoard.hall_id == hall_id)) or 0)


def _local_midnight(hall: Hall, day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone(hall.timezone))


class _Lines:
    """Per service type of one hall: waiting counts and the inputs of the wait estimate."""

    def __init__(self, session: Session, hall: Hall, now: datetime) -> None:
        self.now = now
        self.day = hall_day(hall, now)
        self.services = list(
            session.scalars(
                select(ServiceType).where(ServiceType.hall_id == hall.id).order_by(ServiceType.position, ServiceType.id)
            )
        )
        self.waiting: dict[tuple[int, bool], int] = defaultdict(int)
        for service_id, priority, count in session.execute(
            select(Ticket.service_type_id, Ticket.priority, func.count())
            .where(Ticket.hall_id == hall.id, Ticket.day == self.day, Ticket.state == TicketState.WAITING.value)
            .group_by(Ticket.service_type_id, Ticket.priority)
        ):
            self.waiting[(service_id, bool(priority))] = int(count)
        self.waits = HallWaits.load(session, hall.id, now)

    def estimate(self, service: ServiceType, ahead: int) -> Estimate:
        return self.waits.estimate(service, ahead)

    def waiting_in(self, service: ServiceType) -> tuple[int, int]:
        """(everyone waiting, of whom priority lane) in a service type's line."""
        priority = self.waiting.get((service.id, True), 0)
        return priority + self.waiting.get((service.id, False), 0), priority


def _service_row(lines: _Lines, service: ServiceType) -> dict[str, Any]:
    waiting, priority = lines.waiting_in(service)
    estimate = lines.estimate(service, waiting)
    return {
        "id": service.id,
        "prefix": service.prefix,
        "name": service.name,
        "name_en": service.name_en,
        "active": service.active,
        "waiting": waiting,
        "priority_waiting": priority,
        **estimate.fields(),
    }


def _recent_calls(session: Session, hall: Hall, day: date) -> list[dict[str, Any]]:
    counter = aliased(Counter)
    rows = session.execute(
        select(
            TicketEvent.id,
            TicketEvent.kind,
            TicketEvent.at,
            Ticket.number,
            counter.number,
            counter.name,
            ServiceType.name,
            ServiceType.name_en,
        )
        .join(Ticket, Ticket.id == TicketEvent.ticket_id)
        .join(counter, counter.id == TicketEvent.counter_id)
        .join(ServiceType, ServiceType.id == Ticket.service_type_id)
        .where(
            TicketEvent.hall_id == hall.id,
            TicketEvent.kind.in_((EventKind.CALL.value, EventKind.RECALL.value)),
            TicketEvent.at >= _local_midnight(hall, day),
        )
        .order_by(TicketEvent.id.desc())
        .limit(RECENT_CALLS)
    )
    return [
        {
            "id": event_id,
            "ticket": number,
            "counter": counter_number,
            "counter_name": counter_name,
            "service": service_name,
            "service_en": service_en,
            "recall": kind == EventKind.RECALL.value,
            "at": at.isoformat(),
        }
        for event_id, kind, at, number, counter_number, counter_name, service_name, service_en in rows
    ]


def _counter_status(counter: Counter, ticket: Ticket | None, called_today: bool) -> CounterStatus:
    if counter.paused_since is not None:
        return CounterStatus.PAUSED  # staff said so: wins over a ticket still open at the counter
    if ticket is not None:
        return CounterStatus.SERVING if ticket.state == TicketState.SERVING.value else CounterStatus.CALLING
    return CounterStatus.IDLE if called_today else CounterStatus.CLOSED


def _counter_rows(session: Session, hall: Hall, day: date) -> list[dict[str, Any]]:
    counters = list(
        session.scalars(
            select(Counter).where(Counter.hall_id == hall.id, Counter.active.is_(True)).order_by(Counter.number)
        )
    )
    open_tickets: dict[int, Ticket] = {}
    for called in session.scalars(
        select(Ticket)
        .where(Ticket.hall_id == hall.id, Ticket.state.in_(OPEN_AT_COUNTER))
        .order_by(Ticket.last_called_at)
    ):
        if called.counter_id is not None:
            open_tickets[called.counter_id] = called  # the latest call wins
    called_today = set(
        session.scalars(
            select(TicketEvent.counter_id)
            .where(
                TicketEvent.hall_id == hall.id,
                TicketEvent.kind == EventKind.CALL.value,
                TicketEvent.at >= _local_midnight(hall, day),
            )
            .distinct()
        )
    )
    rows = []
    for counter in counters:
        ticket = open_tickets.get(counter.id)
        status = _counter_status(counter, ticket, counter.id in called_today)
        rows.append(
            {
                "id": counter.id,
                "number": counter.number,
                "name": counter.name,
                "screen_id": counter.screen_id,
                "services": [s.prefix for s in counter.services],
                "ticket": ticket.number if ticket else None,
                "state": ticket.state if ticket else None,
                "status": status.value,
                "paused": status is CounterStatus.PAUSED,
                "pause_reason": counter.pause_reason if status is CounterStatus.PAUSED else None,
                "service": ticket.service_type.name if ticket else None,
                "service_en": ticket.service_type.name_en if ticket else None,
                "since": _since(ticket),
            }
        )
    return rows


def _since(ticket: Ticket | None) -> str | None:
    """When the counter's open ticket was last served (else called), ISO 8601; None without one."""
    if ticket is None:
        return None
    at = ticket.serving_at or ticket.last_called_at
    return at.isoformat() if at else None


def board_state(session: Session, hall_id: int, now: datetime) -> dict[str, Any]:
    """The whole board of a hall at ``now``, with the version it was computed at."""
    hall = session.get(Hall, hall_id)
    if hall is None:
        raise NotFound("hall", hall_id)
    version = board_version(session, hall_id)  # read first: the rows below are at least this new
    lines = _Lines(session, hall, now)
    return {
        "stream": "queue",
        "hall_id": hall.id,
        "version": version,
        "day": lines.day.isoformat(),
        "timezone": hall.timezone,
        "generated_at": now.isoformat(),
        "calls": _recent_calls(session, hall, lines.day),
        "services": [_service_row(lines, s) for s in lines.services if s.active],
        "counters": _counter_rows(session, hall, lines.day),
    }


def service_lines(session: Session, hall_id: int, now: datetime) -> list[dict[str, Any]]:
    """Each active service type with its line and the wait a ticket taken now would have."""
    hall = session.get(Hall, hall_id)
    if hall is None:
        raise NotFound("hall", hall_id)
    lines = _Lines(session, hall, now)
    return [_service_row(lines, s) for s in lines.services if s.active]


def ahead_of(session: Session, ticket: Ticket) -> int:
    """How many tickets of its line will be called before this one (您前面还有 N 人)."""
    if ticket.state != TicketState.WAITING.value:
        return 0
    boost = ticket.service_type.priority_boost_minutes
    mine = call_order_key(ticket, boost)
    waiting = session.scalars(
        select(Ticket).where(
            Ticket.service_type_id == ticket.service_type_id,
            Ticket.day == ticket.day,
            Ticket.state == TicketState.WAITING.value,
            Ticket.id != ticket.id,
        )
    )
    return sum(1 for other in waiting if call_order_key(other, boost) < mine)


def ticket_status(session: Session, ticket: Ticket, now: datetime) -> dict[str, Any]:
    """A ticket as its holder sees it: number, line, state, people ahead, estimated wait, counter."""
    hall = session.get(Hall, ticket.hall_id)
    assert hall is not None
    service = ticket.service_type
    ahead = ahead_of(session, ticket)
    estimate = _Lines(session, hall, now).estimate(service, ahead)
    counter = ticket.counter if ticket.state in OPEN_AT_COUNTER else None
    return {
        "number": ticket.number,
        "state": ticket.state,
        "priority": ticket.priority,
        "day": ticket.day.isoformat(),
        "arrived_at": ticket.arrived_at.isoformat(),
        "hall": {"id": hall.id, "name": hall.name, "timezone": hall.timezone},
        "service": {"id": service.id, "prefix": service.prefix, "name": service.name, "name_en": service.name_en},
        "ahead": ahead,
        **estimate.fields(),
        "counter": {"number": counter.number, "name": counter.name} if counter else None,
        "recalls": ticket.recalls,
        "code": ticket.public_code,
    }
