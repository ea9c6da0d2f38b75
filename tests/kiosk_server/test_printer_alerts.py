"""Printers in the fleet and in alerts: a slip printer out of paper raises an alert with the usual delays.

The kiosk's agent speaks the real ``/agent`` protocol through Flask-SocketIO's test client; time moves
by shifting the server's one clock, as in test_alert_watch.py, so the printer rows' change times and
the watcher agree. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.accounts.notifications import Notification
from content.accounts.staff import Role, add_account
from content.signage.alerts import Alert
from kiosk_server import runtime as runtime_module
from kiosk_server.alert_watch import AlertWatch
from kiosk_server.database import database
from kiosk_server.settings_access import runtime
from tests.conftest import make_app
from tests.support.agent_sockets import agent, call
from tests.support.citizens import Kiosk, add_kiosk
from tests.support.console_world import sign_in
from tests.support.world import build_world


class Shifted(datetime):
    """``datetime`` whose ``now`` runs ``offset`` ahead of the wall clock (the server's clock reads it)."""

    offset = timedelta(0)

    @classmethod
    def now(cls, tz: Any = None) -> Any:
        return datetime.now(tz) + cls.offset


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> type[Shifted]:
    Shifted.offset = timedelta(0)
    monkeypatch.setattr(runtime_module, "datetime", Shifted)
    return Shifted


@pytest.fixture
def app(tmp_path: Path, database_url: str, clock: type[Shifted]) -> Iterator[Flask]:
    application = make_app(
        tmp_path, database_url, alert_reader_fault_minutes="5", alert_clear_minutes="5", alert_behind_minutes="1440"
    )
    yield application
    database(application).engine.dispose()


@pytest.fixture
def kiosk(app: Flask) -> Kiosk:
    with Session(database(app).engine) as session:
        world = build_world(session, vacancies=0)
        made = add_kiosk(session, world.hall_id, runtime(app).policy.credential_key, name="大厅自助终端")
        add_account(
            session, username="manager", password="password-1", display_name="厅长", role=Role.HALL_MANAGER,
            hall_id=world.hall_id,
        )  # fmt: skip
        session.commit()
        return made


def at(clock: type[Shifted], minutes: float) -> None:
    clock.offset = timedelta(minutes=minutes)


def printer(role: str, state: str) -> dict[str, Any]:
    kind = "escpos-usb" if role == "slip" else "cups"
    return {"role": role, "kind": kind, "state": state, "message": state}


def printer_alerts(app: Flask) -> list[Alert]:
    with Session(database(app).engine) as session:
        return list(session.scalars(select(Alert).where(Alert.kind == "printer_fault").order_by(Alert.id)))


def test_a_slip_printer_out_of_paper_raises_an_alert_after_the_delay_and_clears_after_the_clear_delay(
    app: Flask, kiosk: Kiosk, clock: type[Shifted]
) -> None:
    watch = AlertWatch.for_app(app, is_leader=lambda: True)
    link = agent(app, kiosk)
    hello = call(link, "agent_hello", {"readers": [], "printers": [printer("slip", "ready"), printer("a4", "ready")]})
    assert hello["ok"] is True
    assert call(link, "printer_status", printer("slip", "paper_low")) == {"ok": True}
    watch.watch_once()
    assert printer_alerts(app) == [], "paper low still prints"

    assert call(link, "printer_status", printer("slip", "paper_out")) == {"ok": True}
    at(clock, 4)
    watch.watch_once()
    assert printer_alerts(app) == [], "within the raise delay"
    at(clock, 5.5)
    raised = [m for m in watch.watch_once() if m.kind == "printer_fault"]
    assert [(m.change.value, m.screen_name) for m in raised] == [("raised", "大厅自助终端")]
    [alert] = printer_alerts(app)
    assert alert.open and alert.detail == {"printers": [{"role": "slip", "kind": "escpos-usb", "state": "paper_out"}]}
    with Session(database(app).engine) as session:
        kinds = session.scalars(select(Notification.kind)).all()
    assert "alert_printer_fault" in kinds

    client = app.test_client()
    assert sign_in(client, "manager", "password-1").status_code in (302, 303)
    page = client.get("/console/alerts").get_data(as_text=True)
    assert "打印机故障" in page and "小票打印机：缺纸" in page
    fleet = client.get("/console/fleet").get_data(as_text=True)
    assert "小票打印机：缺纸" in fleet and "A4 打印机：就绪" in fleet
    assert 'data-printer="slip"' in fleet

    at(clock, 6)
    assert call(link, "printer_status", printer("slip", "ready")) == {"ok": True}
    at(clock, 7)
    watch.watch_once()  # the first round that sees it ready
    at(clock, 11)
    watch.watch_once()
    assert printer_alerts(app)[0].open, "back for less than the clear delay"
    at(clock, 12.5)
    cleared = [m for m in watch.watch_once() if m.kind == "printer_fault"]
    assert [m.change.value for m in cleared] == ["cleared"]
    link.disconnect(namespace="/agent")


def test_an_a4_queue_paused_or_offline_is_an_alert_too_but_an_agent_gone_is_not(
    app: Flask, kiosk: Kiosk, clock: type[Shifted]
) -> None:
    watch = AlertWatch.for_app(app, is_leader=lambda: True)
    link = agent(app, kiosk)
    call(link, "agent_hello", {"readers": [], "printers": [printer("a4", "offline")]})
    at(clock, 6)
    assert [m.kind for m in watch.watch_once() if m.kind == "printer_fault"] == ["printer_fault"]
    link.disconnect(namespace="/agent")  # the printer becomes unknown: the kiosk's silence speaks for it
    at(clock, 7)
    watch.watch_once()
    at(clock, 12.5)
    assert [m.change.value for m in watch.watch_once() if m.kind == "printer_fault"] == ["cleared"]
