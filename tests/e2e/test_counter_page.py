"""Acceptance, end to end: a counter clerk signs in and works the queue from the keyboard, at 800×480.

A real ``kiosk serve`` on a seeded hall, the counter page in Debian's Chromium. Every step waits on
the page's own state (``window.__counter``); every screen is checked for overflow and photographed
into test-artifacts/ (docs/screens/ with KIOSK_DOC_SCREENS=1) (look at them: a page that passes and looks broken is broken).
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
from content.queue.setup import add_counter, add_service_type
from content.queue.ticketing import take_ticket
from kiosk_server.database import make_engine
from tests.support import migrated_schema
from tests.support.browser import chromium_missing, doc_screenshot
from tests.support.kiosk_site import axe_missing, axe_violations
from tests.support.queue_world import earlier_today
from tests.support.server import ServerProcess
from tests.support.world import build_world

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
]

SMALL: Final = {"width": 800, "height": 480}
MEDIUM: Final = {"width": 1024, "height": 600}
PASSWORD: Final = "counter-pass-1"

# Every box inside the window and inside any box that clips it, the page not scrolling, no label cut short.
OVERFLOW: Final = """() => {
  const out = [];
  const doc = document.documentElement;
  if (doc.scrollHeight > innerHeight || doc.scrollWidth > innerWidth) out.push('the page scrolls');
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + '.' + [...el.classList].join('.');
  const outside = (r, box) => r.left < box.left - 0.5 || r.top < box.top - 0.5 || r.right > box.right + 0.5
    || r.bottom > box.bottom + 0.5;
  const window_ = { left: 0, top: 0, right: innerWidth, bottom: innerHeight };
  for (const el of document.querySelectorAll('body *')) {
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    if (el.parentElement.closest('.clines__list, .cchoose, .ctransfer__groups')) continue;  // they scroll inside
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (outside(r, window_)) out.push('outside the window: ' + name(el));
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflow !== 'visible') {
        if (outside(r, up.getBoundingClientRect())) out.push('cut by its box: ' + name(el));
        break;
      }
    }
    const label = el.matches('.caction__label, .caction__key, .cticket__number, .cbadge, .cbar__title, '
                             + '.cline__count, .cchip, .cbutton, .cfield__error, .cproblem, .cchoice__name');
    if (label && el.scrollWidth > el.clientWidth + 1) out.push('cut short: ' + name(el));
  }
  return out;
}"""


@dataclass
class Hall:
    server: ServerProcess
    window1: int  # serves A and B
    window3: int  # serves C


@pytest.fixture(scope="module")
def hall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hall]:
    root = Path(tmp_path_factory.mktemp("counter-page"))
    url = f"sqlite:///{root / 'kiosk.sqlite3'}"
    engine = make_engine(url)
    migrated_schema.ready(engine)
    now = datetime.now(UTC)
    with Session(engine) as session:
        world = build_world(session, vacancies=0)
        social = add_service_type(session, world.hall_id, prefix="A", name="社保业务", name_en="Social security")
        jobs = add_service_type(session, world.hall_id, prefix="B", name="就业登记", name_en="Job registration")
        benefit = add_service_type(session, world.hall_id, prefix="C", name="失业保险", name_en="Unemployment benefit")
        window1 = add_counter(session, world.hall_id, number=1, services=[social, jobs])
        add_counter(session, world.hall_id, number=2, services=[jobs])
        window3 = add_counter(session, world.hall_id, number=3, services=[benefit])
        add_account(
            session,
            username="wang",
            password=PASSWORD,
            display_name="王芳",
            role=Role.COUNTER_STAFF,
            hall_id=world.hall_id,
        )
        # A001, A002, B001, A003, then B002 in the priority lane (绿色通道), which is called first.
        for minutes, service, priority in (
            (20, social, False),
            (18, social, False),
            (16, jobs, False),
            (14, social, False),
            (12, jobs, True),
            (10, benefit, False),
            (8, benefit, False),
        ):
            take_ticket(session, service.id, earlier_today(now, minutes, span=21), priority=priority)
        session.commit()
        ids = Hall(ServerProcess(root / "server", url), window1.id, window3.id)
    engine.dispose()
    ids.server.start()
    yield ids
    ids.server.stop()


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    opened = browser.new_context(viewport=SMALL, locale="zh-CN", timezone_id="Asia/Shanghai")
    yield opened
    opened.close()


def open_page(context: Any) -> Any:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.counter_errors = errors  # type: ignore[attr-defined]
    return page


def shoot(page: Any, name: str) -> None:
    """Check nothing overflows, then photograph the page (see doc_screenshot)."""
    page.evaluate("() => document.fonts.ready")
    assert page.evaluate("() => document.fonts.check('16px \"Noto Sans CJK SC\"', '窗口叫号')"), "a CJK font"
    doc_screenshot(page, f"counter-{name}")
    problems = page.evaluate(OVERFLOW)
    assert problems == [], f"{name}: something overflows: {problems}"


def sign_in(page: Any, hall: Hall, password: str = PASSWORD) -> None:
    page.goto(f"{hall.server.url}/counter/login")
    page.fill("#username", "wang")
    page.fill("#password", password)
    page.click("button[type=submit]")


# The page's current ticket, once it holds a state and no action is on its way.
SETTLED_TICKET: Final = """() => {
  const held = window.__counter && window.__counter.state();
  if (!held || document.querySelector('.cactions[aria-busy=true]')) return undefined;
  return held.ticket ? held.ticket.number + '/' + held.ticket.state : 'none';
}"""


def wait_ticket(page: Any, number: str | None, state: str = "") -> None:
    """Wait until the page shows ``number`` (in ``state``, if given) as its current ticket; None: no ticket."""
    page.wait_for_function(
        f"([want, exact]) => {{ const got = ({SETTLED_TICKET})();"
        " return got !== undefined && (exact ? got === want : got.startsWith(want)); }",
        arg=["none" if number is None else f"{number}/{state}", number is None or bool(state)],
    )


def status(page: Any) -> str:
    return str(page.inner_text("#status"))


def line_next(page: Any, prefix: str) -> list[str]:
    return list(
        page.evaluate(
            "(p) => window.__counter.state().lines.find(l => l.service.prefix === p).next.map(t => t.number)", prefix
        )
    )


def enabled(page: Any) -> set[str]:
    return set(page.evaluate("() => [...document.querySelectorAll('.caction:enabled')].map(b => b.dataset.action)"))


def test_sign_in_refusal_and_counter_choice_fit_a_small_screen(context: Any, hall: Hall) -> None:
    page = open_page(context)
    page.goto(f"{hall.server.url}/counter/login")
    shoot(page, "login")
    if axe_missing() is None:
        assert axe_violations(page) == []
    sign_in(page, hall, password="not-the-password")
    page.wait_for_selector(".cproblem")
    assert "用户名或密码不正确" in page.inner_text(".cproblem")
    assert page.input_value("#username") == "wang"
    shoot(page, "login-refused")
    sign_in(page, hall)
    page.wait_for_selector(".cchoice")
    assert page.locator(".cchoice__name").all_inner_texts() == ["1号窗口", "2号窗口", "3号窗口"]
    shoot(page, "choose")
    assert not page.counter_errors


def test_a_clerk_works_the_queue_from_the_keyboard(context: Any, hall: Hall) -> None:
    page = open_page(context)
    sign_in(page, hall)
    page.click(f"[data-counter='{hall.window1}']")
    wait_ticket(page, None)
    assert page.inner_text("#ticket-number") == "暂无" and enabled(page) == {"call"}
    assert line_next(page, "A") == ["A001", "A002", "A003"] and line_next(page, "B") == ["B002", "B001"]
    shoot(page, "idle")

    page.keyboard.press("r")  # nothing called: recall cannot apply
    assert "现在不能“重呼”" in status(page)
    assert page.get_attribute("#status", "data-kind") == "error"
    shoot(page, "refused")

    page.keyboard.press("n")  # the priority lane first
    wait_ticket(page, "B002", "called")
    assert "已叫号：B002" in status(page) and page.inner_text("#ticket-state") == "已叫号"
    assert enabled(page) == {"call", "recall", "start", "finish", "no-show", "transfer"}
    shoot(page, "called")
    if axe_missing() is None:
        assert axe_violations(page) == [], "no serious or critical accessibility problem (contrast included)"

    page.keyboard.press("r")
    page.wait_for_function("() => window.__counter.state().ticket.recalls === 1")
    assert "已重呼：B002" in status(page)

    page.keyboard.press("s")
    wait_ticket(page, "B002", "serving")
    assert page.inner_text("#ticket-state") == "办理中" and enabled(page) == {"call", "finish", "transfer"}
    shoot(page, "serving")

    page.keyboard.press("f")
    wait_ticket(page, None)
    assert "办理完成：B002" in status(page)

    page.keyboard.press("Space")
    wait_ticket(page, "A001", "called")
    page.keyboard.press("x")
    wait_ticket(page, None)
    assert "已过号：A001" in status(page)

    # A mouse click leaves the focus on 叫号: Space then presses it once, not twice.
    page.click("[data-action=call]")
    wait_ticket(page, "A002", "called")
    page.keyboard.press("Space")
    wait_ticket(page, "B001", "called")
    assert line_next(page, "A") == ["A003"], "one press, one call"

    page.keyboard.press("t")
    page.wait_for_selector("#transfer[open]")
    assert page.inner_text("#transfer-title") == "转移 B001"
    offered = page.locator("#transfer [data-kind=service] .ctransfer__choice").all_inner_texts()
    assert offered == ["A 社保业务", "C 失业保险"], "never the ticket's own line B"
    shoot(page, "transfer")
    page.keyboard.press("Escape")
    page.wait_for_selector("#transfer:not([open])", state="attached")
    wait_ticket(page, "B001", "called")

    page.keyboard.press("t")
    page.click("#transfer [data-kind=service] >> text=A 社保业务")
    wait_ticket(page, None)
    assert "B001 已转到 A 社保业务" in status(page)
    assert line_next(page, "A") == ["B001", "A003"], "it keeps its place by arrival time"
    shoot(page, "transferred")
    assert not page.counter_errors


def test_the_page_in_english_on_a_1024_by_600_screen(context: Any, hall: Hall) -> None:
    page = open_page(context)
    page.set_viewport_size(MEDIUM)
    sign_in(page, hall)
    page.goto(f"{hall.server.url}/counter/{hall.window3}?lang=en")
    wait_ticket(page, None)
    page.keyboard.press("n")
    wait_ticket(page, "C001", "called")
    assert page.inner_text("#ticket-state") == "Called" and "Called C001" in status(page)
    assert page.inner_text("[data-action=call] .caction__key") == "N / Space"
    shoot(page, "english-1024x600")
    page.keyboard.press("s")
    wait_ticket(page, "C001", "serving")
    page.set_viewport_size(SMALL)
    shoot(page, "english")
    assert not page.counter_errors
