"""End to end: the session rules of the kiosk page (docs/kiosk.md §3) against a real server and agent.

Card swaps, 结束, Back and reload, refused cards, a records backend that fails or hangs, and the
参保证明 QR. The records backend's faults are played by intercepting the page's calls to
/kiosk/api: what is under test is how the page behaves when they fail.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support.browser import chromium_missing
from tests.support.kiosk_site import (
    PORTRAIT,
    KioskSite,
    assert_nothing_personal_stored,
    dom_text,
    kiosk_site,
    kiosk_text,
    masked_name,
    open_kiosk,
    state,
    tap,
    wait_screen,
    wait_session,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
]

# Every piece of text added to the page, with the session the page served when it was added.
SEEN_SCRIPT = """
window.__seen = [];
new MutationObserver((records) => {
  const session = window.__kiosk ? window.__kiosk.state().session : null;
  for (const record of records) {
    const nodes = record.type === 'characterData' ? [record.target] : [...record.addedNodes];
    for (const node of nodes) {
      const text = node.textContent || '';
      if (text.trim()) window.__seen.push({ session, text });
    }
  }
}).observe(document, { subtree: true, childList: true, characterData: true });
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KioskSite]:
    with kiosk_site(Path(tmp_path_factory.mktemp("kiosk-sessions"))) as running:
        yield running


@pytest.fixture
def page(browser: Any, site: KioskSite) -> Iterator[Any]:
    opened = open_kiosk(browser, site, PORTRAIT)
    yield opened
    errors = opened.kiosk_errors
    opened.context.close()
    site.clear()
    assert not errors, f"uncaught errors in the kiosk page: {errors}"


def show_records(page: Any) -> None:
    tap(page, "[data-tile=records]")
    wait_screen(page, "records")
    page.wait_for_selector(".kenroll")


def yuan(fen: int) -> str:
    return f"{fen // 100:,}.{fen % 100:02d}"


def test_a_rapid_card_swap_never_shows_the_first_person_after_the_second(browser: Any, site: KioskSite) -> None:
    context = browser.new_context(viewport=PORTRAIT, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.add_init_script(SEEN_SCRIPT)
    page = context.new_page()
    try:
        page.goto(site.page_url)
        page.wait_for_function("() => document.getElementById('wall').dataset.conn === 'online'", timeout=20_000)
        a, b = site.gappy, site.steady
        held: list[tuple[Any, Any]] = []

        def hold(route: Any) -> None:
            held.append((route, route.fetch()))  # A's real answer, delivered only after B is in

        page.route("**/kiosk/api/session/records", hold)
        site.present(a)
        first = wait_session(page)
        # A double tap opens one records screen and asks for the records once.
        page.locator("[data-tile=records]").dblclick()
        wait_screen(page, "records")
        deadline = time.monotonic() + 15
        while not held and time.monotonic() < deadline:
            page.wait_for_timeout(50)
        assert len(held) == 1, "one request for the records, however many taps"
        assert state(page)["stack"] == ["home"]

        site.present(b)  # the reader sees another card: A is removed, B is read
        page.wait_for_function(
            f"() => {{ const s = window.__kiosk.state().session; return s && s !== '{first}'; }}", timeout=20_000
        )
        second = state(page)["session"]
        # B asks for B's records; while that screen waits, A's late answer arrives, then B's.
        tap(page, "[data-tile=records]")
        wait_screen(page, "records")
        deadline = time.monotonic() + 5
        while len(held) < 2 and time.monotonic() < deadline:
            page.wait_for_timeout(50)
        route, answer = held[0]
        a_records = json.loads(answer.text())
        route.fulfill(response=answer)
        page.wait_for_timeout(500)
        for route, answer in held[1:]:
            route.fulfill(response=answer)
        page.unroute("**/kiosk/api/session/records")
        page.wait_for_selector(".kenroll")
        tap(page, "[data-tab=balances]")
        page.wait_for_selector(".kbalance")

        a_marks = [
            a.masked_id_number,
            masked_name(a) + "，",
            yuan(a_records["balances"]["pension_account_fen"]) + " 元",
        ]
        seen = page.evaluate("() => window.__seen")
        after_b = [entry["text"] for entry in seen if entry["session"] == second]
        assert after_b, "B's screens were seen"
        for mark in a_marks:
            leaked = [text for text in after_b if mark in text]
            assert not leaked, f"A's data appeared after B's card: {mark!r} in {leaked[:2]}"
            assert mark not in dom_text(page)
        assert b.masked_id_number in page.inner_text(".kwho")
        assert any(a.masked_id_number in entry["text"] for entry in seen if entry["session"] == first), (
            "A was shown while A was served (the check above is not vacuous)"
        )
    finally:
        context.close()
        site.clear()


def test_finish_clears_at_once_and_neither_back_nor_reload_brings_it_back(page: Any, site: KioskSite) -> None:
    person = site.gappy
    assert page.evaluate("() => history.length") <= 2
    site.present(person)
    wait_session(page)
    show_records(page)
    assert page.evaluate("() => history.length") <= 2, "personal screens push no history entries"
    tap(page, "[data-nav=end]")
    wait_screen(page, "attract", timeout=2000)  # at once, not after the server answers
    assert person.masked_id_number not in dom_text(page)
    assert masked_name(person) not in kiosk_text(page)

    page.go_back()
    page.wait_for_load_state()
    if page.url.startswith(site.server.url):
        wait_screen(page, "attract")
    page.go_forward()
    page.wait_for_load_state()
    page.wait_for_function("() => document.getElementById('wall').dataset.conn === 'online'", timeout=20_000)
    wait_screen(page, "attract")
    page.wait_for_timeout(1500)  # an open session would be re-sent right after hello
    assert state(page)["session"] is None, "a finished session does not come back"
    assert person.masked_id_number not in dom_text(page)

    page.reload()
    page.wait_for_function("() => document.getElementById('wall').dataset.conn === 'online'", timeout=20_000)
    wait_screen(page, "attract")
    page.wait_for_timeout(1500)
    assert state(page)["session"] is None and person.masked_id_number not in dom_text(page)
    assert_nothing_personal_stored(page, [person.masked_id_number, masked_name(person)])


def test_card_removal_clears_every_personal_screen(page: Any, site: KioskSite) -> None:
    site.present(site.steady)
    wait_session(page)
    show_records(page)
    site.remove()
    wait_screen(page, "attract")
    assert site.steady.masked_id_number not in dom_text(page)


def test_a_card_the_backend_does_not_know_gets_a_clear_message(page: Any, site: KioskSite) -> None:
    site.sim.present(site.unknown)
    page.wait_for_selector(".kdialog[data-name=refused]", timeout=20_000)
    text = page.inner_text(".kdialog")
    assert "未能识别" in text and "未查询到您的信息" in text
    assert state(page)["session"] is None
    tap(page, ".kdialog .kbtn")
    page.wait_for_selector(".kdialog", state="detached")


def test_a_records_backend_that_is_down_or_slow_sends_the_citizen_home_with_a_message(
    page: Any, site: KioskSite
) -> None:
    site.present(site.steady)
    wait_session(page)
    down = {"error": "backend_unavailable", "message": "社保系统暂时无法访问，请稍后再试或到人工窗口办理。"}
    page.route("**/kiosk/api/session/records", lambda route: route.fulfill(status=503, json=down))
    tap(page, "[data-tile=records]")
    page.wait_for_selector(".kdialog[data-name=unavailable]", timeout=5000)
    wait_screen(page, "home")
    assert "社保系统暂时无法访问" in page.inner_text(".kdialog")
    tap(page, ".kdialog .kbtn")

    page.route("**/kiosk/api/session/matches*", lambda route: None)  # never answers
    started = time.monotonic()
    tap(page, "[data-tile=matches]")
    page.wait_for_selector(".kloading")
    page.wait_for_selector(".kdialog[data-name=unavailable]", timeout=15_000)
    waited = time.monotonic() - started
    assert 7 <= waited <= 12, f"the page gives up after about 8 s (took {waited:.1f} s)"
    wait_screen(page, "home")
    assert "查询时间过长" in page.inner_text(".kdialog")
    assert page.locator(".kloading").count() == 0, "no spinner left behind"
    assert state(page)["session"] is not None, "a failed lookup does not end the session"


def test_the_certificate_shows_a_qr_code_for_the_phone_and_its_verify_code(page: Any, site: KioskSite) -> None:
    person = site.gappy
    site.present(person)
    wait_session(page)
    show_records(page)
    # The page asks GET /session/certificate first (full ID or masked), then issues with a POST.
    with page.expect_response(
        lambda r: r.url.endswith("/kiosk/api/session/certificate") and r.request.method == "POST"
    ) as issued:
        tap(page, "[data-action=certificate]")
    answer = issued.value.json()
    wait_screen(page, "certificate")
    page.wait_for_function(
        "() => { const i = document.querySelector('.kcert__qr'); return i && i.complete && i.naturalWidth > 0; }"
    )
    shown = page.inner_text(".kcert__code").replace(" ", "")
    assert answer["code"].replace("-", "") in shown  # XXXX-XXXX-… shown in groups of four
    assert "二维码" in page.inner_text(".kcert")
    pdf = requests.get(answer["phone_url"], timeout=10)
    assert pdf.status_code == 200 and pdf.headers["Content-Type"].startswith("application/pdf")
    verify = requests.get(answer["verify_url"], timeout=10)
    assert verify.status_code == 200 and person.masked_id_number in verify.text
    # Back on records and forth again: the same certificate, not a second one.
    tap(page, "[data-nav=back]")
    wait_screen(page, "records")
    tap(page, "[data-action=certificate]")
    wait_screen(page, "certificate")
    page.wait_for_selector(".kcert__code")
    assert answer["code"].replace("-", "") in page.inner_text(".kcert__code").replace(" ", "")
