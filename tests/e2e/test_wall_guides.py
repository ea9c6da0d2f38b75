"""End to end: a guide_feed on a 1920×1080 wall and on the 768×384 LED profile, in Chromium, from a real server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from content import outbox
from content.demo.guides import GUIDES, HALL, HOURS, ONLINE
from content.library.guides.fields import GuideFields
from content.library.guides.service_guides import ServiceGuide
from content.signage.layouts import Layout
from content.signage.playlists import Playlist, PlaylistEntry
from kiosk_server.database import make_engine
from tests.support import migrated_schema
from tests.support.browser import chromium_missing, doc_screenshot
from tests.support.server import ServerProcess
from tests.support.world import World, build_world

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
]

SHOWN = "失业保险金申领"


def add_guides(session: Session, world: World) -> None:
    """The demo's 失业保险金申领 as the only guide, and the main region playing a guide feed."""
    spec = next(g for g in GUIDES if g.title == SHOWN)
    fields = GuideFields.parse(
        {
            "title": spec.title,
            "category": spec.category,
            "conditions": spec.conditions,
            "materials": [m.as_json() for m in spec.materials],
            "steps": [*spec.steps[:-1], spec.steps[-1] + "<script>alert(1)</script>"],  # the script is dropped
            "time_limit": spec.time_limit,
            "location": HALL,
            "counter": spec.counter,
            "hours": HOURS,
            "online_url": f"{ONLINE}{spec.slug}",
            "phone": "12333",
        }
    )
    session.add(ServiceGuide(**{**fields.columns(), "org_unit_id": world.province_id, "status": "published"}))
    feed = Playlist(org_unit_id=world.province_id, name="办事指南")
    feed.entries = [PlaylistEntry(position=0, kind="guide_feed", duration_seconds=30, params={})]
    session.add(feed)
    session.flush()
    layout = session.get(Layout, world.layout_id)
    assert layout is not None
    for region in layout.regions:
        if region.name == "main":
            region.playlist_id = feed.id
    outbox.add_event(session, "content", kind="world", action="updated")
    session.commit()
    assert session.scalar(select(ServiceGuide.steps)) == list(spec.steps)


@pytest.fixture
def live(database_url: str, tmp_path: Path) -> Iterator[tuple[ServerProcess, World]]:
    engine = make_engine(database_url)
    migrated_schema.ready(engine)
    with Session(engine) as session:
        world = build_world(session, vacancies=0)
        add_guides(session, world)
    engine.dispose()
    server = ServerProcess(tmp_path / "server", database_url)
    server.start()
    yield server, world
    server.stop()


def open_wall(browser: Any, server: ServerProcess, key: str, size: tuple[int, int]) -> Any:
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    page.goto(f"{server.url}/screen/{key}")
    page.wait_for_selector("[data-guide]:not(.region__staging *)", timeout=20_000)
    return page


def test_a_guide_card_is_legible_at_1920x1080_with_its_qr(browser: Any, live) -> None:
    server, world = live
    page = open_wall(browser, server, world.wall_keys[0], (1920, 1080))
    card = page.locator(".region__view .guide")
    text = card.inner_text()
    for shown in (SHOWN, "申办条件", "申请材料", "办理流程", "即时办结", "不收费", "5号社会保险窗口", "扫码网上办理"):
        assert shown in text, shown
    assert "alert" not in text and page.locator(".guide script").count() == 0
    qr = page.eval_on_selector(".region__view .guide__qr svg", "svg => svg.getBoundingClientRect().width")
    assert qr >= 180, f"a QR code a phone reads from a couple of metres: {qr}px"
    smallest = page.evaluate(
        "() => Math.min(...[...document.querySelectorAll('.region__view .guide__body *')]"
        ".filter(e => e.childNodes.length && [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))"
        ".map(e => parseFloat(getComputedStyle(e).fontSize)))"
    )
    assert smallest >= 0.026 * 1080 * 0.85 - 1, f"no running text below the wall's legible size: {smallest}px"
    overflow = page.eval_on_selector(".region__view .guide__body", "el => el.scrollHeight - el.clientHeight")
    assert overflow <= 2, "the whole guide fits its page"
    doc_screenshot(page, "wall-guide-1920x1080")
    page.close()


def test_the_led_profile_shows_name_time_limit_where_and_steps_paged(browser: Any, live) -> None:
    server, world = live
    page = open_wall(browser, server, world.led_key, (768, 384))
    led = page.locator(".region__view .guide-led")
    assert SHOWN in led.locator(".guide-led__title").inner_text()
    assert "申办条件" not in led.inner_text() and page.locator(".region__view .guide__qr").count() == 0
    page.wait_for_function(
        "() => (document.querySelector('.region__view .guide-led__line') || {}).textContent?.startsWith('办理时限')",
        timeout=20_000,
    )
    doc_screenshot(page, "wall-guide-led-768x384")
    page.wait_for_function(
        "() => (document.querySelector('.region__view .guide-led__line') || {}).textContent?.startsWith('第1步')",
        timeout=20_000,
    )
    size = page.eval_on_selector(".region__view .guide-led__line", "el => parseFloat(getComputedStyle(el).fontSize)")
    assert size >= 23, f"an LED line large enough to read: {size}px"
    doc_screenshot(page, "wall-guide-led-step-768x384")
    page.close()


def test_a_guide_shows_offline_with_its_qr_after_a_reload(browser: Any, live) -> None:
    server, world = live
    page = open_wall(browser, server, world.wall_keys[0], (1920, 1080))
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=20_000)
    page.evaluate("window.__marker = 1")
    server.stop()
    page.reload()
    page.wait_for_selector(".region__view .guide__qr svg", timeout=20_000)
    assert page.evaluate("window.__marker") is None, "the page was reloaded"
    assert SHOWN in page.inner_text(".region__view .guide__title")
    assert page.get_attribute("#wall", "data-conn") != "online"
    page.close()
