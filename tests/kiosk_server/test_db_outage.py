"""The database unavailable is a known state: 503 with Retry-After, one log line each way, nothing typed lost (issue 17, item 5).

The outage is real: the app reaches PostgreSQL through a TCP forwarder (tests/support/tcp_proxy.py)
that the test stops and starts again.
"""

from __future__ import annotations

import html
import logging
import re
import sqlite3
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, make_url, select, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from content.library.items import Vacancy
from content.org.screens import Screen
from kiosk_server.database import Database, database
from kiosk_server.db_outage import Outage, is_unavailable, outage_of
from kiosk_server.session_sweeper import SessionSweeper
from kiosk_server.settings_access import runtime
from tests.conftest import POSTGRES_SKIP, POSTGRES_UP, make_app
from tests.support.console_world import ConsoleWorld, build_console_world, csrf_now, sign_in
from tests.support.tcp_proxy import TcpProxy

OUTAGE_LOGGER = "kiosk_server.db_outage"
TEXTAREA = re.compile(r'<textarea id="f-\d+" name="([^"]+)"[^>]*>\n(.*?)</textarea>', re.S)
ACTION = re.compile(r'<form method="post" action="([^"]+)" id="resubmit"')
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _outage_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == OUTAGE_LOGGER]


def _tracebacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


@pytest.fixture
def proxy() -> Iterator[TcpProxy]:
    if not POSTGRES_UP:
        pytest.skip(POSTGRES_SKIP)
    with TcpProxy("127.0.0.1", 5432) as forwarder:
        yield forwarder


def _through(url: str, proxy: TcpProxy) -> str:
    return make_url(url).set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)


@pytest.fixture
def app(tmp_path: Path, postgres_url: str, proxy: TcpProxy) -> Iterator[Flask]:
    """An app whose PostgreSQL is reached through ``proxy``."""
    application = make_app(tmp_path, _through(postgres_url, proxy))
    yield application
    database(application).engine.dispose()


@pytest.fixture
def cw(app: Flask) -> ConsoleWorld:
    return build_console_world(app)


@pytest.mark.postgres
def test_the_api_answers_503_with_retry_after_and_logs_one_line_each_way(
    app: Flask, cw: ConsoleWorld, proxy: TcpProxy, auth_headers: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    client = app.test_client()
    assert client.get("/api/v1/vacancies", headers=auth_headers).status_code == 200
    caplog.set_level(logging.INFO)
    proxy.stop()
    answers = [client.get("/api/v1/vacancies", headers=auth_headers) for _ in range(5)]
    body = {"org_unit_id": cw.world.city_id, "employer_id": 1, "title": "叉车司机", "occupation_code": "6-30-05-03"}
    answers.append(client.post("/api/v1/vacancies", headers=auth_headers, json=body))
    for answer in answers:
        assert answer.status_code == 503
        assert answer.get_json()["error"] == "database_unavailable"
        assert answer.get_json()["message"]
        assert 1 <= int(answer.headers["Retry-After"]) <= 60
    assert len(_outage_lines(caplog)) == 1
    assert "unavailable" in _outage_lines(caplog)[0]
    assert not _tracebacks(caplog)

    proxy.start()
    assert client.get("/api/v1/vacancies", headers=auth_headers).status_code == 200
    lines = _outage_lines(caplog)
    assert len(lines) == 2
    assert "available again" in lines[1] and "(6 failures" in lines[1]
    assert not _tracebacks(caplog)


def test_the_openapi_document_lists_503(tmp_path: Path) -> None:
    sqlite_app = make_app(tmp_path, f"sqlite:///{tmp_path / 'kiosk.sqlite3'}")
    document = sqlite_app.test_client().get("/api/v1/openapi.json").get_json()
    database(sqlite_app).engine.dispose()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            assert "503" in operation["responses"], (method, path)


def _vacancy_form(client: Any, cw: ConsoleWorld) -> dict[str, str]:
    return {
        "csrf_token": csrf_now(client),
        "title": "叉车司机（夜班）",
        "employer": "兰州新区物流有限公司",
        "occupation_code": "6-30-05-03",
        "headcount": "4",
        "salary_min": "5000",
        "salary_max": "7000",
        "education": "高中/中专",
        "district": "城关区",
        "requirements": "持叉车证\n能上夜班",
        "contact": "0931-8123456",
        "org_unit_id": str(cw.world.city_id),
        "valid_from": "",
        "valid_until": "2027-01-31T18:00",
    }


@pytest.mark.postgres
def test_a_console_form_sent_during_an_outage_comes_back_to_send_again(
    app: Flask, cw: ConsoleWorld, proxy: TcpProxy, caplog: pytest.LogCaptureFixture
) -> None:
    client = app.test_client()
    assert sign_in(client, "editor").status_code == 302
    form = _vacancy_form(client, cw)
    caplog.set_level(logging.INFO)
    proxy.stop()

    page = client.post("/console/vacancies/new", data=form)
    assert page.status_code == 503
    assert 1 <= int(page.headers["Retry-After"]) <= 60
    text_ = page.get_data(as_text=True)
    assert "数据库暂时无法访问" in text_ and "重新提交" in text_
    kept = {name: html.unescape(value) for name, value in TEXTAREA.findall(text_)}
    assert kept == {name: value for name, value in form.items() if name != "csrf_token"}
    assert "readonly" in text_
    assert client.get("/console/?lang=en").get_data(as_text=True).count("The database is unavailable") >= 1
    assert len(_outage_lines(caplog)) == 1 and not _tracebacks(caplog)

    proxy.start()
    action = html.unescape(ACTION.search(text_).group(1))  # type: ignore[union-attr]
    again = {**kept, "csrf_token": CSRF.search(text_).group(1)}  # type: ignore[union-attr]
    saved = client.post(action, data=again)
    assert saved.status_code == 302, saved.get_data(as_text=True)
    with Session(database(app).engine) as session:
        vacancy = session.scalars(select(Vacancy).where(Vacancy.title == "叉车司机（夜班）")).one()
        assert vacancy.requirements == "持叉车证\n能上夜班"


@pytest.mark.postgres
def test_socket_events_during_an_outage_get_an_error_ack_and_no_traceback(
    app: Flask, cw: ConsoleWorld, proxy: TcpProxy, caplog: pytest.LogCaptureFixture
) -> None:
    with Session(database(app).engine) as session:
        key = session.scalars(select(Screen.key).where(Screen.hall_id == cw.world.hall_id)).first()
    screen = runtime(app).socketio.test_client(app, namespace="/screen", auth={"key": key})
    assert screen.is_connected("/screen")
    caplog.set_level(logging.INFO)
    proxy.stop()
    play = {"id": 1, "kind": "vacancy", "start": datetime.now(UTC).isoformat(), "seconds": 10}
    acks = [
        screen.emit("plays", {"batch": f"b-{n}", "plays": [play]}, namespace="/screen", callback=True) for n in range(3)
    ]
    assert all(ack == {"ok": False, "error": "database_unavailable", "message": acks[0]["message"]} for ack in acks)
    again = runtime(app).socketio.test_client(app, namespace="/screen", auth={"key": key})
    if again.is_connected("/screen"):
        # The key came from memory (kiosk_server/screen_directory.py trusts a revision check for
        # 0.5 s): the screen is in, and its hello fails like any event and stays pending, retried.
        ack = again.emit("hello", {"held": {}}, namespace="/screen", callback=True)
        assert ack["ok"] is False and ack["retry_after"] > 0
        again.disconnect(namespace="/screen")
    assert len(_outage_lines(caplog)) == 1 and not _tracebacks(caplog)
    screen.disconnect(namespace="/screen")


class _NoEvents:
    def ended(self, sessions: list[Any]) -> None:
        assert not sessions, "nothing can end while the database is away"


@pytest.mark.postgres
def test_the_session_sweeper_counts_an_outage_instead_of_logging_each_attempt(
    postgres_url: str, proxy: TcpProxy, caplog: pytest.LogCaptureFixture
) -> None:
    db = Database(_through(postgres_url, proxy))
    outage = outage_of(db.engine)
    caplog.set_level(logging.INFO)
    proxy.stop()
    sweeper = SessionSweeper(db, _NoEvents(), lambda: datetime.now(UTC), 0.005)  # type: ignore[arg-type]
    runner = threading.Thread(target=sweeper.run)
    runner.start()
    try:
        deadline = time.monotonic() + 10
        while outage.failures < 4 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert outage.failures >= 4
    finally:
        sweeper.stop()
        runner.join(timeout=10)
        db.engine.dispose()
    assert len(_outage_lines(caplog)) == 1 and not _tracebacks(caplog)


# -- which errors mean "unavailable" -----------------------------------------------------------------------


def _raised(call: Any) -> BaseException:
    try:
        call()
    except Exception as err:  # noqa: BLE001 - the error is what the test looks at
        return err
    raise AssertionError("expected the call to fail")


def test_a_locked_sqlite_database_and_one_that_cannot_be_opened_are_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "locked.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x INTEGER)")
    holder.execute("BEGIN EXCLUSIVE")
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 0})
    try:
        with engine.connect() as connection:
            locked = _raised(lambda: connection.execute(text("INSERT INTO t VALUES (1)")))
            assert isinstance(locked, OperationalError) and "locked" in str(locked)
            assert is_unavailable(locked)
        holder.rollback()
        with engine.connect() as connection:
            missing = _raised(lambda: connection.execute(text("SELECT * FROM no_such_table")))
            assert isinstance(missing, OperationalError) and not is_unavailable(missing)
    finally:
        holder.close()
        engine.dispose()
    unopenable = create_engine(f"sqlite:///{tmp_path / 'absent' / 'x.sqlite3'}")
    assert is_unavailable(_raised(lambda: unopenable.connect().close()))
    unopenable.dispose()


@pytest.mark.postgres
def test_postgres_refusals_and_lock_timeouts_are_unavailable_and_programming_errors_are_not(
    postgres_url: str, proxy: TcpProxy
) -> None:
    engine = create_engine(postgres_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE t (x INTEGER)"))
        with engine.connect() as holder, engine.connect() as waiter:
            holder.execute(text("LOCK TABLE t IN ACCESS EXCLUSIVE MODE"))
            waiter.execute(text("SET lock_timeout = '50ms'"))
            timed_out = _raised(lambda: waiter.execute(text("SELECT * FROM t")))
            assert isinstance(timed_out, DBAPIError) and is_unavailable(timed_out)
            waiter.rollback()
            holder.rollback()
            assert not is_unavailable(_raised(lambda: waiter.execute(text("SELEKT 1"))))
            waiter.rollback()
            assert not is_unavailable(_raised(lambda: waiter.execute(text("SELECT * FROM no_such_table"))))
    finally:
        engine.dispose()
    proxy.stop()
    closed = create_engine(_through(postgres_url, proxy))
    assert is_unavailable(_raised(lambda: closed.connect().close()))
    closed.dispose()


def test_an_outage_logs_its_start_once_and_its_end_with_the_count_and_duration(
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = [100.0]
    outage = Outage("test", clock=lambda: now[0])
    caplog.set_level(logging.INFO)
    unreachable = OperationalError("SELECT 1", {}, sqlite3.OperationalError("unable to open database file"))
    assert not outage.failed(ValueError("a bug")) and not outage.ongoing
    assert all(outage.failed(unreachable) for _ in range(7))
    now[0] = 112.5
    outage.succeeded()
    outage.succeeded()
    lines = _outage_lines(caplog)
    assert len(lines) == 2
    assert "unable to open database file" in lines[0]
    assert "12.5 s" in lines[1] and "(7 failures" in lines[1]
    assert not outage.ongoing and outage.failures == 0
