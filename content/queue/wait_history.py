"""A hall's recent history read once for its wait estimates: counter times, open counters, estimates.

``HallWaits.load`` reads the event log of the last HISTORY (calls and what closed them, per counter:
``content.queue.wait_estimates.counter_times``), which counters serve which type and which of them
worked lately. A paused counter (暂停服务) is not counted as open: it calls nobody until resumed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from content.queue.models import Counter, EventKind, ServiceType, TicketEvent, counter_services
from content.queue.wait_estimates import (
    CLOSING_KINDS,
    COUNTER_ACTIVE_WINDOW,
    HISTORY,
    MAX_SERVICE_SECONDS,
    CounterEvent,
    Estimate,
    ServiceSample,
    counter_times,
    estimate_from,
    open_counters,
    typical_time,
)

_KINDS = (EventKind.CALL.value, *sorted(CLOSING_KINDS))


@dataclass
class HallWaits:
    """The inputs of one hall's wait estimates at ``now``."""

    now: datetime
    samples: list[ServiceSample] = field(default_factory=list)
    configured: dict[int, list[int]] = field(default_factory=dict)  # service type → counters serving it
    last_activity: dict[int, datetime] = field(default_factory=dict)  # counter → its latest event

    @classmethod
    def load(cls, session: Session, hall_id: int, now: datetime) -> HallWaits:
        # A counter time that closed within HISTORY may have begun up to an hour before it.
        since = now - HISTORY - timedelta(seconds=MAX_SERVICE_SECONDS)
        events = [
            CounterEvent(ticket_id, service_type_id, counter_id, kind, at)
            for ticket_id, service_type_id, counter_id, kind, at in session.execute(
                select(
                    TicketEvent.ticket_id,
                    TicketEvent.service_type_id,
                    TicketEvent.counter_id,
                    TicketEvent.kind,
                    TicketEvent.at,
                )
                .where(TicketEvent.hall_id == hall_id, TicketEvent.kind.in_(_KINDS), TicketEvent.at >= since)
                .order_by(TicketEvent.at, TicketEvent.id)
            )
        ]
        configured: dict[int, list[int]] = defaultdict(list)
        for counter_id, service_id in session.execute(
            select(counter_services.c.counter_id, counter_services.c.service_type_id)
            .join(Counter, Counter.id == counter_services.c.counter_id)
            .where(Counter.hall_id == hall_id, Counter.active.is_(True), Counter.paused_since.is_(None))
        ):
            configured[service_id].append(counter_id)
        last_activity = {
            counter_id: at
            for counter_id, at in session.execute(
                select(TicketEvent.counter_id, func.max(TicketEvent.at))
                .where(
                    TicketEvent.hall_id == hall_id,
                    TicketEvent.counter_id.is_not(None),
                    TicketEvent.at >= now - COUNTER_ACTIVE_WINDOW,
                )
                .group_by(TicketEvent.counter_id)
            )
            if counter_id is not None  # the query excludes it; this tells mypy
        }
        return cls(now, counter_times(events), dict(configured), last_activity)

    def estimate(self, service: ServiceType, ahead: int) -> Estimate:
        """The wait of someone with ``ahead`` people before them in ``service``'s line."""
        typical = typical_time(self.samples, service.id, self.now, service.default_service_seconds)
        counters = open_counters(self.configured.get(service.id, []), self.last_activity, self.now)
        return estimate_from(typical, ahead, counters)
