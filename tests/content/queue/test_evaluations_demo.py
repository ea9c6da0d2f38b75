"""The demo's 好差评: evaluators at two counters, two weeks of ratings and follow-ups, seeded once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from content.demo import seed_demo
from content.demo.evaluations import DAYS, seed_evaluations
from content.org.screens import Screen, ScreenKind
from content.queue.evaluation_followups import EvaluationFollowUp, low_ratings
from content.queue.evaluation_stats import GroupBy, load_rows, tally
from content.queue.models import Counter

NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)  # 10:00 in Lanzhou
TODAY = date(2026, 12, 7)


def test_the_demo_seeds_evaluators_and_two_weeks_of_ratings_once(session: Session) -> None:
    seed_demo(session, today=TODAY)
    assert seed_evaluations(session, NOW) is True
    tablets = list(session.scalars(select(Screen).where(Screen.kind == ScreenKind.EVALUATOR.value)))
    assert sorted(t.name for t in tablets) == ["1号窗口评价器", "2号窗口评价器"]
    bound = list(session.scalars(select(Counter).where(Counter.evaluator_screen_id.is_not(None))))
    assert {c.number for c in bound} == {1, 2} and len({c.hall_id for c in bound}) == 1
    hall_id = bound[0].hall_id
    first, last = TODAY - timedelta(days=DAYS), TODAY - timedelta(days=1)
    by_staff = tally(load_rows(session, [hall_id], first, last), GroupBy.STAFF)
    assert [t.key for t in by_staff] == ["张伟", "李娜", ""]
    total = by_staff[-1]
    assert total.evaluations >= DAYS * 2 * 8 and total.not_rated > 0
    assert total.satisfaction is not None and 0.8 < total.satisfaction < 1.0
    assert len(tally(load_rows(session, [hall_id], first, last), GroupBy.DAY)) == DAYS + 1
    low = low_ratings(session, [hall_id], first, last)
    assert low and all(row.evaluation.reasons for row in low)
    assert session.scalar(select(EvaluationFollowUp.status).limit(1)) is not None
    assert seed_evaluations(session, NOW) is False, "once"
