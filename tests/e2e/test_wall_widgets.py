"""End to end: data feeds and web pages on a 1920×1080 wall and the 768×384 LED profile, in Chromium.

The feed's entries are on the row as the leader's fetch leaves them (fetching itself is tested
against a real HTTP server in tests/content/test_widget_fetching.py); the framed page is a real
page on a local allow-listed server, so the wall page's CSP and the frame's sandbox are the real ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from content import outbox
from content.library.widgets.data_feeds import DataFeed
from content.library.widgets.web_pages import WebPage
from content.signage.layouts import Layout
from content.signage.playlists import Playlist, PlaylistEntry
from kiosk_server.database import make_engine
from tests.support import migrated_schema
from tests.support.browser import chromium_missing, doc_screenshot
from tests.support.server import ServerProcess
from tests.support.widget_server import WidgetServer, widget_server
from tests.support.world import World, build_world

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
]

HEADLINES = (
    ("2026年高校毕业生就业服务月活动全面启动", "2026-12-07T01:00:00+00:00"),
    ("失业保险稳岗返还政策延续实施至2027年底", "2026-12-04T00:30:00+00:00"),
    ("职业技能提升行动补贴申领指南发布", "2026-12-02T02:00:00+00:00"),
    ("兰州新区人力资源市场周五举办专场招聘会", "2026-11-30T01:00:00+00:00"),
    ("城乡居民养老保险待遇资格认证提醒", "2026-11-27T03:00:00+00:00"),
    ("创业担保贷款最高额度提高至30万元", "2026-11-25T01:00:00+00:00"),
    ("电子社保卡扫码就医服务覆盖全省", "2026-11-20T01:00:00+00:00"),
)
ENTRIES = [
    {"title": title, "summary": f"{title}。详情请咨询服务大厅窗口或拨打12333。", "date": date, "link": ""}
    for title, date in HEADLINES
]


def play_in_main(session: Session, world: World, item_id: int, seconds: int = 60) -> None:
    playlist = Playlist(org_unit_id=world.province_id, name="信息源与网页")
    playlist.entries = [PlaylistEntry(position=0, kind="item", item_id=item_id, duration_seconds=seconds, params={})]
    session.add(playlist)
    session.flush()
    layout = session.get(Layout, world.layout_id)
    assert layout is not None
    for region in layout.regions:
        if region.name == "main":
            region.playlist_id = playlist.id
    outbox.add_event(session, "content", kind="world", action="updated")
    session.commit()


Setup = Callable[[Session, World], None]


@pytest.fixture
def pages() -> Iterator[WidgetServer]:
    with widget_server() as running:
        yield running


def running(database_url: str, tmp_path: Path, setup: Setup) -> tuple[ServerProcess, World]:
    engine = make_engine(database_url)
    migrated_schema.ready(engine)
    with Session(engine) as session:
        world = build_world(session, vacancies=0)
        setup(session, world)
    engine.dispose()
    server = ServerProcess(tmp_path / "server", database_url, extra_env={"KIOSK_WIDGET_HOSTS": "http://127.0.0.1"})
    server.start()
    return server, world


@pytest.fixture
def feed_wall(database_url: str, tmp_path: Path) -> Iterator[tuple[ServerProcess, World]]:
    def setup(session: Session, world: World) -> None:
        row = DataFeed(
            org_unit_id=world.province_id,
            title="人社新闻",
            url="http://127.0.0.1/rss",
            template="list",
            entries=ENTRIES,
            status="published",
        )
        session.add(row)
        session.flush()
        play_in_main(session, world, row.id)

    server, world = running(database_url, tmp_path, setup)
    yield server, world
    server.stop()


def open_wall(browser: Any, server: ServerProcess, key: str, size: tuple[int, int], selector: str) -> Any:
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    page.goto(f"{server.url}/screen/{key}")
    page.wait_for_selector(f".region__view {selector}", timeout=20_000)
    return page


def test_a_feed_lists_its_headlines_with_dates_legibly_at_1920x1080(browser: Any, feed_wall) -> None:
    server, world = feed_wall
    page = open_wall(browser, server, world.wall_keys[0], (1920, 1080), ".feed--list")
    feed = page.locator(".region__view .feed")
    assert "人社新闻" in feed.locator(".feed__title").inner_text()
    shown = page.eval_on_selector_all(
        ".region__view .feed__row:not([hidden])", "rows => rows.map(r => r.innerText.replace(/\\s+/g, ' '))"
    )
    assert shown and shown[0].startswith(HEADLINES[0][0]) and "12月7日" in shown[0]
    smallest = page.evaluate(
        "() => Math.min(...[...document.querySelectorAll('.region__view .feed__row:not([hidden]) *')]"
        ".map(e => parseFloat(getComputedStyle(e).fontSize)))"
    )
    assert smallest >= 0.026 * 1080 - 1, f"headlines at the wall's legible size at least: {smallest}px"
    clipped = page.eval_on_selector(".region__view .feed__list", "el => el.scrollHeight - el.clientHeight")
    assert clipped <= 2, "the rows on screen fit the region (the rest are on further pages)"
    doc_screenshot(page, "wall-feed-1920x1080")
    page.close()


def test_a_feed_on_the_led_profile_scrolls_as_one_large_line(browser: Any, feed_wall) -> None:
    server, world = feed_wall
    page = open_wall(browser, server, world.led_key, (768, 384), ".feed-ticker")
    line = page.locator(".region__view .feed-ticker .marquee__track")
    text = line.inner_text()
    assert text.startswith("人社新闻") and HEADLINES[0][0] in text and HEADLINES[-1][0] in text
    size = page.eval_on_selector(
        ".region__view .feed-ticker .marquee__track", "el => parseFloat(getComputedStyle(el).fontSize)"
    )
    assert size >= 0.05 * 384, f"an LED line large enough to read: {size}px"
    page.wait_for_function(
        "() => { const r = document.querySelector('.region__view .feed-ticker .marquee__track').getBoundingClientRect();"
        " return r.left < -innerWidth * 0.9 && r.right > innerWidth; }",  # the first headlines in view
        timeout=20_000,
    )
    doc_screenshot(page, "wall-feed-768x384")
    page.close()


@pytest.fixture
def cards_wall(database_url: str, tmp_path: Path) -> Iterator[tuple[ServerProcess, World]]:
    def setup(session: Session, world: World) -> None:
        row = DataFeed(
            org_unit_id=world.province_id,
            title="政策快讯",
            url="http://127.0.0.1/rss",
            template="cards",
            entries=ENTRIES[:3],
            status="published",
        )
        session.add(row)
        session.flush()
        play_in_main(session, world, row.id, seconds=6)  # per card

    server, world = running(database_url, tmp_path, setup)
    yield server, world
    server.stop()


def test_the_cards_template_shows_one_entry_a_page_with_its_summary(browser: Any, cards_wall) -> None:
    server, world = cards_wall
    page = open_wall(browser, server, world.wall_keys[0], (1920, 1080), ".feed--cards")
    shown = page.eval_on_selector_all(
        ".region__view .feed__card:not([hidden])", "cards => cards.map(c => c.innerText.replace(/\\s+/g, ' '))"
    )
    assert len(shown) == 1 and shown[0].startswith(HEADLINES[0][0]), shown
    assert "12333" in shown[0] and "12月7日" in shown[0], "summary and date on the card"
    title = page.eval_on_selector(
        ".region__view .feed__card:not([hidden]) .feed__card-title", "el => parseFloat(getComputedStyle(el).fontSize)"
    )
    assert title >= 0.04 * 1080, f"a headline read across the hall: {title}px"
    doc_screenshot(page, "wall-feed-cards-1920x1080")
    page.wait_for_function(  # the next page: the second entry alone
        f"() => (document.querySelector('.region__view .feed__card:not([hidden])') || {{}}).innerText?.includes({HEADLINES[1][0]!r})",
        timeout=20_000,
    )
    assert page.locator(".region__view .feed__card:not([hidden])").count() == 1
    page.close()


@pytest.fixture
def refused_page(database_url: str, tmp_path: Path, pages: WidgetServer) -> Iterator[tuple[ServerProcess, World]]:
    def setup(session: Session, world: World) -> None:
        row = WebPage(
            org_unit_id=world.province_id,
            title="甘肃省人力资源和社会保障厅网上办事大厅",
            url=pages.url("/deny"),
            frame_status="refuses",
            frame_detail="X-Frame-Options: DENY",
            status="published",
        )
        session.add(row)
        session.flush()
        play_in_main(session, world, row.id)

    server, world = running(database_url, tmp_path, setup)
    yield server, world
    server.stop()


def test_a_page_that_refuses_framing_shows_its_title_a_note_and_a_qr(browser: Any, refused_page, pages) -> None:
    server, world = refused_page
    page = open_wall(browser, server, world.wall_keys[0], (1920, 1080), ".webpage--fallback")
    shown = page.locator(".region__view .webpage")
    assert "网上办事大厅" in shown.locator(".webpage__title").inner_text()
    assert shown.locator(".webpage__note").inner_text() == "无法显示此网页"
    assert page.locator(".region__view iframe").count() == 0, "no frame that would stay blank"
    qr = page.eval_on_selector(".region__view .webpage__qr svg", "svg => svg.getBoundingClientRect().width")
    assert qr >= 250, f"a QR code a phone reads from a couple of metres: {qr}px"
    assert "/deny" not in pages.hits, "the wall never asked the refusing page"
    doc_screenshot(page, "wall-webpage-fallback-1920x1080")
    page.close()

    led = open_wall(browser, server, world.led_key, (768, 384), ".webpage--fallback")
    assert "网上办事大厅" in led.locator(".region__view .webpage__title").inner_text()
    box = led.eval_on_selector(
        ".region__view .webpage", "el => [el.scrollWidth - el.clientWidth, el.scrollHeight - el.clientHeight]"
    )
    assert box == [0, 0], f"the fallback fits the LED panel: overflow {box}"
    doc_screenshot(led, "wall-webpage-fallback-768x384")
    led.close()


@pytest.fixture
def framed_page(database_url: str, tmp_path: Path, pages: WidgetServer) -> Iterator[tuple[ServerProcess, World]]:
    def setup(session: Session, world: World) -> None:
        row = WebPage(
            org_unit_id=world.province_id,
            title="本地页面",
            url=pages.url("/page"),
            frame_status="ok",
            status="published",
        )
        session.add(row)
        session.flush()
        play_in_main(session, world, row.id)

    server, world = running(database_url, tmp_path, setup)
    yield server, world
    server.stop()


def test_an_allow_listed_page_loads_in_a_sandboxed_frame(browser: Any, framed_page, pages) -> None:
    server, world = framed_page
    page = open_wall(browser, server, world.wall_keys[0], (1920, 1080), ".webpage--loaded")
    frame = page.locator(".region__view iframe.webpage__frame")
    assert frame.get_attribute("sandbox") == "allow-scripts allow-same-origin"  # another origin (port)
    assert frame.get_attribute("referrerpolicy") == "no-referrer"
    inner = page.frame_locator(".region__view iframe.webpage__frame").locator("#framed")
    inner.wait_for(timeout=20_000)
    assert "Framed page" in inner.inner_text()
    assert frame.is_visible()
    screenshot = doc_screenshot(page, "wall-webpage-framed-1920x1080")
    assert screenshot.exists()

    page.context.set_offline(True)  # the network goes: the fallback, not a frame showing an error
    page.wait_for_selector(".region__view .webpage:not(.webpage--loaded) .webpage__fallback", timeout=10_000)
    assert page.locator(".region__view iframe").count() == 0
    assert page.locator(".region__view .webpage__note").inner_text() == "无法显示此网页"
    page.context.set_offline(False)
    page.close()
