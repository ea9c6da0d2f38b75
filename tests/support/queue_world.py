"""A queue in the test world: lines, counters under strip screens, a staff member, a queue region on the walls."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from content import outbox
from content.accounts.staff import Role, add_account
from content.org.screens import Screen
from content.queue.setup import add_counter, add_service_type
from content.queue.ticketing import take_ticket
from content.signage.layouts import Layout, LayoutRegion
from tests.support.world import World

STAFF_USER = "counter-staff"
STAFF_PASSWORD = "window-5-password"


@dataclass
class QueueHall:
    world: World
    line_ids: dict[str, int]
    counter_ids: dict[int, int]  # counter number -> id
    strip_keys: dict[int, str]  # counter number -> strip screen key
    ticket_numbers: list[str] = field(default_factory=list)


def add_queue(session: Session, world: World, *, counters: int = 2, strips: int = 1) -> QueueHall:
    """Lines A (社保业务) and B (就业登记); counters 5, 6… calling both; the first ``strips`` with a strip."""
    layout = session.get(Layout, world.layout_id)
    assert layout is not None
    main = next(r for r in layout.regions if r.name == "main")
    main.w = 0.6
    layout.regions.append(LayoutRegion(name="queue", widget="queue", x=0.6, y=0.1, w=0.4, h=0.82))
    social = add_service_type(session, world.hall_id, prefix="A", name="社保业务", name_en="Social insurance")
    jobs = add_service_type(session, world.hall_id, prefix="B", name="就业登记", name_en="Employment registration")
    counter_ids: dict[int, int] = {}
    strip_keys: dict[int, str] = {}
    for number in range(5, 5 + counters):
        strip = None
        if number - 5 < strips:
            strip = Screen(
                hall_id=world.hall_id,
                name=f"{number}号窗口条屏",
                kind="counter",
                panel="led",
                width_px=640,
                height_px=64,
            )
            session.add(strip)
            session.flush()
            strip_keys[number] = strip.key
        counter_ids[number] = add_counter(
            session, world.hall_id, number=number, services=[social, jobs], screen=strip
        ).id
    add_account(
        session,
        username=STAFF_USER,
        password=STAFF_PASSWORD,
        display_name="王芳",
        role=Role.COUNTER_STAFF,
        hall_id=world.hall_id,
    )
    outbox.add_event(session, "content", kind="queue-world", action="created")
    session.commit()
    return QueueHall(world, {"A": social.id, "B": jobs.id}, counter_ids, strip_keys)


def earlier_today(now: datetime, minutes: float, *, span: float, timezone: str = "Asia/Shanghai") -> datetime:
    """``minutes`` before ``now``, the whole ``span`` squeezed into the hall's today if it began less than that ago.

    Tickets belong to the hall-local day they were taken on: a fixture that takes them "20 minutes
    ago" at 00:10 would put some on yesterday, and a test run just after midnight would fail.
    """
    zone = ZoneInfo(timezone)
    midnight = datetime.combine(now.astimezone(zone).date(), time(), tzinfo=zone)
    return now - timedelta(minutes=minutes) * min(1.0, (now - midnight) / timedelta(minutes=span))


def take_tickets(session: Session, hall: QueueHall, prefix: str, count: int, now: datetime) -> list[str]:
    """``count`` waiting tickets of a line, one second apart, ending at ``now``."""
    numbers = [
        take_ticket(session, hall.line_ids[prefix], now - timedelta(seconds=count - i)).number for i in range(count)
    ]
    session.commit()
    return numbers


def wall_keys(session: Session, hall: QueueHall) -> list[str]:
    return list(session.scalars(select(Screen.key).where(Screen.hall_id == hall.world.hall_id)))
