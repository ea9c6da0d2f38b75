"""The screen page in Chromium against a real ``kiosk serve``: a technician edits a screen through the form.

The photograph is docs/screens/console-screen.png (1366×768, with KIOSK_DOC_SCREENS=1; look at it).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import chromium_missing
from tests.support.console_browser import console_pages, console_site, shoot, sign_in
from tests.support.console_world import ConsoleWorld
from tests.support.server import ServerProcess, wait_for

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, ConsoleWorld]]:
    with console_site(Path(tmp_path_factory.mktemp("structure"))) as (server, cw, _):
        yield server, cw


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    with console_pages(browser, {"width": 1366, "height": 768}) as new_page:
        yield new_page()


def test_a_technician_opens_a_screen_from_the_fleet_and_edits_it(site: Any, page: Any, browser: Any) -> None:
    server, cw = site
    wall = browser.new_page(viewport={"width": 1280, "height": 720})  # a screen that plays, so it has a state
    try:
        wall.goto(f"{server.url}/screen/{cw.world.wall_keys[0]}")
        sign_in(page, server, "tech")
        page.goto(f"{server.url}/console/fleet?hall={cw.world.hall_id}")
        page.click("tbody tr a:text-is('大厅1号屏')")
        page.wait_for_url("**/console/screens/*")
        page.wait_for_function("() => document.querySelector('h1 [data-state]') !== null")
        page.fill("#f-name", "大厅1号屏（入口）")
        page.select_option("#f-preset", "fhd_portrait")
        page.fill("#f-tags", "入口，一楼")
        page.check("input[name=group_ids]")
        page.click("#edit ~ form button[type=submit]")
        page.wait_for_selector(".flash")
        assert page.locator("h1").first.inner_text().startswith("大厅1号屏（入口）")
        facts = page.locator(".facts").first.inner_text()
        assert "1080×1920" in facts and "兰州市入口屏" in facts and "一楼、入口" in facts
        # The wall keeps its key: it gets the new profile's manifest pushed and reports it with its
        # next heartbeat (every 45 s), so the page turns green again within a period or two.
        wait_for(lambda: _state_after_reload(page) == "current", 120, "the edited screen to be up to date", 1.0)
        shoot(page, "console-screen")
    finally:
        wall.close()


def _state_after_reload(page: Any) -> str:
    page.reload()
    return str(page.get_attribute("h1 [data-state]", "data-state"))


def test_an_org_admin_cannot_retire_a_hall_that_still_has_screens(site: Any, page: Any) -> None:
    server, cw = site
    sign_in(page, server, "orgadmin")
    page.click("nav a:text-is('大厅')")
    page.wait_for_url("**/console/halls")
    shoot(page, "console-halls")
    page.click(f"tr[data-hall='{cw.world.hall_id}'] a.button")
    page.check("input[name=confirm]")
    page.click("button.button--danger")
    page.wait_for_selector(".flash")
    assert "该大厅还有 3 块在用屏幕" in page.locator(".flash").inner_text()
