"""The console's 好差评 pages: statistics on known ratings, CSV, follow-ups (audited), evaluators, and scope."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.accounts.audit import AuditEntry
from content.queue.evaluation_followups import EvaluationFollowUp
from content.queue.evaluations import ServiceEvaluation, answer, evaluator_state
from content.queue.models import Counter
from content.queue.ticketing import call_next, finish, take_ticket
from kiosk_server.database import database
from tests.support.console_world import ConsoleWorld, build_console_world, csrf_now, sign_in
from tests.support.evaluation_world import EvaluatorDesk, add_evaluator_desk

WAIT = timedelta(seconds=300)
# The ratings of the hall's counter 5, in order: (level, reasons); None: nobody answered.
RATINGS = [(5, []), (5, []), (4, []), (3, []), (1, ["attitude", "long_wait"]), (None, []), (2, ["result"])]


def _rate(
    session: Session, desk: EvaluatorDesk, cw: ConsoleWorld, ratings: list[tuple[int | None, list[str]]]
) -> list[int]:
    ids = []
    for level, reasons in ratings:
        take_ticket(session, desk.line_id, cw.clock.now)
        call_next(session, desk.counter_id, cw.clock.now)
        cw.clock.advance(seconds=60)
        finish(session, desk.counter_id, cw.clock.now)
        evaluation = evaluator_state(session, desk.evaluator_id, cw.clock.now, WAIT)["evaluation"]
        answer(session, desk.evaluator_id, evaluation["id"], level, reasons, cw.clock.now, WAIT)
        ids.append(evaluation["id"])
    return ids


@pytest.fixture
def rated(app: Flask) -> tuple[ConsoleWorld, EvaluatorDesk, list[int], list[int]]:
    """The console world; counter 5 of its hall rated as RATINGS; a 非常不满意 at the other hall's counter 2."""
    cw = build_console_world(app)
    with Session(database(app).engine) as session:
        here = add_evaluator_desk(session, cw.world.hall_id, cw.clock.now)
        there = add_evaluator_desk(session, cw.world.other_hall_id, cw.clock.now, number=2, prefix="B", staff="ts")
        ids = _rate(session, here, cw, RATINGS)
        other_ids = _rate(session, there, cw, [(1, ["unskilled"])])
        session.commit()
    return cw, here, ids, other_ids


def _page(client: Any, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_statistics_per_counter_count_each_level_and_the_satisfaction(app: Flask, rated) -> None:
    client = app.test_client()
    sign_in(client, "manager")
    page = _page(client, "/console/evaluations?group=counter")
    assert 'data-key="5号窗口"' in page
    assert 'data-key="2号窗口"' not in page, "another hall's counter is not counted"
    row = page.split('data-key="5号窗口"')[1].split("</tr>")[0]
    cells = [c.split(">")[-1] for c in row.split("</td>")[:-1]]
    # evaluations, 非常满意…非常不满意, rated, not rated, satisfaction: 4 of 6 rated were at least 基本满意
    assert cells == ["7", "2", "1", "1", "1", "1", "6", "1", "66.7%"]


def test_the_csv_export_carries_the_same_figures(app: Flask, rated) -> None:
    client = app.test_client()
    sign_in(client, "manager")
    response = client.get("/console/evaluations?group=staff&format=csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][0] == "工作人员 staff member"
    assert rows[1] == ["王芳", "7", "2", "1", "1", "1", "1", "6", "1", "66.7%"]
    assert rows[-1][0] == "合计 total"


def test_a_bad_period_is_refused_naming_the_field(app: Flask, rated) -> None:
    client = app.test_client()
    sign_in(client, "manager")
    response = client.get("/console/evaluations?from=2026-13-01")
    assert response.status_code == 400
    assert "请填写有效日期" in response.get_data(as_text=True)
    reversed_ = client.get("/console/evaluations?from=2026-12-05&to=2026-12-01")
    assert reversed_.status_code == 400


def test_follow_ups_list_low_ratings_with_reasons_and_saving_one_is_audited(app: Flask, rated) -> None:
    cw, _, ids, other_ids = rated
    client = app.test_client()
    sign_in(client, "manager")
    page = _page(client, "/console/evaluations/follow-ups")
    very_low, low = ids[4], ids[6]
    assert f'data-evaluation="{very_low}"' in page and f'data-evaluation="{low}"' in page
    assert f'data-evaluation="{other_ids[0]}"' not in page
    assert "服务态度差" in page and "等候时间长" in page and "办理结果不满意" in page
    token = csrf_now(client)
    refused = client.post(
        f"/console/evaluations/follow-ups/{very_low}", data={"csrf_token": token, "status": "done", "note": ""}
    )
    assert refused.status_code == 400
    assert "标记“已整改”前请填写整改措施" in refused.get_data(as_text=True)
    saved = client.post(
        f"/console/evaluations/follow-ups/{very_low}",
        data={"csrf_token": token, "status": "in_progress", "note": "已约谈窗口人员，加强服务礼仪培训"},
    )
    assert saved.status_code == 302
    with Session(database(app).engine) as session:
        follow = session.get(EvaluationFollowUp, very_low)
        assert follow is not None
        assert (follow.status, follow.handler) == ("in_progress", "manager")
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "evaluation.followed_up"))
        assert entry is not None and entry.actor == "manager" and entry.object_id == str(very_low)
        assert entry.summary["status"] == {"before": None, "after": "in_progress"}
    listed = _page(client, "/console/evaluations/follow-ups?status=in_progress")
    assert f'data-evaluation="{very_low}"' in listed and f'data-evaluation="{low}"' not in listed
    auditor = app.test_client()
    sign_in(auditor, "orgadmin")  # the city's org admin reads the hall's audit log
    audit_page = _page(auditor, "/console/audit")
    assert "记录好差评整改" in audit_page and "整改中" in audit_page


def test_another_halls_manager_neither_sees_nor_follows_up(app: Flask, rated) -> None:
    cw, _, ids, _ = rated
    client = app.test_client()
    sign_in(client, "tianshui")  # an org admin of the other city
    stats = _page(client, "/console/evaluations")
    assert 'data-key="5号窗口"' not in stats and 'data-key="2号窗口"' in stats
    follow_ups = _page(client, "/console/evaluations/follow-ups")
    assert f'data-evaluation="{ids[4]}"' not in follow_ups
    response = client.post(
        f"/console/evaluations/follow-ups/{ids[4]}",
        data={"csrf_token": csrf_now(client), "status": "done", "note": "不该能写"},
    )
    assert response.status_code == 404
    with Session(database(app).engine) as session:
        assert session.get(EvaluationFollowUp, ids[4]) is None


def test_a_good_rating_has_no_follow_up(app: Flask, rated) -> None:
    _, _, ids, _ = rated
    client = app.test_client()
    sign_in(client, "manager")
    response = client.post(
        f"/console/evaluations/follow-ups/{ids[0]}", data={"csrf_token": csrf_now(client), "status": "open", "note": ""}
    )
    assert response.status_code == 404


def test_binding_an_evaluator_to_a_counter_in_scope_only(app: Flask, rated) -> None:
    cw, desk, _, _ = rated
    client = app.test_client()
    sign_in(client, "manager")
    page = _page(client, "/console/evaluations/evaluators")
    assert "5号窗口评价器" in page and "2号窗口评价器" not in page
    token = csrf_now(client)
    unbound = client.post(
        f"/console/evaluations/evaluators/{desk.counter_id}", data={"csrf_token": token, "screen_id": ""}
    )
    assert unbound.status_code == 302
    with Session(database(app).engine) as session:
        assert session.get(Counter, desk.counter_id).evaluator_screen_id is None
        assert session.scalar(select(AuditEntry).where(AuditEntry.action == "counter.evaluator_bound")) is not None
    with Session(database(app).engine) as session:
        other_tablet = session.scalar(
            select(Counter.evaluator_screen_id).where(Counter.hall_id == cw.world.other_hall_id)
        )
    wrong = client.post(
        f"/console/evaluations/evaluators/{desk.counter_id}", data={"csrf_token": token, "screen_id": str(other_tablet)}
    )
    assert wrong.status_code == 302
    assert "只能绑定本大厅在用的评价器" in client.get("/console/evaluations/evaluators").get_data(as_text=True)
    bound = client.post(
        f"/console/evaluations/evaluators/{desk.counter_id}",
        data={"csrf_token": token, "screen_id": str(desk.evaluator_id)},
    )
    assert bound.status_code == 302
    with Session(database(app).engine) as session:
        assert session.get(Counter, desk.counter_id).evaluator_screen_id == desk.evaluator_id
        assert [e.state for e in session.scalars(select(ServiceEvaluation))].count("pending") == 0
    other = app.test_client()
    sign_in(other, "tianshui")
    refused = other.post(
        f"/console/evaluations/evaluators/{desk.counter_id}", data={"csrf_token": csrf_now(other), "screen_id": ""}
    )
    assert refused.status_code == 404
