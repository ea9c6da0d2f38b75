"""End to end: what the kiosk page tells the citizen about the card reader (docs/kiosk.md §3).

Acceptance: pulling the ID reader's cable with a card on it ends the session on the page within
2 s (simulated GA/T 467 reader on a pty → the real agent → ``kiosk serve`` → Chromium). The other
notes are driven through a raw agent connection: a card the reader could not read (a note that
never blocks the page and goes by itself or at the next card) and a reader reported gone, in the
standard and the elder (长辈版) mode.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import pytest

from tests.support.browser import chromium_missing, screenshot
from tests.support.citizens import AgentClient
from tests.support.kiosk_site import (
    KioskSite,
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

READER: Final = "idcard-kiosk"  # the real agent's ID reader in tests/support/kiosk_site.py
NOTE: Final = ".knote-layer .knote"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KioskSite]:
    with kiosk_site(Path(tmp_path_factory.mktemp("kiosk-readers"))) as running:
        yield running


@pytest.fixture
def raw_agent(site: KioskSite) -> Iterator[AgentClient]:
    """A second connection with the kiosk's credential, saying what a reader would say."""
    client = AgentClient(site.server.url, site.kiosk).connect()
    yield client
    client.close()


@pytest.fixture
def page(browser: Any, site: KioskSite) -> Iterator[Any]:
    opened = open_kiosk(browser, site)
    yield opened
    errors = list(opened.kiosk_errors)
    opened.context.close()
    site.clear()
    assert not errors, errors


def note_text(page: Any) -> str:
    return str(page.inner_text(NOTE))


def unreadable(agent: AgentClient, source: str = "idcard", hint: Any = "") -> None:
    assert agent.call("card_unreadable", {"reader_id": READER, "source": source, "hint": hint}) == {"ok": True}


# -- acceptance: the reader goes with a card on it --------------------------------------------------


def test_unplugging_the_id_reader_with_a_card_on_ends_the_session_on_the_page_within_2_s(
    page: Any, site: KioskSite
) -> None:
    site.present(site.gappy)
    wait_session(page)
    wait_screen(page, "home")
    name = masked_name(site.gappy)
    assert name in page.inner_text(".kwho")
    site.sim.unplug()
    unplugged = time.monotonic()
    try:
        try:
            page.wait_for_selector("#kiosk[data-screen='attract']", state="attached", timeout=2_000)
        except Exception as err:  # Playwright's TimeoutError: say what it means here
            raise AssertionError(
                "the session outlived the unplugged reader by 2 s: the agent did not report the reader "
                "detached (or a fault with card_lost), so the server could not end it"
            ) from err
        elapsed = time.monotonic() - unplugged
        assert state(page)["session"] is None
        assert name not in dom_text(page), f"nothing of the person may stay on the page ({elapsed:.2f} s)"
        assert not site.has_open_session(), "the server ended the session too, not only the page"
        # The agent reports the detach (not a card removal), so the page says why the session ended.
        page.wait_for_selector(f"{NOTE}[data-name='reader-detached']", state="attached", timeout=2_000)
    finally:
        site.sim.replug()
    wait_for(lambda: getattr(site.agent.reader_statuses.get(READER), "state", "") == "attached", 15, "the reader back")


# -- a card the reader could not read ------------------------------------------------------------------------


def test_an_unreadable_card_shows_a_note_over_the_attract_loop_that_goes_by_itself(
    page: Any, site: KioskSite, raw_agent: AgentClient
) -> None:
    unreadable(raw_agent, "idcard", "reposition")
    page.wait_for_selector(f"{NOTE}[data-name='unreadable'][data-hint='reposition']", timeout=5_000)
    text = note_text(page)
    assert "证件信息无法识别，请重新放置证件" in text
    assert "请将身份证平放在读卡区中央" in text
    assert state(page)["screen"] == "attract", "the note does not take the citizen anywhere"
    screenshot(page, "kiosk-unreadable-portrait")
    page.wait_for_selector(NOTE, state="detached", timeout=15_000)


def test_the_unreadable_note_never_blocks_a_tap(page: Any, raw_agent: AgentClient) -> None:
    tap(page, ".kattract__start")
    wait_screen(page, "home")
    unreadable(raw_agent, "ssc", "removed_too_early")
    page.wait_for_selector(NOTE, timeout=5_000)
    tap(page, "[data-tile=jobs]")  # the tile lies under the note's layer: the tap must reach it
    wait_screen(page, "jobs", timeout=5_000)
    assert page.is_visible(NOTE), "the note stays until its time is up"
    assert "读取时证件被移开了" in note_text(page)


def test_the_next_card_clears_the_unreadable_note(page: Any, site: KioskSite, raw_agent: AgentClient) -> None:
    unreadable(raw_agent, "idcard", "")
    page.wait_for_selector(NOTE, timeout=5_000)
    assert note_text(page).strip() == "证件信息无法识别，请重新放置证件", "no hint: the headline only"
    site.present(site.steady)
    wait_session(page)
    assert page.locator(NOTE).count() == 0


@pytest.mark.parametrize(
    ("source", "hint", "headline", "advice"),
    [
        ("ssc", "needs_psam", "本机无法读取这张卡", "请改用身份证或电子社保卡"),
        ("ssc", "unsupported_card", "本机无法读取这张卡", "本机不支持此类卡片"),
        ("ssc", "reposition", "证件信息无法识别，请重新放置证件", "芯片朝上"),
    ],
)
def test_each_hint_gives_its_own_advice(
    page: Any, raw_agent: AgentClient, source: str, hint: str, headline: str, advice: str
) -> None:
    unreadable(raw_agent, source, hint)
    page.wait_for_selector(f"{NOTE}[data-hint='{hint}']", timeout=5_000)
    text = note_text(page)
    assert headline in text and advice in text


def test_an_unknown_hint_is_never_shown_raw(page: Any, raw_agent: AgentClient) -> None:
    unreadable(raw_agent, "idcard", "<b>flip_it</b>")
    page.wait_for_selector(f"{NOTE}[data-hint='none']", timeout=5_000)
    assert "flip_it" not in dom_text(page)


def test_the_unreadable_note_in_elder_mode_and_english(page: Any, raw_agent: AgentClient) -> None:
    tap(page, ".kattract__toggles [data-toggle=elder]")
    page.wait_for_selector("#kiosk[data-elder=true]")
    unreadable(raw_agent, "idcard", "reposition")
    page.wait_for_selector(f"{NOTE}.knote--elder", timeout=5_000)
    text = note_text(page)
    assert "证件没有读出来，请再放一次" in text and "放好别动" in text
    elder_size = page.eval_on_selector(".knote__title", "el => parseFloat(getComputedStyle(el).fontSize)")
    screenshot(page, "kiosk-unreadable-elder-portrait")
    tap(page, "[data-toggle=elder]")
    tap(page, "[data-toggle=lang]")
    page.wait_for_selector("#kiosk[data-lang=en][data-elder=false]")
    unreadable(raw_agent, "idcard", "reposition")
    page.wait_for_selector(f"{NOTE}[lang=en]:not(.knote--elder)", timeout=5_000)
    assert "The card could not be read. Please place it again." in note_text(page)
    size = page.eval_on_selector(".knote__title", "el => parseFloat(getComputedStyle(el).fontSize)")
    assert elder_size > size * 1.2, "elder mode writes the note larger"


# -- a reader reported gone while someone is served ------------------------------------------------------------


@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder"])
def test_a_reader_reported_gone_ends_the_session_and_says_so_in_the_citizens_mode(
    page: Any, site: KioskSite, raw_agent: AgentClient, elder: bool
) -> None:
    site.present(site.gappy)
    wait_session(page)
    wait_screen(page, "home")
    if elder:
        tap(page, "[data-toggle=elder]")
        page.wait_for_selector("#kiosk[data-elder=true]")
    status = {"reader_id": READER, "kind": "idcard_serial", "state": "detached", "message": "unplugged"}
    assert raw_agent.call("reader_status", status) == {"ok": True}
    wait_screen(page, "attract", timeout=5_000)
    page.wait_for_selector(f"{NOTE}[data-name='reader-detached']", timeout=5_000)
    text = note_text(page)
    if elder:
        assert "读卡器断开了，请找工作人员帮忙" in text and page.locator(f"{NOTE}.knote--elder").count() == 1
    else:
        assert "读卡器已断开，请联系工作人员" in text and "本次查询已结束" in text
    assert masked_name(site.gappy) not in dom_text(page)
    screenshot(page, f"kiosk-reader-detached{'-elder' if elder else ''}-portrait")
    # Back to what the real agent knows: the reader is attached.
    status["state"], status["message"] = "attached", ""
    raw_agent.call("reader_status", status)


def test_a_reader_fault_that_lost_the_card_says_the_reader_failed(
    page: Any, site: KioskSite, raw_agent: AgentClient
) -> None:
    site.present(site.steady)
    wait_session(page)
    status = {
        "reader_id": READER,
        "kind": "idcard_serial",
        "state": "fault",
        "message": "no answer",
        "reason": "io_error",
        "repeated": 1,
        "card_lost": True,
        "last_good_read_at": None,
    }
    assert raw_agent.call("reader_status", status) == {"ok": True}
    page.wait_for_selector(f"{NOTE}[data-name='reader-fault']", timeout=5_000)
    assert "读卡器故障，请联系工作人员" in note_text(page)
    assert state(page)["session"] is None
    raw_agent.call("reader_status", {**status, "state": "idle", "reason": "", "card_lost": False})
