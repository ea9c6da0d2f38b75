"""End to end: what a walk through the hall found on the kiosk (issue 20, item 6), fixed.

Real ``kiosk serve`` with the demo world, the real agent on a simulated ID reader, the kiosk page in
Chromium. Each test is one finding: the attract band covered the wall's notices and ticker; English
kept ``lang="zh-CN"``, said "1 openings" and showed Chinese values; a retiree saw counters of zero
months above a grid of 退休; the certificate gave its time in the browser's zone, not the hall's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from content.citizens.demo_backend import DemoRecords
from content.citizens.person_records import EmploymentState, retired_from
from content.citizens.records import CardSource, identity_from_card
from content.demo import DEFAULT_RNG_SEED
from content.demo.people import Person, demo_card_holders
from kiosk_server.database import make_engine
from kiosk_server.records_backends import records_key
from tests.support.browser import chromium_missing, doc_screenshot, screenshot
from tests.support.kiosk_site import (
    LANDSCAPE,
    PORTRAIT,
    SECRET,
    KioskSite,
    kiosk_site,
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

HALL_ZONE: Final = "Asia/Shanghai"  # every demo hall's
CJK: Final = re.compile(r"[\u3400-\u9fff]")


@dataclass
class Site:
    kiosk: KioskSite
    retiree: Person  # retired before the 36 months shown: none of them was due
    retired_month: str  # YYYY-MM


def _find_retiree(db: Path) -> tuple[Person, str]:
    engine = make_engine(f"sqlite:///{db}")
    today = datetime.now(ZoneInfo(HALL_ZONE)).date()
    try:
        with Session(engine) as session:
            backend = DemoRecords(session, records_key(SECRET), lambda: datetime.now(UTC))
            for person in demo_card_holders(DEFAULT_RNG_SEED):
                identity = identity_from_card(
                    CardSource.IDCARD,
                    "idcard-e2e",
                    {
                        "document_kind": "resident",
                        "id_number": person.id_number,
                        "name": person.name,
                        "sex_code": person.sex_code,
                        "birth_date": person.birth_date.strftime("%Y%m%d"),
                    },
                    today=today,
                )
                records = backend.records(backend.identify(identity).ref, today)
                since = retired_from(records)
                if (
                    records.employment.state is EmploymentState.RETIRED
                    and since
                    and since <= records.contributions[0].month
                ):
                    return person, since
    finally:
        engine.dispose()
    raise AssertionError("the demo people hold nobody retired before the last 36 months")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    root = Path(tmp_path_factory.mktemp("kiosk-field-fixes"))
    with kiosk_site(root) as running:
        retiree, month = _find_retiree(root / "kiosk.sqlite3")
        yield Site(running, retiree, month)


@pytest.fixture
def opened(browser: Any, site: Site) -> Iterator[list[Any]]:
    """Pages the test opens (through ``open_page``); closed after it, with no uncaught error allowed."""
    pages: list[Any] = []
    yield pages
    errors = [e for p in pages for e in p.kiosk_errors]
    for p in pages:
        p.context.close()
    site.kiosk.clear()
    assert not errors, f"uncaught errors in the kiosk page: {errors}"


def open_page(
    browser: Any, site: Site, opened: list[Any], viewport: dict[str, int] = PORTRAIT, zone: str = HALL_ZONE
) -> Any:
    """``open_kiosk`` with the browser's clock in ``zone`` (a kiosk whose system zone is not the hall's)."""
    if zone == HALL_ZONE:
        page = open_kiosk(browser, site.kiosk, viewport)
    else:
        context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id=zone)
        page = context.new_page()
        page.kiosk_errors = []
        page.on("pageerror", lambda error: page.kiosk_errors.append(str(error)))
        page.goto(site.kiosk.page_url)
        page.wait_for_function("() => document.getElementById('wall').dataset.conn === 'online'", timeout=20_000)
        wait_screen(page, "attract")
    opened.append(page)
    return page


def show_records(page: Any) -> None:
    tap(page, "[data-tile=records]")
    wait_screen(page, "records")
    page.wait_for_selector(".kenroll")


# -- the attract band never covers the wall's content ---------------------------------------------------

WALL_BOXES = """() => [...document.querySelectorAll('#wall .region')]
  .filter((el) => el.getClientRects().length)
  .map((el) => ({ kind: el.className, bottom: el.getBoundingClientRect().bottom,
                  text: [...el.querySelectorAll('*')].filter((c) => !c.children.length && c.textContent.trim())
                    .reduce((low, c) => Math.max(low, Math.min(c.getBoundingClientRect().bottom,
                                                               el.getBoundingClientRect().bottom)), 0) }))"""


@pytest.mark.parametrize("viewport", [PORTRAIT, LANDSCAPE], ids=["portrait", "landscape"])
def test_the_attract_band_never_covers_the_notices_or_the_ticker(
    browser: Any, site: Site, opened: list[Any], viewport: dict[str, int]
) -> None:
    page = open_page(browser, site, opened, viewport)
    page.wait_for_selector("#wall .region--ticker .ticker__item", timeout=20_000)
    page.wait_for_function(
        "() => [...document.querySelectorAll('#wall .region--playlist')].some((r) => r.textContent.trim())",
        timeout=20_000,
    )
    band = page.locator(".kattract__band").bounding_box()
    assert band is not None and band["height"] > 0
    regions = page.evaluate(WALL_BOXES)
    assert any("region--ticker" in r["kind"] for r in regions), regions
    for region in regions:
        assert region["bottom"] <= band["y"] + 0.5, f"{region['kind']} runs under the attract band: {region}, {band}"
        assert region["text"] <= band["y"] + 0.5, f"text of {region['kind']} lies under the attract band"
    screenshot(page, f"kiosk-attract-band-{viewport['width']}x{viewport['height']}")
    # The band's space is given back to the wall when the touch UI covers it.
    tap(page, ".kattract__start")
    wait_screen(page, "home")
    assert page.evaluate("() => getComputedStyle(document.getElementById('wall')).bottom") == "0px"


# -- English: the document's language, plurals, values of fixed vocabularies ----------------------------


def test_english_sets_the_documents_language_counts_in_the_plural_and_translates_values(
    browser: Any, site: Site, opened: list[Any]
) -> None:
    page = open_page(browser, site, opened)
    assert page.evaluate("() => document.documentElement.lang") == "zh-CN"
    tap(page, ".kattract__toggles [data-toggle=lang]")
    wait_screen(page, "home")
    assert page.evaluate("() => document.documentElement.lang") == "en"

    forms = page.evaluate("""async () => {
      const { createKioskI18n } = await import('/display-static/js/kiosk/strings.js');
      const en = createKioskI18n('en'), zh = createKioskI18n('zh-CN');
      return [en.t('job.headcount', { count: 1 }), en.t('job.headcount', { count: 2 }),
              en.t('queue.ahead', { count: 1 }), en.t('jobs.count', { count: 1 }), zh.t('job.headcount', { count: 1 })];
    }""")
    assert forms == ["1 opening", "2 openings", "1 person ahead of you", "1 vacancy found", "招 1 人"]

    tap(page, "[data-tile=jobs]")
    wait_screen(page, "jobs")
    page.wait_for_selector(".kvrow")
    for facts in page.locator(".kvrow__facts").all_inner_texts():
        found = re.search(r"(\d+) (openings?)", facts)
        assert found, facts
        assert found.group(2) == ("opening" if found.group(1) == "1" else "openings"), facts
    assert not re.search(r"\b1 (openings|vacancies)\b", page.inner_text("#kiosk"))

    tap(page, "[data-nav=home]")
    tap(page, "[data-tile=policies]")
    wait_screen(page, "policies")
    page.wait_for_selector(".kchip[data-topic]:not([data-topic=''])")
    topics = page.locator(".kchip[data-topic]:not([data-topic=''])").all_inner_texts()
    assert topics and not [t for t in topics if CJK.search(t)], f"policy topics shown raw: {topics}"
    assert "Unemployment insurance" in topics

    # A person's records: every state and fixed value in English; only names of places and offices stay.
    site.kiosk.present(site.kiosk.gappy)
    wait_session(page)
    assert state(page)["lang"] == "en", "the card keeps the language chosen before it"
    show_records(page)
    enrollments = page.inner_text(".kenrolls")
    assert "Pension insurance" in enrollments and not re.search(
        r"正常参保|未参保|暂停缴费|终止参保|养老保险", enrollments
    )
    tap(page, "[data-tab=contributions]")
    page.wait_for_selector(".kcontrib__summary")
    fixed = " ".join(page.locator(".kcontrib__summary, .kgap, .kmonth, .kyear__label").all_inner_texts())
    assert fixed and not CJK.search(fixed), f"Chinese left in the contributions' fixed words: {fixed}"
    assert "灵活就业" not in page.inner_text(".krecords__panel")
    tap(page, "[data-tab=employment]")
    assert not re.search(r"在职|已办理失业登记|灵活就业|已退休|未登记", page.inner_text(".kfacts"))
    tap(page, "[data-nav=end]")
    wait_screen(page, "attract")
    assert page.evaluate("() => document.documentElement.lang") == "zh-CN", "the attract loop is Chinese again"


# -- a retiree sees their pension status, not counters of months that were never due --------------------


def test_a_retirees_records_show_the_pension_status_and_no_zero_counters(
    browser: Any, site: Site, opened: list[Any]
) -> None:
    page = open_page(browser, site, opened)
    site.kiosk.present(site.retiree)
    wait_session(page)
    show_records(page)
    status = page.inner_text(".kpension")
    year, month = site.retired_month.split("-")
    assert "已退休" in status and f"{int(year)}年{int(month)}月" in status
    tap(page, "[data-tab=contributions]")
    page.wait_for_selector(".kcontrib__summary")
    panel = page.inner_text(".krecords__panel")
    assert "0 个月" not in panel and "已缴费" not in panel, panel
    assert "都在退休之后" in panel
    assert page.locator(".kmonth--retired").count() == 0, "no grid of 36 退休 cells"
    assert page.locator(".kpension").is_visible(), "the status stays above every tab"
    doc_screenshot(page, "kiosk-retiree-records-portrait")


# -- the certificate's times are the hall's, whatever the browser's zone --------------------------------


def test_the_certificate_gives_its_time_in_the_halls_zone_with_the_browser_elsewhere(
    browser: Any, site: Site, opened: list[Any]
) -> None:
    page = open_page(browser, site, opened, PORTRAIT, zone="America/New_York")
    assert page.evaluate("() => Intl.DateTimeFormat().resolvedOptions().timeZone") == "America/New_York"
    site.kiosk.present(site.kiosk.gappy)
    wait_session(page)
    assert state(page)["timeZone"] == HALL_ZONE, "the hall's zone came with welcome"
    show_records(page)
    tap(page, "[data-action=certificate]")
    wait_screen(page, "certificate")
    page.wait_for_selector(".kcert__expires")
    expires = datetime.fromisoformat(page.get_attribute(".kcert__expires", "data-expires-at") or "")
    hall = expires.astimezone(ZoneInfo(HALL_ZONE)).strftime("%H:%M")
    browser_zone = expires.astimezone(ZoneInfo("America/New_York")).strftime("%H:%M")
    assert hall != browser_zone
    text = page.inner_text(".kcert__expires")
    assert hall in text and browser_zone not in text, text
