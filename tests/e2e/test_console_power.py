"""The power-schedule card in Chromium: a hall manager types wrong opening hours, reads the problem, fixes it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from content.org import power_schedules as power
from content.org.tree import Hall
from tests.support.citizens import add_kiosk
from tests.support.console_browser import console_pages, console_site, shoot, sign_in
from tests.support.console_world import ConsoleWorld


def _kiosk_with_hours(session: Session, cw: ConsoleWorld) -> int:
    hall = session.get(Hall, cw.world.hall_id)
    assert hall is not None
    power.set_hall_hours(session, hall, "Mon-Fri 08:30-12:00,14:00-17:30; Sat 09:00-12:00", 15, by="test")
    return add_kiosk(session, hall.id, b"k" * 32).screen_id


def test_a_manager_fixes_wrong_opening_hours_in_the_browser(browser: Any, tmp_path: Path) -> None:
    with console_site(tmp_path, _kiosk_with_hours) as (server, _cw, kiosk_id), console_pages(browser) as new_page:
        page = new_page()
        sign_in(page, server, "manager")
        page.goto(f"{server.url}/console/screens/{kiosk_id}/power")
        card = page.locator("[data-power]")
        assert card.get_attribute("data-source") == "hall"
        assert (
            "周一至周五 08:30-12:00、14:00-17:30；周六 09:00-12:00"
            in card.locator("[data-power-in-force]").inner_text()
        )
        page.fill("#f-power-hall-hours", "周一至周五 08:30-17:30；Sta 09:00-12:00")
        page.click("[data-power-hall-form] button[type=submit]")
        error = page.locator("#f-power-hall-error")
        error.wait_for()
        assert "“Sta 09:00-12:00”中的“Sta”不是星期" in error.inner_text()
        assert page.input_value("#f-power-hall-hours") == "周一至周五 08:30-17:30；Sta 09:00-12:00"
        shoot(page, "console-power-schedule", full=True)
        page.fill("#f-power-hall-hours", "周一至周五 08:30-17:30；周六 09:00-12:00")
        page.click("[data-power-hall-form] button[type=submit]")
        page.wait_for_url(f"**/console/screens/{kiosk_id}#power")
        assert "周一至周五 08:30-17:30；周六 09:00-12:00" in page.locator("[data-power-in-force]").inner_text()
        assert "已保存大厅开放时间" in page.locator(".flash").inner_text()
