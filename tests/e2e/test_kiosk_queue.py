"""End to end: taking a number at the kiosk, and following it on a phone through the slip's QR code.

Real ``kiosk serve`` with the demo world (its lines A 社保业务, B 就业登记, C 综合咨询), the real agent
on a simulated ID reader, the kiosk page and a phone-sized page in Chromium.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.org.screens import Screen
from content.queue.models import Counter, ServiceType, Ticket
from content.queue.setup import add_counter, add_service_type
from content.queue.ticketing import call_next, take_ticket
from kiosk_server.database import make_engine
from tests.support.browser import chromium_missing
from tests.support.kiosk_site import (
    PORTRAIT,
    KioskSite,
    axe_missing,
    axe_violations,
    dom_text,
    kiosk_site,
    masked_name,
    open_kiosk,
    state,
    tap,
    wait_screen,
    wait_session,
)
from tests.support.queue_world import earlier_today

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
]

PHONE = {"width": 390, "height": 844}
WAITING_A = 2  # tickets queued on line A before the test takes its own


def prepare_lines(site: KioskSite) -> None:
    """The kiosk's hall gets lines A/B/C if the demo has none, and two people waiting on A."""
    engine = make_engine(site.server.database_url)
    try:
        with Session(engine) as session:
            screen = session.get(Screen, site.kiosk.screen_id)
            assert screen is not None
            lines = {
                s.prefix: s for s in session.scalars(select(ServiceType).where(ServiceType.hall_id == screen.hall_id))
            }
            if not lines:
                lines = {
                    p: add_service_type(session, screen.hall_id, prefix=p, name=n, name_en=e)
                    for p, n, e in (
                        ("A", "社保业务", "Social insurance"),
                        ("B", "就业登记", "Employment registration"),
                        ("C", "综合咨询", "General enquiries"),
                    )
                }
                add_counter(session, screen.hall_id, number=1, services=list(lines.values()))
            now = datetime.now(UTC)
            for n in range(WAITING_A):
                take_ticket(session, lines["A"].id, earlier_today(now, 10 - n, span=11))
            session.commit()
    finally:
        engine.dispose()


def call_until(site: KioskSite, number: str) -> str:
    """Call line A's tickets at a counter serving it until ``number`` is called; returns the counter's name."""
    engine = make_engine(site.server.database_url)
    try:
        with Session(engine) as session:
            mine = session.scalars(select(Ticket).where(Ticket.number == number).order_by(Ticket.id.desc())).first()
            assert mine is not None
            counter = next(
                c
                for c in session.scalars(
                    select(Counter).where(Counter.hall_id == mine.hall_id).order_by(Counter.number)
                )
                if mine.service_type_id in {s.id for s in c.services}
            )
            for _ in range(20):
                called = call_next(session, counter.id, datetime.now(UTC))
                session.commit()
                if called is None or called.number == number:
                    break
            assert called is not None and called.number == number
            return counter.name
    finally:
        engine.dispose()


def stored_ticket(site: KioskSite, number: str) -> Ticket:
    engine = make_engine(site.server.database_url)
    try:
        with Session(engine) as session:
            found = session.scalars(select(Ticket).where(Ticket.number == number).order_by(Ticket.id.desc())).first()
            assert found is not None
            return found
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KioskSite]:
    with kiosk_site(Path(tmp_path_factory.mktemp("kiosk-queue"))) as running:
        prepare_lines(running)
        yield running


@pytest.fixture
def page(browser: Any, site: KioskSite) -> Iterator[Any]:
    opened = open_kiosk(browser, site, PORTRAIT)
    yield opened
    errors = opened.kiosk_errors
    opened.context.close()
    site.clear()
    assert not errors, f"uncaught errors in the kiosk page: {errors}"


def no_axe_problems(page: Any, where: str) -> None:
    if axe_missing() is None:
        found = axe_violations(page)
        assert not found, f"{where}: {found}"


def open_queue(page: Any) -> None:
    tap(page, "[data-tile=queue]")
    wait_screen(page, "queue")
    page.wait_for_selector(".kline")


def take_number(page: Any) -> dict[str, Any]:
    """Tap 取号 and return the server's answer (the code is not on screen, only in the QR code)."""
    with page.expect_response(lambda r: r.url.endswith("/kiosk/api/queue/tickets")) as answer:
        tap(page, "[data-action=take]")
    assert answer.value.status == 201, answer.value.text()
    page.wait_for_selector(".kticket__number")
    page.wait_for_function(
        "() => { const q = document.querySelector('.kticket__qr'); return q && q.complete && q.naturalWidth > 0; }"
    )
    body: dict[str, Any] = answer.value.json()
    return body


def test_take_a_number_see_who_is_ahead_and_follow_it_on_a_phone(page: Any, browser: Any, site: KioskSite) -> None:
    tap(page, ".kattract__start")
    wait_screen(page, "home")
    assert "暂未开通" not in page.inner_text("[data-tile=queue]")
    open_queue(page)
    line_a = page.locator(".kline[data-prefix=A]")
    assert "社保业务" in line_a.inner_text() and f"等候 {WAITING_A} 人" in line_a.inner_text()
    assert page.locator(".kline").count() >= 3
    no_axe_problems(page, "queue lines")

    line_a.click()
    priority = page.locator(".kswitch[data-option=priority]")
    assert priority.get_attribute("aria-pressed") == "false" and "未选择" in priority.inner_text()
    assert page.locator(".kswitch[data-option=link]").count() == 0, "linking needs a card"
    assert "老年人、残疾人、孕妇" in page.inner_text(".kqueue__options")
    no_axe_problems(page, "queue options")

    ticket = take_number(page)
    number = page.inner_text(".kticket__number")
    assert re.fullmatch(r"A\d{3}", number) and number == ticket["number"]
    assert f"您前面还有 {WAITING_A} 人" in page.inner_text(".kticket__ahead")
    low, high = ticket["wait_minutes_low"], ticket["wait_minutes_high"]
    assert low < ticket["wait_minutes"] < high, "no history yet: the default duration, given as a range"
    assert f"预计等候约 {low}–{high} 分钟" in page.inner_text(".kticket__wait")
    text = page.inner_text("#kiosk")
    assert "过号无效，请重新取号" in text and "本机不打印小票" in text and "请取走小票" not in text
    assert ticket["status_url"].endswith(f"/q/{ticket['code']}") and ticket["code"] not in dom_text(page)
    no_axe_problems(page, "queue ticket")

    # Elder mode draws the same ticket again: nothing is taken twice.
    tap(page, "[data-toggle=elder]")
    page.wait_for_selector("#kiosk[data-elder=true] .kticket__number")
    assert page.inner_text(".kticket__number") == number and stored_ticket(site, number).public_code == ticket["code"]
    no_axe_problems(page, "queue ticket, elder")

    phone = browser.new_context(
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )
    try:
        status = phone.new_page()
        status.goto(ticket["status_url"])
        assert status.inner_text(".number") == number
        assert "等待中" in status.inner_text(".state") and "社保业务" in status.inner_text(".service")
        assert f"{WAITING_A} 人" in status.inner_text(".facts")
        assert status.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"), "no sideways scroll"
        no_axe_problems(status, "status page on a phone")
        counter = call_until(site, number)
        status.wait_for_function(
            f"() => document.querySelector('.state').textContent.includes('请到{counter}办理')", timeout=25_000
        )
        assert status.inner_text(".number") == number and status.locator(".facts").count() == 0
    finally:
        phone.close()

    tap(page, "[data-action=finish]")
    wait_screen(page, "home")


def test_a_card_holder_links_the_ticket_and_it_stays_when_the_card_leaves(page: Any, site: KioskSite) -> None:
    person = site.steady
    site.present(person)
    wait_session(page)
    wait_screen(page, "home")
    open_queue(page)
    tap(page, ".kline[data-prefix=B]")
    link = page.locator(".kswitch[data-option=link]")
    assert link.get_attribute("aria-pressed") == "false", "linking is off until chosen"
    assert "关联我的身份证" in link.inner_text()
    link.click()
    tap(page, ".kswitch[data-option=priority]")
    assert link.get_attribute("aria-pressed") == "true" and "已选择" in link.inner_text()
    no_axe_problems(page, "queue options with a card")
    ticket = take_number(page)
    assert ticket["linked"] is True and ticket["priority"] is True
    assert "绿色通道" in page.inner_text(".kticket__badges") and "已关联证件" in page.inner_text(".kticket__badges")
    kept = stored_ticket(site, ticket["number"]).person_ref
    assert kept and re.fullmatch(r"[0-9a-f]{64}", kept) and person.id_number not in kept

    # The card leaves: the session ends, the ticket (nothing personal) stays, the greeting goes.
    site.remove()
    page.wait_for_function("() => window.__kiosk.state().session === null", timeout=20_000)
    assert state(page)["screen"] == "queue" and page.inner_text(".kticket__number") == ticket["number"]
    assert page.locator(".kwho").is_hidden()
    document = dom_text(page)
    assert masked_name(person) not in document and person.masked_id_number not in document
    # And it goes home by itself.
    wait_screen(page, "home", timeout=45_000)
