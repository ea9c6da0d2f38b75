"""Printing through the kiosk's agent on a served app: printer states in, print commands out (docs/protocol.md).

A python-socketio client acts as the agent (the contract in docs/protocol.md, "Printers"): it says
hello with its printers, sends ``printer_status``, receives ``device_command`` ``print`` with the
document as a binary attachment and answers ``command_result``. The kiosk page's side is the HTTP
API (/kiosk/api/queue, /kiosk/api/print). At the end, the whole chain with nothing standing in: the real
agent (``devices.agent``) with the simulated receipt printer (``SimEscposPrinter``). Runs on SQLite and
PostgreSQL.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import socketio
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.accounts.audit import AuditEntry
from content.citizens.kiosk_printers import PrinterStatus, printer_statuses
from content.org.device_commands import DeviceCommand
from content.queue.setup import add_service_type
from content.signage.fleet import FleetFilter, fleet_page
from devices.agent.config import AgentConfig
from devices.agent.power import PowerKeeper
from devices.agent.printer_config import PrinterConfig
from devices.agent.printing import Printing
from devices.agent.remote_care import RemoteCare
from devices.agent.sio_disconnect import disconnect_promptly
from devices.agent.supervisor import Agent as KioskAgent
from devices.drivers.printer_states import PrinterKind, PrinterRole
from devices.simulators.escpos_printer import SimEscposPrinter, SimPaper
from devices.simulators.escpos_render import render
from kiosk_server.database import database
from kiosk_server.settings_access import runtime
from tests.support.citizens import Kiosk, add_holder, add_kiosk, open_citizen_session
from tests.support.recording_runner import RecordingRunner
from tests.support.server import app_in_thread, wait_for
from tests.support.world import build_world

DEADLINE = 10


def printer(role: str = "slip", state: str = "ready", **extra: Any) -> dict[str, Any]:
    kind = "escpos-network" if role == "slip" else "cups"
    body: dict[str, Any] = {"role": role, "kind": kind, "state": state, "message": f"{role} {state}"}
    body["checked_at"] = datetime.now(UTC).isoformat()
    if role == "slip":
        body["paper_mm"] = 80
    return body | extra


class Agent:
    """A kiosk's agent: records every device_command with its attachment, answers when told to."""

    def __init__(self, base_url: str, kiosk: Kiosk) -> None:
        self.base_url, self.kiosk = base_url, kiosk
        self.lock = threading.Lock()
        self.commands: list[dict[str, Any]] = []
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("device_command", self._got, namespace="/agent")

    def _got(self, data: dict[str, Any]) -> None:
        with self.lock:
            self.commands.append(data)

    def connect(self, printers: list[dict[str, Any]] | None) -> Agent:
        self.sio.connect(
            self.base_url,
            namespaces=["/agent"],
            auth={"device": self.kiosk.key, "credential": self.kiosk.credential},
            transports=["websocket"],
            wait_timeout=10,
        )
        assert self.hello(printers)["ok"] is True
        return self

    def hello(self, printers: list[dict[str, Any]] | None) -> Any:
        body: dict[str, Any] = {"readers": []}
        if printers is not None:
            body["printers"] = printers
        return self.sio.call("agent_hello", body, namespace="/agent", timeout=10)

    def status(self, payload: Any) -> Any:
        return self.sio.call("printer_status", payload, namespace="/agent", timeout=10)

    def next_command(self, seen: int = 0) -> dict[str, Any]:
        def got() -> dict[str, Any] | None:
            with self.lock:
                return self.commands[seen] if len(self.commands) > seen else None

        found: dict[str, Any] = wait_for(got, DEADLINE, f"device_command number {seen + 1}")
        return found

    def answer(self, payload: dict[str, Any]) -> Any:
        return self.sio.call("command_result", payload, namespace="/agent", timeout=10)

    def close(self) -> None:
        disconnect_promptly(self.sio)


@dataclass
class Site:
    kiosk: Kiosk
    line: int
    hall_id: int


@pytest.fixture
def site(app: Flask) -> Site:
    with Session(database(app).engine) as session:
        world = build_world(session, vacancies=0)
        kiosk = add_kiosk(session, world.hall_id, runtime(app).policy.credential_key)
        line = add_service_type(session, world.hall_id, prefix="A", name="社保业务", name_en="Social insurance")
        session.commit()
        return Site(kiosk, line.id, world.hall_id)


@pytest.fixture
def served(app: Flask, site: Site) -> Iterator[str]:
    with app_in_thread(app) as url:
        yield url


@pytest.fixture
def agents() -> Iterator[list[Agent]]:
    opened: list[Agent] = []
    yield opened
    for agent in opened:
        agent.close()


def connect(served: str, agents: list[Agent], site: Site, printers: list[dict[str, Any]] | None) -> Agent:
    agent = Agent(served, site.kiosk).connect(printers)
    agents.append(agent)
    return agent


def headers(site: Site) -> dict[str, str]:
    return {"X-Screen-Key": site.kiosk.key}


def take(client: Any, site: Site) -> Any:
    answer = client.post("/kiosk/api/queue/tickets", json={"service_type_id": site.line}, headers=headers(site))
    assert answer.status_code == 201, answer.get_data(as_text=True)
    return answer.get_json()


def rows(app: Flask, site: Site) -> list[tuple[str, str, str, int | None]]:
    with Session(database(app).engine) as session:
        return [(p.role, p.kind, p.state, p.paper_mm) for p in printer_statuses(session, site.kiosk.screen_id)]


def prints(app: Flask, site: Site) -> list[DeviceCommand]:
    with Session(database(app).engine) as session:
        query = select(DeviceCommand).where(DeviceCommand.screen_id == site.kiosk.screen_id)
        return list(session.scalars(query.order_by(DeviceCommand.id)))


def progress(client: Any, site: Site, command_id: int) -> dict[str, Any]:
    answer = client.get(f"/kiosk/api/print/{command_id}", headers=headers(site))
    assert answer.status_code == 200
    found: dict[str, Any] = answer.get_json()["print"]
    return found


# -- printer states --------------------------------------------------------------------------------


def test_hello_with_printers_replaces_the_kiosks_printer_rows(
    app: Flask, site: Site, served: str, agents: list[Agent]
) -> None:
    agent = connect(served, agents, site, [printer("slip", paper_mm=58), printer("a4", "paused")])
    assert rows(app, site) == [("slip", "escpos-network", "ready", 58), ("a4", "cups", "paused", None)]
    assert agent.hello([printer("slip", "paper_low")])["ok"] is True
    assert rows(app, site) == [("slip", "escpos-network", "paper_low", 80)], "the A4 printer is gone"
    assert agent.hello(None)["ok"] is True
    assert rows(app, site) == [], "an agent that predates printing has no printers"


def test_printer_status_updates_the_row_and_the_kiosk_says_so_before_anyone_asks(
    app: Flask, client: Any, site: Site, served: str, agents: list[Agent]
) -> None:
    agent = connect(served, agents, site, [printer("slip")])
    lines = client.get("/kiosk/api/queue/lines", headers=headers(site)).get_json()
    assert lines["printer"] == {"state": "ready", "ready": True, "paper_mm": 80}
    assert agent.status(printer("slip", "paper_out")) == {"ok": True}
    lines = client.get("/kiosk/api/queue/lines", headers=headers(site)).get_json()
    assert lines["printer"] == {"state": "paper_out", "ready": False, "paper_mm": 80}
    printers = client.get("/kiosk/api/print/printers", headers=headers(site)).get_json()
    assert printers["slip"]["state"] == "paper_out" and printers["a4"] is None
    agent.close()
    assert wait_for(lambda: rows(app, site)[0][2] == "unknown", DEADLINE, "the printer unknown once the agent left")


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        ("ready", "printer_status: expected a JSON object"),
        (printer(role="label"), "printer_status.role: expected one of slip, a4"),
        (printer(kind="laser"), "printer_status.kind: expected one of escpos-network, escpos-usb, cups"),
        (printer(state="unknown"), "printer_status.state: expected one of ready, paper_low"),
        (printer(state="on_fire"), "printer_status.state: expected one of"),
        (printer(paper_mm=76), "printer_status.paper_mm: expected 58 or 80"),
        (printer("a4", paper_mm=80), "printer_status.paper_mm: only a slip printer has a paper width"),
        (printer(message="\x00"), "printer_status.message: control characters"),
        (printer(checked_at="yesterday"), "printer_status.checked_at: not an ISO 8601 time"),
    ],
    ids=["not-object", "role", "kind", "server-only-state", "state", "paper", "a4-paper", "nul", "time"],
)
def test_a_malformed_printer_status_gets_a_specific_error(
    app: Flask, site: Site, served: str, agents: list[Agent], payload: Any, words: str
) -> None:
    agent = connect(served, agents, site, [printer("slip")])
    ack = agent.status(payload)
    assert ack["ok"] is False and ack["error"] == "bad_request"
    assert ack["message"].startswith(words), ack["message"]
    assert rows(app, site) == [("slip", "escpos-network", "ready", 80)], "nothing changed"


def test_a_hello_with_two_printers_of_one_role_is_refused(site: Site, served: str, agents: list[Agent]) -> None:
    agent = connect(served, agents, site, [])
    ack = agent.hello([printer("slip"), printer("slip", paper_mm=58)])
    assert ack == {"ok": False, "error": "bad_request", "message": "agent_hello.printers: at most one printer per role"}


# -- printing slips --------------------------------------------------------------------------------


def test_taking_a_ticket_prints_exactly_one_slip_and_the_page_learns_it_was_done(
    app: Flask, client: Any, site: Site, served: str, agents: list[Agent]
) -> None:
    agent = connect(served, agents, site, [printer("slip")])
    ticket = take(client, site)
    assert ticket["print"]["state"] in ("pending", "sent") and ticket["print"]["document"] == "slip"
    command = agent.next_command()
    assert command["command"] == "print"
    assert command["args"] == {"role": "slip", "document": "slip", "ticket": ticket["number"]}
    data = command["data"]
    assert isinstance(data, bytes) and data.startswith(b"\x1b@"), "ESC @ first"
    assert ticket["number"].encode("gb18030") in data and "社保业务".encode("gb18030") in data
    assert b"\x1d(k\x03\x001C\x07" in data, "drawn for 80 mm paper"
    status = printer("slip")
    assert agent.answer({"id": command["id"], "ok": True, "result": {"printer": status}}) == {"ok": True}
    assert progress(client, site, command["id"]) == {
        "id": command["id"],
        "state": "done",
        "error": "",
        "document": "slip",
    }
    assert [row.command for row in prints(app, site)] == ["print"], "one take, one slip"
    assert len(agent.commands) == 1
    with Session(database(app).engine) as session:
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.object_id == str(site.kiosk.screen_id)).order_by(AuditEntry.id)
        ).all()
    assert actions == ["care_requested", "care_done"]


def test_a_slip_can_be_printed_once_more_and_no_more(
    app: Flask, client: Any, site: Site, served: str, agents: list[Agent]
) -> None:
    agent = connect(served, agents, site, [printer("slip", paper_mm=58)])
    ticket = take(client, site)
    first = agent.next_command()
    agent.answer({"id": first["id"], "ok": True, "result": {"printer": printer("slip")}})
    again = client.post("/kiosk/api/print/slip", json={"code": ticket["code"]}, headers=headers(site))
    assert again.status_code == 201
    second = agent.next_command(1)
    assert second["args"]["ticket"] == ticket["number"] and b"\x1d(k\x03\x001C\x05" in second["data"], "58 mm"
    third = client.post("/kiosk/api/print/slip", json={"code": ticket["code"]}, headers=headers(site))
    assert third.status_code == 409 and third.get_json()["error"] == "reprinted"
    assert len(prints(app, site)) == 2
    missing = client.post("/kiosk/api/print/slip", json={"code": "nope"}, headers=headers(site))
    assert missing.status_code == 404
    assert client.post("/kiosk/api/print/slip", json={}, headers=headers(site)).status_code == 400


def test_paper_out_in_the_middle_of_a_slip_is_a_failed_print_the_page_sees_and_metrics_count(
    app: Flask, client: Any, site: Site, served: str, agents: list[Agent], auth_headers: dict[str, str]
) -> None:
    agent = connect(served, agents, site, [printer("slip")])
    ticket = take(client, site)
    command = agent.next_command()
    assert agent.status(printer("slip", "paper_out")) == {"ok": True}
    answer = {"id": command["id"], "ok": False, "error": "paper_out", "message": "paper end after 212 bytes"}
    assert agent.answer(answer) == {"ok": True}
    assert progress(client, site, ticket["print"]["id"])["error"] == "paper_out"
    again = client.post("/kiosk/api/print/slip", json={"code": ticket["code"]}, headers=headers(site))
    assert again.status_code == 409 and again.get_json()["error"] == "paper_out", "no reprint into an empty printer"
    metrics = client.get("/metrics", headers=auth_headers).get_data(as_text=True)
    screen = site.kiosk.screen_id
    assert f'kiosk_prints_total{{screen="{screen}",outcome="failed",error="paper_out"}} 1' in metrics
    assert 'outcome="done"' not in metrics


def test_a_print_for_a_kiosk_whose_agent_is_gone_fails_at_once(
    app: Flask, client: Any, site: Site, served: str, agents: list[Agent]
) -> None:
    agent = connect(served, agents, site, [printer("slip")])
    agent.close()
    wait_for(lambda: rows(app, site)[0][2] == "unknown", DEADLINE, "the printer unknown once the agent left")
    ticket = take(client, site)
    assert ticket["printer"]["state"] == "unknown"
    assert ticket["print"]["state"] == "failed" and ticket["print"]["error"] == "agent_offline"


def test_a_print_nobody_answers_times_out_and_one_nobody_sends_fails_agent_offline(
    app: Flask, client: Any, site: Site, served: str, agents: list[Agent]
) -> None:
    agent = connect(served, agents, site, [printer("slip")])
    ticket = take(client, site)
    agent.next_command()
    care = runtime(app).care
    assert care is not None
    care.sweep_once(datetime.now(UTC) + timedelta(seconds=10))
    assert progress(client, site, ticket["print"]["id"])["state"] == "sent", "still within 20 s"
    care.sweep_once(datetime.now(UTC) + timedelta(seconds=21))
    assert progress(client, site, ticket["print"]["id"])["error"] == "timeout"
    late = agent.answer({"id": ticket["print"]["id"], "ok": True, "result": {}})
    assert late["ok"] is False and late["error"] == "unknown_command"

    # The printer row says ready (another server process may hold the agent), but nobody sends it.
    agent.close()
    # The server marks the printers unknown when it sees the agent leave: only then say ready, or that mark
    # would come after ours.
    wait_for(lambda: rows(app, site)[0][2] == "unknown", DEADLINE, "the printer unknown once the agent left")
    with Session(database(app).engine) as session:
        row = session.scalars(select(PrinterStatus)).one()
        row.state = "ready"
        session.commit()
    again = client.post("/kiosk/api/print/slip", json={"code": ticket["code"]}, headers=headers(site))
    assert again.status_code == 201
    waiting = prints(app, site)[-1]
    assert waiting.state == "pending"
    care.sweep_once(datetime.now(UTC) + timedelta(seconds=11))
    assert progress(client, site, waiting.id)["error"] == "agent_offline"


def test_a_print_is_only_followed_by_its_own_kiosk(
    app: Flask, client: Any, site: Site, served: str, agents: list[Agent]
) -> None:
    agent = connect(served, agents, site, [printer("slip")])
    ticket = take(client, site)
    agent.next_command()
    with Session(database(app).engine) as session:
        other = add_kiosk(session, site.hall_id, runtime(app).policy.credential_key, name="二号终端")
        session.commit()
    answer = client.get(f"/kiosk/api/print/{ticket['print']['id']}", headers={"X-Screen-Key": other.key})
    assert answer.status_code == 404


# -- printing certificates -------------------------------------------------------------------------


def test_a_certificate_prints_on_the_a4_printer_as_a_pdf_for_its_own_session_only(
    app: Flask, client: Any, site: Site, served: str, agents: list[Agent]
) -> None:
    agent = connect(served, agents, site, [printer("slip"), printer("a4", "paused")])  # before: hello ends sessions
    rt = runtime(app)
    with Session(database(app).engine) as session:
        holder = add_holder(session, rt.policy.records_key)
        token = open_citizen_session(session, rt.policy.backend(session, rt.clock), site.kiosk, holder)
    personal = {**headers(site), "X-Citizen-Session": token}
    issued = client.post("/kiosk/api/session/certificate", headers=personal)
    assert issued.status_code == 200, issued.get_data(as_text=True)
    code = issued.get_json()["code"]
    paused = client.post("/kiosk/api/print/certificate", json={"code": code}, headers=personal)
    assert paused.status_code == 409 and paused.get_json()["error"] == "paused", "a paused queue is said at once"
    assert agent.status(printer("a4", "ready")) == {"ok": True}
    assert client.get("/kiosk/api/print/printers", headers=headers(site)).get_json()["a4"]["ready"] is True
    answer = client.post("/kiosk/api/print/certificate", json={"code": code}, headers=personal)
    assert answer.status_code == 201
    command = agent.next_command()
    assert command["args"] == {"role": "a4", "document": "certificate", "certificate": command["args"]["certificate"]}
    assert command["data"].startswith(b"%PDF")
    assert agent.answer({"id": command["id"], "ok": True, "result": {"printer": printer("a4"), "job": "hall-a4-7"}})
    assert progress(client, site, command["id"])["state"] == "done"
    with Session(database(app).engine) as session:
        row = session.get(DeviceCommand, command["id"])
        assert row is not None and row.result is not None and row.result["job"] == "hall-a4-7"
    nobody = client.post("/kiosk/api/print/certificate", json={"code": code}, headers=headers(site))
    assert nobody.status_code == 401, "a certificate prints only within its citizen session"
    wrong = client.post("/kiosk/api/print/certificate", json={"code": "ABCD-EFGH"}, headers=personal)
    assert wrong.status_code == 404


# -- the whole chain: the real agent and the simulated printer --------------------------------------

CHAIN_DEADLINE = 20
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def sim_printer() -> Iterator[SimEscposPrinter]:
    sim = SimEscposPrinter()
    sim.start()
    yield sim
    sim.stop()


@pytest.fixture
def kiosk_agent(app: Flask, site: Site, sim_printer: SimEscposPrinter) -> Iterator[KioskAgent]:
    with app_in_thread(app) as url:
        config = AgentConfig(
            server_url=url,
            device_key=site.kiosk.key,
            credential=site.kiosk.credential,
            hotplug=False,
            pcsc=False,
            reconnect_backoff=(0.1, 0.5),
            printers=(
                PrinterConfig(PrinterRole.SLIP, PrinterKind.ESCPOS_NETWORK, host="127.0.0.1", port=sim_printer.port),
            ),
        )
        runner = RecordingRunner()  # the agent runs no program here: any command line fails the test
        agent = KioskAgent(
            config,
            care=RemoteCare(runner=runner, doctor_installed=lambda: False),
            power=PowerKeeper(runner),
            printing=Printing(config.printers, poll_seconds=0.3),
        )
        agent.start()
        try:
            assert agent.link.wait_connected(CHAIN_DEADLINE), "the agent connected and said hello"
            yield agent
        finally:
            agent.stop()


def slip_state(client: Any, site: Site) -> dict[str, Any] | None:
    answer = client.get("/kiosk/api/print/printers", headers=headers(site))
    assert answer.status_code == 200
    found: dict[str, Any] | None = answer.get_json()["slip"]
    return found


def fleet_printers(app: Flask, site: Site) -> list[tuple[str, str]]:
    with Session(database(app).engine) as session:
        page = fleet_page(
            session,
            FleetFilter(),
            now=datetime.now(UTC),
            expected_versions={},
            offline_after=timedelta(minutes=2),
        )
    row = next(r for r in page.rows if r.screen_id == site.kiosk.screen_id)
    return [(line.role, line.state) for line in row.printers or ()]


def test_whole_chain_what_the_printer_says_reaches_the_kiosk_and_the_fleet_and_a_taken_number_comes_out_of_it(
    app: Flask, client: Any, site: Site, sim_printer: SimEscposPrinter, kiosk_agent: KioskAgent
) -> None:
    wait_for(lambda: (slip_state(client, site) or {}).get("state") == "ready", CHAIN_DEADLINE, "the slip printer ready")
    assert fleet_printers(app, site) == [("slip", "ready")]

    ticket = take(client, site)
    assert ticket["print"]["document"] == "slip"
    number = ticket["number"].encode("gb18030")
    # The whole slip: its number, and the cut (GS V) that ends it.
    printed = sim_printer.wait_printed(lambda data: number in data and b"\x1dV" in data, CHAIN_DEADLINE)
    wait_for(lambda: prints(app, site)[-1].state == "done", CHAIN_DEADLINE, "the print answered done by the agent")
    picture = render(printed)
    ARTIFACTS.mkdir(exist_ok=True)
    picture.save(ARTIFACTS / "whole-chain-slip.png")
    assert picture.height > picture.width > 300, "a slip: the hall, the number, the QR code, one below the other"

    sim_printer.state = SimPaper.PAPER_OUT
    wait_for(
        lambda: (slip_state(client, site) or {}).get("state") == "paper_out", CHAIN_DEADLINE, "paper out on the kiosk"
    )
    assert slip_state(client, site) == {"state": "paper_out", "ready": False, "paper_mm": 80}
    assert fleet_printers(app, site) == [("slip", "paper_out")]
    lines = client.get("/kiosk/api/queue/lines", headers=headers(site)).get_json()
    assert lines["printer"]["ready"] is False, "the take-a-number screen knows before anyone asks"

    sim_printer.stop()  # unplugged
    wait_for(lambda: (slip_state(client, site) or {}).get("state") == "offline", CHAIN_DEADLINE, "the printer offline")
    assert fleet_printers(app, site) == [("slip", "offline")]
