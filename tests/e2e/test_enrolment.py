"""Acceptance, end to end: a display opened at /enrol becomes a wall of a hall by a code typed in the console.

A real ``kiosk serve`` on the console world; the display and the technician's console in two
Chromium pages. The display shows a code, the technician (field_technician) claims it, and the
display, without anyone touching it or reloading the console, opens its screen and plays the hall's
content. Then: codes refused in the console (wrong, reused), the device revoked (its socket is cut
at its next beat, and a restart at /enrol shows a new code), and a kiosk enrolled from a box whose
agent credential the server accepts. The pages are photographed (docs/screens/ with KIOSK_DOC_SCREENS=1).
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import pytest
from sqlalchemy.orm import Session

from content.citizens.kiosk_agents import verify_agent_credential
from kiosk_server.database import make_engine
from kiosk_server.records_backends import agent_credential_key
from tests.support.browser import chromium_missing, doc_screenshot
from tests.support.console_browser import console_pages, console_site, shoot, sign_in
from tests.support.console_world import ConsoleWorld
from tests.support.server import ServerProcess

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
]

WALL: Final = {"width": 1920, "height": 1080}
PORTRAIT: Final = {"width": 1080, "height": 1920}
HALL_CONTENT: Final = (
    "() => document.body.innerText.includes('失业保险金申领指南') || document.body.innerText.includes('仓储管理员')"
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, ConsoleWorld, Path]]:
    root = Path(tmp_path_factory.mktemp("enrol"))
    with console_site(root) as (server, cw, _):
        yield server, cw, root


def _shown_code(display: Any) -> str:
    display.wait_for_selector("body[data-state='code']", timeout=15_000)
    code: str = display.get_attribute("body", "data-code")
    assert code and display.locator("#code").inner_text().replace(" ", "") == code
    return code


def _post(server: ServerProcess, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        f"{server.url}{path}", data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def _claim(page: Any, server: ServerProcess, code: str, name: str, kind: str = "wall", hall_id: int = 0) -> None:
    page.goto(f"{server.url}/console/enrol")
    page.fill("#f-code", code)
    if hall_id:
        page.select_option("#f-hall_id", str(hall_id))
    page.fill("#f-name", name)
    page.select_option("#f-kind", kind)
    page.click("main button[type=submit]")


def test_a_display_becomes_a_wall_of_the_hall_by_its_code(site: Any, browser: Any) -> None:
    server, cw, _ = site
    with console_pages(browser, WALL) as new_display, console_pages(browser) as new_page:
        display, page = new_display(), new_page()
        display.goto(f"{server.url}/enrol")
        code = _shown_code(display)
        display.wait_for_function(
            "() => { const img = document.querySelector('#qr'); return img.complete && img.naturalWidth > 0; }"
        )
        assert server.url in display.locator(".enrol__server").inner_text()
        assert display.evaluate("() => document.documentElement.scrollWidth <= innerWidth")
        doc_screenshot(display, "enrol-display")

        sign_in(page, server, "tech")
        page.goto(f"{server.url}/console/enrol?code={code}")  # as the QR opens it
        assert page.input_value("#f-code") == code
        page.select_option("#f-hall_id", str(cw.world.hall_id))
        page.fill("#f-name", "三楼东侧大屏")
        page.select_option("#f-kind", "wall")
        page.select_option("#f-preset", "lcd_landscape")
        page.select_option("#f-group_ids", str(cw.group_id))
        page.fill("#f-tags", "三楼")
        shoot(page, "console-enrol", full=True)
        page.click("main button[type=submit]")
        assert "已登记「三楼东侧大屏」" in page.locator(".flash").inner_text()
        console_url = page.url

        display.wait_for_url("**/screen/*", timeout=15_000)
        key = display.url.rsplit("/", 1)[1]
        assert display.evaluate("() => localStorage.getItem('kiosk.enrol.key')") == key
        display.wait_for_function(HALL_CONTENT, timeout=20_000)
        display.wait_for_selector("#wall[data-conn='online']", timeout=15_000)
        assert page.url == console_url  # the console was not reloaded for the display to switch

        # A later start at /enrol goes straight to the stored screen.
        display.goto(f"{server.url}/enrol")
        display.wait_for_url(f"**/screen/{key}", timeout=15_000)
        display.wait_for_selector("#wall[data-conn='online']", timeout=15_000)

        # Codes the console refuses: a wrong one, and the one just used.
        _claim(page, server, "YYYYYY", "错码屏", hall_id=cw.world.hall_id)
        assert "没有这个登记码" in page.locator("#f-code-error").inner_text()
        _claim(page, server, code, "重复屏", hall_id=cw.world.hall_id)
        assert "已经用过" in page.locator("#f-code-error").inner_text()

        # Revoked: the socket is cut at its next beat (5 s in tests), and a restart shows a new code.
        page.goto(console_url)
        page.click("button[data-revoke]")
        assert "已停用" in page.locator(".flash").inner_text()
        display.wait_for_selector("#wall:not([data-conn='online'])", timeout=20_000)
        display.goto(f"{server.url}/enrol")
        again = _shown_code(display)
        assert again != code
        assert display.evaluate("() => localStorage.getItem('kiosk.enrol.key')") is None


def test_the_code_fits_a_portrait_kiosk(site: Any, browser: Any) -> None:
    server, _, _ = site
    with console_pages(browser, PORTRAIT) as new_display:
        display = new_display()
        display.goto(f"{server.url}/enrol")
        _shown_code(display)
        box = display.locator("#code").bounding_box()
        assert box["width"] <= PORTRAIT["width"] and box["height"] >= 120  # big, and on the screen
        assert display.evaluate("() => document.documentElement.scrollWidth <= innerWidth")
        doc_screenshot(display, "enrol-display-portrait")


def test_an_unreachable_server_is_said_and_retried(site: Any, browser: Any) -> None:
    server, _, _ = site
    with console_pages(browser, WALL) as new_display:
        display = new_display()
        display.route("**/enrol/api/codes", lambda route: route.abort("connectionrefused"))
        display.goto(f"{server.url}/enrol")
        display.wait_for_selector("body[data-state='offline']", timeout=15_000)
        assert "无法连接服务器" in display.locator(".enrol__message--offline").inner_text()
        assert display.locator(".enrol__message--offline").is_visible()
        display.unroute("**/enrol/api/codes")
        _shown_code(display)  # the retry, with backoff, gets a code once the server answers
        assert not display.locator(".enrol__message--offline").is_visible()


def test_a_kiosk_enrolled_from_a_box_gets_an_agent_credential_the_server_accepts(site: Any, browser: Any) -> None:
    server, cw, root = site
    status, issued = _post(server, "/enrol/api/codes", {"device": "box", "client": "kiosk provision"})
    assert status == 201
    with console_pages(browser) as new_page:
        page = new_page()
        sign_in(page, server, "manager")
        _claim(page, server, issued["code"].lower(), "一楼自助终端", kind="kiosk")
        assert "已登记「一楼自助终端」" in page.locator(".flash").inner_text()
    status, body = _post(server, "/enrol/api/poll", {"secret": issued["secret"]})
    assert status == 200 and body["state"] == "enrolled" and body["screen"]["kind"] == "kiosk"
    engine = make_engine(server.database_url)
    try:
        with Session(engine) as session:
            key = agent_credential_key(_server_secret(server))
            found = verify_agent_credential(session, body["screen"]["key"], body["agent_credential"], key)
            assert found is not None and found.hall_id == cw.world.hall_id
    finally:
        engine.dispose()
    assert _post(server, "/enrol/api/poll", {"secret": issued["secret"]}) == (410, {"state": "delivered"})


def _server_secret(server: ServerProcess) -> str:
    """The secret key the server runs with (kept in its data directory when none is configured)."""
    from kiosk_server.config import load_settings

    return load_settings({"data_dir": str(server.data_dir), "database_url": server.database_url}).secret_key
