"""The demo halls' queues: lines with letters, counters under their strip screens, counter staff.

``seed_queues`` runs once with the demo world. ``seed_morning`` gives today's queue some life (a few
people waiting, two counters calling) whenever the demo starts on a day whose queue is empty.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from content.accounts.staff import Role, add_account
from content.org.screens import Screen, ScreenKind
from content.org.timezones import zone
from content.org.tree import Hall
from content.queue.models import Counter, ServiceType, Ticket
from content.queue.setup import add_counter, add_service_type
from content.queue.ticketing import call_next, hall_day, start_service, take_ticket

_MORNING: Final = timedelta(minutes=40)  # how far back the first seeded ticket was taken
# Demo only: printed in the demo banner, never a default anywhere else.
DEMO_STAFF_PASSWORD: Final = "demo-counter"


@dataclass(frozen=True)
class LineSpec:
    prefix: str
    name: str
    name_en: str
    service_seconds: int


LINES: Final = (
    LineSpec("A", "社保业务", "Social insurance", 420),
    LineSpec("B", "就业登记", "Employment registration", 300),
    LineSpec("C", "综合咨询", "General enquiries", 180),
)
# Which lines each counter number calls: the first counters take social insurance and enquiries.
_COUNTER_LINES: Final = {1: "AC", 2: "A", 3: "B", 4: "BC"}
_STRIP_NAME = re.compile(r"^(\d+)号窗口条屏$")


def staff_username(hall_id: int) -> str:
    return f"counter{hall_id}"


def seed_queues(session: Session, halls: Iterable[Hall]) -> int:
    """Lines, counters (two at least, under their strips where a hall has them) and a staff account."""
    made = 0
    for hall in halls:
        lines = {
            spec.prefix: add_service_type(
                session,
                hall.id,
                prefix=spec.prefix,
                name=spec.name,
                name_en=spec.name_en,
                default_service_seconds=spec.service_seconds,
            )
            for spec in LINES
        }
        strips: dict[int, Screen] = {}
        for screen in session.scalars(
            select(Screen).where(Screen.hall_id == hall.id, Screen.kind == ScreenKind.COUNTER.value)
        ):
            match = _STRIP_NAME.match(screen.name)
            if match:
                strips[int(match.group(1))] = screen
        for number in range(1, max(2, len(strips)) + 1):
            letters = _COUNTER_LINES.get(number, "ABC") if len(strips) > 2 else "ABC"
            add_counter(
                session, hall.id, number=number, services=[lines[p] for p in letters], screen=strips.get(number)
            )
        add_account(
            session,
            username=staff_username(hall.id),
            password=DEMO_STAFF_PASSWORD,
            display_name=f"{hall.name}窗口",
            role=Role.COUNTER_STAFF,
            hall_id=hall.id,
        )
        made += 1
    return made


def seed_morning(session: Session, hall: Hall, now: datetime) -> bool:
    """Nine people waiting across the lines and the first two counters calling, unless today has tickets."""
    today = hall_day(hall, now)
    if session.scalar(select(func.count()).select_from(Ticket).where(Ticket.hall_id == hall.id, Ticket.day == today)):
        return False
    services = list(
        session.scalars(select(ServiceType).where(ServiceType.hall_id == hall.id).order_by(ServiceType.position))
    )
    counters = list(session.scalars(select(Counter).where(Counter.hall_id == hall.id).order_by(Counter.number)))
    if not services or len(counters) < 2:
        return False
    # The morning spans the last 40 minutes, squeezed into today when the day began less than that
    # ago: a demo started at 00:05 must not leave its tickets on yesterday, where nobody can call them.
    midnight = datetime.combine(today, time(), tzinfo=zone(hall.timezone))
    scale = min(1.0, (now - midnight) / _MORNING)

    def ago(minutes: int) -> datetime:
        return now - timedelta(minutes=minutes) * scale

    for i in range(11):
        take_ticket(session, services[i % len(services)].id, ago(40 - 3 * i), priority=i == 7)
    call_next(session, counters[0].id, ago(4))
    start_service(session, counters[0].id, ago(3))
    call_next(session, counters[1].id, ago(1))
    return True
