"""The agent end to end: simulated serial reader → real driver → real agent → real ``kiosk serve``.

A GA/T 467 reader simulator speaks on a pseudo-terminal, ``IdCardReader`` reads it, the ``Agent``
sends over its ``ServerLink`` to a server process, and a Socket.IO client in the kiosk screen's place
sees the citizen session open and end. Nothing is faked between the pty and the kiosk's socket.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
import requests
from sqlalchemy.orm import Session

from content.citizens.idnumbers import mask_id_number_for_log
from devices.agent.config import AgentConfig
from devices.agent.supervisor import Agent
from devices.drivers.idcard_reader import IdCardReader
from devices.drivers.known_readers import ReaderKind
from devices.simulators.idcard_reader import SimCard, SimIdCardReader
from kiosk_server.database import make_engine
from kiosk_server.records_backends import agent_credential_key, records_key
from tests.support import migrated_schema
from tests.support.citizens import Holder, Kiosk, KioskScreenClient, add_holder, add_kiosk
from tests.support.server import ServerProcess, wait_for
from tests.support.world import build_world

pytestmark = pytest.mark.slow

SECRET = "agent-e2e-secret-key-0123456789abcdef"
READER = "idcard-e2e"


@dataclass
class Site:
    server: ServerProcess
    kiosk: Kiosk
    resident: Holder
    permit: Holder  # a Hong Kong resident with a J residence permit


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    url = f"sqlite:///{tmp_path / 'kiosk.sqlite3'}"
    engine = make_engine(url)
    migrated_schema.ready(engine)
    with Session(engine) as session:
        world = build_world(session, vacancies=2)
        session.commit()
        kiosk = add_kiosk(session, world.hall_id, agent_credential_key(SECRET))
        resident = add_holder(session, records_key(SECRET), name="欧阳明华", card_number="A12345678")
        permit = add_holder(
            session,
            records_key(SECRET),
            name="陈嘉欣",
            birth=date(1992, 6, 15),
            sequence=2,
            region_code="810000",
            card_number="B87654321",
        )
    engine.dispose()
    server = ServerProcess(tmp_path / "server", url, extra_env={"KIOSK_SECRET_KEY": SECRET})
    yield Site(server, kiosk, resident, permit)
    server.stop()


@pytest.fixture
def sim() -> Iterator[SimIdCardReader]:
    with SimIdCardReader() as reader:
        yield reader


def make_agent(site: Site, sim: SimIdCardReader) -> Agent:
    config = AgentConfig(
        server_url=site.server.url,
        device_key=site.kiosk.key,
        credential=site.kiosk.credential,
        hotplug=False,
        pcsc=False,
        reconnect_backoff=(0.1, 0.5),
        card_read_max_age_seconds=15,
    )
    return Agent(
        config,
        drivers=(
            (ReaderKind.IDCARD_SERIAL, lambda emit: IdCardReader(sim.port, emit, reader_id=READER, poll_interval=0.05)),
        ),
    )


def card_of(holder: Holder, **overrides: str) -> SimCard:
    return SimCard(
        name=holder.name,
        sex_code=holder.sex_code,
        birth_date=holder.birth_date.strftime("%Y%m%d"),
        id_number=holder.id_number,
        **overrides,
    )


def reader_state(site: Site) -> str | None:
    response = requests.get(
        f"{site.server.url}/api/v1/screens/{site.kiosk.screen_id}/readers",
        headers={"Authorization": "Bearer test-token"},
        timeout=5,
    )
    response.raise_for_status()
    states = {row["reader_id"]: row["state"] for row in response.json()["items"]}
    return states.get(READER)


@pytest.fixture
def running_agent(site: Site, sim: SimIdCardReader) -> Iterator[Agent]:
    agent = make_agent(site, sim)
    yield agent
    agent.stop()


def test_a_resident_card_and_a_j_permit_open_and_end_sessions_for_that_kiosk(site, sim, running_agent, caplog):
    caplog.set_level(logging.DEBUG)
    site.server.start()
    screen = KioskScreenClient(site.server.url, site.kiosk.key).connect()
    try:
        running_agent.start()
        wait_for(lambda: reader_state(site) == "attached", 15, "the reader's status reached the server")

        sim.present(card_of(site.resident))
        opened = wait_for(lambda: screen.received("citizen_session"), 15, "the resident card's session")[0]
        assert opened["source"] == "idcard"
        assert opened["citizen"]["masked_id"] == site.resident.masked_id
        assert opened["citizen"]["masked_name"] == "欧***"
        assert opened["token"], "the kiosk page gets a token to present to the lookup API"
        sim.remove()
        ended = wait_for(lambda: screen.received("citizen_session_ended"), 15, "the removal's end")[0]
        assert ended == {"session_id": opened["session_id"], "reason": "card_removed"}

        sim.present(card_of(site.permit, kind="J", permit_number="H12345678", issue_count="01"))
        wait_for(lambda: len(screen.received("citizen_session")) == 2, 15, "the J permit's session")
        permit = screen.received("citizen_session")[1]
        assert permit["citizen"]["masked_id"] == site.permit.masked_id
        assert permit["session_id"] != opened["session_id"]
        sim.remove()
        wait_for(lambda: len(screen.received("citizen_session_ended")) == 2, 15, "the permit's removal")
    finally:
        screen.close()
    server_log = site.server.log_path.read_text(encoding="utf-8", errors="replace")
    for holder in (site.resident, site.permit):
        for secret in (holder.id_number, holder.name, holder.card_number, holder.masked_id):
            assert secret not in caplog.text, "the agent logged personal data (or the screen form of the number)"
            assert secret not in server_log, "the server logged personal data (or the screen form of the number)"
    logged = mask_id_number_for_log(site.resident.id_number)
    assert logged in caplog.text, "the agent logs the log form of the number (so the check above can fail)"


def test_the_agent_waits_out_an_unreachable_server_and_a_restart(site, sim, running_agent):
    running_agent.start()
    # Nothing listens yet: the link keeps retrying with backoff, the reader keeps running.
    wait_for(lambda: READER in running_agent.reader_statuses, 10, "the reader attached locally")
    wait_for(lambda: running_agent.link.attempts >= 3, 15, "several connection attempts while the server was down")
    assert running_agent.link.connects == 0
    site.server.start()
    wait_for(lambda: running_agent.link.connected, 15, "the link came up once the server did")
    assert reader_state(site) == "attached", "agent_hello carried the status gathered while offline"

    site.server.kill()
    wait_for(lambda: not running_agent.link.connected, 15, "the link noticed the server died")
    site.server.start()
    wait_for(lambda: running_agent.link.connects >= 2, 20, "the link came back after the restart")
    screen = KioskScreenClient(site.server.url, site.kiosk.key).connect()
    try:
        sim.present(card_of(site.resident))
        wait_for(lambda: screen.received("citizen_session"), 15, "a session after the restart")
    finally:
        screen.close()


def test_an_unplugged_reader_is_reported_detached_and_attached_again(site, sim, running_agent):
    site.server.start()
    running_agent.start()
    # The first report waits on the agent's start and first connection too: on a loaded two-core
    # CI machine beside a browser test that once took longer than 15 s.
    wait_for(lambda: reader_state(site) == "attached", 30, "attached")
    sim.unplug()
    wait_for(lambda: reader_state(site) == "detached", 15, "the unplug reached the fleet view")
    sim.replug()
    wait_for(lambda: reader_state(site) == "attached", 15, "the replug reached the fleet view")


def test_a_card_removed_while_the_link_was_down_ends_its_session_on_reconnect(site, sim, running_agent):
    site.server.start()
    screen = KioskScreenClient(site.server.url, site.kiosk.key).connect()
    try:
        running_agent.start()
        sim.present(card_of(site.resident))
        opened = wait_for(lambda: screen.received("citizen_session"), 15, "the session")[0]
        site.server.kill()
        wait_for(lambda: not running_agent.link.connected, 15, "the link went down")
        sim.remove()
        wait_for(lambda: not running_agent.cards_present, 10, "the agent saw the card leave")
        screen.close()
        site.server.start()
        wait_for(lambda: running_agent.link.connects >= 2, 20, "the link came back")
        screen = KioskScreenClient(site.server.url, site.kiosk.key).connect()
        wait_for(lambda: screen.received("welcome"), 10, "the kiosk page's welcome")
        assert not [s for s in screen.received("citizen_session") if s["session_id"] == opened["session_id"]], (
            "the session of a card that left while the link was down must not come back"
        )
    finally:
        screen.close()


def test_a_wrong_credential_is_refused_and_retried_quietly(site, sim, caplog):
    caplog.set_level(logging.INFO)
    site.server.start()
    config = AgentConfig(
        server_url=site.server.url,
        device_key=site.kiosk.key,
        credential="wrong",
        hotplug=False,
        pcsc=False,
        reconnect_backoff=(0.05, 0.1),
    )
    agent = Agent(config)
    agent.start()
    try:
        wait_for(lambda: agent.link.attempts >= 5, 15, "several refused attempts")
        assert not agent.link.connected
        assert caplog.text.count("cannot connect") == 1, "one line per reason, not one per attempt"
        assert "wrong" not in caplog.text.replace("wrong credential", ""), "the credential itself is never logged"
    finally:
        agent.stop()
