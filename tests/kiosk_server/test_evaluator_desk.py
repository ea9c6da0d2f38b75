"""好差评 evaluators on the /screen namespace: the state after hello, offline windows, withdrawal, answers by ack."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from content.queue.evaluations import ServiceEvaluation
from content.queue.ticketing import call_next, finish, take_ticket
from kiosk_server.config import ConfigError, load_settings
from kiosk_server.database import database
from kiosk_server.settings_access import runtime
from tests.conftest import make_app
from tests.support.console_world import NOON, Clock
from tests.support.evaluation_world import EvaluatorDesk, add_evaluator_desk
from tests.support.world import World, build_world


@pytest.fixture
def clock(app: Flask) -> Clock:
    clock = Clock(NOON)
    runtime(app).clock = clock
    return clock


@pytest.fixture
def desk(app: Flask, clock: Clock) -> tuple[World, EvaluatorDesk]:
    with Session(database(app).engine) as session:
        world = build_world(session, vacancies=1)
        desk = add_evaluator_desk(session, world.hall_id, clock.now)
        for _ in range(4):
            take_ticket(session, desk.line_id, clock.now)
        session.commit()
    return world, desk


def connect(app: Flask, key: str) -> Any:
    client = runtime(app).socketio.test_client(app, namespace="/screen", auth={"key": key})
    assert client.is_connected("/screen")
    return client


def hello_state(app: Flask, key: str) -> tuple[Any, dict[str, Any]]:
    """Connect, say hello, and return the client and the evaluator_state it was sent before welcome."""
    client = connect(app, key)
    client.emit("hello", {"held": {}}, namespace="/screen")
    received = [e for e in client.get_received("/screen") if e["name"] in ("evaluator_state", "welcome")]
    assert [e["name"] for e in received] == ["evaluator_state", "welcome"]
    return client, received[0]["args"][0]


def serve_one(app: Flask, desk: EvaluatorDesk, clock: Clock) -> None:
    with Session(database(app).engine) as session:
        call_next(session, desk.counter_id, clock.now)
        clock.advance(seconds=90)
        finish(session, desk.counter_id, clock.now)
        session.commit()


def evaluation_states(app: Flask) -> list[str]:
    with Session(database(app).engine) as session:
        return [e.state for e in session.query(ServiceEvaluation).order_by(ServiceEvaluation.id)]


def test_hello_sends_the_counter_and_staff_and_the_windows(app: Flask, desk) -> None:
    _, d = desk
    _, state = hello_state(app, d.evaluator_key)
    assert state["counter"]["name"] == "5号窗口"
    assert state["staff"] == {"name": "王芳"}
    assert state["evaluation"] is None
    assert state["answer_seconds"] == 60
    assert state["reasons"] == ["long_wait", "attitude", "unskilled", "result", "unclear_materials", "other"]


def test_offline_at_finish_and_back_within_the_window_gets_it_then_rates(app: Flask, desk, clock: Clock) -> None:
    _, d = desk
    client = connect(app, d.evaluator_key)
    client.disconnect(namespace="/screen")
    serve_one(app, d, clock)  # the tablet is away when the ticket is finished
    clock.advance(seconds=299)
    client, state = hello_state(app, d.evaluator_key)
    evaluation = state["evaluation"]
    assert (evaluation["ticket"], evaluation["service"], evaluation["staff"]) == ("A001", "社保业务", "王芳")
    ack = client.emit(
        "evaluation_answer",
        {"evaluation": evaluation["id"], "level": 1, "reasons": ["attitude"]},
        namespace="/screen",
        callback=True,
    )
    assert ack["ok"] is True and ack["result"] == "rated" and ack["duplicate"] is False
    assert ack["state"]["evaluation"] is None
    again = client.emit(
        "evaluation_answer",
        {"evaluation": evaluation["id"], "level": 1, "reasons": ["attitude"]},
        namespace="/screen",
        callback=True,
    )
    assert again["ok"] is True and again["duplicate"] is True


def test_offline_past_the_window_finds_it_expired(app: Flask, desk, clock: Clock) -> None:
    _, d = desk
    serve_one(app, d, clock)
    clock.advance(seconds=301)
    _, state = hello_state(app, d.evaluator_key)
    assert state["evaluation"] is None
    assert evaluation_states(app) == ["expired"]


def test_the_next_call_withdraws_it_and_a_late_rating_is_refused_by_id(app: Flask, desk, clock: Clock) -> None:
    _, d = desk
    serve_one(app, d, clock)
    client, state = hello_state(app, d.evaluator_key)
    asked = state["evaluation"]["id"]
    with Session(database(app).engine) as session:
        call_next(session, d.counter_id, clock.now)  # the next citizen steps up
        session.commit()
    sync = client.emit("evaluation_sync", {}, namespace="/screen", callback=True)
    assert sync["ok"] is True and sync["state"]["evaluation"] is None
    late = client.emit(
        "evaluation_answer", {"evaluation": asked, "level": 5, "reasons": []}, namespace="/screen", callback=True
    )
    assert late["ok"] is False and late["error"] == "withdrawn"
    assert evaluation_states(app) == ["withdrawn"]


def test_a_malformed_answer_is_refused_with_the_reason(app: Flask, desk, clock: Clock) -> None:
    _, d = desk
    serve_one(app, d, clock)
    client, state = hello_state(app, d.evaluator_key)
    bad = client.emit(
        "evaluation_answer",
        {"evaluation": state["evaluation"]["id"], "level": 2, "reasons": []},
        namespace="/screen",
        callback=True,
    )
    assert bad == {
        "ok": False,
        "error": "invalid",
        "message": "a level of 1 or 2 needs at least one reason",
        "state": bad["state"],
    }
    assert bad["state"]["evaluation"]["id"] == state["evaluation"]["id"], "still pending: it can still be answered"
    assert client.emit("evaluation_answer", "5", namespace="/screen", callback=True)["error"] == "invalid"


def test_a_wall_may_not_answer_or_sync(app: Flask, desk, clock: Clock) -> None:
    world, d = desk
    serve_one(app, d, clock)
    wall = connect(app, world.wall_keys[0])
    wall.emit("hello", {"held": {}}, namespace="/screen")
    assert "evaluator_state" not in [e["name"] for e in wall.get_received("/screen")]
    assert wall.emit("evaluation_sync", {}, namespace="/screen", callback=True)["error"] == "not_evaluator"
    ack = wall.emit("evaluation_answer", {"evaluation": 1, "level": 5}, namespace="/screen", callback=True)
    assert ack["error"] == "not_evaluator"
    assert evaluation_states(app) == ["pending"]


def test_the_evaluator_page_is_served_for_an_evaluator_key(app: Flask, desk) -> None:
    world, d = desk
    page = app.test_client().get(f"/screen/{d.evaluator_key}").get_data(as_text=True)
    assert 'id="evaluator"' in page and "js/evaluator/app.js" in page
    wall = app.test_client().get(f"/screen/{world.wall_keys[0]}").get_data(as_text=True)
    assert 'id="evaluator"' not in wall


@pytest.mark.parametrize(
    ("key", "value"),
    [("KIOSK_EVALUATION_WAIT_SECONDS", "5"), ("KIOSK_EVALUATION_ANSWER_SECONDS", "a minute")],
)
def test_a_malformed_evaluation_window_fails_naming_the_key(tmp_path: Path, key: str, value: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(environ={"KIOSK_DATA_DIR": str(tmp_path), key: value})
    assert key in str(info.value)


def test_the_answer_window_reaches_the_tablet(tmp_path: Path) -> None:
    app = make_app(tmp_path, f"sqlite:///{tmp_path / 'k.sqlite3'}", evaluation_answer_seconds="20")
    with Session(database(app).engine) as session:
        world = build_world(session, vacancies=0)
        desk = add_evaluator_desk(session, world.hall_id, NOON)
        session.commit()
    _, state = hello_state(app, desk.evaluator_key)
    assert state["answer_seconds"] == 20
