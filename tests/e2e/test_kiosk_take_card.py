"""End to end: 请取走您的证件 when a session ends with its card still on the reader (docs/kiosk.md §3).

Real ``kiosk serve`` with the demo world, the real agent reading a simulated ID card on a pty, the
kiosk page in Chromium. The server's idle time is its minimum (10 s), so a session left alone times
out within the test. Acceptance (issue 20, item 6): a card left on the reader after the idle timeout
shows 请取走证件 with a chime, and it clears when the card is taken (the agent's ``card_removed``
reaches the page as ``citizen_card_removed``), not only after its 20 s.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import pytest

from tests.support.browser import chromium_missing, doc_screenshot
from tests.support.citizens import KioskScreenClient
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
from tests.support.server import wait_for

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
]

IDLE_SECONDS: Final = 10  # the least the server accepts
REMINDER: Final = ".ktakecard-layer .ktakecard"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KioskSite]:
    with kiosk_site(Path(tmp_path_factory.mktemp("kiosk-take-card")), idle_seconds=IDLE_SECONDS) as running:
        yield running


@pytest.fixture
def page(browser: Any, site: KioskSite) -> Iterator[Any]:
    opened = open_kiosk(browser, site, PORTRAIT)
    yield opened
    errors = list(opened.kiosk_errors)
    opened.context.close()
    site.clear()
    assert not errors, f"uncaught errors in the kiosk page: {errors}"


def take_card_state(page: Any) -> dict[str, Any]:
    return dict(state(page)["takeCard"])


def test_a_card_left_on_the_reader_after_the_idle_timeout_is_asked_for_until_it_is_taken(
    page: Any, site: KioskSite
) -> None:
    person = site.gappy
    site.present(person)
    wait_session(page)
    wait_screen(page, "home")
    # Nobody touches anything: the session times out with the card still on the reader.
    page.wait_for_selector(REMINDER, timeout=(IDLE_SECONDS + 10) * 1000)
    assert state(page)["screen"] == "attract" and state(page)["session"] is None
    text = page.inner_text(REMINDER)
    assert "请取走您的证件" in text and "身份证" in text
    assert page.get_attribute(REMINDER, "data-source") == "idcard"
    assert masked_name(person) not in dom_text(page), "the reminder says nothing of the person"
    chimes = take_card_state(page)["chimes"]
    assert chimes and chimes[0] == "played", f"the reminder chimes (Web Audio): {chimes}"
    # It sits over the attract loop, large, where it is seen: in the middle of the screen.
    box = page.locator(REMINDER).bounding_box()
    assert box is not None and box["width"] >= PORTRAIT["width"] * 0.5
    assert box["y"] < PORTRAIT["height"] / 2 < box["y"] + box["height"] + PORTRAIT["height"] * 0.1
    title_size = page.eval_on_selector(".ktakecard__title", "el => parseFloat(getComputedStyle(el).fontSize)")
    assert title_size >= 48, f"请取走您的证件 is written large ({title_size} px)"
    doc_screenshot(page, "kiosk-take-card-portrait")
    if axe_missing() is None:
        assert axe_violations(page) == [], "no serious or critical accessibility issue with the reminder up"

    site.remove()
    page.wait_for_selector(REMINDER, state="detached", timeout=10_000)
    assert take_card_state(page)["ended"] == "removed", "it went because the card was taken, not by its timer"


def test_finish_with_the_card_still_in_asks_for_it_in_the_citizens_language(page: Any, site: KioskSite) -> None:
    tap(page, ".kattract__toggles [data-toggle=lang]")
    page.wait_for_selector("#kiosk[data-lang=en]")
    site.present(site.steady)
    wait_session(page)
    wait_screen(page, "home")
    # With 10 s of idle time the countdown is up at once: its Finish is the citizen's 结束.
    tap(page, ".kcount [data-action=end]")
    wait_screen(page, "attract", timeout=2_000)
    page.wait_for_selector(f"{REMINDER}[lang=en]", timeout=2_000)
    assert "Please take your card" in page.inner_text(REMINDER)
    assert state(page)["lang"] == "zh-CN", "the attract loop behind it is back in Chinese"
    # A tap goes through it: the next citizen can start at once.
    tap(page, ".kattract__start")
    wait_screen(page, "home")
    assert page.is_visible(REMINDER), "the reminder stays while the card is there"
    site.remove()
    page.wait_for_selector(REMINDER, state="detached", timeout=10_000)
    assert take_card_state(page)["ended"] == "removed"


def test_a_card_taken_while_served_ends_the_session_without_asking_for_it(page: Any, site: KioskSite) -> None:
    site.present(site.steady)
    wait_session(page)
    wait_screen(page, "home")
    site.remove()
    wait_screen(page, "attract")
    page.wait_for_timeout(500)  # the end arrives as one event: nothing may follow it
    assert page.locator(REMINDER).count() == 0
    assert take_card_state(page)["chimes"] == []


def test_the_server_tells_the_kiosk_when_a_card_leaves_after_its_session_ended(site: KioskSite) -> None:
    """``citizen_card_removed`` reaches the kiosk's screen room only for a card whose session had already ended."""
    client = KioskScreenClient(site.server.url, site.kiosk.key)
    client.sio.on("citizen_card_removed", client._recorder("citizen_card_removed"), namespace="/screen")
    client.connect()
    try:
        wait_for(lambda: client.received("welcome"), 10, "welcome on the kiosk's screen socket")
        site.present(site.gappy)
        wait_for(lambda: client.received("citizen_session"), 20, "the session opened")
        session_id = client.received("citizen_session")[-1]["session_id"]
        wait_for(lambda: client.received("citizen_session_ended"), IDLE_SECONDS + 10, "the idle timeout")
        ended = client.received("citizen_session_ended")[-1]
        assert ended == {"session_id": session_id, "reason": "timeout"}
        assert not client.received("citizen_card_removed"), "the card is still there"
        site.remove()
        wait_for(lambda: client.received("citizen_card_removed"), 10, "the card's removal")
        assert client.received("citizen_card_removed")[-1] == {"reader_id": "idcard-kiosk"}
        assert len(client.received("citizen_session_ended")) == 1, "no second end for the same session"
    finally:
        client.close()
