"""End to end: the kiosk's 招聘会 on the demo world: the home tile, the coming fairs, a fair's booths and jobs,
a job opening the job screen."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from content.demo.fairs import FAIRS
from tests.support.browser import chromium_missing, doc_screenshot
from tests.support.kiosk_site import PORTRAIT, KioskSite, kiosk_site, open_kiosk, tap, wait_screen

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
]

TODAY, SOON = FAIRS[0].title, FAIRS[1].title


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KioskSite]:
    with kiosk_site(Path(tmp_path_factory.mktemp("kiosk-fairs"))) as running:
        yield running


@pytest.fixture
def page(browser: Any, site: KioskSite) -> Iterator[Any]:
    opened = open_kiosk(browser, site, PORTRAIT)
    yield opened
    errors = opened.kiosk_errors
    opened.context.close()
    assert not errors, f"uncaught errors in the kiosk page: {errors}"


def open_fairs(page: Any) -> None:
    tap(page, ".kattract__start")
    wait_screen(page, "home")
    page.wait_for_selector("[data-tile=fairs]")  # a fair is coming to this hall
    assert "招聘会" in page.locator("[data-tile=fairs]").inner_text()
    tap(page, "[data-tile=fairs]")
    wait_screen(page, "fairs")
    page.wait_for_selector(".kfrow")


def test_the_coming_fairs_are_listed_soonest_first(page: Any) -> None:
    open_fairs(page)
    titles = page.locator(".kfrow .kvrow__title").all_inner_texts()
    assert titles[:2] == [TODAY, SOON]
    text = page.inner_text(".klist-slot")
    assert "退役军人专场" in text and "家参会单位" in text
    doc_screenshot(page, "kiosk-fairs-portrait")


def test_a_fair_lists_its_booths_and_a_job_opens_the_job_screen(page: Any) -> None:
    open_fairs(page)
    page.locator(".kfrow", has_text=TODAY).click()
    wait_screen(page, "fair")
    page.wait_for_selector(".kfair__booth")
    text = page.inner_text(".kfair")
    for shown in (TODAY, "举办时间", "举办地点", "城关区退役军人服务中心", "A01 展位", "参会单位与招聘岗位"):
        assert shown in text, shown
    assert "null" not in text
    doc_screenshot(page, "kiosk-fair-portrait")
    job = page.locator(".kfair__job").first
    title = job.locator(".kfair__job-title").inner_text()
    job.click()
    wait_screen(page, "job")
    page.wait_for_selector(".kjob__title")
    assert page.inner_text(".kjob__title") == title
