"""Accessibility of the whole console: axe-core (tests/e2e/package.json) on every console page in Chromium.

The pages are the app's ``console.*`` GET routes, filled from the demo world with a history on every
page (tests/support/console_pages.py), opened by the demo's system admin. No violation of impact
serious or critical is allowed. The fleet page refreshes itself without a meta refresh.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.citizens.kiosk_agents import ReaderKind, ReaderReport, ReaderState, set_reader_status
from content.org.tree import Hall, OrgUnit
from content.signage.layouts import Layout
from kiosk_server import create_app
from kiosk_server.database import make_engine
from tests.support import migrated_schema
from tests.support.browser import chromium_missing
from tests.support.console_browser import console_pages, shoot, sign_in
from tests.support.console_pages import ADMIN, PASSWORD, SeededIds, console_page_urls, seed_console_demo
from tests.support.kiosk_site import axe_missing, axe_violations
from tests.support.server import ServerProcess

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
    pytest.mark.skipif(axe_missing() is not None, reason=axe_missing() or ""),
]


class Site:
    def __init__(self, server: ServerProcess, urls: dict[str, str], ids: SeededIds, database_url: str) -> None:
        self.server, self.urls, self.ids, self.database_url = server, urls, ids, database_url


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    root = Path(tmp_path_factory.mktemp("console-axe"))
    url = f"sqlite:///{root / 'kiosk.sqlite3'}"
    engine = make_engine(url)
    migrated_schema.ready(engine)
    now = datetime.now(UTC)
    data_dir = root / "server"
    app = create_app({"data_dir": str(root / "routes"), "database_url": url, "testing": True})
    with Session(engine) as session:
        ids = seed_console_demo(session, today=now.date(), now=now, media_dir=data_dir / "media")
        urls = console_page_urls(app, session)
    engine.dispose()
    server = ServerProcess(data_dir, url)
    server.start()
    try:
        yield Site(server, urls, ids, url)
    finally:
        server.stop()


def test_no_console_page_has_a_serious_or_critical_axe_violation(browser: Any, site: Site) -> None:
    with console_pages(browser) as new_page:
        page = new_page()
        sign_in(page, site.server, ADMIN, PASSWORD)
        problems: dict[str, list[dict[str, Any]]] = {}
        broken: dict[str, int] = {}
        for endpoint, path in sorted(site.urls.items()):
            response = page.goto(site.server.url + path)
            assert response is not None
            if not response.ok:
                broken[path] = response.status
                continue
            page.wait_for_load_state("load")
            found = axe_violations(page)
            if found:
                problems[f"{endpoint} {path}"] = found
        assert len(site.urls) > 30
        assert not broken, broken
        assert not problems, problems


def test_the_audit_log_reads_as_words(browser: Any, site: Site) -> None:
    with console_pages(browser) as new_page:
        page = new_page()
        sign_in(page, site.server, ADMIN, PASSWORD)
        page.goto(f"{site.server.url}/console/audit")
        changes = page.locator("tr[data-action=updated] .changes", has_text="招聘人数")
        assert "招聘人数：3 → 5" in changes.inner_text()
        assert "查询个人参保记录" in page.locator("tr[data-action='citizen_lookup.records']").inner_text()
        shoot(page, "console-audit-words", full=True)


def test_the_fleet_table_refreshes_in_place_without_a_meta_refresh(browser: Any, site: Site) -> None:
    with console_pages(browser) as new_page:
        page = new_page()
        sign_in(page, site.server, ADMIN, PASSWORD)
        page.goto(f"{site.server.url}/console/fleet")
        assert page.locator("meta[http-equiv=refresh]").count() == 0
        row = page.locator(f"tr[data-screen='{site.ids.kiosk_id}']")
        assert "社保卡读卡器：待机" in row.inner_text()
        page.evaluate("() => { window.stillHere = true; }")  # gone if the page navigates
        engine = make_engine(site.database_url)
        with Session(engine) as session:
            report = ReaderReport("ssc-0", ReaderKind.SSC_PCSC, ReaderState.FAULT, "no card answer", "io_error")
            set_reader_status(session, site.ids.kiosk_id, report, datetime.now(UTC))
            session.commit()
        engine.dispose()
        page.click("[data-live-now]")
        page.wait_for_function(
            "id => document.querySelector(`tr[data-screen='${id}']`).innerText.includes('社保卡读卡器：故障')",
            arg=site.ids.kiosk_id,
        )
        assert page.evaluate("() => window.stillHere === true")
        assert "通信错误" in page.locator(f"tr[data-screen='{site.ids.kiosk_id}']").inner_text()
        assert page.locator("[data-live-part=updated] time").count() == 1

        # Hidden: nothing is fetched and the page says so; shown again: it refreshes at once.
        page.evaluate(
            "() => { Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });"
            " document.dispatchEvent(new Event('visibilitychange')); }"
        )
        assert "暂停" in page.locator("[data-live-note]").inner_text()
        engine = make_engine(site.database_url)
        with Session(engine) as session:
            report = ReaderReport("scan-0", ReaderKind.SCANNER_HID, ReaderState.IDLE)
            set_reader_status(session, site.ids.kiosk_id, report, datetime.now(UTC))
            session.commit()
        engine.dispose()
        page.click("[data-live-now]")  # ignored while hidden
        assert "扫码器：已拔出" in page.locator(f"tr[data-screen='{site.ids.kiosk_id}']").inner_text()
        page.evaluate(
            "() => { Object.defineProperty(document, 'hidden', { configurable: true, get: () => false });"
            " document.dispatchEvent(new Event('visibilitychange')); }"
        )
        page.wait_for_function(
            "id => document.querySelector(`tr[data-screen='${id}']`).innerText.includes('扫码器：待机')",
            arg=site.ids.kiosk_id,
        )
        assert page.evaluate("() => window.stillHere === true")


def test_a_fifteen_minute_block_is_visible_and_named(browser: Any, site: Site) -> None:
    engine = make_engine(site.database_url)
    with Session(engine) as session:
        province = session.scalar(select(OrgUnit.id).where(OrgUnit.parent_id.is_(None)))
        layout = session.scalar(select(Layout.id).order_by(Layout.id))
        hall = session.scalar(select(Hall.id).order_by(Hall.id))
    engine.dispose()
    created = requests.post(
        f"{site.server.url}/api/v1/schedules",
        headers={"Authorization": "Bearer test-token"},
        json={
            "org_unit_id": province,
            "name": "整点提醒",
            "layer": "scheduled",
            "priority": 5,
            "layout_id": layout,
            "daypart_start": "10:00",
            "daypart_end": "10:15",
            "rrule": "FREQ=DAILY",
            "targets": [{"kind": "hall", "ref": hall}],
        },
        timeout=10,
    )
    assert created.status_code == 201, created.text
    with console_pages(browser, {"width": 1366, "height": 900}) as new_page:
        page = new_page()
        sign_in(page, site.server, ADMIN, PASSWORD)
        page.goto(f"{site.server.url}/console/schedules")
        short = page.get_by_role("link", name="整点提醒 · 10:00–10:15 · 排期层 · 优先级 5").first
        expect_box = short.bounding_box()
        assert expect_box is not None and expect_box["height"] >= 18  # a line of text, not a 7-pixel sliver
        assert short.get_attribute("title") == short.get_attribute("aria-label")
        name = short.locator("strong")
        assert name.is_visible() and name.inner_text() == "整点提醒"
        assert page.evaluate(  # the label is not cut off at the top or bottom
            "el => { const a = el.getBoundingClientRect(), b = el.parentElement.getBoundingClientRect();"
            " return a.top >= b.top - 1 && a.bottom <= b.bottom + 1; }",
            name.element_handle(),
        )
        short.scroll_into_view_if_needed()
        shoot(page, "console-calendar-short-block")


def test_the_occupation_picker_finds_a_code_by_pinyin_initials(browser: Any, site: Site) -> None:
    with console_pages(browser) as new_page:
        page = new_page()
        sign_in(page, site.server, ADMIN, PASSWORD)
        page.goto(f"{site.server.url}/console/vacancies/new")
        search = page.get_by_role("combobox", name="查找职业")
        search.fill("kdy")
        option = page.get_by_role("option", name="4-02-07-08 快递员")
        option.wait_for()
        assert search.get_attribute("aria-expanded") == "true"
        assert not axe_violations(page)  # with the list open
        search.press("ArrowDown")
        search.press("Enter")
        assert page.input_value("#f-occupation_code") == "4-02-07-08"
        assert page.locator("[data-occupation-status]").inner_text() == "已选：4-02-07-08 快递员"
        assert search.get_attribute("aria-expanded") == "false"
        search.fill("电")
        page.get_by_role("option", name="6-31-01-03 电工").click()
        assert page.input_value("#f-occupation_code") == "6-31-01-03"
        search.fill("kd")
        page.get_by_role("option").first.wait_for()
        shoot(page, "console-occupation-picker", full=True)
