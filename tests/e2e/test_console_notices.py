"""Acceptance, end to end: a policy notice's approval round trip in Chromium, from the editor to an open wall.

An editor writes a notice (the live preview follows the typing, sanitized by the server) and submits
it; the approver sees the notification in the top bar, approves and publishes it; the wall of the
hall below the notice's node, open all along, shows it. The wall's default playlist has a notice
feed (tests/support/world.py): published notices of the nodes above its hall, newest first, so a
notice needs no playlist of its own. Screenshots: the editor with its preview, the notifications,
the review queue and the list (docs/screens/ with KIOSK_DOC_SCREENS=1; look at them).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import pytest

from tests.support.browser import chromium_missing, doc_screenshot
from tests.support.console_browser import console_pages, console_site, shoot, sign_in
from tests.support.console_world import ConsoleWorld
from tests.support.server import ServerProcess

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
]

DESKTOP: Final = {"width": 1366, "height": 800}
TITLE: Final = "关于开展2026年度灵活就业人员社保补贴申领的通知"
BODY: Final = """## 申领对象

- 就业困难人员实现灵活就业的
- 离校两年内未就业高校毕业生

| 项目 | 标准 |
|---|---|
| 养老保险补贴 | 实际缴费额的三分之二 |

<script>alert("不会执行")</script>
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, ConsoleWorld]]:
    with console_site(Path(tmp_path_factory.mktemp("console-notices"))) as (server, cw, _):
        yield server, cw


@pytest.fixture
def context_for(browser: Any) -> Iterator[Any]:
    """context_for() -> a new page in its own browser context (its own cookies), checked for script errors."""
    with console_pages(browser, DESKTOP) as new_page:
        yield new_page


def text_shown(page: Any, text: str, timeout_ms: int) -> None:
    page.wait_for_function("t => document.body.innerText.includes(t)", arg=text, timeout=timeout_ms)


def test_an_approval_round_trip_reaches_an_open_wall(site: Any, context_for: Any, browser: Any) -> None:
    server, cw = site
    wall = browser.new_page(viewport={"width": 1280, "height": 720})
    try:
        wall.goto(f"{server.url}/screen/{cw.world.wall_keys[0]}")
        wall.wait_for_function(
            "() => document.body.innerText.includes('失业保险金申领指南')"
            " || document.body.innerText.includes('仓储管理员')",
            timeout=15_000,
        )

        editor = context_for()
        sign_in(editor, server, "editor")
        editor.goto(f"{server.url}/console/notices/new")
        editor.select_option("#f-org_unit_id", str(cw.world.county_id))
        editor.fill("#f-title", TITLE)
        editor.fill("#f-topic", "就业创业")
        editor.fill("#f-issuing_office", "兰州市人力资源和社会保障局")
        editor.fill("#f-effective_date", "2026-12-01")
        editor.locator("#f-body_markdown").press_sequentially(BODY[:12])  # typing: the preview follows
        editor.wait_for_function(
            "() => document.querySelector('#preview h2')?.textContent === '申领对象'", timeout=5_000
        )
        editor.fill("#f-body_markdown", BODY)
        editor.wait_for_selector("#preview table", timeout=5_000)
        preview = editor.inner_html("#preview")
        assert "<script" not in preview and "&lt;script&gt;" in preview, "the server's sanitized HTML, not the typed"
        editor.evaluate("() => { document.activeElement.blur(); window.scrollTo(0, 0); }")
        shoot(editor, "console-notice-editor")
        editor.click("button[value=submit]")
        editor.wait_for_selector(".flash")
        assert "已提交审核" in editor.inner_text(".flash")
        assert "审核中" in editor.inner_text("h1")

        approver = context_for()
        sign_in(approver, server, "approver")
        assert approver.inner_text("#unread-count") == "1"
        approver.click(".top__notes")
        assert f"editor名 提交了政策公告《{TITLE}》，请审核" in approver.inner_text(".notes")
        shoot(approver, "console-notifications")
        approver.goto(f"{server.url}/console/notices/review")
        assert TITLE in approver.inner_text("#in-review")
        shoot(approver, "console-notice-review-queue")
        approver.goto(f"{server.url}/console/notifications")
        approver.click(".note--unread button")
        approver.wait_for_url("**/console/notices/*")
        assert approver.locator("#unread-count").count() == 0, "opening it marked it read"
        assert approver.locator("#notice-body script").count() == 0
        shoot(approver, "console-notice-in-review")
        approver.click("button[data-step=approved]")
        approver.wait_for_selector(".flash")
        assert "已审核通过" in approver.inner_text(".flash")
        approver.click("button[data-step=published]")
        approver.wait_for_selector(".flash")
        assert "已发布" in approver.inner_text(".flash")
        shoot(approver, "console-notice-published")

        text_shown(wall, TITLE, timeout_ms=60_000)  # the feed comes round after the vacancy board
        doc_screenshot(wall, "console-notice-on-wall")

        editor.goto(f"{server.url}/console/notifications")
        assert "已由 approver名 发布到屏幕" in editor.inner_text(".notes")
        editor.goto(f"{server.url}/console/notices")
        assert "已发布" in editor.inner_text(f"tr:has-text('{TITLE}')")
        shoot(editor, "console-notices")
    finally:
        wall.close()


def test_the_editor_works_without_its_script(site: Any, browser: Any) -> None:
    """Progressive enhancement: with JavaScript off, the preview button renders the same preview."""
    server, cw = site
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, server, "editor")
        page.goto(f"{server.url}/console/notices/new")
        page.fill("#f-body_markdown", "## 预览标题\n\n<img src=x onerror=alert(1)>")
        page.click("button[value=preview]")
        page.wait_for_selector("#preview h2")
        assert page.inner_text("#preview h2") == "预览标题"
        assert page.locator("#preview img").count() == 0
        page.click("button[value=submit]")
        assert page.locator(".field__error").count() == 1, "the title is missing: nothing was saved"
        assert "请输入标题" in page.inner_text("#f-title-error")
        shoot(page, "console-notice-editor-errors")
    finally:
        context.close()
