"""End to end: the kiosk's 办事指南 on the demo world: search by initials and category, a guide with its QR."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import chromium_missing, doc_screenshot, screenshot
from tests.support.kiosk_site import PORTRAIT, KioskSite, kiosk_site, open_kiosk, tap, wait_screen

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KioskSite]:
    with kiosk_site(Path(tmp_path_factory.mktemp("kiosk-guides"))) as running:
        yield running


@pytest.fixture
def page(browser: Any, site: KioskSite) -> Iterator[Any]:
    opened = open_kiosk(browser, site, PORTRAIT)
    yield opened
    errors = opened.kiosk_errors
    opened.context.close()
    assert not errors, f"uncaught errors in the kiosk page: {errors}"


def count(page: Any) -> int:
    found = re.search(r"(\d+) 项", page.inner_text(".kcount-line"))
    assert found, page.inner_text(".kcount-line")
    return int(found.group(1))


def open_guides(page: Any, *, elder: bool = False) -> int:
    tap(page, ".kattract [data-toggle=elder]" if elder else ".kattract__start")
    wait_screen(page, "home")
    assert "办事指南" in page.locator("[data-tile=guides]").inner_text()
    inside = "el => { const r = el.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }"
    assert page.eval_on_selector("[data-tile=guides]", inside), "the tile is on screen, not below the fold"
    if elder:
        above = "el => el.getBoundingClientRect().bottom <= document.querySelector('.knav').getBoundingClientRect().top"
        assert page.eval_on_selector(".khome__card", above), "the card hint is not covered by the bottom bar"
    screenshot(page, "kiosk-home-elder" if elder else "kiosk-home")
    tap(page, "[data-tile=guides]")
    wait_screen(page, "guides")
    page.wait_for_selector(".kgrow")
    return count(page)


def test_guides_are_found_by_pinyin_initials_and_by_category(page: Any) -> None:
    everything = open_guides(page)
    assert everything == 10, "the demo's ten guides (the province's and 兰州市's) reach the provincial hall"
    doc_screenshot(page, "kiosk-guides-portrait")

    tap(page, "[data-category=就业服务]")
    page.wait_for_function("() => document.querySelector('.kcount-line').textContent.includes('共 3 项')")
    assert page.locator("[data-category=就业服务]").get_attribute("aria-pressed") == "true"
    assert "失业保险金申领" not in page.inner_text(".klist")

    tap(page, "[data-category='']")
    page.wait_for_function("() => document.querySelector('.kcount-line').textContent.includes('共 10 项')")
    tap(page, "[data-action=keyboard]")
    for letter in "SYDJ":
        tap(page, f".kkb [data-key={letter}]")
    page.wait_for_function("() => document.querySelector('.kcount-line').textContent.includes('SYDJ：共 1 项')")
    assert [t.strip() for t in page.locator(".kgrow .kprow__title").all_inner_texts()] == ["失业登记"]


def test_a_guide_shows_every_field_in_large_type_with_its_qr(page: Any) -> None:
    open_guides(page)
    tap(page, "[data-category=社会保险]")
    page.wait_for_function("() => document.querySelector('.kcount-line').textContent.includes('共 5 项')")
    page.locator(".kgrow", has_text="失业保险金申领").click()
    wait_screen(page, "guide")
    page.wait_for_selector(".kguide__qr svg")
    text = page.inner_text(".kguide")
    for shown in (
        "申办条件",
        "申请材料",
        "办理流程",
        "即时办结",
        "不收费",
        "5号社会保险窗口",
        "12333",
        "《失业保险条例》",
    ):
        assert shown in text, shown
    size = page.eval_on_selector(".kguide__qr svg", "svg => svg.getBoundingClientRect().width")
    assert size > 150, "a QR code a phone can read from arm's length"
    body = page.eval_on_selector(".kguide__body", "el => parseFloat(getComputedStyle(el).fontSize)")
    assert body >= 30, f"large type: {body}px"
    doc_screenshot(page, "kiosk-guide-portrait")


def test_elder_mode_picks_a_category_from_a_sheet(page: Any) -> None:
    open_guides(page, elder=True)
    assert page.locator(".kgrow").count() <= 3
    tap(page, "[data-filter=category]")
    page.wait_for_selector(".ksheet")
    page.locator(".ksheet__option", has_text="社会保障卡").click()
    page.wait_for_function("() => document.querySelector('.kcount-line').textContent.includes('共 1 项')")
    page.locator(".kgrow").first.click()
    wait_screen(page, "guide")
    page.wait_for_selector(".kguide__qr svg")
    doc_screenshot(page, "kiosk-guide-elder-portrait")
