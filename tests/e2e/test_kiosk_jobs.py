"""End to end: browsing without a card: the job search (filters, on-screen keyboard) and the policies."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from content.library.kiosk_catalogue import pinyin_initials
from tests.support.browser import chromium_missing
from tests.support.kiosk_site import LANDSCAPE, PORTRAIT, KioskSite, kiosk_site, open_kiosk, state, tap, wait_screen

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KioskSite]:
    with kiosk_site(Path(tmp_path_factory.mktemp("kiosk-jobs"))) as running:
        yield running


@pytest.fixture(params=["portrait", "landscape"])
def page(request: pytest.FixtureRequest, browser: Any, site: KioskSite) -> Iterator[Any]:
    opened = open_kiosk(browser, site, PORTRAIT if request.param == "portrait" else LANDSCAPE)
    yield opened
    errors = opened.kiosk_errors
    opened.context.close()
    assert not errors, f"uncaught errors in the kiosk page: {errors}"


def total(page: Any) -> int:
    found = re.search(r"(\d+) 个岗位", page.inner_text(".kcount-line"))
    assert found, page.inner_text(".kcount-line")
    return int(found.group(1))


def open_jobs(page: Any) -> int:
    tap(page, ".kattract__start")
    wait_screen(page, "home")
    tap(page, "[data-tile=jobs]")
    wait_screen(page, "jobs")
    page.wait_for_selector(".kvrow")
    return total(page)


def wait_total_change(page: Any, before: int) -> int:
    page.wait_for_function(f"() => !document.querySelector('.kcount-line').textContent.includes(' {before} 个岗位')")
    page.wait_for_selector(".kvrow, .kempty")
    return total(page)


def test_filters_narrow_the_list_and_show_that_they_are_set(page: Any) -> None:
    everything = open_jobs(page)
    assert page.locator(".kvrow").count() == 6, "six rows a page"
    tap(page, "[data-filter=district]")
    page.wait_for_selector(".ksheet")
    option = page.locator(".ksheet__option").nth(1)
    district = option.locator(".ksheet__label").inner_text()
    option.click()
    narrowed = wait_total_change(page, everything)
    assert 0 < narrowed < everything
    for facts in page.locator(".kvrow__facts").all_inner_texts():
        assert facts.startswith(district)
    button = page.locator("[data-filter=district]")
    assert district in button.inner_text() and "已筛选" in button.inner_text(), "a set filter says so in words"

    tap(page, "[data-filter=salary_min]")
    page.wait_for_selector(".ksheet")
    page.locator(".ksheet__option").last.click()  # the highest step
    richer = wait_total_change(page, narrowed)
    assert richer < narrowed
    tap(page, "[data-filter=district]")
    page.wait_for_selector(".ksheet")
    assert page.locator(".ksheet__option[aria-pressed=true]").inner_text().count("已选") == 1
    tap(page, ".ksheet__cancel")
    page.wait_for_selector(".ksheet", state="detached")


def test_the_on_screen_keyboard_types_initials_and_the_results_follow(page: Any) -> None:
    everything = open_jobs(page)
    assert page.locator("#kiosk input, #kiosk textarea, #kiosk [contenteditable]").count() == 0, (
        "nothing that would call up a system keyboard"
    )
    title = page.locator(".kvrow__title").nth(1).inner_text()
    initials = pinyin_initials(title)[:2]
    tap(page, "[data-action=keyboard]")
    page.wait_for_selector(".kkb")
    for letter in initials.upper():
        tap(page, f".kkey[data-key='{letter}']")
    page.wait_for_function(f"() => document.querySelector('.kcount-line').textContent.includes('{initials.upper()}')")
    found = total(page)
    assert 0 < found < everything
    titles = page.locator(".kvrow__title").all_inner_texts()
    assert title in titles or found > len(titles)
    for shown in titles:
        assert initials in pinyin_initials(shown), f"{shown} does not match {initials}"
    assert page.locator(".ksearch__value").inner_text().replace(" ", "") == initials.upper()

    tap(page, ".kkey[data-key=erase]")
    page.wait_for_function(f"() => !document.querySelector('.kcount-line').textContent.includes('{initials.upper()}')")
    assert total(page) >= found
    tap(page, ".kkey[data-key=clear]")
    page.wait_for_function(f"() => document.querySelector('.kcount-line').textContent.includes(' {everything} 个岗位')")

    tap(page, ".kkb__mode[data-mode=categories]")
    category = page.locator(".kkey--category").nth(1)
    label = category.locator("span").first.inner_text()
    category.click()
    page.wait_for_selector(".kkb", state="detached")
    assert wait_total_change(page, everything) < everything
    assert label in page.locator("[data-filter=category]").inner_text()


def test_elder_mode_shows_fewer_rows_and_two_filters_at_once(page: Any) -> None:
    tap(page, ".kattract [data-toggle=elder]")
    wait_screen(page, "home")
    tap(page, "[data-tile=jobs]")
    page.wait_for_selector(".kvrow")
    assert page.locator(".kvrow").count() == 3
    shown = page.locator(".kfilter[data-filter]").evaluate_all("(els) => els.map(e => e.dataset.filter)")
    assert shown == ["district", "category", "more"]
    tap(page, "[data-filter=more]")
    shown = page.locator(".kfilter[data-filter]").evaluate_all("(els) => els.map(e => e.dataset.filter)")
    assert shown == ["salary_min", "education", "more"]
    sizes = page.evaluate(
        "() => [...document.querySelectorAll('#kiosk button')].filter(b => b.offsetParent)"
        ".map(b => { const r = b.getBoundingClientRect(); return [r.width, r.height]; })"
    )
    assert min(min(w, h) for w, h in sizes) >= 48, "touch targets of at least 48 px"


def test_policies_by_topic_and_a_notice_read_page_by_page(page: Any) -> None:
    tap(page, ".kattract__start")
    wait_screen(page, "home")
    tap(page, "[data-tile=policies]")
    wait_screen(page, "policies")
    page.wait_for_selector(".kprow")
    chip = page.locator(".kchip").nth(1)
    topic = chip.inner_text().strip()
    chip.click()
    page.wait_for_selector(".kchip[aria-pressed=true] >> text=" + topic)
    for meta in page.locator(".kprow__meta").all_inner_texts():
        assert meta.startswith(topic)
    tap(page, "[data-topic='']")
    page.wait_for_selector(".kprow")
    tap(page, ".kprow")
    wait_screen(page, "policy")
    page.wait_for_selector(".kpolicy__body")
    assert page.inner_text(".kpolicy__title")
    pages = page.locator(".kpager__label")
    if pages.count() and page.locator(".kpager").is_visible():
        before = page.evaluate("() => document.querySelector('.kpolicy__window').scrollTop")
        tap(page, ".kpager__next")
        page.wait_for_function(f"() => document.querySelector('.kpolicy__window').scrollTop > {before}")
    tap(page, "[data-nav=back]")
    wait_screen(page, "policies")
    assert state(page)["stack"] == ["home"]


def test_an_emergency_on_the_wall_underneath_takes_over_the_touch_ui_until_it_ends(page: Any, site: KioskSite) -> None:
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from content import outbox
    from content.org.tree import OrgUnit
    from content.signage.emergencies import Emergency
    from content.signage.targeting import Target
    from kiosk_server.database import make_engine

    open_jobs(page)
    engine = make_engine(site.server.database_url)
    try:
        with Session(engine) as session:
            province = session.scalars(select(OrgUnit).where(OrgUnit.level == "province")).first()
            assert province is not None
            now = datetime.now(UTC)
            emergency = Emergency(
                org_unit_id=province.id,
                title="紧急疏散演练",
                body="请听从工作人员指引。",
                severity="critical",
                starts_at=now,
                expires_at=now + timedelta(seconds=8),
                created_by="test",
            )
            emergency.targets = [Target(mode="include", kind="org", ref=str(province.id))]
            session.add(emergency)
            session.flush()
            outbox.add_event(session, "content", kind="emergency", id=emergency.id, action="created")
            session.commit()
    finally:
        engine.dispose()
    page.wait_for_function("() => document.documentElement.classList.contains('kiosk-emergency')", timeout=15_000)
    assert page.is_hidden("#kiosk") and page.is_visible("#wall .emergency")
    assert "紧急疏散演练" in page.inner_text("#wall .emergency")
    page.wait_for_function("() => !document.documentElement.classList.contains('kiosk-emergency')", timeout=20_000)
    assert page.is_visible(".kvrow") and state(page)["screen"] == "jobs", "the citizen's screen comes back as it was"
