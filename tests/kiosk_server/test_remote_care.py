"""Remote care end to end on a served app: the console asks, python-socketio clients act as player and agent.

The clients follow the contract in docs/protocol.md, "Remote care": a player on ``/screen`` and a
kiosk's agent on ``/agent`` receive ``device_command`` and answer ``command_result`` with an ack.
Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import socketio
from flask import Flask
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.accounts.audit import AuditEntry
from content.citizens.sessions import EndReason, end_sessions
from content.org.device_commands import DeviceCommand
from content.org.screens import Screen
from devices.agent.sio_disconnect import disconnect_promptly
from kiosk_server.database import database
from kiosk_server.settings_access import runtime
from tests.support.citizens import Kiosk, add_holder, add_kiosk, open_citizen_session
from tests.support.console_world import ConsoleWorld, build_console_world, csrf_now, sign_in
from tests.support.server import app_in_thread, wait_for
from tests.support.stuck_call import call_or_dump

DEADLINE = 10


def png_bytes(width: int = 64, height: int = 36) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (0, 80, 160)).save(out, format="PNG")
    return out.getvalue()


class Device:
    """A player or an agent: records every device_command, answers with command_result (ack returned)."""

    def __init__(self, base_url: str, namespace: str, auth: dict[str, str]) -> None:
        self.base_url, self.namespace, self.auth = base_url, namespace, auth
        self.lock = threading.Lock()
        self.commands: list[dict[str, Any]] = []
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("device_command", self._got, namespace=namespace)

    def _got(self, data: dict[str, Any]) -> None:
        with self.lock:
            self.commands.append(data)

    def connect(self) -> Device:
        self.sio.connect(
            self.base_url, namespaces=[self.namespace], auth=self.auth, transports=["websocket"], wait_timeout=10
        )
        hello = ("hello", {"held": {}}) if self.namespace == "/screen" else ("agent_hello", {"readers": []})
        # 20 s: the first hello of a fresh app waits for its first resolve, on a CI core shared with a browser.
        assert call_or_dump(self.sio, *hello, namespace=self.namespace, timeout=20)["ok"] is True
        return self

    def next_command(self, seen: int = 0) -> dict[str, Any]:
        def got() -> dict[str, Any] | None:
            with self.lock:
                return self.commands[seen] if len(self.commands) > seen else None

        found: dict[str, Any] = wait_for(got, DEADLINE, f"device_command number {seen + 1} on {self.namespace}")
        return found

    def answer(self, payload: dict[str, Any]) -> Any:
        return self.sio.call("command_result", payload, namespace=self.namespace, timeout=10)

    def close(self) -> None:
        disconnect_promptly(self.sio)


@pytest.fixture
def cw(app: Flask) -> ConsoleWorld:
    return build_console_world(app)


@pytest.fixture
def served(app: Flask, cw: ConsoleWorld) -> Iterator[str]:
    with app_in_thread(app) as url:
        yield url


@pytest.fixture
def devices() -> Iterator[list[Device]]:
    opened: list[Device] = []
    yield opened
    for device in opened:
        device.close()


@pytest.fixture
def tech(app: Flask, cw: ConsoleWorld) -> Any:
    client = app.test_client()
    sign_in(client, "tech")
    return client


@pytest.fixture
def kiosk(app: Flask, cw: ConsoleWorld) -> Kiosk:
    with Session(database(app).engine) as session:
        return add_kiosk(session, cw.world.hall_id, runtime(app).policy.credential_key)


def screen_id(app: Flask, key: str) -> int:
    with Session(database(app).engine) as session:
        found = session.scalars(select(Screen.id).where(Screen.key == key)).one()
        return int(found)


def player(served: str, devices: list[Device], key: str) -> Device:
    device = Device(served, "/screen", {"key": key}).connect()
    devices.append(device)
    return device


def agent(served: str, devices: list[Device], kiosk: Kiosk) -> Device:
    device = Device(served, "/agent", {"device": kiosk.key, "credential": kiosk.credential}).connect()
    devices.append(device)
    return device


def ask(client: Any, screen: int, command: str) -> Any:
    return client.post(f"/console/screens/{screen}/commands", data={"csrf_token": csrf_now(client), "command": command})


def command_row(app: Flask, command_id: int) -> DeviceCommand:
    with Session(database(app).engine) as session:
        row = session.get(DeviceCommand, command_id)
        assert row is not None
        return row


def last_command(app: Flask, screen: int) -> DeviceCommand:
    with Session(database(app).engine) as session:
        return session.scalars(
            select(DeviceCommand).where(DeviceCommand.screen_id == screen).order_by(DeviceCommand.id.desc())
        ).first()  # type: ignore[return-value]


def audit_of(app: Flask, screen: int) -> list[tuple[str, str, dict[str, Any]]]:
    with Session(database(app).engine) as session:
        rows = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.object_kind == "screen", AuditEntry.object_id == str(screen))
            .where(AuditEntry.action.startswith("care_"))
            .order_by(AuditEntry.id)
        )
        return [(r.actor, r.action, r.summary) for r in rows]


# -- walls: the player executes ----------------------------------------------------------------------


def test_identify_reaches_the_wall_and_its_answer_is_kept_and_audited(
    app: Flask, cw: ConsoleWorld, served: str, devices: list[Device], tech: Any
) -> None:
    key = cw.world.wall_keys[0]
    wall_id = screen_id(app, key)
    wall = player(served, devices, key)
    response = ask(tech, wall_id, "identify")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/console/screens/{wall_id}#care")
    command = wall.next_command()
    assert command["command"] == "identify"
    assert command["args"] == {"seconds": 30, "label": f"大厅1号屏  #{wall_id}"}
    assert command_row(app, command["id"]).state == "sent"
    assert wall.answer({"id": command["id"], "ok": True, "result": {"seconds": 30}}) == {"ok": True}
    row = command_row(app, command["id"])
    assert (row.state, row.result, row.requested_by) == ("done", {"seconds": 30}, "tech")
    assert audit_of(app, wall_id) == [
        ("tech", "care_requested", {"command": "identify", "command_id": command["id"]}),
        (f"player:screen-{wall_id}", "care_done", {"command": "identify", "command_id": command["id"]}),
    ]
    status = tech.get(f"/console/screens/{wall_id}/commands.json").get_json()
    assert status["busy"] is False
    assert status["commands"][0]["state"] == "done" and status["commands"][0]["outcome"] == '已完成 · {"seconds": 30}'


def test_a_wall_screenshot_arrives_as_an_attachment_and_is_shown_in_the_console(
    app: Flask, cw: ConsoleWorld, served: str, devices: list[Device], tech: Any
) -> None:
    key = cw.world.wall_keys[0]
    wall_id = screen_id(app, key)
    wall = player(served, devices, key)
    ask(tech, wall_id, "screenshot")
    command = wall.next_command()
    assert command["args"] == {"max_width": 1920}
    picture = png_bytes(64, 36)
    ack = wall.answer({"id": command["id"], "ok": True, "result": {"width": 64, "height": 36}, "png": picture})
    assert ack == {"ok": True}
    status = tech.get(f"/console/screens/{wall_id}/commands.json").get_json()
    assert status["screenshot"]["id"] == command["id"]
    assert status["screenshot"]["outcome"] == "已完成 · 截图 64×36"
    served_png = tech.get(status["screenshot"]["screenshot_url"])
    assert served_png.status_code == 200 and served_png.mimetype == "image/png"
    assert served_png.data == picture
    page = tech.get(f"/console/screens/{wall_id}").get_data(as_text=True)
    assert f'src="/console/commands/{command["id"]}/screenshot.png"' in page


HUGE = "x" * (70 * 1024)


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        ({"ok": "yes"}, "bad_result"),
        ({"ok": True, "result": ["not", "an", "object"]}, "bad_result"),
        ({"ok": True, "result": {"log": HUGE}}, "too_large"),
        ({"ok": False, "error": "Robert'); DROP TABLE"}, "bad_result"),
        ({"ok": True, "result": {"width": 4, "height": 4}, "png": b"GIF89a" + b"\0" * 100}, "bad_png"),
        ({"ok": True, "result": {"width": 4, "height": 4}}, "bad_png"),
        ({"ok": True, "result": {"width": 640, "height": 64}, "png": png_bytes(64, 36)}, "bad_png"),
        (
            {"ok": True, "result": {"width": 64, "height": 36}, "png": png_bytes(64, 36)[:-40] + png_bytes()[-12:]},
            "bad_png",
        ),
        (
            {"ok": True, "result": {"width": 4, "height": 4}, "png": b"\x89PNG\r\n\x1a\n" + b"\0" * (4 * 1024 * 1024)},
            "too_large",
        ),
    ],
    ids=[
        "ok-not-bool",
        "result-list",
        "result-huge",
        "error-not-a-code",
        "png-is-gif",
        "png-missing",
        "png-size-lies",
        "png-corrupt",
        "png-over-4mib",
    ],
)
def test_a_hostile_result_fails_the_command_with_a_clear_error(
    app: Flask, cw: ConsoleWorld, served: str, devices: list[Device], tech: Any, answer: dict[str, Any], error: str
) -> None:
    key = cw.world.wall_keys[0]
    wall_id = screen_id(app, key)
    wall = player(served, devices, key)
    ask(tech, wall_id, "screenshot")
    command = wall.next_command()
    ack = wall.answer({"id": command["id"], **answer})
    assert ack["ok"] is False and ack["error"] == error and ack["message"]
    row = command_row(app, command["id"])
    assert (row.state, row.error) == ("failed", error)
    assert wall.sio.connected  # the device is told, not dropped
    page = tech.get(f"/console/screens/{wall_id}").get_data(as_text=True)
    assert "失败：" in page


@pytest.mark.parametrize(
    "payload",
    [None, "text", {"ok": True}, {"id": True, "ok": True}, {"id": "1", "ok": True}, {"id": 2**40, "ok": True}],
    ids=["none", "text", "no-id", "bool-id", "text-id", "huge-id"],
)
def test_a_result_without_a_command_id_is_refused(
    app: Flask, cw: ConsoleWorld, served: str, devices: list[Device], payload: Any
) -> None:
    wall = player(served, devices, cw.world.wall_keys[0])
    assert wall.answer(payload) == {
        "ok": False,
        "error": "bad_request",
        "message": 'expected {"id": <command id>, "ok": true|false, ...}',
    }


def test_an_answer_from_another_device_or_for_a_finished_command_is_refused(
    app: Flask, cw: ConsoleWorld, served: str, devices: list[Device], tech: Any
) -> None:
    first, second = cw.world.wall_keys[0], cw.world.wall_keys[1]
    wall_id = screen_id(app, first)
    wall, other = player(served, devices, first), player(served, devices, second)
    ask(tech, wall_id, "identify")
    command = wall.next_command()
    assert other.answer({"id": command["id"], "ok": True})["error"] == "unknown_command"
    assert command_row(app, command["id"]).state == "sent"
    assert wall.answer({"id": command["id"], "ok": True}) == {"ok": True}
    assert wall.answer({"id": command["id"], "ok": False, "error": "late"})["error"] == "unknown_command"
    assert command_row(app, command["id"]).state == "done"


@pytest.mark.parametrize("command", ["reload", "identify"])
def test_reload_or_identify_for_a_screen_that_is_not_connected_fails_at_once(
    app: Flask, cw: ConsoleWorld, tech: Any, command: str
) -> None:
    wall_id = screen_id(app, cw.world.wall_keys[1])
    ask(tech, wall_id, command)
    row = last_command(app, wall_id)
    assert (row.state, row.error) == ("failed", "not_connected")
    assert [a for _, a, _ in audit_of(app, wall_id)] == ["care_requested", "care_failed"]
    assert "屏幕当前未连接" in tech.get(f"/console/screens/{wall_id}").get_data(as_text=True)


def test_a_wall_screenshot_waits_for_the_wall_and_goes_out_when_it_says_hello(
    app: Flask, cw: ConsoleWorld, served: str, devices: list[Device], tech: Any
) -> None:
    key = cw.world.wall_keys[0]
    wall_id = screen_id(app, key)
    ask(tech, wall_id, "screenshot")
    assert last_command(app, wall_id).state == "pending"
    assert tech.get(f"/console/screens/{wall_id}/commands.json").get_json()["busy"] is True
    wall = player(served, devices, key)
    assert wall.next_command()["command"] == "screenshot"


def test_an_unanswered_command_fails_and_a_waiting_one_expires(
    app: Flask, cw: ConsoleWorld, served: str, devices: list[Device], tech: Any, kiosk: Kiosk
) -> None:
    key = cw.world.wall_keys[0]
    wall_id = screen_id(app, key)
    player(served, devices, key)
    ask(tech, wall_id, "screenshot")
    ask(tech, kiosk.screen_id, "doctor")  # no agent connected: waits
    care = runtime(app).care
    assert care is not None
    now = datetime.now(UTC)
    assert care.sweep_once(now + timedelta(seconds=5)) == []
    ended = care.sweep_once(now + timedelta(seconds=31))
    assert [(r.screen_id, r.state, r.error) for r in ended] == [(wall_id, "failed", "no_answer")]
    ended = care.sweep_once(now + timedelta(minutes=10, seconds=1))
    assert [(r.screen_id, r.state) for r in ended] == [(kiosk.screen_id, "expired")]
    assert audit_of(app, kiosk.screen_id)[-1][:2] == ("system", "care_expired")
    assert "已过期" in tech.get(f"/console/screens/{kiosk.screen_id}").get_data(as_text=True)


# -- kiosks: the agent executes its part -------------------------------------------------------------


def test_a_kiosk_command_waits_for_its_agent_and_is_sent_on_its_hello(
    app: Flask, served: str, devices: list[Device], tech: Any, kiosk: Kiosk
) -> None:
    ask(tech, kiosk.screen_id, "doctor")
    assert last_command(app, kiosk.screen_id).state == "pending"
    page = player(served, devices, kiosk.key)  # the kiosk page is no executor of doctor
    the_agent = agent(served, devices, kiosk)
    command = the_agent.next_command()
    assert (command["command"], command["args"]) == ("doctor", {})
    assert the_agent.answer({"id": command["id"], "ok": False, "error": "unsupported", "message": "no doctor"}) == {
        "ok": True
    }
    row = command_row(app, command["id"])
    assert (row.state, row.error, row.message) == ("failed", "unsupported", "no doctor")
    assert page.commands == []
    assert audit_of(app, kiosk.screen_id)[-1][:2] == (f"agent:screen-{kiosk.screen_id}", "care_failed")


def test_a_kiosk_self_test_report_is_shown_check_by_check_in_words(
    app: Flask, served: str, devices: list[Device], tech: Any, kiosk: Kiosk
) -> None:
    the_agent = agent(served, devices, kiosk)
    ask(tech, kiosk.screen_id, "doctor")
    command = the_agent.next_command()
    checks = [
        {"name": "server", "status": "ok", "reason": "https://hall.example answered 200 in 41 ms", "data": {}},
        {"name": "readers", "status": "fail", "reason": "no ID card reader found (expected idcard_serial)", "data": {}},
        {"name": "voice", "status": "warn", "reason": "espeak-ng has no zh voice", "data": {}},
        {"name": "tls", "status": "skipped", "reason": "the server is http://", "data": {}},
        {"name": "from-a-newer-doctor", "status": "ok", "reason": "kept under its own name", "data": {}},
        {"name": "bogus", "status": "<script>", "reason": "a status no doctor gives is left out", "data": {}},
    ]
    report = {"version": 1, "ok": False, "counts": {}, "checks": checks}
    answer = {"id": command["id"], "ok": True, "result": {"report": report, "exit_status": 1}}
    assert the_agent.answer(answer) == {"ok": True}
    page = tech.get(f"/console/screens/{kiosk.screen_id}").get_data(as_text=True)
    assert "2 项正常，1 项警告，1 项失败，1 项未检查" in page
    assert "最近一次设备自检" in page and "读卡器" in page and "no ID card reader found" in page
    assert "from-a-newer-doctor" in page and "a status no doctor gives" not in page


def test_a_kiosk_splits_its_commands_between_page_and_agent(
    app: Flask, served: str, devices: list[Device], tech: Any, kiosk: Kiosk
) -> None:
    page = player(served, devices, kiosk.key)
    the_agent = agent(served, devices, kiosk)
    ask(tech, kiosk.screen_id, "identify")
    assert page.next_command()["command"] == "identify"
    ask(tech, kiosk.screen_id, "screenshot")
    shot = the_agent.next_command()
    assert shot["command"] == "screenshot"
    picture = png_bytes(108, 192)
    assert the_agent.answer(
        {"id": shot["id"], "ok": True, "result": {"width": 108, "height": 192}, "png": picture}
    ) == {"ok": True}
    assert len(page.commands) == 1 and len(the_agent.commands) == 1


def test_a_reboot_waits_while_a_citizen_session_is_open(
    app: Flask, served: str, devices: list[Device], tech: Any, kiosk: Kiosk
) -> None:
    the_agent = agent(served, devices, kiosk)
    policy = runtime(app).policy
    with Session(database(app).engine) as session:
        holder = add_holder(session, policy.records_key)
        open_citizen_session(session, policy.backend(session, runtime(app).clock), kiosk, holder)
    ask(tech, kiosk.screen_id, "reboot")
    ask(tech, kiosk.screen_id, "screenshot")
    care = runtime(app).care
    assert care is not None
    care.sweep_once()
    for row in (last_command(app, kiosk.screen_id),):
        assert (row.state, row.error) == ("pending", "session_open")
    assert the_agent.commands == []
    status = tech.get(f"/console/screens/{kiosk.screen_id}/commands.json").get_json()
    assert {line["outcome"] for line in status["commands"]} == {"等待市民办理结束"}
    with Session(database(app).engine) as session:
        assert end_sessions(session, kiosk.screen_id, EndReason.FINISHED, datetime.now(UTC))
        session.commit()
    care.sweep_once()
    sent = {the_agent.next_command(0)["command"], the_agent.next_command(1)["command"]}
    assert sent == {"reboot", "screenshot"}


def test_a_wall_cannot_be_rebooted(app: Flask, cw: ConsoleWorld, tech: Any) -> None:
    wall_id = screen_id(app, cw.world.wall_keys[0])
    response = ask(tech, wall_id, "reboot")
    assert response.status_code == 302
    assert last_command(app, wall_id) is None
    assert "这类屏幕不能执行此命令" in tech.get(f"/console/screens/{wall_id}").get_data(as_text=True)


# -- who may -----------------------------------------------------------------------------------------


def test_only_remote_care_inside_the_scope_may_send_or_see(app: Flask, cw: ConsoleWorld, tech: Any) -> None:
    wall_id = screen_id(app, cw.world.wall_keys[0])
    ask(tech, wall_id, "screenshot")
    row = last_command(app, wall_id)
    for name, status in (("editor", 403), ("approver", 403), ("tianshui", 404)):
        client = app.test_client()
        sign_in(client, name)
        assert ask(client, wall_id, "identify").status_code == status, name
        assert client.get(f"/console/screens/{wall_id}/commands.json").status_code == status, name
        assert client.get(f"/console/commands/{row.id}/screenshot.png").status_code == status, name
    assert len(audit_of(app, wall_id)) == 1  # only the technician's own request
    other = screen_id(app, cw.world.other_wall_key)
    assert ask(tech, other, "identify").status_code == 404


def test_the_screen_page_offers_the_buttons_its_kind_can_use(
    app: Flask, cw: ConsoleWorld, tech: Any, kiosk: Kiosk
) -> None:
    wall_page = tech.get(f"/console/screens/{screen_id(app, cw.world.wall_keys[0])}").get_data(as_text=True)
    kiosk_page = tech.get(f"/console/screens/{kiosk.screen_id}").get_data(as_text=True)
    wall_buttons = set(_buttons(wall_page))
    assert wall_buttons == {"reload", "identify", "screenshot"}
    assert set(_buttons(kiosk_page)) == wall_buttons | {"restart_agent", "reboot", "doctor"}
    assert "js/console/device-care.js" in wall_page


def _buttons(page: str) -> list[str]:
    import re

    return re.findall(r'data-command="(\w+)"', page)
