"""The agent executing remote-care commands over a real Socket.IO link.

A python-socketio server in this test plays the server's side of the contract (``/agent``: the
credential, ``agent_hello`` answered with a power schedule, ``device_command`` out, ``command_result``
in and acknowledged); the agent is the real ``Agent`` with its real ``ServerLink``, a real headless
Chromium for the screenshot, and a recording runner that refuses any command line it does not expect.
"""

from __future__ import annotations

import io
import shutil
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import socketio
from PIL import Image
from werkzeug.serving import BaseWSGIServer, make_server

from devices.agent.config import AgentConfig
from devices.agent.power import PowerKeeper
from devices.agent.remote_care import RESTART_STATUS, RemoteCare
from devices.agent.runner import RunResult
from devices.agent.supervisor import Agent
from tests.support.devtools_chromium import BLUE, CHROMIUM, RED, Browser, headless_chromium
from tests.support.recording_runner import RecordingRunner

DEVICE = "kiosk-key-0001"
CREDENTIAL = "agent-credential-for-the-test"
SCHEDULE = {"hours": "Mon-Fri 08:30-12:00,14:00-17:30; Sat 09:00-12:00", "tz": "Asia/Shanghai", "margin_minutes": 15}
DOCTOR = (sys.executable, "-m", "provisioning", "doctor", "--json")
XSET = {("xset", "dpms", "force", "off"): RunResult(0), ("xset", "dpms", "force", "on"): RunResult(0)}


@dataclass
class CareServer:
    """The server's side of the remote-care contract, recording what happened in order."""

    url: str
    sio: socketio.Server
    events: list[tuple[str, Any]] = field(default_factory=list)  # shared with the runner and the exit
    agent_sid: str | None = None
    changed: threading.Condition = field(default_factory=threading.Condition)

    def note(self, kind: str, what: Any) -> None:
        with self.changed:
            self.events.append((kind, what))
            self.changed.notify_all()

    def wait(self, predicate: Any, what: str, timeout: float = 20.0) -> None:
        with self.changed:
            if not self.changed.wait_for(lambda: predicate(self.events), timeout):
                raise AssertionError(f"timed out waiting for {what}; events: {self.events!r}")

    def result(self, command_id: int) -> dict[str, Any]:
        self.wait(
            lambda events: any(k == "result" and p["id"] == command_id for k, p in events), f"result {command_id}"
        )
        return next(p for k, p in self.events if k == "result" and p["id"] == command_id)

    def command(self, command_id: int, command: str, args: dict[str, Any] | None = None) -> dict[str, Any]:
        self.sio.emit(
            "device_command",
            {"id": command_id, "command": command, "args": args or {}},
            to=self.agent_sid,
            namespace="/agent",
        )
        return self.result(command_id)


@pytest.fixture
def server() -> Iterator[CareServer]:
    sio = socketio.Server(async_mode="threading")
    wsgi: BaseWSGIServer = make_server("127.0.0.1", 0, socketio.WSGIApp(sio), threaded=True)
    care = CareServer(f"http://127.0.0.1:{wsgi.server_port}", sio)

    @sio.on("connect", namespace="/agent")
    def connect(sid: str, _environ: Any, auth: Any) -> None:
        if auth != {"device": DEVICE, "credential": CREDENTIAL}:
            raise ConnectionRefusedError("unknown device or wrong credential")
        care.agent_sid = sid

    @sio.on("agent_hello", namespace="/agent")
    def hello(_sid: str, data: Any) -> dict[str, Any]:
        care.note("hello", data)
        return {"ok": True, "screen": {"id": 1}, "session_idle_seconds": 60, "power_schedule": SCHEDULE}

    @sio.on("command_result", namespace="/agent")
    def result(_sid: str, data: Any) -> dict[str, Any]:
        care.note("result", data)
        return {"ok": True}

    thread = threading.Thread(target=wsgi.serve_forever, name="care-server", daemon=True)
    thread.start()
    yield care
    wsgi.shutdown()
    thread.join(10)


class OrderedRunner(RecordingRunner):
    """Notes each command line in the server's event list, so the test sees what came before what."""

    def __init__(self, server: CareServer, installed: list[str], answers: dict[tuple[str, ...], RunResult]) -> None:
        super().__init__(installed, answers)
        self.server = server

    def run(self, argv: Any, *, timeout: float, env: Any = None) -> RunResult:
        result = super().run(argv, timeout=timeout, env=env)
        self.server.note("ran", tuple(argv))
        return result


@dataclass
class Kiosk:
    agent: Agent
    runner: OrderedRunner
    exits: list[int]


def start_kiosk(
    server: CareServer, runner: OrderedRunner, *, devtools_url: str = "http://127.0.0.1:9", doctor: bool = True
) -> Kiosk:
    exits: list[int] = []

    def exit_process(status: int) -> None:
        server.note("exit", status)
        exits.append(status)

    config = AgentConfig(
        server_url=server.url,
        device_key=DEVICE,
        credential=CREDENTIAL,
        hotplug=False,
        pcsc=False,
        reconnect_backoff=(0.1, 0.5),
    )
    care = RemoteCare(runner=runner, devtools_url=devtools_url, exit=exit_process, doctor_installed=lambda: doctor)
    # Monday 03:00 in Shanghai: the hall is closed, so the schedule from the hello turns the panel off.
    monday_night = datetime(2026, 6, 1, 3, 0, tzinfo=ZoneInfo("Asia/Shanghai")).astimezone(UTC)
    power = PowerKeeper(runner, clock=lambda: monday_night, env={"DISPLAY": ":0"})
    agent = Agent(config, care=care, power=power)
    agent.start()
    server.wait(lambda events: any(k == "hello" for k, _ in events), "the agent's hello")
    return Kiosk(agent, runner, exits)


@pytest.fixture
def chromium(tmp_path: Path) -> Iterator[Browser]:
    if shutil.which(CHROMIUM) is None:
        pytest.skip("needs Chromium at /usr/bin/chromium")
    with headless_chromium(tmp_path / "profile") as browser:
        yield browser


def test_screenshot_goes_to_the_server_as_a_png_attachment(server: CareServer, chromium: Browser) -> None:
    kiosk = start_kiosk(server, OrderedRunner(server, ["xset"], XSET), devtools_url=chromium.url)
    try:
        answer = server.command(17, "screenshot", {"max_width": 400})
    finally:
        kiosk.agent.stop()
    assert answer["ok"] is True
    assert answer["result"]["width"] == 400
    assert isinstance(answer["png"], bytes)
    image = Image.open(io.BytesIO(answer["png"])).convert("RGB")
    assert image.size == (answer["result"]["width"], answer["result"]["height"])
    assert image.getpixel((50, 25)) == RED and image.getpixel((300, 100)) == BLUE


def test_screenshot_without_chromium_answers_with_the_reason(server: CareServer) -> None:
    kiosk = start_kiosk(server, OrderedRunner(server, ["xset"], XSET))
    try:
        answer = server.command(18, "screenshot", {"max_width": 1920})
        bad = server.command(19, "screenshot", {"max_width": "wide"})
    finally:
        kiosk.agent.stop()
    assert answer["ok"] is False and answer["error"] == "devtools_unreachable"
    assert "--remote-debugging-port" in answer["message"]
    assert bad["ok"] is False and bad["error"] == "bad_args"


def test_reboot_answers_first_then_runs_systemctl(server: CareServer) -> None:
    runner = OrderedRunner(server, ["xset", "systemctl"], {**XSET, ("systemctl", "reboot"): RunResult(0)})
    kiosk = start_kiosk(server, runner)
    try:
        assert server.command(20, "reboot") == {"id": 20, "ok": True, "result": {}}
        server.wait(lambda events: ("ran", ("systemctl", "reboot")) in events, "systemctl reboot")
    finally:
        kiosk.agent.stop()
    order = [(k, p["id"] if k == "result" else p) for k, p in server.events if k in {"result", "ran"}]
    assert order.index(("result", 20)) < order.index(("ran", ("systemctl", "reboot")))


def test_reboot_without_systemctl_is_unsupported(server: CareServer) -> None:
    kiosk = start_kiosk(server, OrderedRunner(server, ["xset"], XSET))
    try:
        answer = server.command(21, "reboot")
    finally:
        kiosk.agent.stop()
    assert answer["ok"] is False and answer["error"] == "unsupported"
    assert ("ran", ("systemctl", "reboot")) not in server.events


def test_restart_agent_answers_then_stops_and_exits_for_systemd(server: CareServer) -> None:
    kiosk = start_kiosk(server, OrderedRunner(server, ["xset"], XSET))
    try:
        assert server.command(22, "restart_agent")["ok"] is True
        server.wait(lambda events: ("exit", RESTART_STATUS) in events, "the agent's exit")
    finally:
        kiosk.agent.stop()
    assert kiosk.exits == [RESTART_STATUS]
    kinds = [k for k, _ in server.events]
    assert kinds.index("result") < kinds.index("exit")
    assert not kiosk.agent.link.connected  # stopped cleanly before exiting


def test_doctor_sends_its_json_report(server: CareServer) -> None:
    report = '{"ok": false, "checks": [{"name": "clock", "ok": false, "detail": "skew 95 s"}]}'
    runner = OrderedRunner(server, ["xset"], {**XSET, DOCTOR: RunResult(1, report)})
    kiosk = start_kiosk(server, runner)
    try:
        answer = server.command(23, "doctor")
    finally:
        kiosk.agent.stop()
    assert answer["ok"] is True
    assert answer["result"] == {
        "report": {"ok": False, "checks": [{"name": "clock", "ok": False, "detail": "skew 95 s"}]},
        "exit_status": 1,
    }


def test_doctor_without_provisioning_is_unsupported_and_other_commands_too(server: CareServer) -> None:
    kiosk = start_kiosk(server, OrderedRunner(server, ["xset"], XSET), doctor=False)
    try:
        doctor = server.command(24, "doctor")
        reload = server.command(25, "reload")
    finally:
        kiosk.agent.stop()
    assert (doctor["ok"], doctor["error"]) == (False, "unsupported")
    assert (reload["ok"], reload["error"]) == (False, "unsupported")
    assert "'reload'" in reload["message"]


def test_a_repeated_command_runs_once(server: CareServer) -> None:
    runner = OrderedRunner(server, ["xset"], {**XSET, DOCTOR: RunResult(0, "{}")})
    kiosk = start_kiosk(server, runner)
    try:
        server.command(26, "doctor")
        server.command(27, "doctor")  # the next command is answered, so 26's repeat was seen before it
        server.sio.emit(
            "device_command", {"id": 26, "command": "doctor", "args": {}}, to=server.agent_sid, namespace="/agent"
        )
        server.command(28, "doctor")
    finally:
        kiosk.agent.stop()
    assert [p["id"] for k, p in server.events if k == "result"] == [26, 27, 28]


def test_the_power_schedule_from_the_hello_and_from_an_event(server: CareServer) -> None:
    runner = OrderedRunner(server, ["xset"], XSET)
    kiosk = start_kiosk(server, runner)
    try:
        # The hello's schedule: closed at 03:00 on a Monday, so the panel goes off.
        server.wait(lambda events: ("ran", ("xset", "dpms", "force", "off")) in events, "the panel off")
        server.sio.emit("power_schedule", {**SCHEDULE, "hours": None}, to=server.agent_sid, namespace="/agent")
        server.wait(lambda events: ("ran", ("xset", "dpms", "force", "on")) in events, "the panel on again")
        status = kiosk.agent.hello_payload()["power"]
    finally:
        kiosk.agent.stop()
    assert status["panel"] == "on" and status["tool"] == "xset" and status["scheduled"] is False
    hello = next(p for k, p in server.events if k == "hello")
    assert hello["power"]["panel"] == "unknown"  # said before the schedule arrived
