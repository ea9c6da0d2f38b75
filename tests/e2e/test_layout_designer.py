"""Acceptance, end to end: the layout designer and playlist ordering change what is stored.

A real ``kiosk serve`` on SQLite and Debian Chromium. On the layout form the designer
(``js/console/layout-designer.js``) moves, resizes and draws regions with the mouse and the keyboard,
snapping to the 1 % grid and other regions' edges, and says overlaps in words; saving is the form's
own submit, and the stored regions are read back from the database. On the playlist form
(``js/console/playlist-order.js``) entries are reordered by a handle and by 下移 and Alt+↑, and the
stored order follows. The designer is photographed at 1366×900 on a 1920×1080 layout and on the LED
profile (docs/screens/ with KIOSK_DOC_SCREENS=1); look at them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from content.library.items import Ticker
from content.signage.layouts import Layout, LayoutRegion
from content.signage.playlists import Playlist, PlaylistEntry
from kiosk_server.database import make_engine
from tests.support.browser import chromium_missing
from tests.support.console_browser import console_pages, console_site, shoot, sign_in
from tests.support.console_world import ConsoleWorld
from tests.support.kiosk_site import axe_missing, axe_violations
from tests.support.server import ServerProcess

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
]

VIEWPORT: Final = {"width": 1366, "height": 900}
WAIT_MS: Final = 5000
LAYOUT: Final = "城关区大厅横屏"
PLAYLIST: Final = "城关区轮播"


def _city_content(session: Session, cw: ConsoleWorld) -> None:
    """A 1920×1080 layout and a three-entry playlist the city's editor may change."""
    layout = Layout(org_unit_id=cw.world.city_id, name=LAYOUT)
    layout.regions = [
        LayoutRegion(name="header", widget="header", x=0, y=0, w=0.75, h=0.1, z=0),
        LayoutRegion(name="clock", widget="clock", x=0.75, y=0, w=0.25, h=0.1, z=1),
        LayoutRegion(name="main", widget="playlist", x=0, y=0.1, w=1, h=0.82, z=2),
        LayoutRegion(name="ticker", widget="ticker", x=0, y=0.92, w=1, h=0.08, z=3),
    ]
    ticker = session.scalars(select(Ticker)).first()
    assert ticker is not None
    playlist = Playlist(org_unit_id=cw.world.city_id, name=PLAYLIST)
    playlist.entries = [
        PlaylistEntry(position=0, kind="vacancy_board", duration_seconds=10, params={"page_size": 8}),
        PlaylistEntry(position=1, kind="notice_feed", duration_seconds=15, params={}),
        PlaylistEntry(position=2, kind="item", item_id=ticker.id, duration_seconds=30),
    ]
    session.add_all([layout, playlist])
    session.flush()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, str]]:
    root = Path(tmp_path_factory.mktemp("designer"))
    with console_site(root, _city_content) as (server, _, _):
        yield server, f"sqlite:///{root / 'kiosk.sqlite3'}"


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    with console_pages(browser, VIEWPORT) as new_page:
        yield new_page()


def stored_regions(url: str) -> dict[str, tuple[float, float, float, float]]:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            layout = session.scalars(
                select(Layout).where(Layout.name == LAYOUT).options(selectinload(Layout.regions))
            ).one()
            return {r.name: (round(r.x, 4), round(r.y, 4), round(r.w, 4), round(r.h, 4)) for r in layout.regions}
    finally:
        engine.dispose()


def stored_order(url: str) -> list[str]:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            playlist = session.scalars(
                select(Playlist).where(Playlist.name == PLAYLIST).options(selectinload(Playlist.entries))
            ).one()
            return [e.kind for e in playlist.entries]
    finally:
        engine.dispose()


def open_layout(page: Any, server: ServerProcess) -> None:
    sign_in(page, server, "editor")
    page.goto(f"{server.url}/console/layouts")
    page.click(f"#layouts a >> text={LAYOUT}")
    page.wait_for_selector("#layout-preview.lay-stage--designer .lay-box[tabindex='0']")


def show_designer(page: Any) -> None:
    """Scroll so the designer's controls and canvas fill the window (what the photographs show)."""
    page.evaluate("() => document.getElementById('layout-designer').scrollIntoView()")


def field(page: Any, name: str) -> str:
    return str(page.input_value(f"input[name='{name}']"))


def geometry(page: Any, row: int) -> tuple[str, ...]:
    """The four percentage fields of a region row, as typed: left, top, width, height."""
    return tuple(field(page, f"r{row}.{f}") for f in ("x", "y", "w", "h"))


def point(page: Any, x: float, y: float) -> tuple[float, float]:
    """Where (x %, y %) of the screen lies in the viewport, the stage scrolled into view."""
    page.locator("#layout-preview").scroll_into_view_if_needed()
    stage = page.locator("#layout-preview").bounding_box()
    return stage["x"] + stage["width"] * x / 100, stage["y"] + stage["height"] * y / 100


def drag(page: Any, start: tuple[float, float], end: tuple[float, float]) -> None:
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(*end, steps=8)
    page.mouse.up()


def test_dragging_a_region_changes_the_stored_region_and_an_overlap_is_said_in_words(site: Any, page: Any) -> None:
    server, url = site
    open_layout(page, server)
    assert page.locator("#layout-overlaps li").count() == 0
    assert page.inner_text("#layout-overlaps-head") == "没有重叠的区域"

    # the clock (75–100 % across, 0–10 % down) dragged 10.3 % to the left and 0.2 % down: onto the grid
    drag(page, point(page, 87.5, 5), point(page, 77.2, 5.2))
    page.wait_for_function("() => document.querySelector(\"input[name='r1.x']\").value === '65'", timeout=WAIT_MS)
    assert geometry(page, 1) == ("65", "0", "25", "10")
    clock = page.locator("#layout-preview .lay-box[data-row='1']")
    assert "lay-box--overlap" in (clock.get_attribute("class") or "")
    assert page.locator("#layout-overlaps li").all_inner_texts() == ["区域1“header”与区域2“clock”重叠"]
    show_designer(page)
    shoot(page, "console-layout-designer")  # the clock selected, the overlap outlined and said

    page.click("form#layout-form button[type=submit]")  # the form's own submit: the server checks and stores
    page.wait_for_selector(".flash")
    assert stored_regions(url)["clock"] == (0.65, 0.0, 0.25, 0.1)
    assert page.locator("#layout-overlaps li").count() == 1, "drawn again from the stored numbers"

    drag(page, point(page, 77.5, 5), point(page, 87.6, 5))  # back where it was: the header's edge at 75 %
    page.wait_for_function("() => document.querySelector(\"input[name='r1.x']\").value === '75'", timeout=WAIT_MS)
    page.click("form#layout-form button[type=submit]")
    page.wait_for_selector(".flash")
    assert stored_regions(url)["clock"] == (0.75, 0.0, 0.25, 0.1)


def test_the_led_profile_shows_the_safe_area_and_the_smallest_text_to_scale(site: Any, page: Any) -> None:
    server, _ = site
    open_layout(page, server)
    page.select_option("#layout-profile", "led_small")
    page.wait_for_selector("#layout-preview .lay-box__sample")
    stage = page.locator("#layout-preview").bounding_box()
    assert abs(stage["width"] / stage["height"] - 2) < 0.02, "drawn at 768:384"
    main = page.locator("#layout-preview .lay-box[data-row='2'] .lay-box__sample")
    # the player's running text on a 768×384 LED panel: 5 % of 384 px = 19.2 px (layout_fit.text_px)
    size = float(main.evaluate("el => parseFloat(getComputedStyle(el).fontSize)"))
    assert abs(size - 19.2 / 384 * stage["height"]) < 0.2
    header = page.locator("#layout-preview .lay-box[data-row='0'] .lay-box__sample")
    size = float(header.evaluate("el => parseFloat(getComputedStyle(el).fontSize)"))
    assert abs(size - 16 / 384 * stage["height"]) < 0.2, "regions that scale their own text: the 16 px floor"
    safe = page.locator("#layout-preview .lay-safe").bounding_box()
    assert abs(safe["x"] - stage["x"] - 0.02 * stage["width"]) < 2
    assert "安全区域" in page.inner_text("#layout-designer-note")
    show_designer(page)
    shoot(page, "console-layout-designer-led")
    page.select_option("#layout-profile", "fhd_portrait")
    page.wait_for_function("() => !document.querySelector('#layout-preview .lay-box__sample')", timeout=WAIT_MS)
    stage = page.locator("#layout-preview").bounding_box()
    assert abs(stage["width"] / stage["height"] - 1080 / 1920) < 0.02
    assert stage["height"] <= VIEWPORT["height"], "a portrait screen fits the window"


def test_arrow_keys_move_and_shift_arrows_resize_the_selected_region(site: Any, page: Any) -> None:
    server, url = site
    open_layout(page, server)
    ticker = page.locator("#layout-preview .lay-box[data-row='3']")
    ticker.focus()
    assert ticker.get_attribute("aria-label") == "区域4“ticker”：左0%，上92%，宽100%，高8%"
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Shift+ArrowLeft")
    page.keyboard.press("Shift+ArrowDown")
    assert geometry(page, 3) == ("0", "90", "99", "9")
    assert ticker.get_attribute("aria-label") == "区域4“ticker”：左0%，上90%，宽99%，高9%"
    assert page.inner_text("#layout-designer-status") == "区域4“ticker”：左0%，上90%，宽99%，高9%"
    assert ticker.get_attribute("aria-pressed") == "true"
    assert page.evaluate("() => document.activeElement.dataset.row") == "3", "focus stays on the region"
    page.keyboard.press("ArrowRight")  # against the right edge: it cannot leave the screen
    page.keyboard.press("ArrowRight")
    assert field(page, "r3.x") == "1"
    page.click("form#layout-form button[type=submit]")
    page.wait_for_selector(".flash")
    assert stored_regions(url)["ticker"] == (0.01, 0.9, 0.99, 0.09)


def test_a_region_drawn_on_empty_screen_snaps_to_the_grid_and_to_other_edges(site: Any, page: Any) -> None:
    server, _ = site
    sign_in(page, server, "editor")
    page.goto(f"{server.url}/console/layouts/new")
    page.wait_for_selector("#layout-preview.lay-stage--designer .lay-box[tabindex='0']")
    page.fill("input[name='r0.w']", "50")  # the main region keeps the left half; its right edge at 50 %
    # from 50.7 % (1 % or less from main's edge: lands on it) to 87.6 %, 20.4 % to 70.2 % (the grid)
    drag(page, point(page, 50.7, 20.4), point(page, 87.6, 70.2))
    page.wait_for_function("() => document.querySelector(\"input[name='r1.w']\").value !== ''", timeout=WAIT_MS)
    assert geometry(page, 1) == ("50", "20", "38", "50")
    assert field(page, "r1.name") == "区域2"
    # moved by a fraction of a percent's worth of pixels: it still lands on whole percents
    drag(page, point(page, 70, 45), point(page, 73.37, 47.61))
    page.wait_for_function("() => document.querySelector(\"input[name='r1.x']\").value !== '50'", timeout=WAIT_MS)
    assert (field(page, "r1.x"), field(page, "r1.y")) == ("53", "23")
    # resized by its corner (91 %, 73 %) to 0.3 % past the screen's right edge: kept on it; 80.2 % down: to 80
    drag(page, point(page, 90.3, 71.8), point(page, 99.6, 79.0))
    page.wait_for_function("() => document.querySelector(\"input[name='r1.w']\").value === '47'", timeout=WAIT_MS)
    assert geometry(page, 1) == ("53", "23", "47", "57")
    assert page.locator("#layout-overlaps li").count() == 0  # side by side: touching is not overlapping


def open_playlist(page: Any, server: ServerProcess) -> None:
    sign_in(page, server, "editor")
    page.goto(f"{server.url}/console/playlists")
    page.click(f"#playlists a >> text={PLAYLIST}")
    page.wait_for_selector("#entries .order__handle")


def positions(page: Any) -> list[tuple[str, str]]:
    """(kind, order field) of each row, top to bottom."""
    return [
        tuple(x)
        for x in page.evaluate(
            """() => [...document.querySelectorAll('#entries tr[data-row]')].map(r => [
                 r.querySelector("select[name$='.kind']").value, r.querySelector("input[name$='.position']").value])"""
        )
    ]


def test_dragging_an_entry_by_its_handle_changes_the_stored_order(site: Any, page: Any) -> None:
    server, url = site
    open_playlist(page, server)
    assert stored_order(url)[:3] == ["vacancy_board", "notice_feed", "item"]
    handle = page.locator("#entries tr[data-row='2'] .order__handle").bounding_box()
    first = page.locator("#entries tr[data-row='0']").bounding_box()
    grip = (handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2)
    drag(page, grip, (grip[0], first["y"] + 4))  # above the middle of the first row
    assert positions(page)[:3] == [("item", "1"), ("vacancy_board", "2"), ("notice_feed", "3")]
    assert page.inner_text("#playlist-order-status") == "已移到第1位（共3项）"
    first_row = page.locator("#entries tr[data-row]").first
    assert first_row.locator("th").inner_text().endswith("第1项"), "rows are named by their place"
    assert first_row.locator("select[name$='.kind']").get_attribute("aria-label") == "第1项 类型"
    shoot(page, "console-playlist-order")
    page.click("form#playlist-form button[type=submit]")
    page.wait_for_selector(".flash")
    assert stored_order(url) == ["item", "vacancy_board", "notice_feed"]


def test_up_down_buttons_and_alt_arrows_reorder_from_the_keyboard(site: Any, page: Any) -> None:
    server, url = site
    open_playlist(page, server)
    before = stored_order(url)
    page.locator("#entries tr[data-row]").first.locator(".order__down").focus()
    page.keyboard.press("Enter")  # the first entry one down
    assert [k for k, _ in positions(page)[:3]] == [before[1], before[0], before[2]]
    assert page.inner_text("#playlist-order-status") == "已移到第2位（共3项）"
    assert page.evaluate("() => document.activeElement.classList.contains('order__down')")
    page.keyboard.press("Alt+ArrowDown")  # and one further, focus staying with it
    page.keyboard.press("Alt+ArrowDown")  # below the entries: among the blank rows
    page.keyboard.press("Alt+ArrowUp")
    assert [k for k, _ in positions(page)[:3]] == [before[1], before[2], before[0]]
    assert [p for _, p in positions(page)] == ["1", "2", "3", "4", "5"]
    page.click("form#playlist-form button[type=submit]")
    page.wait_for_selector(".flash")
    assert stored_order(url) == [before[1], before[2], before[0]]


@pytest.mark.skipif(axe_missing() is not None, reason=axe_missing() or "")
def test_the_designer_and_the_ordering_controls_have_no_serious_axe_violation(site: Any, page: Any) -> None:
    server, _ = site
    open_layout(page, server)
    page.select_option("#layout-profile", "led_small")
    page.locator("#layout-preview .lay-box[data-row='1']").focus()
    page.keyboard.press("ArrowLeft")  # an overlap listed, a region selected
    page.wait_for_selector("#layout-overlaps li")
    assert axe_violations(page) == []
    page.goto(f"{server.url}/console/playlists")
    page.click(f"#playlists a >> text={PLAYLIST}")
    page.wait_for_selector("#entries .order__handle")
    page.locator("#entries .order__down").first.click()
    assert axe_violations(page) == []
