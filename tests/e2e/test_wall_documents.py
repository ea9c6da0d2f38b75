"""End to end: a PDF uploaded through the REST API, shown page by page on a 1920×1080 wall and the 768×384 LED."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy.orm import Session

from content import outbox
from content.signage.layouts import Layout
from content.signage.playlists import Playlist, PlaylistEntry
from kiosk_server.database import make_engine, upgrade_schema
from tests.support.browser import chromium_missing, doc_screenshot
from tests.support.pdf_samples import policy_pdf
from tests.support.server import ServerProcess
from tests.support.world import World, build_world

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
]

SECONDS_PER_PAGE = 3
SHOWN_PAGE = ".region__view .document__page"


def upload(server: ServerProcess, world: World) -> dict[str, Any]:
    response = requests.post(
        f"{server.url}/api/v1/documents",
        headers={"Authorization": "Bearer test-token"},
        timeout=60,
        data={"org_unit_id": str(world.province_id), "seconds_per_page": str(SECONDS_PER_PAGE)},
        files={"file": ("就业创业政策解读.pdf", policy_pdf(3), "application/pdf")},
    )
    assert response.status_code == 201, response.text
    return response.json()


def play_in_main(database_url: str, world: World, document_id: int) -> None:
    engine = make_engine(database_url)
    with Session(engine) as session:
        playlist = Playlist(org_unit_id=world.province_id, name="政策解读")
        playlist.entries = [PlaylistEntry(position=0, kind="item", item_id=document_id, duration_seconds=10, params={})]
        session.add(playlist)
        session.flush()
        layout = session.get(Layout, world.layout_id)
        assert layout is not None
        for region in layout.regions:
            if region.name == "main":
                region.playlist_id = playlist.id
        outbox.add_event(session, "content", kind="world", action="updated")
        session.commit()
    engine.dispose()


@pytest.fixture
def live(database_url: str, tmp_path: Path) -> Iterator[tuple[ServerProcess, World, dict[str, Any]]]:
    engine = make_engine(database_url)
    upgrade_schema(engine)
    with Session(engine) as session:
        world = build_world(session, vacancies=0)
        session.commit()
    engine.dispose()
    server = ServerProcess(tmp_path / "server", database_url)
    server.start()
    document = upload(server, world)
    play_in_main(database_url, world, document["id"])
    yield server, world, document
    server.stop()


def open_wall(browser: Any, server: ServerProcess, key: str, size: tuple[int, int]) -> Any:
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    page.goto(f"{server.url}/screen/{key}")
    page.wait_for_function(
        f"() => {{ const img = document.querySelector('{SHOWN_PAGE}'); return img && img.complete && img.naturalWidth > 0; }}",
        timeout=30_000,
    )
    return page


def shown_page(page: Any) -> str:
    return str(page.eval_on_selector(SHOWN_PAGE, "img => new URL(img.src).pathname"))


def test_pages_follow_one_another_fitted_to_the_region(browser: Any, live) -> None:
    server, world, document = live
    page = open_wall(browser, server, world.wall_keys[0], (1920, 1080))
    urls = document["page_urls"]
    assert shown_page(page) == urls[0]
    fit = page.eval_on_selector(
        SHOWN_PAGE,
        """img => { const box = img.getBoundingClientRect(), region = img.closest('.region').getBoundingClientRect();
                    return {fit: getComputedStyle(img).objectFit, inside: box.width <= region.width + 1 && box.height <= region.height + 1,
                            natural: img.naturalWidth / img.naturalHeight}; }""",
    )
    assert fit["fit"] == "contain" and fit["inside"], fit
    assert abs(fit["natural"] - document["page_width"] / document["page_height"]) < 0.01, "the page's own shape"
    doc_screenshot(page, "wall-document-1920x1080")
    page.wait_for_function(
        "url => new URL(document.querySelector('.region__view .document__page').src).pathname === url",
        arg=urls[1],
        timeout=(SECONDS_PER_PAGE + 10) * 1000,
    )
    assert page.inner_text(".region__view .document__counter") == "2 / 3"
    assert page.locator(".region__view img").count() == 1, "one page on screen at a time"
    page.close()


def test_the_led_profile_shows_the_whole_page(browser: Any, live) -> None:
    server, world, document = live
    page = open_wall(browser, server, world.led_key, (768, 384))
    assert shown_page(page) == document["page_urls"][0]
    doc_screenshot(page, "wall-document-768x384")
    page.close()


def test_every_page_is_kept_for_offline(browser: Any, live) -> None:
    server, world, document = live
    page = open_wall(browser, server, world.wall_keys[0], (1920, 1080))
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=20_000)
    page.wait_for_function(
        """async (urls) => {
             const cached = new Set();
             for (const name of await caches.keys())
               for (const request of await (await caches.open(name)).keys()) cached.add(new URL(request.url).pathname);
             return urls.every((url) => cached.has(url));
           }""",
        arg=document["page_urls"],
        timeout=30_000,
    )
    server.stop()
    page.reload()
    page.wait_for_function(
        f"() => {{ const img = document.querySelector('{SHOWN_PAGE}'); return img && img.complete && img.naturalWidth > 0; }}",
        timeout=30_000,
    )
    page.close()
