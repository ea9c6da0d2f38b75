"""End to end: a fair_board on a 1920×1080 wall and on the 768×384 LED profile, in Chromium, from a real server:
today's fair with its booths, the countdown to the next one (kept by the player's own clock offline), and
the 招聘会 badge of a fair's vacancy on the vacancy board."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from content import outbox
from content.library.fairs.rules import save_fair
from content.library.items import Employer, Vacancy
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

TODAY = "城关区2026年冬季退役军人专场招聘会"
NEXT = "兰州市2026年冬季高校毕业生专场招聘会"
EMPLOYERS = (
    ("兰州新区某某电子科技有限公司", ("嵌入式软件工程师", "测试工程师")),
    ("甘肃某某建设集团有限公司", ("安全员", "施工员", "资料员")),
    ("兰州某某物业服务有限公司", ("秩序维护员",)),
    ("甘肃某某银行股份有限公司兰州分行", ("客户经理", "柜员")),
    ("兰州某某医药连锁有限公司", ("执业药师", "店员")),
    ("甘肃某某物流集团有限公司", ("叉车司机", "仓储管理员", "调度员")),
    ("兰州某某餐饮管理有限公司", ("厨师", "服务员")),
)


def add_fairs(session: Session, world: World, now: datetime) -> None:
    """Today's fair (running) with seven booths, the next one in two days, and the board playing both."""
    booths = []
    for n, (name, titles) in enumerate(EMPLOYERS):
        employer = Employer(name=name)
        session.add(employer)
        session.flush()
        ids = []
        for title in titles:
            vacancy = Vacancy(
                org_unit_id=world.city_id,
                employer_id=employer.id,
                title=title,
                occupation_code="4-02-06-03",
                headcount=3,
                salary_min=4500,
                salary_max=7000,
                district="城关区",
                valid_until=now + timedelta(days=30),
            )
            session.add(vacancy)
            session.flush()
            ids.append(vacancy.id)
        booths.append({"employer_id": employer.id, "booth": f"A{n + 1:02d}", "vacancy_ids": ids})
    common = {"org_unit_id": world.city_id, "status": "published", "organiser": "城关区人力资源和社会保障局"}
    save_fair(
        session,
        None,
        common
        | {
            "title": TODAY,
            "theme": "退役军人专场",
            "starts_at": now - timedelta(hours=1),
            "ends_at": now + timedelta(hours=5),
            "venue_name": "城关区退役军人服务中心",
            "venue_address": "城关区庆阳路",
            "booths": booths,
        },
    )
    save_fair(
        session,
        None,
        common
        | {
            "title": NEXT,
            "theme": "高校毕业生专场",
            # 10:00 in the hall's zone two calendar days on: "2 天" at any hour the test runs (it counted
            # 3 when now + 2 days crossed midnight in Shanghai, late in the evening there).
            "starts_at": _shanghai_day(now, 2, 10),
            "ends_at": _shanghai_day(now, 2, 17),
            "venue_name": "甘肃省人力资源市场",
            "venue_address": "兰州市城关区南滨河东路",
            "booths": booths[:3],
        },
    )
    board = Playlist(org_unit_id=world.province_id, name="招聘会")
    board.entries = [
        PlaylistEntry(position=0, kind="fair_board", duration_seconds=4, params={"page_size": 6}),
        PlaylistEntry(position=1, kind="vacancy_board", duration_seconds=4, params={"page_size": 8}),
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
    assert session.scalar(select(Vacancy.id).limit(1)) is not None


@pytest.fixture
def live(database_url: str, tmp_path: Path) -> Iterator[tuple[ServerProcess, World]]:
    engine = make_engine(database_url)
    migrated_schema.ready(engine)
    with Session(engine) as session:
        world = build_world(session, vacancies=0)
        add_fairs(session, world, datetime.now(UTC))
    engine.dispose()
    server = ServerProcess(tmp_path / "server", database_url)
    server.start()
    yield server, world
    server.stop()


def open_wall(browser: Any, server: ServerProcess, key: str, size: tuple[int, int]) -> Any:
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    page.goto(f"{server.url}/screen/{key}")
    page.wait_for_selector(".region__view [data-fair]", timeout=20_000)
    return page


def smallest_text(page: Any, selector: str) -> float:
    return page.evaluate(
        f"() => Math.min(...[...document.querySelectorAll('{selector} *')]"
        ".filter(e => [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))"
        ".map(e => parseFloat(getComputedStyle(e).fontSize)))"
    )


def test_today_s_fair_shows_its_booths_and_the_next_one_counts_down(browser: Any, live) -> None:
    server, world = live
    page = open_wall(browser, server, world.wall_keys[0], (1920, 1080))
    page.wait_for_selector(".region__view .fb__table", timeout=30_000)
    table = page.locator(".region__view .fb__table")
    text = table.inner_text()
    assert "A01" in text and "兰州新区某某电子科技有限公司" in text and "嵌入式软件工程师" in text
    assert TODAY in page.inner_text(".region__view .vb__title")
    assert smallest_text(page, ".region__view .fb") >= 0.026 * 1080 * 0.85 - 1
    overflow = page.eval_on_selector(".region__view .fb", "el => el.scrollHeight - el.clientHeight")
    doc_screenshot(page, "wall-fair-board-1920x1080")
    assert overflow <= 2, "the page of booths fits its region"
    page.wait_for_function(
        "t => [...document.querySelectorAll('.region__view .fb__title')].some(e => e.textContent === t)",
        arg=NEXT,
        timeout=40_000,
    )
    assert page.inner_text(".region__view .fb__countdown") == "距开幕还有 2 天"
    doc_screenshot(page, "wall-fair-countdown-1920x1080")
    page.wait_for_selector(".region__view .vb__fair", timeout=40_000)  # the vacancy board's badge
    assert page.locator(".region__view .vb__fair").first.inner_text().startswith("招聘会 · A0")
    page.close()


def test_the_led_profile_shows_one_big_line_per_page(browser: Any, live) -> None:
    server, world = live
    page = open_wall(browser, server, world.led_key, (768, 384))
    page.wait_for_function(
        "() => (document.querySelector('.region__view .fb .vb__line') || {}).textContent?.startsWith('A0')",
        timeout=30_000,
    )
    line = page.locator(".region__view .fb .vb__line")
    assert "个岗位" in line.inner_text()
    size = page.eval_on_selector(".region__view .fb .vb__line", "el => parseFloat(getComputedStyle(el).fontSize)")
    assert size >= 23, f"an LED line large enough to read: {size}px"
    clipped = page.eval_on_selector(".region__view .fb .vb__line", "el => el.scrollWidth - el.clientWidth")
    assert clipped <= 2, "the line is not cut off"
    doc_screenshot(page, "wall-fair-board-768x384")
    page.close()


def test_the_countdown_keeps_counting_by_the_player_s_clock_offline(browser: Any, live) -> None:
    server, world = live
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    page.clock.install(time=datetime.now(UTC))
    page.goto(f"{server.url}/screen/{world.wall_keys[0]}")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=20_000)
    countdown = "t => [...document.querySelectorAll('.region__view .fb__title')].some(e => e.textContent === t)"
    page.wait_for_function(countdown, arg=NEXT, timeout=40_000)
    assert page.inner_text(".region__view .fb__countdown") == "距开幕还有 2 天"
    server.stop()
    page.clock.fast_forward("24:00:00")  # a day passes with no server: the cover redraws by itself
    page.wait_for_function(countdown, arg=NEXT, timeout=40_000)
    page.wait_for_function(
        "() => (document.querySelector('.region__view .fb__countdown') || {}).textContent === '距开幕还有 1 天'",
        timeout=40_000,
    )
    assert page.get_attribute("#wall", "data-conn") != "online"
    context.close()


def _shanghai_day(now: datetime, days: int, hour: int) -> datetime:
    """``hour`` o'clock in Asia/Shanghai, ``days`` calendar days after ``now``'s date there."""
    zone = ZoneInfo("Asia/Shanghai")
    return datetime.combine((now.astimezone(zone) + timedelta(days=days)).date(), time(hour), tzinfo=zone)
