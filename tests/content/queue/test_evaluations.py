"""好差评: an evaluation opens at 办结, is withdrawn at the next call, expires, and is rated once; follow-ups."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from content_factories import Factory
from sqlalchemy.orm import Session

from content.accounts.staff import Role, StaffAccount
from content.errors import NotFound, ValidationError
from content.org.screens import ScreenKind
from content.queue.evaluation_followups import FollowUpStatus, low_ratings, save_follow_up
from content.queue.evaluations import (
    EvaluationRefused,
    EvaluationState,
    ServiceEvaluation,
    answer,
    bind_evaluator,
    evaluator_state,
    note_on_duty,
)
from content.queue.setup import add_counter, add_service_type
from content.queue.ticketing import call_next, finish, take_ticket

NINE = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)  # 09:00 in Lanzhou
WAIT = timedelta(seconds=300)
DATABASES = ("sqlite", "postgres")


def _at(seconds: float) -> datetime:
    return NINE + timedelta(seconds=seconds)


@pytest.fixture
def desk(session: Session, make: Factory):
    """A hall with a line, counter 1 with an evaluator tablet, its staff member on duty, three citizens waiting."""
    hall = make.hall(timezone="Asia/Shanghai")
    line = add_service_type(session, hall.id, prefix="A", name="社保业务")
    counter = add_counter(session, hall.id, number=1, services=[line])
    tablet = make.screen(hall, name="1号窗口评价器", kind=ScreenKind.EVALUATOR.value)
    bind_evaluator(session, counter.id, tablet.id, NINE)
    staff = StaffAccount(
        username="wang", display_name="王芳", password_hash="x", role=Role.COUNTER_STAFF.value, hall_id=hall.id
    )
    session.add(staff)
    session.flush()
    note_on_duty(session, counter.id, staff.id, staff.display_name, NINE)
    for i in range(3):
        take_ticket(session, line.id, _at(i))
    return counter, tablet


def _serve_one(session: Session, counter_id: int, at: float) -> None:
    call_next(session, counter_id, _at(at))
    finish(session, counter_id, _at(at + 60))


def test_finishing_a_ticket_opens_an_evaluation_the_tablet_shows(session: Session, desk) -> None:
    counter, tablet = desk
    assert evaluator_state(session, tablet.id, _at(10), WAIT)["evaluation"] is None
    _serve_one(session, counter.id, 10)
    state = evaluator_state(session, tablet.id, _at(80), WAIT)
    assert state["counter"]["name"] == "1号窗口"
    assert state["staff"] == {"name": "王芳"}
    assert state["evaluation"]["ticket"] == "A001"
    assert state["evaluation"]["service"] == "社保业务"
    assert state["evaluation"]["staff"] == "王芳"


def test_a_counter_without_an_evaluator_opens_none(session: Session, desk) -> None:
    counter, _ = desk
    bind_evaluator(session, counter.id, None, NINE)
    _serve_one(session, counter.id, 10)
    assert session.query(ServiceEvaluation).count() == 0


def test_the_next_call_withdraws_the_pending_evaluation_and_a_late_rating_is_refused(session: Session, desk) -> None:
    counter, tablet = desk
    _serve_one(session, counter.id, 10)
    pending = evaluator_state(session, tablet.id, _at(80), WAIT)["evaluation"]
    call_next(session, counter.id, _at(90))  # the next citizen is called
    assert evaluator_state(session, tablet.id, _at(91), WAIT)["evaluation"] is None
    with pytest.raises(EvaluationRefused) as refused:
        answer(session, tablet.id, pending["id"], 5, [], _at(95), WAIT)
    assert refused.value.code == "withdrawn"
    assert session.get(ServiceEvaluation, pending["id"]).level is None


def test_a_rating_is_kept_once_and_a_repeat_is_a_duplicate(session: Session, desk) -> None:
    counter, tablet = desk
    _serve_one(session, counter.id, 10)
    evaluation_id = evaluator_state(session, tablet.id, _at(80), WAIT)["evaluation"]["id"]
    first = answer(session, tablet.id, evaluation_id, 1, ["attitude", "long_wait"], _at(85), WAIT)
    again = answer(session, tablet.id, evaluation_id, 5, [], _at(86), WAIT)
    assert (first.state, first.duplicate) == ("rated", False)
    assert again.duplicate is True
    row = session.get(ServiceEvaluation, evaluation_id)
    session.refresh(row)
    assert (row.level, row.reasons) == (1, ["long_wait", "attitude"])  # the first answer stands, reasons in order


def test_an_evaluator_back_within_the_window_still_gets_it_and_after_it_is_expired(session: Session, desk) -> None:
    counter, tablet = desk
    _serve_one(session, counter.id, 10)  # finished at +70 s while the tablet was offline
    assert evaluator_state(session, tablet.id, _at(70 + 299), WAIT)["evaluation"] is not None
    _serve_one(session, counter.id, 400)  # a second one, finished at +460 s
    assert evaluator_state(session, tablet.id, _at(460 + 301), WAIT)["evaluation"] is None
    states = [e.state for e in session.query(ServiceEvaluation).order_by(ServiceEvaluation.id)]
    assert states == [EvaluationState.WITHDRAWN.value, EvaluationState.EXPIRED.value]


def test_not_answering_in_time_is_recorded_as_not_rated(session: Session, desk) -> None:
    counter, tablet = desk
    _serve_one(session, counter.id, 10)
    evaluation_id = evaluator_state(session, tablet.id, _at(80), WAIT)["evaluation"]["id"]
    assert answer(session, tablet.id, evaluation_id, None, [], _at(140), WAIT).state == "expired"
    with pytest.raises(EvaluationRefused) as refused:
        answer(session, tablet.id, evaluation_id, 4, [], _at(141), WAIT)
    assert refused.value.code == "expired"


@pytest.mark.parametrize(
    ("level", "reasons", "says"),
    [
        (0, [], "level must be an integer 1…5, got 0"),
        (True, [], "level must be an integer 1…5, got True"),
        ("5", [], "level must be an integer 1…5, got '5'"),
        (1, [], "a level of 1 or 2 needs at least one reason"),
        (2, ["rude"], "unknown reason 'rude'"),
        (4, ["long_wait"], "reasons come only with a level of 1 or 2, got level 4"),
        (1, "long_wait", "reasons must be a list of reason codes"),
    ],
)
def test_a_malformed_answer_is_refused_with_the_reason(session: Session, desk, level, reasons, says: str) -> None:
    counter, tablet = desk
    _serve_one(session, counter.id, 10)
    evaluation_id = evaluator_state(session, tablet.id, _at(80), WAIT)["evaluation"]["id"]
    with pytest.raises(EvaluationRefused) as refused:
        answer(session, tablet.id, evaluation_id, level, reasons, _at(85), WAIT)
    assert refused.value.code == "invalid"
    assert says in str(refused.value)


def test_another_counters_tablet_cannot_answer(session: Session, make: Factory, desk) -> None:
    counter, tablet = desk
    _serve_one(session, counter.id, 10)
    evaluation_id = evaluator_state(session, tablet.id, _at(80), WAIT)["evaluation"]["id"]
    other = make.screen(tablet.hall, name="2号窗口评价器", kind=ScreenKind.EVALUATOR.value)
    with pytest.raises(EvaluationRefused) as refused:
        answer(session, other.id, evaluation_id, 5, [], _at(85), WAIT)
    assert refused.value.code == "other_counter"
    with pytest.raises(EvaluationRefused) as unknown:
        answer(session, tablet.id, 999_999, 5, [], _at(85), WAIT)
    assert unknown.value.code == "unknown"


def test_only_an_evaluator_of_the_hall_can_be_bound(session: Session, make: Factory, desk) -> None:
    counter, tablet = desk
    strip = make.screen(tablet.hall, name="1号窗口条屏", kind=ScreenKind.COUNTER.value)
    elsewhere = make.screen(make.hall(name="另一大厅"), name="评价器", kind=ScreenKind.EVALUATOR.value)
    for screen in (strip, elsewhere):
        with pytest.raises(ValidationError):
            bind_evaluator(session, counter.id, screen.id, NINE)
    with pytest.raises(NotFound):
        bind_evaluator(session, 999_999, tablet.id, NINE)


def test_binding_a_tablet_to_a_second_counter_moves_it(session: Session, desk) -> None:
    counter, tablet = desk
    line = counter.services[0]
    second = add_counter(session, counter.hall_id, number=2, services=[line])
    bind_evaluator(session, second.id, tablet.id, NINE)
    session.refresh(counter)
    assert (counter.evaluator_screen_id, second.evaluator_screen_id) == (None, tablet.id)


def test_low_ratings_are_listed_for_follow_up_and_saved(session: Session, desk) -> None:
    counter, tablet = desk
    _serve_one(session, counter.id, 10)
    low = evaluator_state(session, tablet.id, _at(80), WAIT)["evaluation"]["id"]
    answer(session, tablet.id, low, 2, ["unclear_materials"], _at(85), WAIT)
    _serve_one(session, counter.id, 100)
    good = evaluator_state(session, tablet.id, _at(170), WAIT)["evaluation"]["id"]
    answer(session, tablet.id, good, 5, [], _at(175), WAIT)
    day = date(2026, 12, 2)
    rows = low_ratings(session, [counter.hall_id], day, day)
    assert [(r.evaluation.id, r.status) for r in rows] == [(low, FollowUpStatus.OPEN.value)]
    with pytest.raises(ValidationError) as refused:
        save_follow_up(session, low, "done", "  ", "manager", _at(200))
    assert "say what was done" in refused.value.errors["note"]
    change = save_follow_up(session, low, "in_progress", "已与窗口人员谈话", "manager", _at(200))
    assert change.before is None and change.after == {"status": "in_progress", "note": "已与窗口人员谈话"}
    change = save_follow_up(session, low, "done", "已补充材料清单", "manager", _at(300))
    assert change.before == {"status": "in_progress", "note": "已与窗口人员谈话"}
    assert [r.status for r in low_ratings(session, [counter.hall_id], day, day, "done")] == ["done"]
    with pytest.raises(NotFound):
        save_follow_up(session, good, "done", "x", "manager", _at(300))  # a good rating has nothing to follow up


def test_a_retired_tablet_opens_none(session: Session, desk) -> None:
    counter, tablet = desk
    tablet.retired_at = NINE
    session.flush()
    _serve_one(session, counter.id, 10)
    assert session.query(ServiceEvaluation).count() == 0
