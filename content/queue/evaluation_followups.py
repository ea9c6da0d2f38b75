"""整改: the follow-up of every 不满意 / 非常不满意 rating: who handled it, what was done, and where it stands.

One record per low rating, made the first time someone saves a follow-up; a low rating without one
is 待整改. The console audits each save (kiosk_server/console/evaluation_views.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Final

from sqlalchemy import ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from content.control_characters import first_control_character
from content.db import Base
from content.errors import NotFound, ValidationError
from content.queue.evaluations import LOW_LEVELS, EvaluationState, ServiceEvaluation
from content.queue.models import Counter

MAX_NOTE_LENGTH: Final = 500


class FollowUpStatus(StrEnum):
    OPEN = "open"  # 待整改
    IN_PROGRESS = "in_progress"  # 整改中
    DONE = "done"  # 已整改


class EvaluationFollowUp(Base):
    """What was done about one low rating."""

    __tablename__ = "evaluation_followups"

    evaluation_id: Mapped[int] = mapped_column(
        ForeignKey("service_evaluations.id", ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[str] = mapped_column(String(12), default=FollowUpStatus.OPEN.value)
    handler: Mapped[str] = mapped_column(String(60))  # the console user name of whoever saved it last
    note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime]


@dataclass(frozen=True)
class FollowUpRow:
    """A low rating and its follow-up, as the console lists it."""

    evaluation: ServiceEvaluation
    counter_name: str
    status: str
    handler: str
    note: str
    updated_at: datetime | None


def low_ratings(
    session: Session, hall_ids: list[int], first: date, last: date, status: str | None = None
) -> list[FollowUpRow]:
    """Every 不满意 / 非常不满意 rating of the halls between two hall-local days, newest first."""
    rows = session.execute(
        select(ServiceEvaluation, Counter.name, EvaluationFollowUp)
        .join(Counter, Counter.id == ServiceEvaluation.counter_id)
        .outerjoin(EvaluationFollowUp, EvaluationFollowUp.evaluation_id == ServiceEvaluation.id)
        .where(
            ServiceEvaluation.hall_id.in_(hall_ids),
            ServiceEvaluation.day >= first,
            ServiceEvaluation.day <= last,
            ServiceEvaluation.state == EvaluationState.RATED.value,
            ServiceEvaluation.level.in_([int(level) for level in LOW_LEVELS]),
        )
        .order_by(ServiceEvaluation.created_at.desc(), ServiceEvaluation.id.desc())
    ).all()
    found = [
        FollowUpRow(
            evaluation=evaluation,
            counter_name=counter_name,
            status=follow.status if follow is not None else FollowUpStatus.OPEN.value,
            handler=follow.handler if follow is not None else "",
            note=follow.note if follow is not None else "",
            updated_at=follow.updated_at if follow is not None else None,
        )
        for evaluation, counter_name, follow in rows
    ]
    return [row for row in found if status is None or row.status == status]


def low_rating(session: Session, evaluation_id: int) -> ServiceEvaluation:
    """The low rating ``evaluation_id``; NotFound for anything else (a good rating has nothing to follow up)."""
    evaluation = session.get(ServiceEvaluation, evaluation_id)
    if (
        evaluation is None
        or evaluation.state != EvaluationState.RATED.value
        or evaluation.level not in {int(level) for level in LOW_LEVELS}
    ):
        raise NotFound("low rating", evaluation_id)
    return evaluation


@dataclass(frozen=True)
class FollowUpChange:
    """A saved follow-up, before and after, for the audit log."""

    before: dict[str, str] | None
    after: dict[str, str]


def save_follow_up(
    session: Session, evaluation_id: int, status: str, note: str, handler: str, now: datetime
) -> FollowUpChange:
    """Record what was done about a low rating (status 待整改/整改中/已整改 and a note). The caller commits."""
    low_rating(session, evaluation_id)
    errors: dict[str, str] = {}
    if status not in FollowUpStatus._value2member_map_:
        errors["status"] = f"one of {', '.join(FollowUpStatus)}, got {status[:20]!r}"
    note = note.strip()
    if len(note) > MAX_NOTE_LENGTH:
        errors["note"] = f"at most {MAX_NOTE_LENGTH} characters, got {len(note)}"
    elif first_control_character(note.replace("\n", "").replace("\r", "")) is not None:
        errors["note"] = "control characters are not allowed"
    if status == FollowUpStatus.DONE.value and not note:
        errors["note"] = "say what was done before marking it 已整改"
    if errors:
        raise ValidationError(errors)
    follow = session.get(EvaluationFollowUp, evaluation_id)
    before = None if follow is None else {"status": follow.status, "note": follow.note}
    if follow is None:
        follow = EvaluationFollowUp(evaluation_id=evaluation_id, status=status, handler=handler[:60], note=note)
        session.add(follow)
    follow.status, follow.note, follow.handler, follow.updated_at = status, note, handler[:60], now
    session.flush()
    return FollowUpChange(before, {"status": status, "note": note})
