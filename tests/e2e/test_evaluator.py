"""Acceptance, end to end: 好差评 at a counter, from 办结 on the counter page to the console's statistics.

A real ``kiosk serve`` on a seeded hall; the counter page, the evaluator tablet (1280×800 and
800×1280) and the console in Debian's Chromium. Every step waits on what the page shows; every
screen is photographed into test-artifacts/ (docs/screens/ with KIOSK_DOC_SCREENS=1) and was looked at.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import pytest
from sqlalchemy.orm import Session

from content.accounts.staff import Role, add_account
from content.queue.ticketing import take_ticket
from kiosk_server.database import make_engine
from tests.support import migrated_schema
from tests.support.browser import chromium_missing, doc_screenshot
from tests.support.console_world import PASSWORD
from tests.support.evaluation_world import EvaluatorDesk, add_evaluator_desk
from tests.support.kiosk_site import axe_missing, axe_violations
from tests.support.queue_world import earlier_today
from tests.support.server import ServerProcess
from tests.support.world import build_world

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    # One served hall for the module, whose tickets the tests call in turn (A001, A002, …): one worker, in order.
    pytest.mark.xdist_group("evaluator_e2e"),
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
]

LANDSCAPE: Final = {"width": 1280, "height": 800}
PORTRAIT: Final = {"width": 800, "height": 1280}
COUNTER: Final = {"width": 1024, "height": 600}
CONSOLE: Final = {"width": 1280, "height": 900}

# Every box inside the window (the evaluator never scrolls), and every button a finger presses at least 64 px.
LAYOUT_PROBLEMS: Final = """() => {
  const out = [];
  const doc = document.documentElement;
  if (doc.scrollHeight > innerHeight || doc.scrollWidth > innerWidth) out.push('the page scrolls');
  for (const el of document.querySelectorAll('#evaluator *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.right > innerWidth + 0.5 || r.bottom > innerHeight + 0.5) out.push('outside: ' + el.className);
    if (el.tagName === 'BUTTON' && (r.width < 64 || r.height < 64)) out.push('small target: ' + el.className);
    if (el.scrollWidth > el.clientWidth + 1 && el.matches('.ev-level-word, .ev-chip, .ev-counter')) out.push('cut: ' + el.className);
  }
  return out;
}"""


@dataclass
class Site:
    server: ServerProcess
    desk: EvaluatorDesk


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    root = Path(tmp_path_factory.mktemp("evaluator"))
    url = f"sqlite:///{root / 'kiosk.sqlite3'}"
    engine = make_engine(url)
    migrated_schema.ready(engine)
    now = datetime.now(UTC)
    with Session(engine) as session:
        world = build_world(session, vacancies=0)
        desk = add_evaluator_desk(session, world.hall_id, now)
        add_account(
            session,
            username="manager",
            password=PASSWORD,
            display_name="大厅值班长",
            role=Role.HALL_MANAGER,
            hall_id=world.hall_id,
        )
        for minutes in (20, 18, 16, 14, 12):
            take_ticket(session, desk.line_id, earlier_today(now, minutes, span=21))
        session.commit()
    engine.dispose()
    server = ServerProcess(root / "server", url)
    server.start()
    yield Site(server, desk)
    server.stop()


def open_page(browser: Any, viewport: dict[str, int]) -> Any:
    context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.page_errors = errors  # type: ignore[attr-defined]
    return page


def shoot_evaluator(page: Any, name: str) -> None:
    page.evaluate("() => document.fonts.ready")
    doc_screenshot(page, f"evaluator-{name}")
    assert page.evaluate(LAYOUT_PROBLEMS) == [], name


def counter_page(browser: Any, site: Site) -> Any:
    page = open_page(browser, COUNTER)
    page.goto(f"{site.server.url}/counter/login")
    page.fill("#username", site.desk.staff_username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.click(f"[data-counter='{site.desk.counter_id}']")
    page.wait_for_function("() => window.__counter && window.__counter.state()")
    return page


def serve_next(counter: Any, number: str) -> None:
    """Call the next ticket (it must be ``number``) and finish it: 办结."""
    counter.keyboard.press("n")
    counter.wait_for_function(
        "(n) => { const s = window.__counter.state(); return s && s.ticket && s.ticket.number === n; }", arg=number
    )
    counter.keyboard.press("f")
    counter.wait_for_function("() => { const s = window.__counter.state(); return s && !s.ticket; }")


def evaluator_page(browser: Any, site: Site, viewport: dict[str, int]) -> Any:
    page = open_page(browser, viewport)
    page.goto(f"{site.server.url}/screen/{site.desk.evaluator_key}")
    page.wait_for_selector("#evaluator[data-view=idle][data-conn=online] .ev-invite")
    return page


def test_a_very_dissatisfied_rating_reaches_the_statistics_and_the_follow_up_list(browser: Any, site: Site) -> None:
    tablet = evaluator_page(browser, site, LANDSCAPE)
    assert tablet.inner_text(".ev-counter") == "5号窗口"
    assert tablet.inner_text(".ev-staff-name") == "王芳"
    assert tablet.inner_text(".ev-invite") == "请对我的服务进行评价"
    shoot_evaluator(tablet, "idle-1280x800")

    counter = counter_page(browser, site)
    serve_next(counter, "A001")
    tablet.wait_for_selector("#evaluator[data-view=ask]")
    assert tablet.inner_text(".ev-fact--ticket dd") == "A001"
    assert tablet.inner_text(".ev-fact--service dd") == "社保业务"
    assert tablet.inner_text(".ev-fact--staff dd") == "王芳"
    words = tablet.locator(".ev-level-word").all_inner_texts()
    assert words == ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]
    shoot_evaluator(tablet, "ask-1280x800")
    if axe_missing() is None:
        assert axe_violations(tablet) == [], "no serious or critical accessibility problem (contrast included)"

    tablet.click(".ev-level--1")
    tablet.wait_for_selector("#evaluator[data-view=reasons]")
    assert tablet.is_disabled(".ev-confirm"), "no reason chosen yet"
    tablet.click("[data-reason=attitude]")
    tablet.click("[data-reason=long_wait]")
    assert tablet.get_attribute("[data-reason=attitude]", "aria-pressed") == "true"
    shoot_evaluator(tablet, "reasons-1280x800")
    tablet.click(".ev-confirm")
    tablet.wait_for_selector("#evaluator[data-view=thanks]")
    assert tablet.inner_text(".ev-message-title") == "感谢您的评价"
    tablet.wait_for_function("() => window.__evaluator.log.some((e) => e.ack && e.ack.ok && e.ack.result === 'rated')")
    shoot_evaluator(tablet, "thanks-1280x800")
    tablet.wait_for_selector("#evaluator[data-view=idle]", timeout=15_000)  # back to idle after a few seconds

    console = open_page(browser, CONSOLE)
    console.goto(f"{site.server.url}/console/login")
    console.fill("#f-username", "manager")
    console.fill("#f-password", PASSWORD)
    console.click("main button[type=submit]")
    console.wait_for_selector(".top__who")
    console.goto(f"{site.server.url}/console/evaluations")
    row = console.locator("tr.ev-row[data-key='5号窗口']")
    assert row.locator("[data-level='1']").inner_text() == "1"
    assert row.locator("[data-col=satisfaction]").inner_text() == "0.0%"
    doc_screenshot(console, "console-evaluations")
    if axe_missing() is None:
        assert axe_violations(console) == []
    console.click("text=整改跟踪")
    item = console.locator("tr.ev-followup").first
    assert "非常不满意" in item.inner_text() and "服务态度差" in item.inner_text() and "等候时间长" in item.inner_text()
    assert "A001" in item.inner_text() and "王芳" in item.inner_text()
    item.locator("select[name=status]").select_option("in_progress")
    item.locator("textarea[name=note]").fill("已约谈窗口人员，加强服务礼仪培训")
    item.locator("button[type=submit]").click()
    console.wait_for_selector("p.flash")
    saved = console.locator("tr.ev-followup").first
    assert saved.get_attribute("data-status") == "in_progress"
    doc_screenshot(console, "console-evaluation-followups")
    if axe_missing() is None:
        assert axe_violations(console) == []
    for page in (tablet, counter, console):
        assert not page.page_errors
        page.context.close()


def test_portrait_and_the_next_call_takes_the_question_away(browser: Any, site: Site) -> None:
    tablet = evaluator_page(browser, site, PORTRAIT)
    counter = counter_page(browser, site)
    serve_next(counter, "A002")
    tablet.wait_for_selector("#evaluator[data-view=ask]")
    assert tablet.inner_text(".ev-fact--ticket dd") == "A002"
    shoot_evaluator(tablet, "ask-800x1280")
    tablet.click(".ev-level--2")
    tablet.wait_for_selector("#evaluator[data-view=reasons]")
    tablet.click("[data-reason=unclear_materials]")
    shoot_evaluator(tablet, "reasons-800x1280")
    counter.keyboard.press("n")  # the next citizen is called before this one confirmed
    tablet.wait_for_selector("#evaluator[data-view=idle]")
    assert tablet.locator(".ev-level").count() == 0, "the question is gone: never asked of the next citizen"
    shoot_evaluator(tablet, "idle-800x1280")
    for page in (tablet, counter):
        assert not page.page_errors
        page.context.close()


def test_a_tablet_away_at_the_finish_asks_when_it_is_back(browser: Any, site: Site) -> None:
    counter = counter_page(browser, site)
    counter.wait_for_function("() => window.__counter.state().ticket.number === 'A003'")  # called by the test above
    counter.keyboard.press("f")  # 办结 while no evaluator page is open anywhere
    counter.wait_for_function("() => { const s = window.__counter.state(); return s && !s.ticket; }")
    tablet = open_page(browser, LANDSCAPE)
    tablet.goto(f"{site.server.url}/screen/{site.desk.evaluator_key}")
    tablet.wait_for_selector("#evaluator[data-view=ask][data-conn=online]")
    assert tablet.inner_text(".ev-fact--ticket dd") == "A003"
    tablet.click(".ev-level--5")
    tablet.wait_for_selector("#evaluator[data-view=thanks]")
    tablet.wait_for_function("() => window.__evaluator.log.some((e) => e.ack && e.ack.ok && e.ack.result === 'rated')")
    for page in (tablet, counter):
        assert not page.page_errors
        page.context.close()


def test_no_answer_within_the_window_is_recorded_as_not_rated(browser: Any, site: Site) -> None:
    tablet = open_page(browser, LANDSCAPE)
    tablet.clock.install()  # the page's timers on a clock the test moves: no minute of waiting
    tablet.goto(f"{site.server.url}/screen/{site.desk.evaluator_key}")
    tablet.wait_for_selector("#evaluator[data-view=idle][data-conn=online] .ev-invite")
    counter = counter_page(browser, site)
    serve_next(counter, "A004")
    tablet.wait_for_selector("#evaluator[data-view=ask]")
    assert tablet.inner_text(".ev-countdown") == "60 秒后自动结束"
    tablet.clock.fast_forward(61_000)
    tablet.wait_for_function(
        "() => window.__evaluator.log.some((e) => e.ack && e.ack.ok && e.ack.result === 'expired')"
    )
    sent = tablet.evaluate("() => window.__evaluator.log.find((e) => e.sent).sent")
    assert sent["level"] is None and sent["reasons"] == []
    tablet.wait_for_selector("#evaluator[data-view=idle]")
    for page in (tablet, counter):
        assert not page.page_errors
        page.context.close()
