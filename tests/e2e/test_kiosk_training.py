"""End to end: the kiosk's 培训查询 on the demo world: filters that narrow the list, a course with its QR."""

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
    with kiosk_site(Path(tmp_path_factory.mktemp("kiosk-training"))) as running:
        yield running


@pytest.fixture
def page(browser: Any, site: KioskSite) -> Iterator[Any]:
    opened = open_kiosk(browser, site, PORTRAIT)
    yield opened
    errors = opened.kiosk_errors
    opened.context.close()
    assert not errors, f"uncaught errors in the kiosk page: {errors}"


def total(page: Any) -> int:
    found = re.search(r"共 (\d+) 个培训课程", page.inner_text(".kcount-line"))
    assert found, page.inner_text(".kcount-line")
    return int(found.group(1))


def wait_total_change(page: Any, before: int) -> int:
    page.wait_for_function(f"() => !document.querySelector('.kcount-line').textContent.includes('共 {before} 个')")
    page.wait_for_selector(".ktrow, .kempty")
    return total(page)


def open_training(page: Any) -> int:
    tap(page, ".kattract__start")
    wait_screen(page, "home")
    assert "培训查询" in page.locator("[data-tile=training]").inner_text()
    screenshot(page, "kiosk-home-training-tile-portrait")
    tap(page, "[data-tile=training]")
    wait_screen(page, "training")
    page.wait_for_selector(".ktrow")
    return total(page)


def test_training_list_filters_narrow_and_say_so(page: Any) -> None:
    everything = open_training(page)
    assert everything >= 5
    assert "天水" not in page.inner_text(".klist"), "Tianshui's courses are not visible from a Lanzhou hall"
    doc_screenshot(page, "kiosk-training-portrait")

    tap(page, "[data-filter=open]")
    with_places = wait_total_change(page, everything)
    assert with_places < everything, "the demo's 叉车司机 is full"
    assert "名额已满" not in page.inner_text(".klist")
    assert page.locator("[data-filter=open]").get_attribute("aria-pressed") == "true"
    assert "已选" in page.locator("[data-filter=open]").inner_text(), "a set toggle says so in words"

    tap(page, "[data-filter=group]")
    page.wait_for_selector(".ksheet")
    page.locator(".ksheet__option", has_text="离校未就业高校毕业生").click()
    graduates = wait_total_change(page, with_places)
    assert 0 < graduates < with_places
    for line in page.locator(".ktrow__subsidy").all_inner_texts():
        assert "离校未就业高校毕业生" in line


def test_a_course_shows_its_enrolment_qr_or_phone(page: Any) -> None:
    open_training(page)
    page.locator(".ktrow", has_text="养老护理员（初级）").click()
    wait_screen(page, "course")
    page.wait_for_selector(".ktcourse__qr")
    text = page.inner_text(".ktcourse")
    for shown in (
        "养老护理员（初级）",
        "兰州市职业技能培训中心",
        "免费",
        "剩余 12 / 共 40 个",
        "就业困难人员",
        "手机扫码报名",
    ):
        assert shown in text, shown
    # decode() rejects for a broken image (a complete one may still be broken: it shows its alt text).
    drawn = page.eval_on_selector(".ktcourse__qr", "img => img.decode().then(() => true, () => false)")
    assert drawn, "the QR code image does not decode"
    assert page.eval_on_selector(".ktcourse__qr", "img => img.getBoundingClientRect().width") > 150
    doc_screenshot(page, "kiosk-training-course-portrait")

    tap(page, "[data-nav=back]")
    wait_screen(page, "training")
    page.locator(".ktrow", has_text="叉车司机").click()
    wait_screen(page, "course")
    page.wait_for_selector(".ktcourse__phone")
    assert page.locator(".ktcourse__qr").count() == 0
    assert "报名电话：0931-8456012" in page.inner_text(".ktcourse")
    assert "名额已满" in page.inner_text(".kjob__salary")
