"""Acceptance, end to end: schedule a daypart in the console, then check the screen preview at two instants.

A real ``kiosk serve`` and Debian Chromium. The editor creates a weekday 12:00–14:00 schedule
through the form (first sending it empty, to see every field's error), finds it in the week
calendar, then opens the preview of a targeted wall at 13:00 and at 15:00: the real player in the
frame shows the daypart's ticker, then the default's, and the "why" names the schedule and the rule
that matched. The preview opens no socket and posts nothing. Pages are photographed (docs/screens/
with KIOSK_DOC_SCREENS=1); look at them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.library.items import Ticker
from content.org.screens import Screen
from content.signage.playlists import Playlist, PlaylistEntry
from tests.support.browser import chromium_missing
from tests.support.console_browser import console_pages, console_site, shoot, sign_in
from tests.support.console_world import ConsoleWorld
from tests.support.server import ServerProcess

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
]

DESKTOP: Final = {"width": 1366, "height": 900}
BEIJING: Final = ZoneInfo("Asia/Shanghai")
LUNCH_TICKER: Final = "午间时段：自助服务区照常开放，请取号等候"
DEFAULT_TICKER: Final = "本中心工作时间：周一至周五 9:00-17:00"  # the world's ticker


def next_weekday() -> date:
    """A working day after today in Beijing (the server runs on the real clock)."""
    day = datetime.now(BEIJING).date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def lunch_playlists(session: Session, cw: ConsoleWorld) -> dict[str, int]:
    """A lunchtime ticker playlist and a notice-feed playlist of the city, and the wall to preview."""
    ticker = Ticker(org_unit_id=cw.world.city_id, title=LUNCH_TICKER)
    session.add(ticker)
    session.flush()
    lunch = Playlist(org_unit_id=cw.world.city_id, name="午间字幕")
    lunch.entries = [PlaylistEntry(position=0, kind="item", item_id=ticker.id, duration_seconds=30)]
    notices = Playlist(org_unit_id=cw.world.city_id, name="午间政策公告")
    notices.entries = [PlaylistEntry(position=0, kind="notice_feed", duration_seconds=20, params={})]
    session.add_all([lunch, notices])
    session.flush()
    return {
        "lunch": lunch.id,
        "notices": notices.id,
        "wall": int(session.scalar(select(Screen.id).where(Screen.name == "大厅1号屏"))),
    }


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, ConsoleWorld, dict[str, int]]]:
    with console_site(Path(tmp_path_factory.mktemp("schedules")), lunch_playlists) as running:
        yield running


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    with console_pages(browser, DESKTOP) as new_page:
        yield new_page()


def frame_text(page: Any, selector: str, text: str, timeout: float = 15_000) -> None:
    """Wait until the player in the preview frame shows ``text`` in ``selector``."""
    page.frame_locator(".spv__frame").locator(selector).filter(has_text=text).wait_for(timeout=timeout)


def test_a_daypart_scheduled_in_the_form_shows_in_the_preview_at_13_and_not_at_15(site: Any, page: Any) -> None:
    server, cw, ids = site
    day = next_weekday()
    sign_in(page, server, "editor")

    page.goto(f"{server.url}/console/schedules/new")
    page.fill("#f-name", "")
    page.select_option("#f-layer", "campaign")
    page.fill("#f-daypart_start", "12:00")
    page.click("main button[type=submit]")
    errors = page.locator(".field__error").all_inner_texts()
    assert any("请输入名称" in e for e in errors) and any("请选择版式" in e for e in errors)
    assert any("插播必须有开始和结束时间" in e for e in errors) and any("请至少选择一个播放范围" in e for e in errors)
    assert any("请同时填写开始和结束时间" in e for e in errors)
    shoot(page, "console-schedule-form-errors", full=True)

    page.fill("#f-name", "午间政策宣传")
    page.select_option("#f-layer", "scheduled")
    page.fill("#f-priority", "5")
    page.select_option("#f-layout", str(cw.world.layout_id))
    page.select_option(f"#f-region-{cw.world.layout_id}-main", str(ids["notices"]))
    page.select_option(f"#f-region-{cw.world.layout_id}-ticker", str(ids["lunch"]))
    page.fill("#f-daypart_start", "12:00")
    page.fill("#f-daypart_end", "14:00")
    for weekend in ("SA", "SU"):
        page.uncheck(f"input[name=day][value={weekend}]")
    page.check(f"input[name='in.hall'][value='{cw.world.hall_id}']")
    shoot(page, "console-schedule-form", full=True)
    page.click("main button[type=submit]")
    page.wait_for_url("**/console/schedules")
    assert "午间政策宣传" in page.locator(".flash").inner_text()

    page.goto(f"{server.url}/console/schedules?screen={ids['wall']}&week={day.isoformat()}")
    lunch_blocks = page.locator(".cal__block", has_text="午间政策宣传")
    assert lunch_blocks.count() == 5  # Monday to Friday
    column = page.locator(f".cal__day[data-day='{day.isoformat()}']")
    block = column.locator(".cal__block").first.bounding_box()
    box = column.bounding_box()
    assert abs((block["y"] - box["y"]) / box["height"] - 12 / 24) < 0.01  # starts at noon
    assert abs(block["height"] / box["height"] - 2 / 24) < 0.01  # two hours long
    assert column.locator(".cal__bg", has_text="全省默认").count() == 1  # the default behind it
    shoot(page, "console-schedules-calendar")

    sockets: list[str] = []
    writes: list[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    page.on(
        "request", lambda r: writes.append(f"{r.method} {r.url}") if r.method != "GET" or "socket.io" in r.url else None
    )

    page.goto(f"{server.url}/console/preview?screen={ids['wall']}&at={day.isoformat()}T13:00")
    frame_text(page, "[data-region=ticker]", LUNCH_TICKER)
    frame_text(page, "[data-region=clock]", "13:0")  # the player's clock runs from the chosen instant
    assert page.frame_locator(".spv__frame").locator("#wall").get_attribute("data-conn") == "preview"
    assert page.locator("#why-schedule").inner_text().startswith("午间政策宣传 · 排期层 · 优先级 5")
    assert "包含 · 大厅：城关区公共就业服务中心" in page.locator("#why-rules").inner_text()
    assert "午间政策公告" in page.locator("#why-regions tr[data-region=main]").inner_text()
    shoot(page, "console-preview-1300", full=True)

    page.click("#later")
    page.wait_for_url(f"**at={day.isoformat()}T14:00")
    page.click("#later")
    page.wait_for_url(f"**at={day.isoformat()}T15:00")
    frame_text(page, "[data-region=ticker]", DEFAULT_TICKER)
    frame_text(page, "[data-region=clock]", "15:0")
    assert page.locator("#why-schedule").inner_text().startswith("全省默认 · 默认层")
    assert "包含 · 机构：甘肃省" in page.locator("#why-rules").inner_text()
    assert "不在播放时段" in page.locator("#why-all tr", has_text="午间政策宣传").inner_text()
    assert LUNCH_TICKER not in page.frame_locator(".spv__frame").locator("body").inner_text()
    shoot(page, "console-preview-1500", full=True)

    assert sockets == [], "a preview must never connect as a screen"
    assert writes == [], "a preview must send nothing"
