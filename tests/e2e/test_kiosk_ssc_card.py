"""Acceptance: social-security cards of generations 1, 2 and 3 on the kiosk page, through the real PC/SC stack.

Virtual card (devices/simulators/ssc_card.py) → vpcd → our own pcscd → ``SocialSecurityCardReader`` in
the real ``Agent`` (``agent.pcsc``) → ``kiosk serve`` with the demo world → the kiosk page in Chromium.
1.0 and 2.0 cards give the person; a 3.0 card without a PSAM gives its number, id code and version,
the demo records backend finds the person by card number, and the page says plainly that the card
was identified by number. The card identification code and region code are checked as they went to
the server in ``card_read``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.citizens.kiosk_agents import issue_agent_credential
from content.citizens.records import mask_name
from content.citizens.sessions import CARD_ONLY_NOTICE
from content.demo import DEFAULT_RNG_SEED, seed_demo
from content.demo.people import Person, demo_card_holders
from content.org.screens import Screen
from devices.agent.config import AgentConfig
from devices.agent.supervisor import Agent
from devices.agent.wire import CARD_READ
from devices.simulators.ssc_card import SyntheticPerson, VirtualSscCard
from kiosk_server.database import make_engine
from kiosk_server.records_backends import agent_credential_key, records_key
from tests.support import migrated_schema
from tests.support.browser import chromium_missing
from tests.support.kiosk_site import KIOSK_HALL, dom_text, open_kiosk, wait_screen, wait_session
from tests.support.pcscd import READER, XDIST_GROUP, card_slot, running_pcscd
from tests.support.server import ServerProcess, wait_for

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.xdist_group(XDIST_GROUP),  # pcscd is one daemon per machine
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
]

SECRET = "kiosk-ssc-e2e-secret-0123456789abcdef"
SCREENSHOT = Path("/tmp/kiosk-ssc-generation-3.png")


@dataclass
class SscSite:
    server: ServerProcess
    key: str
    agent: Agent
    people: list[Person]
    sent: list[dict[str, Any]] = field(default_factory=list)  # card_read payloads as the agent sent them

    @property
    def page_url(self) -> str:
        return f"{self.server.url}/screen/{self.key}"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[SscSite]:
    root = tmp_path_factory.mktemp("kiosk-ssc")
    with running_pcscd(root):
        url = f"sqlite:///{root / 'kiosk.sqlite3'}"
        engine = make_engine(url)
        migrated_schema.ready(engine)
        today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
        with Session(engine) as session:
            seed_demo(session, today=today, records_key=records_key(SECRET))
            session.commit()
            screens = session.scalars(select(Screen).where(Screen.kind == "kiosk").order_by(Screen.id)).all()
            screen = next(s for s in screens if s.hall.name == KIOSK_HALL)
            credential = issue_agent_credential(session, screen, agent_credential_key(SECRET))
            session.commit()
            key = screen.key
        engine.dispose()
        server = ServerProcess(
            root / "server", url, extra_env={"KIOSK_SECRET_KEY": SECRET, "KIOSK_SESSION_SWEEP_SECONDS": "0.5"}
        )
        server.start()
        config = AgentConfig(
            server_url=server.url,
            device_key=key,
            credential=credential,
            hotplug=False,
            pcsc=True,
            pcsc_reader=READER,
            reconnect_backoff=(0.1, 0.5),
        )
        agent = Agent(config)
        people = _three_people()
        site = SscSite(server, key, agent, people)
        _record_card_reads(site)
        agent.start()
        try:
            wait_for(lambda: agent.link.connected, 15, "the agent's link to the server")
            yield site
        finally:
            agent.stop()
            server.stop()


def _three_people() -> list[Person]:
    """Three demo card holders with different family names (so masked names tell them apart)."""
    chosen: list[Person] = []
    for person in demo_card_holders(DEFAULT_RNG_SEED):
        if person.ssc_card_number and all(p.name[0] != person.name[0] for p in chosen):
            chosen.append(person)
        if len(chosen) == 3:
            return chosen
    raise AssertionError("the demo people hold fewer than three card holders with distinct family names")


def _record_card_reads(site: SscSite) -> None:
    """Keep every ``card_read`` payload the agent's link sends to the server, with the server's ack."""
    link = site.agent.link
    original = link.send
    lock = threading.Lock()

    def send(event: str, payload: dict[str, Any]) -> Any:
        ack = original(event, payload)
        if event == CARD_READ:
            with lock:
                site.sent.append({"payload": payload, "ack": ack})
        return ack

    link.send = send  # type: ignore[method-assign]


def _card(person: Person, generation: int) -> VirtualSscCard:
    holder = SyntheticPerson(person.name, person.id_number, person.sex_code, person.nation_code or "01")
    # Issued by the city (…00), not the county of the ID number: the region must come from the card id code.
    return VirtualSscCard(
        holder, generation=generation, card_number=person.ssc_card_number, region=person.region_code[:4] + "00"
    )


@pytest.mark.parametrize("generation", [1, 2, 3])
def test_social_security_card_shows_the_person_on_the_kiosk_page(browser, site, generation) -> None:
    person = site.people[generation - 1]
    card = _card(person, generation)
    expected_code = card.ef05[0x01].hex().upper()
    region = person.region_code[:4] + "00"
    page = open_kiosk(browser, site)
    try:
        with card_slot() as insert:
            before = len(site.sent)
            insert(card)
            wait_session(page)
            wait_for(lambda: len(site.sent) > before, 10, "the agent's card_read and the server's ack")
            panel = page.inner_text(".kwho")
            assert f"{mask_name(person.name)}，您好" in panel
            assert person.masked_id_number in panel
            assert "社会保障卡" in panel
            if generation == 3:
                assert CARD_ONLY_NOTICE in panel, "a 3.0 card read without a PSAM says so plainly"
                page.screenshot(path=str(SCREENSHOT))
            else:
                assert CARD_ONLY_NOTICE not in panel
            body = dom_text(page)
            assert person.id_number not in body and person.name not in body, "only masked data in the page"

            sent = site.sent[-1]
            identity = sent["payload"]["identity"]
            assert sent["payload"]["source"] == "ssc" and sent["ack"]["ok"] is True
            assert identity["card_id_code"] == expected_code
            assert expected_code.startswith(region + "D156000005") and len(expected_code) == 32
            assert identity["region_code"] == region
            assert (identity["card_number"], identity["generation"]) == (person.ssc_card_number, generation)
            if generation == 3:
                assert (identity["id_number"], identity["name"], identity["personal_fields_available"]) == (
                    "",
                    "",
                    False,
                )
            else:
                assert identity["id_number"] == person.id_number and identity["personal_fields_available"]
        # the card left the reader: the session ends and the page clears
        wait_screen(page, "attract")
        assert person.masked_id_number not in dom_text(page)
        assert not page.kiosk_errors  # type: ignore[attr-defined]
    finally:
        page.context.close()
