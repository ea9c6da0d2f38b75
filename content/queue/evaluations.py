"""好差评: the rating a citizen gives a counter's service on its evaluator tablet, from 办结 to rated or not.

A finished ticket (``ticketing.finish``) at a counter with an evaluator opens one *pending* evaluation
in the same transaction, naming the ticket, the service type and the staff member on duty there.
It ends exactly once, by one conditional UPDATE: *rated* (a level and, for the two lowest, reasons),
*expired* (未评价: nobody answered on the tablet, or the tablet was away longer than the wait
window) or *withdrawn* (the counter called its next ticket first). Withdrawing at the next call is
what keeps a rating from ever being attributed to the next citizen: a rating sent for anything but
the counter's pending evaluation is refused by its id, and the answer says why.

Staff are referred to by id and the display name they had at the time, as the audit log refers to
actors by user name: the queue does not import the accounts package (docs/architecture.md,
"Packages and imports").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import IntEnum, StrEnum
from typing import Any, Final, cast

from sqlalchemy import CursorResult, Date, ForeignKey, Index, String, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from content.db import Base
from content.errors import ContentError, NotFound, ValidationError
from content.org.screens import Screen, ScreenKind
from content.queue.models import Counter, ServiceType, Ticket, _BigId


class Level(IntEnum):
    """The five levels of the national 好差评 scale, best first."""

    VERY_SATISFIED = 5  # 非常满意
    SATISFIED = 4  # 满意
    FAIRLY_SATISFIED = 3  # 基本满意
    DISSATISFIED = 2  # 不满意
    VERY_DISSATISFIED = 1  # 非常不满意


# The levels that ask for reasons and get a follow-up (整改) record.
LOW_LEVELS: Final = frozenset({Level.DISSATISFIED, Level.VERY_DISSATISFIED})
# The levels counted as satisfied in 满意率.
SATISFIED_LEVELS: Final = frozenset({Level.VERY_SATISFIED, Level.SATISFIED, Level.FAIRLY_SATISFIED})

# Reason codes for the two lowest levels, in the order the tablet shows them (words: the catalogues).
REASONS: Final = ("long_wait", "attitude", "unskilled", "result", "unclear_materials", "other")


class EvaluationState(StrEnum):
    PENDING = "pending"
    RATED = "rated"
    EXPIRED = "expired"  # 未评价
    WITHDRAWN = "withdrawn"  # the counter called its next ticket before an answer


class ServiceEvaluation(Base):
    """One finished service's evaluation: what was served, by whom, and the citizen's answer."""

    __tablename__ = "service_evaluations"
    __table_args__ = (
        Index("ix_service_evaluations_hall_day", "hall_id", "day"),
        Index("ix_service_evaluations_counter_state", "counter_id", "state"),
    )

    id: Mapped[int] = mapped_column(_BigId, primary_key=True, autoincrement=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id", ondelete="CASCADE"))
    counter_id: Mapped[int] = mapped_column(ForeignKey("queue_counters.id", ondelete="CASCADE"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("queue_tickets.id", ondelete="SET NULL"), index=True)
    service_type_id: Mapped[int | None] = mapped_column(ForeignKey("queue_service_types.id", ondelete="SET NULL"))
    # What the tablet showed, kept as it was: a renamed line or a renamed staff member changes no past rating.
    ticket_number: Mapped[str] = mapped_column(String(8))
    service_name: Mapped[str] = mapped_column(String(60))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_accounts.id", ondelete="SET NULL"), index=True)
    staff_name: Mapped[str] = mapped_column(String(60), default="")
    day: Mapped[date] = mapped_column(Date)  # the hall-local day of the ticket
    state: Mapped[str] = mapped_column(String(12), default=EvaluationState.PENDING.value)
    level: Mapped[int | None]
    reasons: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"ServiceEvaluation(id={self.id!r}, counter_id={self.counter_id!r}, state={self.state!r})"


class CounterDuty(Base):
    """Who works at a counter now: the staff member who last acted there from the counter page."""

    __tablename__ = "queue_counter_duty"

    counter_id: Mapped[int] = mapped_column(ForeignKey("queue_counters.id", ondelete="CASCADE"), primary_key=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_accounts.id", ondelete="SET NULL"))
    staff_name: Mapped[str] = mapped_column(String(60))
    since: Mapped[datetime]


class EvaluationRefused(ContentError):
    """A rating that cannot be kept; ``code`` says why (unknown, other_counter, withdrawn, expired, invalid)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Answered:
    """What became of an answer: the evaluation's state now, and whether it was already answered so."""

    evaluation_id: int
    state: str
    duplicate: bool


def note_on_duty(session: Session, counter_id: int, staff_id: int, staff_name: str, now: datetime) -> None:
    """Record that this staff member works at the counter now (called by every counter-page action)."""
    duty = session.get(CounterDuty, counter_id)
    if duty is None:
        session.add(CounterDuty(counter_id=counter_id, staff_id=staff_id, staff_name=staff_name[:60], since=now))
    elif duty.staff_id != staff_id or duty.staff_name != staff_name[:60]:
        duty.staff_id, duty.staff_name, duty.since = staff_id, staff_name[:60], now


def open_evaluation(session: Session, counter: Counter, ticket: Ticket, now: datetime) -> ServiceEvaluation | None:
    """Open the pending evaluation of a ticket just finished at ``counter``; None when it has no evaluator.

    Any older pending evaluation of the counter is withdrawn first: one citizen, one question.
    """
    tablet = session.get(Screen, counter.evaluator_screen_id) if counter.evaluator_screen_id is not None else None
    if tablet is None or tablet.retired_at is not None:
        return None  # no tablet, or one retired (its key rotated): nothing could ask
    withdraw_pending(session, counter.id, now)
    duty = session.get(CounterDuty, counter.id)
    service = session.get(ServiceType, ticket.service_type_id)
    evaluation = ServiceEvaluation(
        hall_id=counter.hall_id,
        counter_id=counter.id,
        ticket_id=ticket.id,
        service_type_id=ticket.service_type_id,
        ticket_number=ticket.number,
        service_name=service.name if service is not None else "",
        staff_id=duty.staff_id if duty is not None else None,
        staff_name=duty.staff_name if duty is not None else "",
        day=ticket.day,
        state=EvaluationState.PENDING.value,
        reasons=[],
        created_at=now,
    )
    session.add(evaluation)
    session.flush()
    return evaluation


def _end(session: Session, where: Any, state: EvaluationState, now: datetime, **values: Any) -> int:
    """End the pending evaluations ``where`` selects, in one conditional UPDATE; how many ended."""
    result = cast(
        CursorResult[Any],
        session.execute(
            update(ServiceEvaluation)
            .where(where, ServiceEvaluation.state == EvaluationState.PENDING.value)
            .values(state=state.value, ended_at=now, **values)
            .execution_options(synchronize_session=False)
        ),
    )
    return int(result.rowcount)


def withdraw_pending(session: Session, counter_id: int, now: datetime) -> int:
    """Withdraw the counter's pending evaluation: its next citizen is being called (ticketing.call_next)."""
    return _end(session, ServiceEvaluation.counter_id == counter_id, EvaluationState.WITHDRAWN, now)


def expire_stale(session: Session, now: datetime, wait: timedelta, *, counter_id: int | None = None) -> int:
    """Mark 未评价 the pending evaluations older than ``wait`` (the tablet was away that long); how many."""
    where = ServiceEvaluation.created_at <= now - wait
    if counter_id is not None:
        where = where & (ServiceEvaluation.counter_id == counter_id)
    return _end(session, where, EvaluationState.EXPIRED, now)


def counter_of_evaluator(session: Session, screen_id: int) -> Counter | None:
    """The counter this evaluator tablet is bound to, if any."""
    return session.scalar(select(Counter).where(Counter.evaluator_screen_id == screen_id))


def pending_for(session: Session, counter_id: int) -> ServiceEvaluation | None:
    return session.scalar(
        select(ServiceEvaluation)
        .where(ServiceEvaluation.counter_id == counter_id, ServiceEvaluation.state == EvaluationState.PENDING.value)
        .order_by(ServiceEvaluation.id.desc())
        .limit(1)
    )


def evaluator_state(session: Session, screen_id: int, now: datetime, wait: timedelta) -> dict[str, Any]:
    """What an evaluator shows: its counter, the staff on duty, and the pending evaluation it should ask.

    A pending evaluation older than ``wait`` is expired on the way (the caller commits): a tablet
    that comes back late never asks about a citizen long gone.
    """
    counter = counter_of_evaluator(session, screen_id)
    if counter is None:
        return {"counter": None, "staff": None, "evaluation": None}
    expire_stale(session, now, wait, counter_id=counter.id)
    duty = session.get(CounterDuty, counter.id)
    pending = pending_for(session, counter.id)
    return {
        "counter": {"id": counter.id, "number": counter.number, "name": counter.name},
        "staff": {"name": duty.staff_name} if duty is not None and duty.staff_name else None,
        "evaluation": evaluation_json(pending) if pending is not None else None,
    }


def evaluation_json(evaluation: ServiceEvaluation) -> dict[str, Any]:
    """The evaluation as the tablet shows it: nothing about the citizen, who is not known here."""
    return {
        "id": evaluation.id,
        "ticket": evaluation.ticket_number,
        "service": evaluation.service_name,
        "staff": evaluation.staff_name or None,
        "created_at": evaluation.created_at.isoformat(),
    }


def parse_answer(level: Any, reasons: Any) -> tuple[Level | None, list[str]]:
    """Check an answer: a level 1…5 (None: not rated in time) and, for the two lowest, known reason codes."""
    if level is None:
        if reasons not in (None, []):
            raise EvaluationRefused("invalid", "reasons come only with a level of 1 or 2")
        return None, []
    if isinstance(level, bool) or not isinstance(level, int) or level not in Level._value2member_map_:
        raise EvaluationRefused("invalid", f"level must be an integer 1…5, got {level!r}")
    chosen = Level(level)
    if reasons is None:
        reasons = []
    if not isinstance(reasons, list) or not all(isinstance(r, str) for r in reasons):
        raise EvaluationRefused("invalid", "reasons must be a list of reason codes")
    unknown = [r for r in reasons if r not in REASONS]
    if unknown:
        raise EvaluationRefused("invalid", f"unknown reason {unknown[0][:40]!r}; use one of {', '.join(REASONS)}")
    if chosen not in LOW_LEVELS and reasons:
        raise EvaluationRefused("invalid", f"reasons come only with a level of 1 or 2, got level {level}")
    if chosen in LOW_LEVELS and not reasons:
        raise EvaluationRefused("invalid", "a level of 1 or 2 needs at least one reason")
    return chosen, [r for r in REASONS if r in reasons]  # the catalogue's order, each once


def answer(
    session: Session,
    screen_id: int,
    evaluation_id: Any,
    level: Any,
    reasons: Any,
    now: datetime,
    wait: timedelta,
) -> Answered:
    """Keep an evaluator's answer to ``evaluation_id`` (a rating, or ``level`` None: 未评价). The caller commits.

    Accepted once: the same answer again is a duplicate, anything for an evaluation that is not the
    tablet's counter's pending one is refused with the reason.
    """
    if isinstance(evaluation_id, bool) or not isinstance(evaluation_id, int):
        raise EvaluationRefused("invalid", f"evaluation must be an integer id, got {evaluation_id!r}")
    chosen, kept = parse_answer(level, reasons)
    evaluation = session.get(ServiceEvaluation, evaluation_id)
    counter = counter_of_evaluator(session, screen_id)
    if evaluation is None:
        raise EvaluationRefused("unknown", f"no evaluation {evaluation_id}")
    if counter is None or evaluation.counter_id != counter.id:
        raise EvaluationRefused("other_counter", f"evaluation {evaluation_id} is not of this evaluator's counter")
    expire_stale(session, now, wait, counter_id=counter.id)
    wanted = EvaluationState.EXPIRED if chosen is None else EvaluationState.RATED
    values: dict[str, Any] = {} if chosen is None else {"level": int(chosen), "reasons": kept}
    if _end(session, ServiceEvaluation.id == evaluation_id, wanted, now, **values) == 1:
        return Answered(evaluation_id, wanted.value, duplicate=False)
    session.refresh(evaluation)
    if evaluation.state == wanted.value:
        return Answered(evaluation_id, evaluation.state, duplicate=True)  # sent again: the first one stands
    if evaluation.state == EvaluationState.RATED.value:
        raise EvaluationRefused("rated", f"evaluation {evaluation_id} was rated already")
    raise EvaluationRefused(evaluation.state, f"evaluation {evaluation_id} was {evaluation.state}")


def bind_evaluator(
    session: Session, counter_id: int, screen_id: int | None, now: datetime
) -> tuple[int | None, int | None]:
    """Bind an evaluator screen of the counter's hall to the counter (None: unbind); (before, after).

    A tablet serves one counter: binding it here unbinds it from any other. A counter left without
    an evaluator has its pending evaluation withdrawn, since nothing could answer it.
    """
    counter = session.get(Counter, counter_id)
    if counter is None:
        raise NotFound("counter", counter_id)
    before = counter.evaluator_screen_id
    if screen_id is not None:
        screen = session.get(Screen, screen_id)
        if (
            screen is None
            or screen.hall_id != counter.hall_id
            or screen.kind != ScreenKind.EVALUATOR.value
            or screen.retired_at is not None
        ):
            raise ValidationError.single("screen_id", "the evaluator must be a live evaluator screen of this hall")
        session.execute(
            update(Counter)
            .where(Counter.evaluator_screen_id == screen_id, Counter.id != counter.id)
            .values(evaluator_screen_id=None)
            .execution_options(synchronize_session="fetch")
        )
    counter.evaluator_screen_id = screen_id
    if screen_id is None and before is not None:
        withdraw_pending(session, counter.id, now)
    session.flush()
    return before, screen_id
