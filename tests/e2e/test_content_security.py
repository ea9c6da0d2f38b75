"""Every kind of page under the Content-Security-Policy, in Chromium: nothing the pages load or run is refused.

A CSP mistake does not fail loudly: the browser refuses a script or a style and says so only in its
console. So this test opens each kind of page a real ``kiosk serve`` sends (start page, wall,
kiosk, counter strip, ticket status, counter page, the console's pages with inline styles, script
and the preview's framed player) and fails on any "Content Security Policy" message.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from content.org.screens import Screen
from content.queue.setup import add_counter, add_service_type
from content.queue.ticketing import take_ticket
from tests.support.browser import chromium_missing
from tests.support.console_browser import console_site, sign_in
from tests.support.console_world import PASSWORD, ConsoleWorld
from tests.support.server import ServerProcess

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
]


def _extra(session: Session, cw: ConsoleWorld) -> dict[str, Any]:
    kiosk = Screen(hall_id=cw.world.hall_id, name="自助终端1", kind="kiosk", width_px=1080, height_px=1920)
    strip = Screen(hall_id=cw.world.hall_id, name="1号窗口屏", kind="counter", width_px=1280, height_px=200)
    session.add_all([kiosk, strip])
    service = add_service_type(session, cw.world.hall_id, prefix="A", name="社保业务")
    counter = add_counter(session, cw.world.hall_id, number=1, services=[service])
    ticket = take_ticket(session, service.id, datetime.now(UTC))
    session.flush()
    wall = session.query(Screen).filter_by(key=cw.world.wall_keys[0]).one()
    return {
        "kiosk": kiosk.key,
        "strip": strip.key,
        "counter": counter.id,
        "ticket": ticket.public_code,
        "wall_id": wall.id,
    }


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, ConsoleWorld, dict[str, Any]]]:
    with console_site(Path(tmp_path_factory.mktemp("csp")), _extra) as (server, cw, extra):
        assert extra is not None
        yield server, cw, extra


@pytest.fixture
def refused(browser: Any) -> Iterator[tuple[Any, list[str]]]:
    """A page whose console messages about the Content-Security-Policy are collected, and the list."""
    context = browser.new_context(viewport={"width": 1366, "height": 800}, locale="zh-CN")
    messages: list[str] = []
    page = context.new_page()
    page.on("console", lambda m: messages.append(m.text) if "Content Security Policy" in m.text else None)
    try:
        yield page, messages
    finally:
        context.close()


def visit(page: Any, url: str, ready: str) -> None:
    """Open ``url`` and wait until ``ready`` (a JS expression) holds, so its scripts have run."""
    answer = page.goto(url)
    assert answer is not None and answer.ok, url
    assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
    page.wait_for_function(ready, timeout=15_000)


def test_public_and_screen_pages_run_under_the_policy(site: Any, refused: Any) -> None:
    server, cw, extra = site
    page, messages = refused
    visit(page, f"{server.url}/", "() => document.readyState === 'complete'")
    # A wall fills its regions from its manifest through scripts and the socket.
    visit(page, f"{server.url}/screen/{cw.world.wall_keys[0]}", "() => document.body.innerText.includes('仓储管理员')")
    visit(page, f"{server.url}/screen/{extra['kiosk']}", "() => document.body.innerText.trim().length > 0")
    visit(page, f"{server.url}/screen/{extra['strip']}", "() => document.body.innerText.trim().length > 0")
    visit(page, f"{server.url}/q/{extra['ticket']}", "() => document.body.innerText.includes('A')")
    assert messages == []


def test_the_counter_page_runs_under_the_policy(site: Any, refused: Any) -> None:
    server, _, extra = site
    page, messages = refused
    page.goto(f"{server.url}/counter/login")
    page.fill("#username", "counter")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/counter*")
    visit(page, f"{server.url}/counter/{extra['counter']}", "() => document.querySelector('[data-action]') !== null")
    assert messages == []


def test_the_consoles_pages_run_under_the_policy(site: Any, refused: Any) -> None:
    server, _, extra = site
    page, messages = refused
    sign_in(page, server, "admin")
    for path in (
        "/console/",
        "/console/schedules",
        "/console/schedules/new",
        "/console/layouts/new",
        "/console/notices/new",
        "/console/fleet",
        "/console/users",
    ):
        visit(page, server.url + path, "() => document.readyState === 'complete'")
    visit(
        page,
        f"{server.url}/console/preview?screen={extra['wall_id']}",
        "() => { const f = document.querySelector('iframe');"
        " return f && f.contentDocument && f.contentDocument.body.innerText.includes('仓储管理员'); }",
    )
    assert messages == []
