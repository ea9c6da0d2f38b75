"""End to end: 供求分析 from stored vacancies and tallies to a wall's SVG chart, from a real server, and offline."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from content import outbox
from content.library.items import Vacancy
from content.library.market.figures import recompute
from content.library.market.seeker_tallies import Tally, save_tallies
from content.signage.layouts import Layout
from content.signage.playlists import Playlist, PlaylistEntry
from kiosk_server.database import make_engine
from tests.support import migrated_schema
from tests.support.browser import chromium_missing, screenshot
from tests.support.server import ServerProcess
from tests.support.world import World, build_world

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
]
NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)


def add_market(session: Session, world: World) -> None:
    """城关区: 2026Q4 group 4 wants 5 + 4 = 9 against 6 seekers (1.50); group 6 wants 3, no seekers (—)."""
    for code, headcount, created in (
        ("4-02-07-08", 5, datetime(2026, 10, 8, tzinfo=UTC)),
        ("4-03-02-05", 4, datetime(2026, 11, 20, tzinfo=UTC)),
        ("6-18-01-01", 3, datetime(2026, 11, 2, tzinfo=UTC)),
        ("4-02-07-08", 8, datetime(2026, 8, 2, tzinfo=UTC)),
    ):
        session.add(
            Vacancy(
                org_unit_id=world.county_id,
                title="岗位",
                employer_id=world.employer_id,
                occupation_code=code,
                headcount=headcount,
                salary_min=4000,
                salary_max=6000,
                created_at=created,
            )
        )
    save_tallies(
        session,
        [Tally(world.county_id, "2026Q4", "4", 6), Tally(world.county_id, "2026Q3", "4", 10)],
        "import",
        NOW,
    )
    recompute(session, NOW)
    board = Playlist(org_unit_id=world.province_id, name="供求分析")
    board.entries = [
        PlaylistEntry(position=0, kind="market_board", duration_seconds=5, params={"area": "county", "quarters": 2})
    ]
    session.add(board)
    session.flush()
    layout = session.get(Layout, world.layout_id)
    assert layout is not None
    for region in layout.regions:
        if region.name == "main":
            region.playlist_id = board.id
    outbox.add_event(session, "content", kind="world", action="updated")
    session.commit()


@pytest.fixture
def live(database_url: str, tmp_path: Path) -> Iterator[tuple[ServerProcess, World]]:
    engine = make_engine(database_url)
    migrated_schema.ready(engine)
    with Session(engine) as session:
        world = build_world(session, vacancies=0)
        add_market(session, world)
    engine.dispose()
    server = ServerProcess(tmp_path / "server", database_url)
    server.start()
    yield server, world
    server.stop()


def test_the_wall_charts_the_stored_figures_and_keeps_them_offline(browser: Any, live) -> None:
    server, world = live
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    page.goto(f"{server.url}/screen/{world.wall_keys[0]}")
    chart = ".region__view section.mb[data-page=demand]"
    page.wait_for_selector(chart, timeout=20_000)
    ratios = page.locator(f"{chart} .mb__ratio").all_text_contents()
    assert ratios == ["1.50", "—"]
    assert "城关区" in page.locator(f"{chart} .mb__title").inner_text()
    page.wait_for_selector(".region__view section.mb[data-page=trend]", timeout=20_000)
    # all groups: 2026Q3 8 ÷ 10 = 0.80, 2026Q4 12 ÷ 6 = 2.00
    assert page.locator(".region__view .mb__ratio").all_text_contents() == ["0.80", "2.00"]
    screenshot(page, "wall-market-e2e-1920x1080")

    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=20_000)
    server.stop()
    page.reload()
    page.wait_for_selector(".region__view section.mb svg", timeout=20_000)  # shell and manifest from the cache
    assert page.get_attribute("#wall", "data-conn") != "online"
    page.close()
