"""Acceptance, end to end: a revoked wall shows a new code by itself; a restart, an outage or a few refusals do not.

A real ``kiosk serve`` (heartbeats every 5 s, the shortest the settings allow) on the console world; displays enrolled by code in
Chromium, with their service workers. Revoked in the console, the running wall forgets its key,
manifest and plays and shows a new code, with nobody touching it. A server that goes away and comes
back, a manifest.json answering 503, and "unknown screen" refusals that manifest.json does not
confirm leave the wall where it is; and /enrol started with the server down opens the stored screen.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import pytest
from sqlalchemy.orm import Session

from kiosk_server.database import make_engine
from tests.support import migrated_schema
from tests.support.browser import chromium_missing
from tests.support.console_browser import sign_in
from tests.support.console_world import NOON, Clock, ConsoleWorld, seed_console_world
from tests.support.server import ServerProcess, wait_for

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
]

WALL: Final = {"width": 1920, "height": 1080}
HEARTBEAT_SECONDS: Final = 5  # the least KIOSK_HEARTBEAT_SECONDS takes
HALL_CONTENT: Final = (
    "() => document.body.innerText.includes('失业保险金申领指南') || document.body.innerText.includes('仓储管理员')"
)
OPEN: Final = '0{"sid":"mock","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}'


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, ConsoleWorld]]:
    root = Path(tmp_path_factory.mktemp("enrol-revoke"))
    url = f"sqlite:///{root / 'kiosk.sqlite3'}"
    engine = make_engine(url)
    migrated_schema.ready(engine)
    with Session(engine) as session:
        cw = seed_console_world(session, Clock(NOON))
        session.commit()
    engine.dispose()
    server = ServerProcess(root / "server", url, extra_env={"KIOSK_HEARTBEAT_SECONDS": str(HEARTBEAT_SECONDS)})
    server.start()
    try:
        yield server, cw
    finally:
        server.stop()


@pytest.fixture
def pages(browser: Any) -> Iterator[Any]:
    """new_page(service_workers="allow") in its own context; no page may have had a script error."""
    contexts: list[Any] = []
    errors: list[str] = []

    def new_page(service_workers: str = "allow", viewport: dict[str, int] | None = None) -> Any:
        context = browser.new_context(
            viewport=viewport or WALL, locale="zh-CN", timezone_id="Asia/Shanghai", service_workers=service_workers
        )
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    yield new_page
    for context in contexts:
        context.close()
    assert not errors, f"script errors on the page: {errors}"


def shown_code(display: Any, timeout: float = 15_000) -> str:
    display.wait_for_selector("body[data-state='code']", timeout=timeout)
    code: str = display.get_attribute("body", "data-code")
    assert code and display.locator("#code").inner_text().replace(" ", "") == code
    return code


def enrol(display: Any, console: Any, server: ServerProcess, cw: ConsoleWorld, name: str) -> tuple[str, str]:
    """Open /enrol on the display, claim its code in the console; (screen key, console URL) once it plays."""
    display.goto(f"{server.url}/enrol")
    code = shown_code(display)
    console.goto(f"{server.url}/console/enrol?code={code}")
    console.select_option("#f-hall_id", str(cw.world.hall_id))
    console.fill("#f-name", name)
    console.select_option("#f-kind", "wall")
    console.click("main button[type=submit]")
    assert f"已登记「{name}」" in console.locator(".flash").inner_text()
    display.wait_for_url("**/screen/*", timeout=15_000)
    display.wait_for_function(HALL_CONTENT, timeout=20_000)
    display.wait_for_selector("#wall[data-conn='online']", timeout=15_000)
    return display.url.rsplit("/", 1)[1], console.url


def held_for(display: Any, key: str) -> list[str]:
    """The localStorage slots the page holds for screen ``key`` (and the enrol page's key if it is that one)."""
    held: list[str] = display.evaluate(
        """(key) => Object.keys(localStorage).filter(
             (name) => name.startsWith(`wall:${key}:`) || localStorage.getItem(name) === key)""",
        key,
    )
    return held


def test_a_revoked_wall_shows_a_new_code_by_itself(site: Any, pages: Any) -> None:
    server, cw = site
    display, console = pages(), pages(service_workers="block", viewport={"width": 1366, "height": 800})
    sign_in(console, server, "tech")
    key, console_url = enrol(display, console, server, cw, "二楼西侧大屏")
    old_code = display.get_attribute("body", "data-code")  # gone with the page: None
    display.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15_000)
    assert held_for(display, key)  # the manifest and the enrol page's key are kept

    console.goto(console_url)
    console.click("button[data-revoke]")
    assert "已停用" in console.locator(".flash").inner_text()
    revoked_at = time.monotonic()
    display.wait_for_url(f"{server.url}/enrol", timeout=30_000)
    code = shown_code(display)
    took = time.monotonic() - revoked_at
    # Cut at the next beat (≤ 6 s), then three refusals 1, 2 and 4 s apart (× 0.5 to 1.5) and one question:
    # within about two heartbeats and the backoff.
    assert took < 2 * HEARTBEAT_SECONDS + 15, f"the wall took {took:.1f}s to show a new code"
    assert code != old_code
    assert held_for(display, key) == []
    cached = display.evaluate(
        """async (key) => {
             const found = [];
             for (const name of await caches.keys())
               for (const request of await (await caches.open(name)).keys())
                 if (new URL(request.url).pathname.startsWith(`/screen/${key}`)) found.push(request.url);
             return found;
           }""",
        key,
    )
    assert cached == []


def test_enrol_offline_opens_the_stored_screen_and_a_restart_keeps_the_wall(site: Any, pages: Any) -> None:
    server, cw = site
    display, console = pages(), pages(service_workers="block", viewport={"width": 1366, "height": 800})
    sign_in(console, server, "tech")
    key, _ = enrol(display, console, server, cw, "三楼大屏")
    # Both service workers hold their page: /enrol (scope /enrol) and the screen (scope /screen/).
    cached = """async (key) => {
        const shell = await caches.open('wall-v1-shell');
        const controlled = navigator.serviceWorker.controller !== null;
        return controlled && Boolean(await shell.match('/enrol')) && Boolean(await shell.match(`/screen/${key}`));
      }"""
    wait_for(lambda: display.evaluate(cached, key), 30, "both service workers to hold their page", interval=0.25)
    server.stop()
    try:
        display.goto(f"{server.url}/enrol")  # the box's start page, with the server away
        display.wait_for_url(f"**/screen/{key}", timeout=15_000)
        display.wait_for_function(HALL_CONTENT, timeout=15_000)  # the cached manifest plays
        assert display.get_attribute("#wall", "data-conn") != "online"
    finally:
        server.start()
    display.wait_for_selector("#wall[data-conn='online']", timeout=90_000)
    assert display.url == f"{server.url}/screen/{key}"
    assert held_for(display, key)


def test_refusals_manifest_json_does_not_confirm_keep_the_wall(site: Any, pages: Any) -> None:
    server, cw = site
    display, console = pages(), pages(service_workers="block", viewport={"width": 1366, "height": 800})
    sign_in(console, server, "tech")
    key, _ = enrol(display, console, server, cw, "一楼大屏")
    wall = pages(service_workers="block")  # page.route sees manifest.json only without a service worker
    refused: list[str] = []
    unavailable: list[str] = []
    mode = {"refuse": True}

    def socket(ws: Any) -> None:
        if not mode["refuse"]:
            ws.connect_to_server()  # the real server from now on
            return
        ws.send(OPEN)

        def on_message(message: Any) -> None:
            if isinstance(message, str) and message.startswith("40/screen"):
                refused.append(message)
                ws.send('44/screen,{"message":"unknown screen"}')

        ws.on_message(on_message)

    def manifest(route: Any) -> None:
        unavailable.append(route.request.url)
        route.fulfill(status=503, content_type="application/json", body='{"error": "database_unavailable"}')

    wall.route_web_socket("**/socket.io/**", socket)
    wall.route("**/manifest.json", manifest)
    wall.goto(f"{server.url}/screen/{key}")
    # Three refusals, then the question to manifest.json (503: a database outage, not a revocation).
    wall.wait_for_function(
        "() => window.__wall && window.__wall.revocation.refusals >= 3 && !window.__wall.revocation.checking",
        timeout=30_000,
    )
    assert len(refused) >= 3 and len(unavailable) >= 2  # the boot's fetch, and the confirmation asked
    assert wall.evaluate("() => window.__wall.revocation.revoked") is False
    assert wall.url == f"{server.url}/screen/{key}"

    # The refusals end (a restart that recovered): the wall connects and the count starts again.
    mode["refuse"] = False
    wall.unroute("**/manifest.json")
    wall.wait_for_selector("#wall[data-conn='online']", timeout=90_000)
    assert wall.evaluate("() => window.__wall.revocation.refusals") == 0
    assert wall.url == f"{server.url}/screen/{key}"
