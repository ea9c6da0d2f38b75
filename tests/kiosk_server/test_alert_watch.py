"""The alert watcher on a real app: a screen that goes silent, comes back, and one that flaps.

Screens speak the real Socket.IO protocol through Flask-SocketIO's test client; the webhook is a
real local HTTP server and e-mail a real local SMTP server. Time moves by shifting the server's one
clock (``kiosk_server.runtime.system_clock``), so heartbeats, the fleet's states and the watcher agree.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.accounts.notifications import Notification
from content.accounts.staff import Role, add_account
from content.org.screens import Screen
from content.signage.alerts import Alert
from kiosk_server import runtime as runtime_module
from kiosk_server.alert_watch import AlertWatch
from kiosk_server.database import database
from kiosk_server.settings_access import runtime
from tests.conftest import make_app
from tests.support.console_world import sign_in
from tests.support.mail_and_hooks import HookServer, SmtpServer
from tests.support.world import World, build_world


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
def hook() -> Iterator[HookServer]:
    server = HookServer()
    yield server
    server.close()


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    yield server
    server.close()


@pytest.fixture
def app(tmp_path: Path, database_url: str, hook: HookServer, smtp: SmtpServer, clock: type[Shifted]) -> Iterator[Flask]:
    application = make_app(
        tmp_path,
        database_url,
        alert_webhook_url=hook.url,
        alert_smtp_host="127.0.0.1",
        alert_smtp_port=str(smtp.port),
        alert_smtp_starttls="false",
        alert_smtp_from="kiosk@example.org",
        alert_smtp_to="hall@example.org,it@example.org",
        alert_behind_minutes="1440",  # these tests are about silence; a manifest moving on must not interfere
        alert_clear_minutes="5",
        alert_flap_limit="2",
    )
    yield application
    database(application).engine.dispose()


@pytest.fixture
def world(app: Flask) -> World:
    with Session(database(app).engine) as session:
        made = build_world(session)
        other = add_account(
            session, username="other", password="password-1", display_name="别厅", role=Role.HALL_MANAGER,
            hall_id=made.other_hall_id,
        )  # fmt: skip
        add_account(
            session, username="manager", password="password-1", display_name="厅长", role=Role.HALL_MANAGER,
            hall_id=made.hall_id,
        )  # fmt: skip
        add_account(
            session, username="admin", password="password-1", display_name="区管", role=Role.ORG_ADMIN,
            org_unit_id=made.county_id,
        )  # fmt: skip
        assert other.id
        session.commit()
        return made


@pytest.fixture
def watch(app: Flask) -> AlertWatch:
    return AlertWatch.for_app(app, is_leader=lambda: True)  # SQLite and one process: this one leads


class Screenie:
    """One screen through the real protocol: connect and hello, beat with the version it holds, go away."""

    def __init__(self, app: Flask, key: str) -> None:
        self.app, self.key, self.client = app, key, None

    def connect(self) -> None:
        self.client = runtime(self.app).socketio.test_client(self.app, namespace="/screen", auth={"key": self.key})
        assert self.client.is_connected("/screen")
        self.client.emit("hello", {"held": {}}, namespace="/screen")
        self.beat()

    def beat(self) -> None:
        assert self.client is not None
        manifests = [e["args"][0] for e in self.client.get_received("/screen") if e["name"] == "manifest"]
        version = manifests[-1]["version"] if manifests else None
        self.client.emit("heartbeat", {"showing": {"manifest": version}}, namespace="/screen")

    def leave(self) -> None:
        assert self.client is not None
        self.client.disconnect(namespace="/screen")
        self.client = None


def alerts_of(app: Flask, key: str) -> list[Alert]:
    with Session(database(app).engine) as session:
        screen_id = session.scalar(select(Screen.id).where(Screen.key == key))
        return list(session.scalars(select(Alert).where(Alert.screen_id == screen_id).order_by(Alert.id)))


def told(app: Flask) -> dict[str, list[str]]:
    """Notification kinds by recipient user name."""
    from content.accounts.staff import StaffAccount

    with Session(database(app).engine) as session:
        rows = session.execute(
            select(StaffAccount.username, Notification.kind)
            .join(Notification, Notification.recipient_id == StaffAccount.id)
            .order_by(Notification.id)
        )
        found: dict[str, list[str]] = {}
        for name, kind in rows:
            found.setdefault(name, []).append(kind)
        return found


def at(clock: type[Shifted], minutes: float) -> None:
    clock.offset = timedelta(minutes=minutes)


def give_addresses(app: Flask, addresses: dict[str, str | None]) -> None:
    """Set the e-mail address of accounts by user name (the others keep none)."""
    from content.accounts.staff import StaffAccount

    with Session(database(app).engine) as session:
        for name, address in addresses.items():
            account = session.scalars(select(StaffAccount).where(StaffAccount.username == name)).one()
            account.email = address
        session.commit()


def test_a_silent_screen_raises_one_alert_tells_once_and_clears_when_it_is_back(
    app: Flask, world: World, watch: AlertWatch, hook: HookServer, smtp: SmtpServer, clock: type[Shifted]
) -> None:
    # The hall's manager has an address, the org admin above has none, the other hall's manager is not told.
    give_addresses(app, {"manager": "manager@hall.example.org", "other": "other@hall.example.org"})
    screen = Screenie(app, world.wall_keys[0])
    screen.connect()
    assert watch.watch_once() == []
    screen.leave()
    at(clock, 1)
    assert watch.watch_once() == [], "a minute away is below 2.5 heartbeat periods"

    at(clock, 3)
    raised = watch.watch_once()
    assert [(m.kind, m.change.value, m.screen_name) for m in raised] == [("silent", "raised", "大厅1号屏")]
    for minutes in (3.5, 4):
        at(clock, minutes)
        assert watch.watch_once() == [], "raised once, not every round"
    [alert] = alerts_of(app, world.wall_keys[0])
    assert alert.kind == "silent" and alert.open and not alert.flapping and alert.last_notified_at is not None
    assert told(app) == {"manager": ["alert_silent"], "admin": ["alert_silent"]}, "the hall's managers, no one else"
    assert [b["event"] for b in hook.bodies] == ["alert.raised"]
    assert hook.bodies[0]["screen"]["name"] == "大厅1号屏" and hook.bodies[0]["alert"]["kind"] == "silent"
    assert len(smtp.messages) == 2, "the fixed list's message, and the manager's own"
    sender, recipients, mail = smtp.messages[0]
    assert sender == "kiosk@example.org" and recipients == ["hall@example.org", "it@example.org"]
    body = mail.get_payload(decode=True).decode("utf-8")  # type: ignore[union-attr]
    assert "大厅1号屏" in body and "屏幕失联" in body and "Screen silent" in body
    sender, recipients, mail = smtp.messages[1]
    assert sender == "kiosk@example.org" and recipients == ["manager@hall.example.org"]
    assert mail["To"] == "manager@hall.example.org", "addressed to the manager alone"
    assert "大厅1号屏" in mail.get_payload(decode=True).decode("utf-8")  # type: ignore[union-attr]
    assert watch.deliveries.sent["email"] == 2

    screen.connect()  # back at minute 4, first seen back by the round at 5
    for minutes in (5, 6, 7, 8, 9):
        at(clock, minutes)
        screen.beat()
        assert watch.watch_once() == [], "back for less than the clear delay: still open"
    at(clock, 10)
    screen.beat()
    cleared = watch.watch_once()
    assert [(m.kind, m.change.value) for m in cleared] == [("silent", "cleared")]
    [alert] = alerts_of(app, world.wall_keys[0])
    assert alert.cleared_at is not None
    assert [b["event"] for b in hook.bodies] == ["alert.raised", "alert.cleared"], "one POST per change"
    assert len(smtp.messages) == 2, "a clearing is not mailed"
    assert told(app) == {"manager": ["alert_silent"], "admin": ["alert_silent"]}


def test_a_flapping_screen_makes_one_flapping_alert_and_one_notification(
    app: Flask, world: World, watch: AlertWatch, hook: HookServer, smtp: SmtpServer, clock: type[Shifted]
) -> None:
    screen = Screenie(app, world.wall_keys[1])
    screen.connect()
    watch.watch_once()
    start = 0.0
    for _ in range(5):  # away 3 min, back 6: five times within 45 minutes
        screen.leave()
        at(clock, start + 3)
        watch.watch_once()
        screen.connect()
        for minutes in range(4, 10):
            at(clock, start + minutes)
            screen.beat()
            watch.watch_once()
        start += 9
    rows = alerts_of(app, world.wall_keys[1])
    ordinary = [a for a in rows if not a.flapping]
    flapping = [a for a in rows if a.flapping]
    assert len(ordinary) == 2, "the first two drops (KIOSK_ALERT_FLAP_LIMIT) are ordinary alerts"
    assert all(not a.open for a in ordinary)
    assert len(flapping) == 1 and flapping[0].open, "then one flapping alert, open while it flaps"
    kinds = told(app)["manager"]
    assert kinds.count("alert_flapping") == 1, "one notification for all the flapping"
    assert kinds == ["alert_silent", "alert_silent", "alert_flapping"]
    assert [b["event"] for b in hook.bodies].count("alert.flapping") == 1
    assert len(smtp.messages) == 3

    for minutes in range(int(start), int(start) + 75, 5):  # stable from now on
        at(clock, minutes)
        screen.beat()
        watch.watch_once()
    [flapping_alert] = [a for a in alerts_of(app, world.wall_keys[1]) if a.flapping]
    assert flapping_alert.cleared_at is not None, "cleared once stable and no longer flapping"
    assert len(alerts_of(app, world.wall_keys[1])) == 3


def test_a_takeover_resumes_open_alerts_without_raising_them_again(
    app: Flask, world: World, watch: AlertWatch, hook: HookServer, clock: type[Shifted]
) -> None:
    screen = Screenie(app, world.wall_keys[0])
    screen.connect()
    screen.leave()
    at(clock, 3)
    assert len(watch.watch_once()) == 1
    successor = AlertWatch.for_app(app, is_leader=lambda: True)  # another process takes the lease over
    at(clock, 4)
    assert successor.watch_once() == []
    assert len(alerts_of(app, world.wall_keys[0])) == 1
    assert len(hook.bodies) == 1


def test_a_process_that_does_not_lead_watches_nothing(app: Flask, world: World, clock: type[Shifted]) -> None:
    assert isinstance(runtime(app).alerts, AlertWatch), "the app's runtime runs one (Runtime.start)"
    standby = AlertWatch.for_app(app, is_leader=lambda: False)
    screen = Screenie(app, world.wall_keys[0])
    screen.connect()
    screen.leave()
    at(clock, 3)
    assert standby.watch_once() == []
    assert alerts_of(app, world.wall_keys[0]) == []


def test_a_dead_webhook_is_tried_once_per_round_logged_once_and_counted(
    app: Flask,
    world: World,
    watch: AlertWatch,
    hook: HookServer,
    clock: type[Shifted],
    caplog: pytest.LogCaptureFixture,
) -> None:
    hook.status = 500
    screens = [Screenie(app, key) for key in world.wall_keys]
    for screen in screens:
        screen.connect()
        screen.leave()
    at(clock, 3)
    with caplog.at_level(logging.WARNING, logger="kiosk_server.alert_delivery"):
        assert len(watch.watch_once()) == 2
        screens[0].connect()
        at(clock, 4)
        screens[0].beat()
        assert watch.watch_once() == []  # back: the clear delay starts
        at(clock, 9)
        screens[0].beat()
        assert len(watch.watch_once()) == 1  # cleared: another change, another single attempt
    assert len(hook.bodies) == 2, "the round's first failure stops that round's other POSTs"
    assert watch.deliveries.failures["webhook"] == 2
    warnings = [r.getMessage() for r in caplog.records if "webhook" in r.getMessage()]
    assert len(warnings) == 1 and "HTTP 500" in warnings[0]
    assert "secret-in-url" not in caplog.text, "the URL may hold a token: never logged"
    assert watch.deliveries.sent["email"] == 1


def test_the_console_lists_alerts_in_words_and_the_fleet_counts_them(
    app: Flask, world: World, watch: AlertWatch, clock: type[Shifted]
) -> None:
    screen = Screenie(app, world.wall_keys[0])
    screen.connect()
    screen.leave()
    at(clock, 3)
    watch.watch_once()
    client = app.test_client()
    assert sign_in(client, "manager", "password-1").status_code in (302, 303)
    html = client.get("/console/alerts").get_data(as_text=True)
    assert "屏幕失联" in html and "大厅1号屏" in html and ">silent<" not in html
    local = (datetime.now(UTC) + timedelta(minutes=3)).astimezone().strftime("%Y-%m-%d")
    assert local[:4] in html
    english = client.get("/console/alerts?lang=en").get_data(as_text=True)
    assert "Screen silent" in english
    fleet = client.get("/console/fleet").get_data(as_text=True)
    assert 'id="fleet-alerts"' in fleet and "1 open alerts" in fleet
    other = app.test_client()
    sign_in(other, "other", "password-1")
    assert "大厅1号屏" not in other.get("/console/alerts").get_data(as_text=True), (
        "another hall's alert is out of scope"
    )


def test_alert_settings_are_checked_at_start_up(tmp_path: Path) -> None:
    from kiosk_server.config import ConfigError, load_settings

    base = {"data_dir": str(tmp_path), "api_token": "t", "secret_key": "s"}
    with pytest.raises(ConfigError, match="KIOSK_ALERT_SMTP_HOST: set KIOSK_ALERT_SMTP_FROM"):
        load_settings(base | {"alert_smtp_host": "smtp.example.org"}, environ={})
    with pytest.raises(ConfigError, match="KIOSK_ALERT_SMTP_TO: expected e-mail addresses") as refused:
        load_settings(base | {"alert_smtp_to": "a@example.org, not an address"}, environ={})
    assert "not an address" in str(refused.value)
    with pytest.raises(ConfigError, match="KIOSK_ALERT_WEBHOOK_URL") as refused:
        load_settings(base | {"alert_webhook_url": "ftp://hooks.example.org/?token=abc"}, environ={})
    assert "abc" not in str(refused.value), "the URL may hold a token"
    with pytest.raises(ConfigError, match="KIOSK_ALERT_FLAP_LIMIT"):
        load_settings(base | {"alert_flap_limit": "0"}, environ={})
    loaded = load_settings(base | {"alert_smtp_to": "a@example.org, b@example.org"}, environ={})
    assert loaded.alert_smtp_to == ("a@example.org", "b@example.org")
    assert loaded.alert_behind_minutes == 10 and loaded.alert_smtp_starttls is True
    assert "alert_webhook_url" not in repr(loaded) and "alert_smtp_password" not in repr(loaded)


def test_the_screen_page_fragment_shows_one_screens_alerts(
    app: Flask, world: World, watch: AlertWatch, clock: type[Shifted]
) -> None:
    from flask import g, render_template_string

    from content.accounts.access import Scope
    from content.accounts.staff import StaffAccount

    screen = Screenie(app, world.wall_keys[0])
    screen.connect()
    screen.leave()
    at(clock, 3)
    watch.watch_once()
    with Session(database(app).engine) as session:
        shown = session.scalar(select(Screen).where(Screen.key == world.wall_keys[0]))
        quiet = session.scalar(select(Screen).where(Screen.key == world.wall_keys[1]))
        admin = session.scalar(select(StaffAccount).where(StaffAccount.username == "admin"))
    with app.test_request_context("/console/alerts"):
        g.lang, g.scope, g.user = "zh-CN", Scope(None), admin
        html = render_template_string('{% include "console/_screen_alerts.html" %}', screen=shown)
        assert 'data-open="1"' in html and "屏幕失联" in html and "最后联系" in html
        assert "这块屏幕没有告警" in render_template_string('{% include "console/_screen_alerts.html" %}', screen=quiet)
        g.scope = Scope("/nowhere/")
        assert "这块屏幕没有告警" in render_template_string(
            '{% include "console/_screen_alerts.html" %}', screen=shown
        ), "outside the scope: nothing"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_mail_goes_over_starttls_with_a_login_and_an_untrusted_certificate_is_refused(
    app: Flask, world: World, clock: type[Shifted], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import ssl
    from dataclasses import replace

    from kiosk_server.alert_delivery import Deliveries, Mailer
    from kiosk_server.settings_access import settings
    from tests.support.mail_and_hooks import self_signed

    cert, key = self_signed(tmp_path)
    server = SmtpServer(tls=(cert, key), login=("alerts", "smtp-pass-1"))
    try:
        config = replace(
            settings(app),
            alert_smtp_port=server.port,
            alert_smtp_starttls=True,
            alert_smtp_user="alerts",
            alert_smtp_password="smtp-pass-1",
        )
        trusting = ssl.create_default_context(cafile=str(cert))
        watch = AlertWatch.for_app(app, is_leader=lambda: True)
        watch.deliveries = Deliveries([Mailer(config, tls=trusting)])
        screen = Screenie(app, world.wall_keys[0])
        screen.connect()
        screen.leave()
        at(clock, 3)
        assert len(watch.watch_once()) == 1
        assert server.logins == [("alerts", "smtp-pass-1", True)], "logged in only after STARTTLS"
        assert len(server.messages) == 1

        doubting = AlertWatch.for_app(app, is_leader=lambda: True)
        doubting.deliveries = Deliveries([Mailer(config)])  # the system's trust: a self-signed certificate fails
        Screenie(app, world.wall_keys[1]).connect()
        Screenie(app, world.led_key).connect()
        at(clock, 6)
        with caplog.at_level(logging.WARNING, logger="kiosk_server.alert_delivery"):
            assert len(doubting.watch_once()) == 2  # the alerts are raised whatever happens to the mail
        assert doubting.deliveries.failures["email"] == 1 and len(server.messages) == 1
        assert "SSLCertVerificationError" in caplog.text and "smtp-pass-1" not in caplog.text
    finally:
        server.close()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_without_a_fixed_list_mail_goes_only_to_the_accounts_with_an_address(
    app: Flask, world: World, smtp: SmtpServer, clock: type[Shifted], tmp_path: Path
) -> None:
    from dataclasses import replace

    from kiosk_server.alert_delivery import Deliveries
    from kiosk_server.config import load_settings
    from kiosk_server.settings_access import settings

    assert (
        load_settings(
            {
                "data_dir": str(tmp_path / "bare"),
                "alert_smtp_host": "smtp.example.org",
                "alert_smtp_from": "k@example.org",
            },
            environ={},
        ).alert_smtp_to
        == ()
    ), "KIOSK_ALERT_SMTP_TO may be left empty"
    watch = AlertWatch.for_app(app, is_leader=lambda: True)
    watch.deliveries = Deliveries.from_settings(replace(settings(app), alert_webhook_url="", alert_smtp_to=()))
    give_addresses(app, {"admin": "Admin@County.example.org"})
    screen = Screenie(app, world.wall_keys[0])
    screen.connect()
    screen.leave()
    at(clock, 3)
    assert len(watch.watch_once()) == 1
    assert [recipients for _, recipients, _ in smtp.messages] == [["Admin@County.example.org"]], (
        "the org admin above the hall; the manager without an address is skipped"
    )

    give_addresses(app, {"admin": None})
    Screenie(app, world.wall_keys[1]).connect()
    at(clock, 6)
    assert len(watch.watch_once()) == 1, "raised and told in the console all the same"
    assert len(smtp.messages) == 1, "nobody with an address and no fixed list: no e-mail, no connection"
    assert watch.deliveries.failures["email"] == 0
