"""Remote care in Chromium: a technician's console page drives a real wall page through a real server.

The wall draws its own screenshot (an SVG foreignObject on a canvas) and sends it as a PNG
attachment; identify puts a flashing overlay with the screen's name over everything; reload makes
the page navigate. The console card shows each answer without a reload (it polls commands.json).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.org.screens import Screen
from kiosk_server.database import make_engine
from tests.support.browser import chromium_missing, doc_screenshot, screenshot
from tests.support.console_browser import console_pages, console_site, shoot, sign_in
from tests.support.console_world import ConsoleWorld
from tests.support.server import ServerProcess

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
]

VACANCY = "仓储管理员"
WAIT_MS = 20_000


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[ServerProcess, ConsoleWorld]]:
    with console_site(tmp_path) as (server, cw, _):
        yield server, cw


def screen_ids(server: ServerProcess) -> dict[str, int]:
    engine = make_engine(server.database_url)
    try:
        with Session(engine) as session:
            return {key: sid for sid, key in session.execute(select(Screen.id, Screen.key))}
    finally:
        engine.dispose()


def open_wall(browser: Any, server: ServerProcess, key: str, size: tuple[int, int]) -> Any:
    page = browser.new_page(viewport={"width": size[0], "height": size[1]}, locale="zh-CN")
    page.goto(f"{server.url}/screen/{key}")
    wait_online(page)
    return page


def wait_online(page: Any) -> None:
    """Connected and past hello: the manifest it was sent is applied (data-version set)."""
    page.wait_for_function(
        "() => { const w = document.getElementById('wall'); return w && w.dataset.conn === 'online' && w.dataset.version }",
        timeout=WAIT_MS,
    )


def press(console: Any, command: str) -> float:
    """Click a command's button (a form post that comes back to the screen page); the page's load time."""
    with console.expect_navigation(timeout=WAIT_MS):
        console.click(f"#care button[data-command={command}]")
    return float(console.evaluate("() => performance.timeOrigin"))


def answered(console: Any, loaded: float) -> tuple[str, str]:
    """(command, state) of the newest line once it is answered, as the card shows it, with no reload meanwhile."""
    console.wait_for_function(
        "() => { const r = document.querySelector('#care tbody tr');"
        " return r && !['pending', 'sent'].includes(r.dataset.state) }",
        timeout=WAIT_MS,
    )
    assert float(console.evaluate("() => performance.timeOrigin")) == loaded, "the card updated itself"
    row = console.locator("#care tbody tr").first
    return row.locator("td").first.inner_text(), str(row.get_attribute("data-state"))


def test_a_technician_sees_reloads_and_identifies_a_wall(
    browser: Any, site: tuple[ServerProcess, ConsoleWorld]
) -> None:
    server, cw = site
    ids = screen_ids(server)
    key = cw.world.wall_keys[0]
    wall_id = ids[key]
    wall = open_wall(browser, server, key, (1920, 1080))
    wall.wait_for_function("t => document.body.innerText.includes(t)", arg=VACANCY, timeout=WAIT_MS)

    with console_pages(browser) as new_page:
        console = new_page()
        sign_in(console, server, "tech")
        console.goto(f"{server.url}/console/screens/{wall_id}")

        # Screenshot: the wall draws itself; the card shows the picture without a reload.
        loaded = press(console, "screenshot")
        assert answered(console, loaded) == ("截屏", "done")
        console.wait_for_selector("#care [data-care-shot] img:not([hidden])", timeout=WAIT_MS)
        src = console.get_attribute("#care [data-care-shot] img", "src")
        picture = console.request.get(f"{server.url}{src}")
        assert picture.status == 200 and picture.headers["content-type"] == "image/png"
        with Image.open(io.BytesIO(picture.body())) as image:
            assert image.format == "PNG" and image.size == (1920, 1080)
            image.load()
            colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
            assert colours is not None and len(colours) > 20, "the picture shows the page, not one flat colour"
            (Path(screenshot(wall, "remote-care-wall")).parent / "remote-care-self-capture.png").write_bytes(
                picture.body()
            )
        shoot(console, "console-device-care", full=True)

        # Identify: a big flashing label over the wall.
        loaded = press(console, "identify")
        overlay = wall.locator("[data-identify]")
        overlay.wait_for(state="visible", timeout=WAIT_MS)
        assert overlay.inner_text() == f"大厅1号屏  #{wall_id}"
        box = overlay.bounding_box()
        assert box is not None and (box["width"], box["height"]) == (1920, 1080)
        doc_screenshot(wall, "remote-identify")
        assert answered(console, loaded) == ("识别屏幕", "done")

        # Reload: the wall answers, then navigates, and comes back online.
        wall.evaluate("() => { window.__beforeReload = true }")
        loaded = press(console, "reload")
        wall.wait_for_function("() => !window.__beforeReload", timeout=WAIT_MS)
        wait_online(wall)
        assert wall.locator("[data-identify]").count() == 0
        assert answered(console, loaded) == ("刷新页面", "done")
    wall.close()


def test_identify_is_legible_on_a_640_by_64_led_strip(browser: Any, site: tuple[ServerProcess, ConsoleWorld]) -> None:
    server, cw = site
    ids = screen_ids(server)
    strip = open_wall(browser, server, cw.world.led_key, (640, 64))
    with console_pages(browser) as new_page:
        console = new_page()
        sign_in(console, server, "tech")
        console.goto(f"{server.url}/console/screens/{ids[cw.world.led_key]}")
        press(console, "identify")
        label = strip.locator("[data-identify] .identify__label")
        label.wait_for(state="visible", timeout=WAIT_MS)
        box = label.bounding_box()
        assert box is not None and box["height"] <= 64 and box["width"] <= 640, box
        size = strip.evaluate("() => parseFloat(getComputedStyle(document.querySelector('.identify__label')).fontSize)")
        assert size >= 30, f"{size}px is too small for an LED strip"
        doc_screenshot(strip, "remote-identify-led")
    strip.close()
