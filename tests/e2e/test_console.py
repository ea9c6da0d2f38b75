"""Acceptance, end to end: the manager console in Chromium against a real ``kiosk serve``.

Sign-in and the delay after wrong passwords; an emergency sent from the console reaching an open wall page at once and
leaving it by itself at its expiry; the console's pages photographed (docs/screens/ with
KIOSK_DOC_SCREENS=1; look at them: a page that passes and looks broken is broken).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

import pytest

from tests.support.browser import chromium_missing, doc_screenshot
from tests.support.console_browser import console_pages, console_site, shoot, sign_in
from tests.support.console_world import ConsoleWorld
from tests.support.server import ServerProcess, wait_for

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
]

BEIJING: Final = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, ConsoleWorld]]:
    with console_site(Path(tmp_path_factory.mktemp("console"))) as (server, cw, _):
        yield server, cw


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    with console_pages(browser) as new_page:
        yield new_page()


def test_sign_in_wrong_passwords_delay_the_name_and_its_owner_gets_in_after(site: Any, page: Any) -> None:
    server, _ = site  # delays 天水's org admin, whom no other test here signs in as
    page.goto(f"{server.url}/console/login")
    shoot(page, "console-login")
    page.click("main button[type=submit]")
    assert page.locator("#f-username-error").inner_text().endswith("请输入用户名")
    for _ in range(7):  # waits of 1 s and 2 s after the fifth and the sixth; after the seventh, 4 s
        wait_for(lambda: wrong_password_checked(page, server), 30, "a wrong password to be checked")
    sign_in(page, server, "tianshui", wait=False)  # the right password, before the 4 s are over
    assert "登录尝试过于频繁，请" in page.locator("#login-problem").inner_text()
    shoot(page, "console-login-delayed")
    wait_for(lambda: signed_in_after_waiting(page, server), 30, "the owner to get in once the wait is over")
    assert "tianshui名（机构管理员）" in page.locator(".top__who").inner_text()


def wrong_password_checked(page: Any, server: ServerProcess) -> bool:
    sign_in(page, server, "tianshui", "wrong-password", wait=False)
    return "用户名或密码不正确" in page.locator("#login-problem").inner_text()


def signed_in_after_waiting(page: Any, server: ServerProcess) -> bool:
    sign_in(page, server, "tianshui", wait=False)
    return bool(page.url.endswith("/console/"))


def test_an_emergency_reaches_an_open_wall_and_expires_by_itself(site: Any, page: Any, browser: Any) -> None:
    server, cw = site
    wall = browser.new_page(viewport={"width": 1280, "height": 720})
    try:
        wall.goto(f"{server.url}/screen/{cw.world.wall_keys[0]}")
        wall.wait_for_function(
            "() => document.body.innerText.includes('失业保险金申领指南')"
            " || document.body.innerText.includes('仓储管理员')",
            timeout=15_000,
        )
        sign_in(page, server, "admin")
        page.goto(f"{server.url}/console/emergencies")
        page.fill("#f-title", "暴雨红色预警：暂停对外服务")
        page.fill("#f-body", "请市民朋友改日前来办理，线上业务照常。")
        page.check(f"input[name=unit][value='{cw.world.county_id}']")
        ends = datetime.now(UTC) + timedelta(seconds=25)
        page.select_option("#f-minutes", "until")
        page.fill("#f-until", ends.astimezone(BEIJING).strftime("%Y-%m-%dT%H:%M:%S"))
        shoot(page, "console-emergency-form")
        page.click("button:has-text('下一步：确认')")
        assert "将立即显示在 3 块屏幕上" in page.locator("#reach").inner_text()
        shoot(page, "console-emergency-confirm")
        page.click("button:has-text('确认发布')")
        page.wait_for_selector(".flash")
        sent = datetime.now(UTC)
        wall.wait_for_function("() => document.body.innerText.includes('暴雨红色预警')", timeout=5_000)
        assert datetime.now(UTC) - sent < timedelta(seconds=5)
        shoot(page, "console-emergencies")
        doc_screenshot(wall, "console-emergency-on-wall")
        wall.wait_for_function("() => !document.body.innerText.includes('暴雨红色预警')", timeout=60_000)
        assert datetime.now(UTC) >= ends - timedelta(seconds=1), "it must stay up until its expiry"
        page.goto(f"{server.url}/console/emergencies")
        assert "当前没有紧急通知" in page.inner_text("body")
        assert "已到期" in page.inner_text("body")
    finally:
        wall.close()


def test_the_console_pages_in_both_languages(site: Any, page: Any) -> None:
    server, cw = site
    sign_in(page, server, "admin")
    shoot(page, "console-home")
    page.goto(f"{server.url}/console/users")
    assert "orgadmin" in page.inner_text("table")
    shoot(page, "console-users")
    page.goto(f"{server.url}/console/users/new")
    page.select_option("#f-role", "hall_manager")
    page.click("main button[type=submit]")
    assert page.locator(".field__error").count() >= 3
    shoot(page, "console-user-form-errors")
    page.goto(f"{server.url}/console/audit")
    shoot(page, "console-audit")
    page.goto(f"{server.url}/console/plays?group=screen")
    assert page.locator("h1").inner_text() == "播放统计"
    shoot(page, "console-plays")
    page.goto(f"{server.url}/console/users?lang=en")
    assert "Accounts" in page.inner_text("h1")
    shoot(page, "console-users-en")


def _fleet_state(page: Any, server: ServerProcess, screen_id: int, hall_id: int) -> str:
    page.goto(f"{server.url}/console/fleet?hall={hall_id}")
    return str(page.get_attribute(f"tr[data-screen='{screen_id}']", "data-state"))


def _wait_state(page: Any, server: ServerProcess, screen_id: int, hall_id: int, want: str, seconds: float) -> float:
    """Reload the fleet page until the screen's row shows ``want``; returns the seconds it took."""
    start = datetime.now(UTC)
    while True:
        state = _fleet_state(page, server, screen_id, hall_id)
        waited = (datetime.now(UTC) - start).total_seconds()
        if state == want:
            return waited
        assert waited < seconds, f"the screen is still {state!r} after {waited:.1f} s, not {want!r}"
        page.wait_for_timeout(250)


def test_the_fleet_shows_a_wall_green_then_red_once_it_goes(site: Any, page: Any, browser: Any) -> None:
    server, cw = site
    key = cw.world.wall_keys[1]
    sign_in(page, server, "admin")
    page.goto(f"{server.url}/console/fleet?hall={cw.world.hall_id}&q=大厅2号屏")
    screen_id = int(page.get_attribute("tbody tr[data-screen]", "data-screen"))
    wall = browser.new_page(viewport={"width": 1280, "height": 720})
    try:
        wall.goto(f"{server.url}/screen/{key}")
        _wait_state(page, server, screen_id, cw.world.hall_id, "current", 20)
        shoot(page, "console-fleet")
    finally:
        wall.close()
    heartbeat = 5  # tests/support/server.py starts the server with KIOSK_HEARTBEAT_SECONDS=5
    waited = _wait_state(page, server, screen_id, cw.world.hall_id, "offline", heartbeat * 2.5)
    assert waited < heartbeat * 2.5
    assert page.locator(f"tr[data-screen='{screen_id}'] .state--offline").inner_text() == "离线"


def test_an_import_with_errors_then_a_clean_one(site: Any, page: Any) -> None:
    from tests.support.vacancy_files import HEADER, job, xlsx_bytes

    server, cw = site
    rows = [job(岗位名称=f"叉车司机{n}") for n in range(40)]
    rows[4] = job(最低月薪="9000", 最高月薪="5000")  # row 6
    rows[20] = job(招聘人数="若干")  # row 22
    rows[39] = job(用人单位="")  # row 41
    sign_in(page, server, "editor")
    page.goto(f"{server.url}/console/vacancies/import")
    page.select_option("#f-org_unit_id", str(cw.world.city_id))
    page.set_input_files(
        "#f-file",
        files=[
            {
                "name": "岗位.xlsx",
                "mimeType": "application/octet-stream",
                "buffer": xlsx_bytes([[r[h] for h in HEADER] for r in rows]),
            }
        ],
    )
    page.click("main button[type=submit]")
    page.wait_for_selector("#import-report")
    reported = page.locator("tr.import-problem td:first-child").all_inner_texts()
    assert reported == ["6", "22", "41"]
    shoot(page, "console-import-errors")
    rows[4], rows[20], rows[39] = job(), job(), job()
    page.select_option("#f-org_unit_id", str(cw.world.city_id))
    page.set_input_files(
        "#f-file",
        files=[
            {
                "name": "岗位.xlsx",
                "mimeType": "application/octet-stream",
                "buffer": xlsx_bytes([[r[h] for h in HEADER] for r in rows]),
            }
        ],
    )
    page.click("main form[enctype] button[type=submit]")
    page.wait_for_selector(".flash")
    assert "已导入 40 个岗位" in page.inner_text(".flash")
    shoot(page, "console-import-done")


def test_an_editors_emergency_proposal_goes_on_air_when_approved(site: Any, browser: Any) -> None:
    server, cw = site
    with console_pages(browser) as new_page:
        editor, approver = new_page(), new_page()
        sign_in(editor, server, "editor")
        editor.click("nav.top__nav >> text=紧急通知")
        editor.wait_for_url("**/console/emergencies/propose")
        editor.fill("#f-title", "大厅空调检修：二楼暂停取号")
        editor.select_option("#f-minutes", "30")
        editor.check(f"input[name=hall][value='{cw.world.hall_id}']")
        shoot(editor, "console-emergency-propose")
        editor.click("main form button[type=submit]")
        assert "审核员批准后立即播出" in editor.inner_text(".flash")
        sign_in(approver, server, "approver")
        approver.goto(f"{server.url}/console/emergencies")
        proposal = approver.locator("#pending-proposals [data-proposal]").filter(has_text="大厅空调检修")
        assert proposal.count() == 1
        shoot(approver, "console-emergency-proposals")
        proposal.locator("button:has-text('批准并立即播出')").click()
        approver.wait_for_selector(".flash")
        assert "大厅空调检修" in approver.inner_text(".onair")
        approver.click(".onair:has-text('大厅空调检修') button:has-text('立即结束')")
        approver.wait_for_selector(".flash")
