"""Acceptance, end to end: the layout editor's live preview redraws a region as its numbers are typed.

A real ``kiosk serve`` and Debian Chromium. The editor opens a new layout, changes the main
region's width and adds a side region: the preview boxes follow without a reload (the ES module
``js/console/layout-preview.js``); then the layout is saved and listed. Pages are photographed
(docs/screens/ with KIOSK_DOC_SCREENS=1); look at them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import pytest

from tests.support.browser import chromium_missing
from tests.support.console_browser import console_pages, console_site, shoot, sign_in
from tests.support.console_world import ConsoleWorld
from tests.support.server import ServerProcess

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
]

DESKTOP: Final = {"width": 1366, "height": 1000}
WAIT_MS: Final = 5000


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, ConsoleWorld]]:
    with console_site(Path(tmp_path_factory.mktemp("layouts"))) as (server, cw, _):
        yield server, cw


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    with console_pages(browser, DESKTOP) as new_page:
        yield new_page()


def box_width(page: Any, row: int) -> str:
    return str(
        page.evaluate(f"() => document.querySelector('#layout-preview .lay-box[data-row=\"{row}\"]')?.style.width")
    )


def test_typing_a_width_redraws_the_preview_box_without_a_reload(site: Any, page: Any) -> None:
    server, _ = site
    sign_in(page, server, "editor")
    page.goto(f"{server.url}/console/layouts/new")
    page.evaluate("() => { window.sameDocument = true; }")
    assert box_width(page, 0) == "100%"  # drawn by the server
    stage = page.locator("#layout-preview").bounding_box()

    page.fill("input[name='r0.w']", "60")
    page.wait_for_function(
        "() => document.querySelector('#layout-preview .lay-box[data-row=\"0\"]').style.width === '60%'",
        timeout=WAIT_MS,
    )
    main = page.locator("#layout-preview .lay-box[data-row='0']").bounding_box()
    assert abs(main["width"] - 0.6 * stage["width"]) < 2  # drawn at 60 % of the scaled screen

    page.fill("input[name='r1.name']", "side")
    page.select_option("select[name='r1.widget']", "queue")
    for field, value in (("x", "60"), ("y", "0"), ("w", "40"), ("h", "100")):
        page.fill(f"input[name='r1.{field}']", value)
    page.wait_for_function(
        "() => document.querySelector('#layout-preview .lay-box[data-row=\"1\"]')?.style.left === '60%'",
        timeout=WAIT_MS,
    )
    assert page.locator("#layout-preview .lay-box[data-row='1']").inner_text() == "side"
    page.fill("input[name='r1.w']", "50")  # ends at 110 %: marked before the server says so
    page.wait_for_function(
        "() => document.querySelector('#layout-preview .lay-box[data-row=\"1\"]').classList.contains('lay-box--bad')",
        timeout=WAIT_MS,
    )
    assert page.evaluate("() => window.sameDocument === true"), "the page reloaded"
    page.fill("input[name='name']", "城关区双栏")
    shoot(page, "console-layout-preview")

    page.click("form#layout-form button[type=submit]")  # the server refuses the overflowing region
    page.wait_for_selector("#f-r1\\.w-error")
    assert page.locator("#f-r1\\.w-error").inner_text().endswith("区域2 宽度：超出画面")
    shoot(page, "console-layout-errors")
    page.fill("input[name='r1.w']", "40")
    page.click("form#layout-form button[type=submit]")
    page.wait_for_selector(".flash")
    page.goto(f"{server.url}/console/layouts")
    assert page.locator("#layouts tr", has_text="城关区双栏").count() == 1
    shoot(page, "console-layouts")


def test_the_playlist_form_lists_entries_in_scope(site: Any, page: Any) -> None:
    server, _ = site
    sign_in(page, server, "editor")
    page.goto(f"{server.url}/console/playlists")
    page.click("#playlists a >> text=岗位与政策")
    page.wait_for_selector("#read-only")
    assert page.locator("#entries tr[data-row]").count() == 2  # read-only: no blank rows
    shoot(page, "console-playlist-read-only")
    page.goto(f"{server.url}/console/playlists/new")
    page.fill("input[name='name']", "城关区字幕")
    page.select_option("select[name='e0.item']", label="[字幕] 本中心工作时间：周一至周五 9:00-17:00")
    page.fill("input[name='e0.duration']", "2")
    page.click("form#playlist-form button[type=submit]")
    page.wait_for_selector("#f-e0\\.duration-error")
    assert page.locator("#f-e0\\.duration-error").inner_text().endswith("第1项 时长（秒）：须在3到3600之间")
    shoot(page, "console-playlist-errors")
