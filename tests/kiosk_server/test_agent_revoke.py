"""A revoked kiosk's agent is cut off while connected, not only at its next connect (docs/protocol.md §7, "Connect").

The app served for real (werkzeug, threads) on SQLite and PostgreSQL; the agent is a python-socketio
client over a WebSocket, as devices/agent/link.py is. Revoked in the console of the same process:
disconnected at once. Revoked by another process (the database changed under this one): cut at its
next event, or by the re-check round within ``RECHECK_SECONDS``. Either way its reconnect is refused.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any, Final

import pytest
import socketio
from flask import Flask
from sqlalchemy import delete
from sqlalchemy.orm import Session

from content.citizens.kiosk_agents import AgentCredential, issue_agent_credential, reader_statuses
from content.org.enrolment import revoke_screen
from content.org.screens import Screen
from devices.agent.sio_disconnect import disconnect_promptly
from kiosk_server.agent_namespace import RECHECK_SECONDS, REFUSED
from kiosk_server.database import database
from kiosk_server.settings_access import runtime
from tests.support.citizens import Kiosk, add_kiosk
from tests.support.console_world import ConsoleWorld, build_console_world, csrf_now, sign_in
from tests.support.server import app_in_thread, wait_for

DEADLINE: Final = 10.0
READER: Final = {"reader_id": "idcard-serial-1", "kind": "idcard_serial", "state": "idle", "message": ""}


class Agent:
    """A kiosk agent on /agent: connects, says hello, and can tell whether the server dropped it."""

    def __init__(self, base_url: str, kiosk: Kiosk, credential: str | None = None) -> None:
        self.base_url = base_url
        self.auth = {"device": kiosk.key, "credential": credential or kiosk.credential}
        self.sio = socketio.Client(reconnection=False)

    def connect(self) -> Agent:
        self.sio.connect(
            self.base_url, namespaces=["/agent"], auth=self.auth, transports=["websocket"], wait_timeout=10
        )
        assert self.sio.call("agent_hello", {"readers": [READER]}, namespace="/agent", timeout=10)["ok"] is True
        return self

    @property
    def linked(self) -> bool:
        return self.sio.connected and "/agent" in self.sio.namespaces

    def wait_cut_off(self, timeout: float = DEADLINE) -> None:
        wait_for(lambda: not self.linked, timeout, "the server to disconnect the revoked agent")

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
def kiosk(app: Flask, cw: ConsoleWorld) -> Kiosk:
    with Session(database(app).engine) as session:
        return add_kiosk(session, cw.world.hall_id, runtime(app).policy.credential_key)


@pytest.fixture
def agents() -> Iterator[list[Agent]]:
    opened: list[Agent] = []
    yield opened
    for one in opened:
        one.close()


def connect(served: str, agents: list[Agent], kiosk: Kiosk, credential: str | None = None) -> Agent:
    one = Agent(served, kiosk, credential).connect()
    agents.append(one)
    return one


def refused(served: str, kiosk: Kiosk) -> bool:
    """Whether a new connection with the kiosk's old key and credential is refused with a connect error."""
    client = socketio.Client(reconnection=False)
    errors: list[Any] = []
    client.on("connect_error", errors.append, namespace="/agent")
    with pytest.raises(socketio.exceptions.ConnectionError) as refusal:
        client.connect(
            served,
            namespaces=["/agent"],
            auth={"device": kiosk.key, "credential": kiosk.credential},
            transports=["websocket"],
            wait_timeout=10,
        )
    disconnect_promptly(client)
    return "/agent" in str(refusal.value) and errors == [{"message": REFUSED}]


def revoke_elsewhere(app: Flask, kiosk: Kiosk) -> None:
    """What the console's revoke commits, done as another server process would: nothing in this one is told."""
    with Session(database(app).engine) as session:
        screen = session.get(Screen, kiosk.screen_id)
        assert screen is not None
        revoke_screen(session, screen)
        session.execute(delete(AgentCredential).where(AgentCredential.screen_id == screen.id))
        session.commit()


def test_revoking_in_the_console_disconnects_the_agent_at_once(
    app: Flask, served: str, kiosk: Kiosk, agents: list[Agent]
) -> None:
    agent = connect(served, agents, kiosk)
    tech = app.test_client()
    sign_in(tech, "tech")
    answer = tech.post(
        f"/console/screens/{kiosk.screen_id}/revoke", data={"csrf_token": csrf_now(tech), "next": "/console/fleet"}
    )
    assert answer.status_code == 302
    # Well before the re-check round could have run: the revoking process cuts its own agents itself.
    agent.wait_cut_off(timeout=RECHECK_SECONDS / 2)
    assert refused(served, kiosk)
    assert kiosk.screen_id not in runtime(app).agents.connected_kiosks()


def test_an_event_from_an_agent_revoked_by_another_process_is_refused_and_ends_its_connection(
    app: Flask, served: str, kiosk: Kiosk, agents: list[Agent]
) -> None:
    agent = connect(served, agents, kiosk)
    revoke_elsewhere(app, kiosk)
    assert agent.linked  # no process told this one
    fault = {**READER, "state": "fault", "reason": "timeout", "message": "no answer"}
    agent.sio.emit("reader_status", fault, namespace="/agent")  # its ack never comes: the connection ends first
    agent.wait_cut_off()
    with Session(database(app).engine) as session:
        assert [(r.reader_id, r.state) for r in reader_statuses(session, kiosk.screen_id)] == [
            ("idcard-serial-1", "unknown")  # left as a disconnected agent leaves them, not the fault it sent
        ]
    assert refused(served, kiosk)


def test_the_recheck_round_cuts_an_idle_agent_revoked_by_another_process(
    app: Flask, served: str, kiosk: Kiosk, agents: list[Agent]
) -> None:
    agent = connect(served, agents, kiosk)
    revoke_elsewhere(app, kiosk)
    namespace = runtime(app).agents
    round_ = threading.Thread(target=namespace.run, daemon=True)  # as Runtime.start runs it
    round_.start()
    try:
        agent.wait_cut_off(timeout=RECHECK_SECONDS + DEADLINE)  # the agent sent nothing meanwhile
    finally:
        namespace.stop()
        round_.join(timeout=DEADLINE)
    assert not round_.is_alive()
    assert refused(served, kiosk)


def test_a_reissued_credential_cuts_the_old_agent_and_keeps_the_new_one(
    app: Flask, served: str, kiosk: Kiosk, agents: list[Agent]
) -> None:
    old = connect(served, agents, kiosk)
    with Session(database(app).engine) as session:
        screen = session.get(Screen, kiosk.screen_id)
        assert screen is not None
        credential = issue_agent_credential(session, screen, runtime(app).policy.credential_key)
        session.commit()
    new = connect(served, agents, kiosk, credential)
    assert runtime(app).agents.recheck() == 1
    old.wait_cut_off()
    assert new.linked
    assert new.sio.call("reader_status", READER, namespace="/agent", timeout=10) == {"ok": True}
    assert runtime(app).agents.recheck() == 0
