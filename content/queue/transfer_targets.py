"""Where a counter's current ticket can be transferred: other lines and other counters, never its own.

A transfer to the ticket's own line with no counter named would put it back where it is, and a
transfer to its own counter is refused by ``ticketing.transfer``; the counter page offers neither
(issue 20) and ``transfer_elsewhere`` refuses both, so a stale page cannot do it either.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from content.errors import ValidationError
from content.queue.models import Counter, ServiceType, Ticket
from content.queue.ticketing import Transfer, current_ticket, get_counter, transfer

# The message of the ValidationError a transfer back into its own line raises (on service_type_id).
SAME_LINE: Final = "the ticket is in that line already"


@dataclass(frozen=True)
class Targets:
    """The hall's active service types other than the ticket's, and its active counters other than this one."""

    services: list[ServiceType]
    counters: list[Counter]


def transfer_targets(session: Session, counter: Counter, ticket: Ticket | None) -> Targets:
    """What the transfer dialog offers for ``ticket`` open at ``counter`` (all other lines without a ticket)."""
    own_line = ticket.service_type_id if ticket is not None else None
    services = session.scalars(
        select(ServiceType)
        .where(ServiceType.hall_id == counter.hall_id, ServiceType.active.is_(True))
        .order_by(ServiceType.position, ServiceType.id)
    )
    counters = session.scalars(
        select(Counter)
        .where(Counter.hall_id == counter.hall_id, Counter.active.is_(True), Counter.id != counter.id)
        .order_by(Counter.number)
    )
    return Targets([s for s in services if s.id != own_line], list(counters))


def transfer_elsewhere(session: Session, counter_id: int, to: Transfer, now: datetime) -> Ticket:
    """``ticketing.transfer``, refusing to send a ticket back into its own line (with no counter named)."""
    if to.service_type_id is not None and to.counter_id is None:
        ticket = current_ticket(session, get_counter(session, counter_id))
        if ticket is not None and ticket.service_type_id == to.service_type_id:
            raise ValidationError.single("service_type_id", SAME_LINE)
    return transfer(session, counter_id, to, now)
