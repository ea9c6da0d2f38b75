"""Acceptance, end to end: a wall whose hello fails for real catches up by itself, in Chromium.

A real server on PostgreSQL, the real wall player. The test holds a lock on the outbox past the
server's lock timeout (tests/support/outbox_lock.py) while the wall reconnects, so its hello fails
as it does when a restarted server's walls all come back at once; a vacancy is then committed while
the wall is in no group's room. The player's own hello retries must bring it welcome and the vacancy.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from kiosk_server.database import make_engine
from tests.support import migrated_schema
from tests.support.browser import chromium_missing, screenshot
from tests.support.outbox_lock import outbox_locked, wait_until_reads_fail, with_lock_timeout
from tests.support.server import ServerProcess, wait_for
from tests.support.world import World, add_vacancy, build_world

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
]

VACANCY = "仓储管理员"  # what the wall's schedule plays (tests/support/world.py)


@pytest.fixture
def live(postgres_url: str, tmp_path: Path) -> Iterator[tuple[str, World, Session, ServerProcess]]:
    engine = make_engine(postgres_url)
    migrated_schema.ready(engine)
    with Session(engine) as session:
        world = build_world(session, vacancies=3)  # one page: a new vacancy is on the page being shown
        # Heartbeats a minute apart: within the test only the player's own hello retries can bring welcome.
        server = ServerProcess(
            tmp_path / "server", with_lock_timeout(postgres_url, 1000), extra_env={"KIOSK_HEARTBEAT_SECONDS": "60"}
        )
        server.start()
        try:
            yield postgres_url, world, session, server
        finally:
            server.stop()
    engine.dispose()


def test_a_wall_whose_hello_failed_retries_it_to_welcome_and_the_newest_vacancy(browser: Any, live) -> None:
    url, world, session, server = live
    key = world.wall_keys[0]
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    try:
        page.goto(f"{server.url}/screen/{key}")
        page.wait_for_function("t => document.body.innerText.includes(t)", arg=VACANCY, timeout=15_000)
        page.wait_for_function("() => window.__wall.store.welcome !== null", timeout=15_000)
        with outbox_locked(url):
            wait_until_reads_fail(server, key)
            page.evaluate(
                """() => {
                window.__welcomes = 0;
                window.__wall.store.subscribe((change) => { if (change === 'welcome') window.__welcomes += 1; });
                window.__wall.socket.stop();
                window.__wall.socket.start();
            }"""
            )
            wait_for(
                lambda: "hello failed for screen" in server.log_tail(400),
                15,
                "the wall's hello to fail while the outbox is locked",
                interval=0.2,
            )
            assert page.evaluate("() => window.__welcomes") == 0
        title = "焊工（夜班）"
        add_vacancy(session, world, title)
        # The player's retries go 1 s, 2 s, 4 s apart (each × [0.5, 1.5]) until a welcome answers one.
        try:
            page.wait_for_function("() => window.__welcomes >= 1", timeout=10_000)
            page.wait_for_function("t => document.body.innerText.includes(t)", arg=title, timeout=10_000)
        except Exception as err:
            screenshot(page, "e2e-wall-hello-retry-stale")
            raise AssertionError(f"the wall did not catch up after its hello failed:\n{server.log_tail()}") from err
        assert page.get_attribute("#wall", "data-conn") == "online"
    finally:
        page.close()
