"""A stand-in for the server's side of the printing contract, and a real agent with printers to talk to it.

``print_server()`` runs a python-socketio server on ``/agent`` (the credential, ``agent_hello``,
``printer_status`` and ``command_result`` acknowledged and recorded in order) that sends
``device_command`` ``print`` with the document as a binary attachment; ``start_kiosk`` starts the real
``Agent`` with its real ``ServerLink`` and ``Printing`` against it (docs/protocol.md §7, "Printers").
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import socketio
from werkzeug.serving import BaseWSGIServer, make_server

from devices.agent.config import AgentConfig
from devices.agent.power import PowerKeeper
from devices.agent.printer_config import PrinterConfig
from devices.agent.printing import Printing
from devices.agent.remote_care import RemoteCare
from devices.agent.supervisor import Agent
from tests.support.recording_runner import RecordingRunner

DEVICE = "kiosk-key-0001"
CREDENTIAL = "agent-credential-for-the-test"


@dataclass
class PrintServer:
    """The server's side of the printing contract, recording what the agent said, in order."""

    url: str
    sio: socketio.Server
    events: list[tuple[str, Any]] = field(default_factory=list)
    agent_sid: str | None = None
    changed: threading.Condition = field(default_factory=threading.Condition)

    def note(self, kind: str, what: Any) -> None:
        with self.changed:
            self.events.append((kind, what))
            self.changed.notify_all()

    def wait(self, predicate: Any, what: str, timeout: float = 20.0) -> Any:
        with self.changed:
            if not self.changed.wait_for(lambda: predicate(self.events), timeout):
                raise AssertionError(f"timed out waiting for {what}; events: {self.events!r}")
            return predicate(self.events)

    def statuses(self) -> list[dict[str, Any]]:
        return [p for k, p in self.events if k == "printer_status"]

    def wait_status(self, state: str) -> dict[str, Any]:
        """The first ``printer_status`` with ``state`` after the last one already seen with another state."""
        return self.wait(
            lambda events: next(
                (p for k, p in reversed(events) if k == "printer_status" and p["state"] == state), None
            ),
            f"printer_status {state}",
        )

    def print(self, command_id: int, args: Any, data: Any = b"") -> dict[str, Any]:
        command: dict[str, Any] = {"id": command_id, "command": "print", "args": args}
        if data is not None:
            command["data"] = data
        self.sio.emit("device_command", command, to=self.agent_sid, namespace="/agent")
        return self.wait(
            lambda events: next((p for k, p in events if k == "result" and p["id"] == command_id), None),
            f"the result of command {command_id}",
        )


@contextmanager
def print_server() -> Iterator[PrintServer]:
    sio = socketio.Server(async_mode="threading")
    wsgi: BaseWSGIServer = make_server("127.0.0.1", 0, socketio.WSGIApp(sio), threaded=True)
    stand_in = PrintServer(f"http://127.0.0.1:{wsgi.server_port}", sio)

    @sio.on("connect", namespace="/agent")
    def connect(sid: str, _environ: Any, auth: Any) -> None:
        if auth != {"device": DEVICE, "credential": CREDENTIAL}:
            raise ConnectionRefusedError("unknown device or wrong credential")
        stand_in.agent_sid = sid

    @sio.on("agent_hello", namespace="/agent")
    def hello(_sid: str, data: Any) -> dict[str, Any]:
        stand_in.note("hello", data)
        return {"ok": True, "screen": {"id": 1}, "session_idle_seconds": 60}

    @sio.on("printer_status", namespace="/agent")
    def printer_status(_sid: str, data: Any) -> dict[str, Any]:
        stand_in.note("printer_status", data)
        return {"ok": True}

    @sio.on("command_result", namespace="/agent")
    def result(_sid: str, data: Any) -> dict[str, Any]:
        stand_in.note("result", data)
        return {"ok": True}

    thread = threading.Thread(target=wsgi.serve_forever, name="print-server", daemon=True)
    thread.start()
    try:
        yield stand_in
    finally:
        wsgi.shutdown()
        thread.join(10)


def start_kiosk(server: PrintServer, printers: tuple[PrinterConfig, ...], *, poll_seconds: float = 60.0) -> Agent:
    config = AgentConfig(
        server_url=server.url,
        device_key=DEVICE,
        credential=CREDENTIAL,
        hotplug=False,
        pcsc=False,
        reconnect_backoff=(0.1, 0.5),
        printers=printers,
    )
    runner = RecordingRunner()  # the agent runs no program here: any command line fails the test
    agent = Agent(
        config,
        care=RemoteCare(runner=runner, doctor_installed=lambda: False),
        power=PowerKeeper(runner),
        printing=Printing(config.printers, poll_seconds=poll_seconds),
    )
    agent.start()
    server.wait(lambda events: any(k == "hello" for k, _ in events), "the agent's hello")
    assert agent.link.wait_connected(20), "the agent took its hello's answer"
    return agent
