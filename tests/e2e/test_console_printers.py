"""Kiosk printers in the console, in Chromium against a real ``kiosk serve``: the fleet and the screen page in words.

The printer rows are what a kiosk's agent reported (content/citizens/kiosk_printers.py). Photographed
as docs/screens/console-fleet-printers.png with KIOSK_DOC_SCREENS=1; look at it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from content.citizens.kiosk_printers import PrinterKind, PrinterReport, PrinterRole, PrinterState, set_printer_status
from content.org.screens import Screen
from tests.support.browser import chromium_missing
from tests.support.console_browser import console_pages, console_site, shoot, sign_in
from tests.support.console_world import ConsoleWorld
from tests.support.server import ServerProcess

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
]

NOW = datetime(2026, 12, 7, 1, 20, tzinfo=UTC)


def _kiosks(session: Session, cw: ConsoleWorld) -> int:
    kiosk = Screen(hall_id=cw.world.hall_id, name="一楼自助终端", kind="kiosk")
    session.add(kiosk)
    session.flush()
    for report in (
        PrinterReport(PrinterRole.SLIP, PrinterKind.ESCPOS_USB, PrinterState.PAPER_OUT, "paper end", paper_mm=80),
        PrinterReport(PrinterRole.A4, PrinterKind.CUPS, PrinterState.PAUSED, "queue hall-a4 disabled"),
    ):
        set_printer_status(session, kiosk.id, report, NOW)
    return kiosk.id


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, int]]:
    with console_site(Path(tmp_path_factory.mktemp("printers")), _kiosks) as (server, _, kiosk_id):
        assert kiosk_id is not None
        yield server, kiosk_id


def test_the_fleet_and_the_screen_page_say_each_printers_state_in_words(
    browser: Any, site: tuple[ServerProcess, int]
) -> None:
    server, kiosk_id = site
    with console_pages(browser) as new_page:
        page = new_page()
        sign_in(page, server, "manager")
        page.goto(f"{server.url}/console/fleet?kind=kiosk")
        row = page.locator(f"tr[data-screen='{kiosk_id}']")
        assert row.locator("[data-printer=slip]").inner_text() == "小票打印机：缺纸"
        assert row.locator("[data-printer=a4]").inner_text() == "A4 打印机：已暂停"
        assert row.locator("[data-printer=a4]").get_attribute("title") == "queue hall-a4 disabled"
        shoot(page, "console-fleet-printers")
        page.goto(f"{server.url}/console/fleet?kind=kiosk&lang=en")
        assert "Slip printer: out of paper" in page.locator(f"tr[data-screen='{kiosk_id}']").inner_text().replace(
            "：", ": "
        )
        page.goto(f"{server.url}/console/screens/{kiosk_id}?lang=zh-CN")
        facts = page.locator("#status").locator("xpath=..").inner_text()
        assert "打印机" in facts and "小票打印机：缺纸" in facts and "A4 打印机：已暂停" in facts
