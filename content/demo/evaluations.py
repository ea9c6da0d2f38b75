"""The demo's 好差评: evaluator tablets at two counters of the first hall with strips, and two weeks of ratings.

``seed_evaluations`` runs at every demo start and does its work once (while no evaluator screen
exists), so the console's statistics and follow-up list are never empty in a demo.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from content.accounts.staff import StaffAccount
from content.demo.queue import staff_username
from content.org.screens import Panel, Screen, ScreenKind
from content.org.timezones import zone
from content.org.tree import Hall
from content.queue.evaluation_followups import EvaluationFollowUp, FollowUpStatus
from content.queue.evaluations import (
    REASONS,
    CounterDuty,
    EvaluationState,
    ServiceEvaluation,
    bind_evaluator,
)
from content.queue.models import Counter

DAYS: Final = 14
RNG_SEED: Final = 21
# The staff on duty at the demo's counters 1 and 2: names only, as a counter's name plate shows them.
DUTY: Final = {1: "李娜", 2: "张伟"}
# How the demo's citizens answer: mostly satisfied, a few not, some walk away (None).
_ANSWERS: Final = ((5, 52), (4, 20), (3, 8), (2, 4), (1, 2), (None, 14))
_NOTES: Final = (
    (FollowUpStatus.DONE, "已约谈窗口人员，复核办理流程并向群众电话致歉"),
    (FollowUpStatus.IN_PROGRESS, "已在大厅公示材料清单，正在更新一次性告知单"),
)


def seed_evaluations(session: Session, now: datetime) -> bool:
    """Evaluators at counters 1 and 2 of the first hall with counter strips, and past ratings; once."""
    if session.scalar(select(func.count()).select_from(Screen).where(Screen.kind == ScreenKind.EVALUATOR.value)):
        return False
    hall = session.scalar(
        select(Hall).join(Counter, Counter.hall_id == Hall.id).where(Counter.screen_id.is_not(None)).order_by(Hall.id)
    )
    if hall is None:
        return False
    counters = list(
        session.scalars(
            select(Counter).where(Counter.hall_id == hall.id, Counter.number.in_(DUTY)).order_by(Counter.number)
        )
    )
    staff = session.scalar(select(StaffAccount).where(StaffAccount.username == staff_username(hall.id)))
    rng = random.Random(RNG_SEED)
    for counter in counters:
        tablet = Screen(
            hall_id=hall.id,
            name=f"{counter.number}号窗口评价器",
            kind=ScreenKind.EVALUATOR.value,
            width_px=1280,
            height_px=800,
            panel=Panel.LCD.value,
        )
        session.add(tablet)
        session.flush()
        bind_evaluator(session, counter.id, tablet.id, now)
        name = DUTY[counter.number]
        session.add(
            CounterDuty(counter_id=counter.id, staff_id=staff.id if staff else None, staff_name=name, since=now)
        )
        _past_ratings(session, rng, hall, counter, name, staff, now)
    session.flush()
    return True


def _past_ratings(
    session: Session,
    rng: random.Random,
    hall: Hall,
    counter: Counter,
    name: str,
    staff: StaffAccount | None,
    now: datetime,
) -> None:
    """Ratings of the last DAYS days before today, from 09:00 on, 8 to 16 services a day."""
    tz = zone(hall.timezone)
    today = now.astimezone(tz).date()
    levels = [answer for answer, _ in _ANSWERS]
    weights = [weight for _, weight in _ANSWERS]
    notes = iter(_NOTES)
    for back in range(DAYS, 0, -1):
        day = today - timedelta(days=back)
        at = datetime.combine(day, time(9, 0), tzinfo=tz)
        for n in range(rng.randint(8, 16)):
            service = counter.services[n % len(counter.services)]
            at += timedelta(minutes=rng.randint(6, 25))
            level = rng.choices(levels, weights)[0]
            low = level is not None and level <= 2
            evaluation = ServiceEvaluation(
                hall_id=hall.id,
                counter_id=counter.id,
                service_type_id=service.id,
                ticket_number=f"{service.prefix}{n + 1:03d}",
                service_name=service.name,
                staff_id=staff.id if staff else None,
                staff_name=name,
                day=day,
                state=EvaluationState.RATED.value if level is not None else EvaluationState.EXPIRED.value,
                level=level,
                reasons=sorted(rng.sample(REASONS[:5], rng.randint(1, 2)), key=REASONS.index) if low else [],
                created_at=at,
                ended_at=at + timedelta(seconds=rng.randint(5, 60)),
            )
            session.add(evaluation)
            if low and back > 3:
                session.flush()
                status, note = next(notes, (None, ""))
                if status is not None:
                    session.add(
                        EvaluationFollowUp(
                            evaluation_id=evaluation.id,
                            status=status.value,
                            handler="dating",
                            note=note,
                            updated_at=at + timedelta(days=1),
                        )
                    )
