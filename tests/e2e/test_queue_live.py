"""Acceptance, end to end: the counter page calls, the wall shows and announces it, the strip follows.

A real `kiosk serve`, the real counter page, wall player and counter strip in Chromium.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from kiosk_server.database import make_engine
from tests.support import migrated_schema
from tests.support.browser import chromium_missing, screenshot
from tests.support.queue_world import STAFF_PASSWORD, STAFF_USER, QueueHall, add_queue, take_tickets
from tests.support.server import ServerProcess
from tests.support.world import build_world

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
]

# A call must be on the wall within a second of the key press (the acceptance bound).
WITHIN_MS = 1000
# Everything after it: a deadline only, generous for a CI machine whose other worker drives a browser.
FOLLOWS_MS = 5000


@dataclass
class Live:
    server: ServerProcess
    hall: QueueHall


@pytest.fixture
def live(database_url: str, tmp_path: Path) -> Iterator[Live]:
    engine = make_engine(database_url)
    migrated_schema.ready(engine)
    with Session(engine) as session:
        hall = add_queue(session, build_world(session, vacancies=3), counters=2, strips=1)
        take_tickets(session, hall, "A", 3, datetime.now(UTC))
    engine.dispose()
    server = ServerProcess(tmp_path / "server", database_url)
    server.start()
    yield Live(server, hall)
    server.stop()


def counter_page(browser: Any, live: Live) -> Any:
    page = browser.new_page(viewport={"width": 800, "height": 480})
    page.goto(f"{live.server.url}/counter/login")
    page.fill("#username", STAFF_USER)
    page.fill("#password", STAFF_PASSWORD)
    page.click("button[type=submit]")
    page.click(f"[data-counter='{live.hall.counter_ids[5]}']")
    page.wait_for_selector("[data-action=call]:not([disabled])")
    return page


def press(counter: Any, action: str, key: str) -> None:
    """Press an action's key once its button is enabled (the page ignores keys while an action is in flight)."""
    counter.wait_for_selector(f"[data-action={action}]:not([disabled])", timeout=FOLLOWS_MS)
    counter.keyboard.press(key)


def screen_page(browser: Any, live: Live, key: str, size: tuple[int, int], ready: str) -> Any:
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    page.goto(f"{live.server.url}/screen/{key}")
    page.wait_for_selector(ready, timeout=15_000)
    return page


def test_a_call_reaches_the_wall_within_a_second_the_strip_follows_and_a_recall_is_marked(
    browser: Any, live: Live
) -> None:
    wall = screen_page(browser, live, live.hall.world.wall_keys[0], (1920, 1080), ".region--queue .qb__line")
    strip = screen_page(browser, live, live.hall.strip_keys[5], (640, 64), ".strip[data-state=idle]")
    counter = counter_page(browser, live)
    assert wall.locator(".qb__call").count() == 0
    assert wall.get_attribute(".qb__line[data-service=A]", "data-waiting") == "3"

    press(counter, "call", "n")
    wall.wait_for_selector(".qb__call--newest[data-ticket=A001][data-counter='5']", timeout=WITHIN_MS)
    assert "请A001号到5号窗口办理" in wall.inner_text(".qb__call--newest")
    assert wall.get_attribute(".qb__call--newest", "data-recall") != "true"
    strip.wait_for_selector(".strip[data-ticket=A001][data-state=called]", timeout=FOLLOWS_MS)
    assert "5号窗口" in strip.inner_text(".strip")
    wall.wait_for_selector(".qb__line[data-service=A][data-waiting='2']", timeout=FOLLOWS_MS)
    wall.wait_for_function(
        "() => window.__wall.announcer.log.some(e => e.text.includes('请A001号到5号窗口办理'))", timeout=5_000
    )

    press(counter, "recall", "r")
    wall.wait_for_selector(".qb__call--newest[data-ticket=A001][data-recall=true]", timeout=FOLLOWS_MS)
    assert "重呼" in wall.inner_text(".qb__call--newest")
    strip.wait_for_selector(".strip[data-ticket=A001][data-recall=true]", timeout=FOLLOWS_MS)
    wall.wait_for_function(
        "() => window.__wall.announcer.log.some(e => e.recall && e.text.startsWith('重呼'))", timeout=10_000
    )
    log = wall.evaluate("() => window.__wall.announcer.log")
    for earlier, later in zip(log, log[1:], strict=False):
        assert earlier["endedAt"] is not None and earlier["endedAt"] <= later["startedAt"], "announcements overlap"

    press(counter, "start", "s")
    strip.wait_for_selector(".strip[data-ticket=A001][data-state=serving]", timeout=FOLLOWS_MS)
    screenshot(wall, "queue-live-wall")
    screenshot(strip, "queue-live-strip")


def test_a_wall_that_reconnects_gets_the_board_it_missed(browser: Any, live: Live) -> None:
    wall = screen_page(browser, live, live.hall.world.wall_keys[0], (1920, 1080), ".region--queue .qb__line")
    counter = counter_page(browser, live)
    # Chromium's offline mode leaves open websockets alone: stop the player's socket instead.
    wall.evaluate("() => window.__wall.socket.stop()")
    wall.wait_for_function("() => document.getElementById('wall').dataset.conn === 'offline'")
    press(counter, "call", "n")
    counter.wait_for_function("() => document.getElementById('ticket-number').innerText.includes('A001')")
    assert wall.locator(".qb__call").count() == 0, "a stopped socket heard the call"
    wall.evaluate("() => window.__wall.socket.start()")  # hello with the held version: the snapshot follows
    wall.wait_for_selector(".qb__call--newest[data-ticket=A001]", timeout=10_000)
    assert wall.get_attribute(".qb__line[data-service=A]", "data-waiting") == "2"
