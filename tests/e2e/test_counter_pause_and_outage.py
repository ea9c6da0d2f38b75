"""Acceptance, end to end (issue 20 item 4): 暂停服务 with a reason reaches the strip, transfer offers only
other lines and counters, every touch target is at least 44 px, and a call lost to an outage is said
so and retried, never dropped.

A real ``kiosk serve`` on SQLite, the counter page and the counter strip in Debian's Chromium.
Screenshots go to test-artifacts/ (docs/screens/ with KIOSK_DOC_SCREENS=1).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import pytest
from sqlalchemy.orm import Session

from kiosk_server.database import make_engine
from tests.support import migrated_schema
from tests.support.browser import chromium_missing, doc_screenshot
from tests.support.queue_world import STAFF_PASSWORD, STAFF_USER, QueueHall, add_queue, take_tickets
from tests.support.server import ServerProcess
from tests.support.world import build_world

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
]

TOUCH: Final = {"width": 1024, "height": 600}  # a counter's touch panel
DEADLINE_MS: Final = 10_000
MIN_TARGET: Final = 44

# Every visible thing a finger can press, and its size: links, buttons, inputs, the reasons' labels.
TARGETS: Final = """() => [...document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, label.cpause__reason, [role=button]')]
  .filter((el) => el.checkVisibility() && !el.closest('label.cpause__reason, dialog:not([open])')
                  || el.matches('label.cpause__reason') && el.checkVisibility())
  .map((el) => { const r = el.getBoundingClientRect();
    return { what: el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + '.' + [...el.classList].join('.')
                   + ' ' + (el.textContent || el.value || '').trim().slice(0, 12),
             width: Math.round(r.width * 10) / 10, height: Math.round(r.height * 10) / 10 }; })"""


@dataclass
class Live:
    server: ServerProcess
    hall: QueueHall


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    url = f"sqlite:///{tmp_path / 'kiosk.sqlite3'}"
    engine = make_engine(url)
    migrated_schema.ready(engine)
    with Session(engine) as session:
        hall = add_queue(session, build_world(session, vacancies=0), counters=2, strips=1)
        take_tickets(session, hall, "A", 3, datetime.now(UTC))
    engine.dispose()
    server = ServerProcess(tmp_path / "server", url)
    server.start()
    yield Live(server, hall)
    server.stop()


def counter_page(browser: Any, live: Live) -> Any:
    context = browser.new_context(viewport=TOUCH, has_touch=True, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.counter_errors = errors  # type: ignore[attr-defined]
    page.goto(f"{live.server.url}/counter/login")
    page.fill("#username", STAFF_USER)
    page.fill("#password", STAFF_PASSWORD)
    page.click("button[type=submit]")
    page.click(f"[data-counter='{live.hall.counter_ids[5]}']")
    page.wait_for_selector("[data-action=call]:not([disabled])")
    return page


def strip_page(browser: Any, live: Live) -> Any:
    page = browser.new_page(viewport={"width": 640, "height": 64})
    page.goto(f"{live.server.url}/screen/{live.hall.strip_keys[5]}")
    page.wait_for_selector(".strip[data-state=idle]", timeout=15_000)
    return page


def settled(page: Any, ticket: str | None) -> None:
    """Wait until the page holds ``ticket`` (a number, or None) and no action is on its way."""
    page.wait_for_function(
        """(want) => { const s = window.__counter && window.__counter.state();
           if (!s || document.querySelector('.cactions[aria-busy=true]')) return false;
           return (s.ticket ? s.ticket.number : null) === want; }""",
        arg=ticket,
        timeout=DEADLINE_MS,
    )


def too_small(page: Any) -> list[dict[str, Any]]:
    targets = page.evaluate(TARGETS)
    assert targets, "found the page's targets"
    return [t for t in targets if t["height"] < MIN_TARGET or t["width"] < MIN_TARGET]


def test_a_pause_with_its_reason_reaches_the_strip_and_stops_calls(browser: Any, live: Live) -> None:
    page = counter_page(browser, live)
    strip = strip_page(browser, live)
    page.click("#pause-open")
    page.check("input[name=reason][value=training]")
    doc_screenshot(page, "counter-pause-dialog")
    page.click(".cpause__buttons button[type=submit]")
    page.wait_for_selector("#paused:not([hidden])", timeout=DEADLINE_MS)
    assert "原因：业务培训" in page.inner_text("#paused")
    assert page.is_disabled("[data-action=call]"), "a paused counter calls nobody"
    strip.wait_for_selector(".strip[data-state=paused][data-reason=业务培训]", timeout=DEADLINE_MS)
    text = strip.inner_text(".strip")
    assert "5号窗口" in text and "暂停服务" in text and "业务培训" in text, text
    doc_screenshot(page, "counter-paused")
    doc_screenshot(strip, "queue-strip-led-paused-640x64")
    page.keyboard.press("KeyN")
    page.wait_for_function("() => window.__counter.status().text.includes('请先恢复服务')", timeout=DEADLINE_MS)
    settled(page, None)
    # Another reason in its own words, then back to work.
    assert page.is_hidden("#pause-open"), "a paused counter offers 恢复服务, not 暂停服务"
    page.click("[data-pause=resume]")
    strip.wait_for_selector(".strip[data-state=idle]", timeout=DEADLINE_MS)
    page.wait_for_selector("#paused[hidden]", state="attached", timeout=DEADLINE_MS)
    page.click("#pause-open")
    page.fill("#pause-other", "协助3号窗口")
    page.click(".cpause__buttons button[type=submit]")
    strip.wait_for_selector(".strip[data-state=paused][data-reason=协助3号窗口]", timeout=DEADLINE_MS)
    page.click("[data-pause=resume]")
    page.wait_for_selector("[data-action=call]:not([disabled])", timeout=DEADLINE_MS)
    page.keyboard.press("KeyN")
    settled(page, "A001")
    assert not page.counter_errors


def test_transfer_offers_only_other_lines_and_counters(browser: Any, live: Live) -> None:
    page = counter_page(browser, live)
    page.keyboard.press("KeyN")
    settled(page, "A001")
    page.click("[data-action=transfer]")
    page.wait_for_selector("#transfer[open]")
    services = page.locator("[data-kind=service] .ctransfer__choice").all_inner_texts()
    counters = page.locator("[data-kind=counter] .ctransfer__choice").all_inner_texts()
    assert services == ["B 就业登记"], "never the ticket's own line A"
    assert counters == ["6号窗口"], "never this counter"
    assert too_small(page) == []
    doc_screenshot(page, "counter-transfer-touch")
    page.click("[data-kind=service] .ctransfer__choice")
    settled(page, None)
    assert "A001 已转到 B 就业登记" in page.inner_text("#status")
    assert not page.counter_errors


def test_every_touch_target_is_at_least_44_px(browser: Any, live: Live) -> None:
    page = counter_page(browser, live)
    assert too_small(page) == [], "the counter page"
    page.keyboard.press("KeyN")
    settled(page, "A001")
    assert too_small(page) == [], "with a ticket"
    page.click("[data-action=finish]")
    settled(page, None)
    page.click("#pause-open")
    page.wait_for_selector("#pause[open]")
    assert too_small(page) == [], "the pause dialog"
    page.click(".cpause__buttons button[type=submit]")
    page.wait_for_selector("#paused:not([hidden])", timeout=DEADLINE_MS)
    assert too_small(page) == [], "paused"
    page.goto(f"{live.server.url}/counter?choose=1")
    assert too_small(page) == [], "the counter choice"


def test_a_call_during_an_outage_is_said_so_and_retried(browser: Any, live: Live) -> None:
    page = counter_page(browser, live)
    page.route("**/counter/api/*/call", lambda route: route.abort("connectionrefused"))
    page.keyboard.press("KeyN")
    page.wait_for_function("() => window.__counter.status().retry", timeout=DEADLINE_MS)
    assert "“叫号”未发送" in page.inner_text("#status")
    assert page.is_visible("#status-retry")
    # The next poll succeeds (only calls fail): the message stays, never 就绪.
    polled = page.evaluate("() => window.__counter.state().generated_at")
    page.wait_for_function(
        "(before) => window.__counter.state().generated_at !== before", arg=polled, timeout=DEADLINE_MS
    )
    assert "未发送" in page.inner_text("#status") and "就绪" not in page.inner_text("#status")
    assert page.evaluate("() => window.__counter.state().ticket") is None, "nothing was called"
    doc_screenshot(page, "counter-call-unsent")
    # A server error is said so too.
    page.unroute("**/counter/api/*/call")
    page.route("**/counter/api/*/call", lambda route: route.fulfill(status=503, body="unavailable"))
    page.click("#status-retry")
    page.wait_for_function("() => window.__counter.status().text.includes('503')", timeout=DEADLINE_MS)
    assert page.is_visible("#status-retry")
    page.unroute("**/counter/api/*/call")
    page.click("#status-retry")
    settled(page, "A001")
    page.wait_for_function("() => !window.__counter.status().retry", timeout=DEADLINE_MS)
    assert "已叫号：A001" in page.inner_text("#status")
    assert not page.counter_errors


def test_a_retry_after_a_lost_answer_does_not_call_twice(browser: Any, live: Live) -> None:
    page = counter_page(browser, live)

    def lose_answer(route: Any) -> None:
        route.fetch()  # the server calls A001…
        route.abort("connectionreset")  # …and the answer never arrives

    page.route("**/counter/api/*/call", lose_answer)
    page.keyboard.press("KeyN")
    page.wait_for_function("() => window.__counter.status().retry", timeout=DEADLINE_MS)
    page.unroute("**/counter/api/*/call")
    page.click("#status-retry")
    page.wait_for_function("() => !window.__counter.status().retry", timeout=DEADLINE_MS)
    settled(page, "A001")
    assert "已完成" in page.inner_text("#status"), "it says the call went through, and does not call A002"
