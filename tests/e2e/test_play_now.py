"""立即播放 and the schedule form's reach in Chromium, against a real server and a real wall player.

The wall's main region plays a vacancy board for ten minutes before the policy notice comes round;
"play now" on the notice's console page restarts that region from the notice, so the wall shows it
within seconds. The schedule form counts the screens it reaches by kind while targets are ticked and
names those its layout does not fit (docs/screens/console-schedule-fit.png with KIOSK_DOC_SCREENS=1).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from content import outbox
from content.library.items import PolicyNotice
from content.org.screens import Screen
from content.signage.playlists import PlaylistEntry
from tests.support.browser import chromium_missing, screenshot
from tests.support.console_browser import console_pages, console_site, shoot, sign_in
from tests.support.console_world import ConsoleWorld

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
]

NOTICE = "失业保险金申领指南"
VACANCY = "仓储管理员1"


def _long_vacancy_board(session: Session, cw: ConsoleWorld) -> int:
    """The main playlist's vacancy board lasts ten minutes a page; the notice's id."""
    session.execute(update(PlaylistEntry).where(PlaylistEntry.kind == "vacancy_board").values(duration_seconds=600))
    outbox.add_event(session, "content", kind="world", action="updated")
    return int(session.scalar(select(PolicyNotice.id).where(PolicyNotice.title == NOTICE)))


def _wall_text(page: Any) -> str:
    return str(page.evaluate("() => document.querySelector('.stage').innerText"))


def test_play_now_puts_the_notice_on_the_wall_at_once(browser: Any, tmp_path: Path) -> None:
    with (
        console_site(tmp_path, _long_vacancy_board) as (server, cw, notice_id),
        console_pages(browser) as new_page,
    ):
        wall = browser.new_page(viewport={"width": 1920, "height": 1080})
        try:
            wall.goto(f"{server.url}/screen/{cw.world.wall_keys[0]}")
            wall.wait_for_function("t => document.body.innerText.includes(t)", arg=VACANCY, timeout=30_000)
            wall.wait_for_selector("#wall[data-conn='online']", timeout=30_000)  # in its group's room after hello
            assert NOTICE not in _wall_text(wall)  # ten minutes of vacancies before the notice comes round

            page = new_page()
            sign_in(page, server, "admin")
            page.goto(f"{server.url}/console/notices/{notice_id}")
            eta = page.locator("[data-play-eta]").inner_text()
            found = re.fullmatch(r"改动约 (\d+) 秒内上屏（正在 (\d+) 块屏上播放）", eta)
            assert found, eta
            assert int(found.group(1)) >= 600  # the notice waits behind the ten-minute board
            assert int(found.group(2)) >= 1

            button = page.get_by_role("button", name="立即播放")
            assert button.bounding_box()["height"] >= 44
            button.click()
            page.wait_for_url(f"**/console/notices/{notice_id}")
            assert "块屏立即播放" in page.locator(".flash").inner_text()
            try:
                wall.wait_for_function(
                    "t => document.querySelector('.stage').innerText.includes(t)", arg=NOTICE, timeout=10_000
                )
            except Exception:
                screenshot(wall, "e2e-play-now-missing")
                raise
            screenshot(wall, "e2e-play-now-wall")
        finally:
            wall.close()


def _kiosk_and_strip(session: Session, cw: ConsoleWorld) -> None:
    session.add_all(
        [
            Screen(hall_id=cw.world.hall_id, name="自助终端A", kind="kiosk", width_px=1080, height_px=1920),
            Screen(hall_id=cw.world.hall_id, name="1号窗口屏", kind="counter", width_px=640, height_px=64),
            Screen(hall_id=cw.world.hall_id, name="2号窗口屏", kind="counter", width_px=640, height_px=64),
        ]
    )


def test_the_schedule_form_counts_screens_by_kind_and_warns_of_misfits(browser: Any, tmp_path: Path) -> None:
    with console_site(tmp_path, _kiosk_and_strip) as (server, cw, _), console_pages(browser) as new_page:
        page = new_page()
        sign_in(page, server, "editor")
        page.goto(f"{server.url}/console/schedules/new")
        page.wait_for_selector("#sched-reach[data-live='1']")
        count = page.locator("[data-reach-count]")
        assert count.inner_text() == "尚未选择播放范围，不会在任何屏上播放"
        assert page.locator("[data-reach-fit]").is_hidden()

        page.fill("#f-name", "城关大厅日常")
        page.select_option("#f-owner", str(cw.world.city_id))
        page.select_option("#f-layout", str(cw.world.layout_id))
        page.locator(f"#f-targets input[name='in.hall'][value='{cw.world.hall_id}']").check()
        page.wait_for_function("() => document.querySelector('#sched-reach').dataset.total === '6'", timeout=10_000)
        assert count.inner_text() == "覆盖 6 块屏：大屏 3、自助终端 1、窗口屏 2"
        fit = page.locator("[data-reach-fit]")
        assert fit.is_visible()
        assert "版式“大厅横屏”不适合其中 3 块屏" in fit.inner_text()
        lines = fit.locator("li").all_inner_texts()
        assert len(lines) == 3
        assert any("自助终端A（自助终端，1080×1920）" in line for line in lines)
        assert sum("窗口屏，640×64" in line for line in lines) == 2

        page.evaluate(
            "() => { document.querySelector('#sched-reach').scrollIntoView({block: 'end'}); scrollBy(0, 24); }"
        )
        shoot(page, "console-schedule-fit")

        # Leave the strips out: the count and the warning follow at once.
        page.locator("#f-targets details summary").click()
        for name in ("1号窗口屏", "2号窗口屏"):
            page.locator("#f-targets details label.choice", has_text=name).locator("input").check()
        page.wait_for_function("() => document.querySelector('#sched-reach').dataset.total === '4'", timeout=10_000)
        assert count.inner_text() == "覆盖 4 块屏：大屏 3、自助终端 1"
        assert len(fit.locator("li").all_inner_texts()) == 1
