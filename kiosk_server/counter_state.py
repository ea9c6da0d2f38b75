"""What the counter page shows: one counter, its current ticket, its lines, and where a ticket can go.

The lines are the ones this counter calls from, in the order ``content.queue.ticketing.next_for_counter``
calls them: tickets sent to this counter first, then each active service type it serves by the
calling rule (priority lane first, or boosted, then first come first served). Tickets sent to
another counter are not in them. ``pause`` is the counter's 暂停服务 (since, reason) or None, and
``transfer`` offers only other lines and other counters. Nothing personal: numbers, states and times only.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import partial
from typing import Any, Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from content.org.tree import Hall
from content.queue.board import board_version
from content.queue.models import Counter, ServiceType, Ticket, TicketState
from content.queue.ticketing import call_order_key, current_ticket, hall_day
from content.queue.transfer_targets import transfer_targets

NEXT_NUMBERS: Final = 3


def _service_json(service: ServiceType) -> dict[str, Any]:
    return {"id": service.id, "prefix": service.prefix, "name": service.name, "name_en": service.name_en}


def ticket_json(ticket: Ticket | None) -> dict[str, Any] | None:
    if ticket is None:
        return None
    since = ticket.serving_at if ticket.state == TicketState.SERVING.value else ticket.last_called_at
    return {
        "number": ticket.number,
        "state": ticket.state,
        "priority": ticket.priority,
        "recalls": ticket.recalls,
        "service": _service_json(ticket.service_type),
        "called_at": ticket.called_at.isoformat() if ticket.called_at else None,
        "since": since.isoformat() if since else None,
    }


def _line(waiting: int, priority_waiting: int, heads: list[Ticket]) -> dict[str, Any]:
    return {
        "waiting": waiting,
        "priority_waiting": priority_waiting,
        "next": [{"number": t.number, "priority": t.priority} for t in heads[:NEXT_NUMBERS]],
    }


def _waiting(counter: Counter, day: date) -> Any:
    """Today's waiting tickets this counter may call (a condition; never loaded whole)."""
    return (Ticket.hall_id == counter.hall_id) & (Ticket.day == day) & (Ticket.state == TicketState.WAITING.value)


def _lines(session: Session, counter: Counter, day: date) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Counts by SQL and only the first few of each lane loaded: a long morning queue stays cheap."""
    services = [s for s in counter.services if s.active]
    waiting = _waiting(counter, day)
    directed_where = waiting & (Ticket.target_counter_id == counter.id)
    directed_count = session.scalar(select(func.count()).where(directed_where)) or 0
    directed_heads = list(
        session.scalars(select(Ticket).where(directed_where).order_by(Ticket.arrived_at, Ticket.id).limit(NEXT_NUMBERS))
    )
    directed = _line(directed_count, sum(1 for t in directed_heads if t.priority), directed_heads)
    counts: dict[tuple[int, bool], int] = {
        (service_id, bool(priority)): int(n)
        for service_id, priority, n in session.execute(
            select(Ticket.service_type_id, Ticket.priority, func.count())
            .where(waiting, Ticket.target_counter_id.is_(None), Ticket.service_type_id.in_([s.id for s in services]))
            .group_by(Ticket.service_type_id, Ticket.priority)
        )
    }
    lines = []
    for service in services:
        heads: list[Ticket] = []
        for priority in (True, False):
            heads += session.scalars(
                select(Ticket)
                .where(
                    waiting,
                    Ticket.target_counter_id.is_(None),
                    Ticket.service_type_id == service.id,
                    Ticket.priority.is_(priority),
                )
                .order_by(Ticket.arrived_at, Ticket.id)
                .limit(NEXT_NUMBERS)
            )
        heads.sort(key=partial(call_order_key, boost_minutes=service.priority_boost_minutes))
        priority_waiting = counts.get((service.id, True), 0)
        lines.append(
            {
                "service": _service_json(service),
                **_line(priority_waiting + counts.get((service.id, False), 0), priority_waiting, heads),
            }
        )
    return directed, lines


def _transfer_targets(session: Session, counter: Counter, ticket: Ticket | None) -> dict[str, Any]:
    """Other lines and other counters only: never the ticket's own line, never this counter."""
    targets = transfer_targets(session, counter, ticket)
    return {
        "services": [_service_json(s) for s in targets.services],
        "counters": [{"id": c.id, "number": c.number, "name": c.name} for c in targets.counters],
    }


def _pause_json(counter: Counter) -> dict[str, Any] | None:
    if counter.paused_since is None:
        return None
    return {"since": counter.paused_since.isoformat(), "reason": counter.pause_reason or ""}


def counter_state(session: Session, counter: Counter, now: datetime) -> dict[str, Any]:
    """The page's whole state for ``counter`` at ``now``, with the hall's board version it is at least as new as."""
    hall = session.get(Hall, counter.hall_id)
    assert hall is not None  # the foreign key guarantees it
    version = board_version(session, hall.id)  # read first: the rows below are at least this new
    directed, lines = _lines(session, counter, hall_day(hall, now))
    ticket = current_ticket(session, counter)
    return {
        "version": version,
        "generated_at": now.isoformat(),
        "hall": {"id": hall.id, "name": hall.name, "timezone": hall.timezone},
        "counter": {
            "id": counter.id,
            "number": counter.number,
            "name": counter.name,
            "services": [_service_json(s) for s in counter.services],
        },
        "ticket": ticket_json(ticket),
        "pause": _pause_json(counter),
        "directed": directed,
        "lines": lines,
        "transfer": _transfer_targets(session, counter, ticket),
    }
