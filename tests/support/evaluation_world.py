"""A counter with a 好差评 evaluator tablet and a staff member on duty, in any world's hall (committed by the caller)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from content.accounts.staff import Role, add_account
from content.org.screens import Screen, ScreenKind
from content.queue.evaluations import bind_evaluator, note_on_duty
from content.queue.setup import add_counter, add_service_type
from tests.support.console_world import PASSWORD, stored_password


@dataclass(frozen=True)
class EvaluatorDesk:
    hall_id: int
    line_id: int
    counter_id: int
    evaluator_id: int
    evaluator_key: str
    staff_id: int
    staff_username: str


def add_evaluator_desk(
    session: Session, hall_id: int, now: datetime, *, number: int = 5, prefix: str = "A", staff: str = "clerk"
) -> EvaluatorDesk:
    """Line ``prefix`` 社保业务, counter ``number`` serving it, its evaluator screen, and staff 王芳 on duty there."""
    line = add_service_type(session, hall_id, prefix=prefix, name="社保业务", name_en="Social security")
    counter = add_counter(session, hall_id, number=number, services=[line])
    tablet = Screen(
        hall_id=hall_id, name=f"{number}号窗口评价器", kind=ScreenKind.EVALUATOR.value, width_px=1280, height_px=800
    )
    session.add(tablet)
    session.flush()
    bind_evaluator(session, counter.id, tablet.id, now)
    account = add_account(
        session,
        username=staff,
        password=PASSWORD,
        display_name="王芳",
        role=Role.COUNTER_STAFF,
        hall_id=hall_id,
        org_unit_id=None,
        password_hash=stored_password(),
    )
    note_on_duty(session, counter.id, account.id, account.display_name, now)
    session.flush()
    return EvaluatorDesk(hall_id, line.id, counter.id, tablet.id, tablet.key, account.id, staff)
