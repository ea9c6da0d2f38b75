"""Acceptance, end to end: a card on the kiosk's reader greets the citizen on the kiosk page.

Simulated GA/T 467 reader on a pty → ``IdCardReader`` → ``Agent`` → ``kiosk serve`` → the kiosk page
in Chromium. Removing the card clears the page, and nothing personal is left in browser storage.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from devices.agent.config import AgentConfig
from devices.agent.supervisor import Agent
from devices.drivers.idcard_reader import IdCardReader
from devices.drivers.known_readers import ReaderKind
from devices.simulators.idcard_reader import SimCard, SimIdCardReader
from kiosk_server.database import make_engine
from kiosk_server.records_backends import agent_credential_key, records_key
from tests.support import migrated_schema
from tests.support.browser import chromium_missing, screenshot
from tests.support.citizens import add_holder, add_kiosk
from tests.support.server import ServerProcess, wait_for
from tests.support.world import build_world

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
]

SECRET = "kiosk-page-e2e-secret-0123456789abcdef"


@pytest.fixture
def kiosk_site(tmp_path: Path) -> Iterator[tuple[ServerProcess, Any, Any, SimIdCardReader, Agent]]:
    url = f"sqlite:///{tmp_path / 'kiosk.sqlite3'}"
    engine = make_engine(url)
    migrated_schema.ready(engine)
    with Session(engine) as session:
        world = build_world(session, vacancies=3)
        session.commit()
        kiosk = add_kiosk(session, world.hall_id, agent_credential_key(SECRET))
        holder = add_holder(session, records_key(SECRET), name="王秀英", birth=date(1958, 9, 2), sequence=24)
    engine.dispose()
    server = ServerProcess(tmp_path / "server", url, extra_env={"KIOSK_SECRET_KEY": SECRET})
    server.start()
    sim = SimIdCardReader().start()
    config = AgentConfig(
        server_url=server.url,
        device_key=kiosk.key,
        credential=kiosk.credential,
        hotplug=False,
        pcsc=False,
        reconnect_backoff=(0.1, 0.5),
    )
    agent = Agent(
        config,
        drivers=((ReaderKind.IDCARD_SERIAL, lambda emit: IdCardReader(sim.port, emit, reader_id="idcard-page")),),
    )
    agent.start()
    yield server, kiosk, holder, sim, agent
    agent.stop()
    sim.stop()
    server.stop()


def test_the_kiosk_page_greets_the_card_holder_masked_and_clears_on_removal(browser, kiosk_site) -> None:
    server, kiosk, holder, sim, agent = kiosk_site
    wait_for(lambda: agent.link.connected, 15, "the agent's link")
    page = browser.new_page(viewport={"width": 1080, "height": 1920})
    try:
        page.goto(f"{server.url}/screen/{kiosk.key}")
        page.wait_for_function("() => document.getElementById('wall').dataset.conn === 'online'", timeout=15_000)
        page.wait_for_selector("#kiosk[data-screen='attract']", state="attached")
        sim.present(
            SimCard(
                name=holder.name,
                sex_code=holder.sex_code,
                birth_date=holder.birth_date.strftime("%Y%m%d"),
                id_number=holder.id_number,
            )
        )
        page.wait_for_selector(".kwho", timeout=15_000)
        page.wait_for_selector("#kiosk[data-screen='home']", state="attached")
        panel = page.inner_text(".kwho")
        assert "王**，您好" in panel
        assert holder.masked_id in panel
        assert "居民身份证" in panel
        body = page.evaluate("() => document.documentElement.outerHTML")
        assert holder.id_number not in body and holder.name not in body, "only masked data in the page"
        screenshot(page, "kiosk-citizen-session")

        sim.remove()
        page.wait_for_selector("#kiosk[data-screen='attract']", state="attached", timeout=15_000)
        assert page.locator(".kwho").count() == 0 or page.is_hidden(".kwho")
        assert holder.masked_id not in page.evaluate("() => document.documentElement.outerHTML")
        stored = page.evaluate("() => JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage)])")
        for secret in (holder.masked_id, holder.id_number, "王**"):
            assert secret not in stored, "nothing personal may stay in browser storage"
    finally:
        page.close()
