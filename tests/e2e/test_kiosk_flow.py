"""Acceptance, end to end: a citizen's visit to the kiosk, from the attract loop back to it.

Real ``kiosk serve`` with the demo world, the real agent reading a simulated ID card on a pty, the
kiosk page in Chromium. The server's idle time is 20 s here, so the countdown shows 5 s after the
last activity and the session times out 15 s later.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import chromium_missing, screenshot
from tests.support.kiosk_site import (
    LANDSCAPE,
    PORTRAIT,
    KioskSite,
    assert_nothing_personal_stored,
    axe_missing,
    axe_violations,
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

IDLE_SECONDS = 20


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KioskSite]:
    with kiosk_site(Path(tmp_path_factory.mktemp("kiosk-flow")), idle_seconds=IDLE_SECONDS) as running:
        yield running


@pytest.fixture
def page(browser: Any, site: KioskSite) -> Iterator[Any]:
    opened = open_kiosk(browser, site, PORTRAIT)
    yield opened
    errors = opened.kiosk_errors
    opened.context.close()
    site.clear()
    assert not errors, f"uncaught errors in the kiosk page: {errors}"


def visit_until_timeout(page: Any, site: KioskSite) -> None:
    """Attract → touch → home → card → 社保查询 → records; then idle until the countdown and the attract loop."""
    person = site.gappy
    tokens: set[str] = set()
    page.on("request", lambda request: tokens.add(request.headers.get("x-citizen-session", "")))
    assert "请触摸屏幕开始" in kiosk_text(page) and "请插入社保卡或放置身份证" in kiosk_text(page)
    tap(page, ".kattract__start")
    wait_screen(page, "home")
    assert "暂未开通" not in page.locator("[data-tile=queue]").inner_text()  # the demo halls have lines

    site.present(person)
    wait_session(page)
    wait_screen(page, "home")
    tap(page, "[data-tile=records]")
    wait_screen(page, "records")
    page.wait_for_selector(".kenroll")
    who = page.inner_text(".kwho")
    assert masked_name(person) + "，您好" in who
    assert person.masked_id_number in who
    assert page.locator(".kenroll").count() == 5, "all five insurances"
    document = dom_text(page)
    assert person.id_number not in document and person.name not in document, "only masked data in the DOM"
    tap(page, "[data-tab=contributions]")
    page.wait_for_selector(".kmonth--paid")
    gaps = page.locator(".kmonth--gap")
    assert gaps.count() >= 1, "this person has a gap in the last 36 months"
    # A gap is marked in words and by an icon, not by colour alone.
    assert "未缴" in gaps.first.inner_text() and gaps.first.locator("svg").count() == 1
    assert "缴费中断" in page.inner_text(".kmain")

    page.wait_for_selector(".kcount", timeout=(IDLE_SECONDS + 5) * 1000)
    countdown = page.inner_text(".kcount")
    assert "还剩" in countdown and "秒" in countdown and "继续使用" in countdown
    screenshot(page, "kiosk-countdown")
    if axe_missing() is None:
        assert axe_violations(page) == [], "the countdown is accessible"
    wait_screen(page, "attract", timeout=(IDLE_SECONDS + 10) * 1000)
    assert state(page)["session"] is None
    after = kiosk_text(page)
    assert masked_name(person) not in after and person.masked_id_number not in after
    assert person.masked_id_number not in dom_text(page), "nothing of the person is left in the DOM"
    tokens.discard("")
    assert tokens, "the page presented its session token to the API"
    assert not any(token in dom_text(page) for token in tokens), "the token never reaches the DOM"
    assert_nothing_personal_stored(
        page, [person.masked_id_number, masked_name(person), person.id_number, person.name, *tokens]
    )


def test_a_visit_shows_masked_records_counts_down_and_returns_to_attract_leaving_nothing(
    page: Any, site: KioskSite
) -> None:
    visit_until_timeout(page, site)
    assert state(page)["elder"] is False


def test_elder_mode_has_large_type_open_line_spacing_and_resets_at_attract(page: Any, site: KioskSite) -> None:
    normal_size = page.evaluate("() => parseFloat(getComputedStyle(document.getElementById('kiosk')).fontSize)")
    tap(page, ".kattract [data-toggle=elder]")
    wait_screen(page, "home")
    assert state(page)["elder"] is True
    tap(page, "[data-nav=end]")
    wait_screen(page, "attract")
    assert state(page)["elder"] is False, "elder mode resets at the attract loop"
    tap(page, ".kattract [data-toggle=elder]")
    wait_screen(page, "home")
    site.present(site.gappy)
    wait_session(page)
    tap(page, "[data-tile=records]")
    page.wait_for_selector(".kenroll")
    assert state(page)["elder"] is True, "a card read keeps the mode the citizen chose"
    metrics = page.evaluate("""() => {
      const out = [];
      for (const el of document.querySelectorAll('#kiosk .kui *')) {
        if (!el.offsetParent || ![...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue;
        const style = getComputedStyle(el);
        out.push({ text: el.textContent.trim().slice(0, 20), size: parseFloat(style.fontSize),
                   line: style.lineHeight === 'normal' ? 0 : parseFloat(style.lineHeight) });
      }
      return { root: parseFloat(getComputedStyle(document.getElementById('kiosk')).fontSize), texts: out };
    }""")
    assert metrics["root"] >= normal_size * 1.25, "elder mode enlarges the type"
    assert metrics["texts"], "texts to measure"
    tight = [m for m in metrics["texts"] if m["line"] < 1.3 * m["size"] - 0.01]
    assert not tight, f"line spacing below 1.3 in elder mode: {tight[:5]}"
    smallest = min(m["size"] for m in metrics["texts"])
    assert smallest >= 24, f"no text smaller than 24 px in elder mode (found {smallest})"
    screenshot(page, "kiosk-elder-records")

    page.wait_for_selector(".kcount", timeout=(IDLE_SECONDS + 5) * 1000)
    assert "还剩" in page.inner_text(".kcount")
    wait_screen(page, "attract", timeout=(IDLE_SECONDS + 10) * 1000)
    assert state(page)["elder"] is False and state(page)["lang"] == "zh-CN"
    assert_nothing_personal_stored(page, [site.gappy.masked_id_number, masked_name(site.gappy)])


@pytest.mark.parametrize("viewport", [PORTRAIT, LANDSCAPE], ids=["portrait", "landscape"])
def test_every_home_tile_is_in_view_in_elder_mode_without_scrolling(
    browser: Any, site: KioskSite, viewport: dict[str, int]
) -> None:
    page = open_kiosk(browser, site, viewport)
    try:
        tap(page, ".kattract [data-toggle=elder]")
        wait_screen(page, "home")
        site.present(site.steady)
        wait_session(page)
        wait_screen(page, "home")
        page.wait_for_selector("#kiosk[data-elder=true] .ktile[data-tile=guides]")
        hidden = page.evaluate("""() => {
          const main = document.getElementById('kiosk-main').getBoundingClientRect();
          return [...document.querySelectorAll('.ktile')]
            .filter(t => { const r = t.getBoundingClientRect(); return r.top < main.top - 1 || r.bottom > main.bottom + 1; })
            .map(t => t.dataset.tile);
        }""")
        assert hidden == [], f"tiles an elder would have to scroll to find: {hidden}"
    finally:
        site.remove()
        page.context.close()


def test_keep_using_moves_the_idle_expiry_on_the_server(page: Any, site: KioskSite) -> None:
    site.present(site.steady)
    wait_session(page)
    tap(page, "[data-tile=records]")
    page.wait_for_selector(".kenroll")
    page.wait_for_selector(".kcount", timeout=(IDLE_SECONDS + 5) * 1000)
    tap(page, ".kcount [data-action=continue]")
    page.wait_for_selector(".kcount", state="detached", timeout=5000)
    # Without the touch the server would end the session within 15 s (the countdown's last seconds):
    # past that, it must still be open because 继续使用 moved the expiry.
    page.wait_for_timeout(16_000)
    assert state(page)["screen"] == "records" and state(page)["session"] is not None
    page.wait_for_selector(".kcount")
    tap(page, ".kcount [data-action=continue]")
    page.wait_for_selector(".kcount", state="detached", timeout=5000)
    tap(page, "[data-nav=home]")
    tap(page, "[data-tile=matches]")
    page.wait_for_selector(".kmatches[data-step]")
