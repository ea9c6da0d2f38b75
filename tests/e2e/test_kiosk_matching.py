"""Acceptance, end to end: 岗位匹配 at the kiosk (issue 22).

Real ``kiosk serve`` with the demo world, the real agent on a simulated ID reader, the kiosk page in
Chromium. A demo person with a 求职登记 presents a card and gets ten vacancies with their reasons,
the first ones of the occupation they registered for; 我有意向 on one shows up on the counsellors'
console page of the hall; a person without a registration says in three taps what they want and gets
vacancies that fit the taps; elder mode and English draw the list. Screens: test-artifacts/ (docs/
screens/kiosk-matches-*.png with KIOSK_DOC_SCREENS=1, portrait 1080×1920); look at them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.accounts.staff import Role, add_account
from content.citizens.demo_backend import DemoRecords
from content.citizens.job_seekers import JobSeekerProfile
from content.citizens.records import CardSource, identity_from_card
from content.demo import DEFAULT_RNG_SEED
from content.demo.job_seekers import SHOWCASE_OCCUPATION
from content.demo.people import Person, demo_card_holders
from content.library.kiosk_catalogue import education_rank, visible_vacancies
from content.matching.families import FAMILIES, Family
from content.org.screens import Screen
from devices.agent.config import AgentConfig
from devices.agent.printer_config import PrinterConfig
from devices.agent.printing import Printing
from devices.agent.supervisor import Agent
from devices.drivers.idcard_reader import IdCardReader
from devices.drivers.known_readers import ReaderKind
from devices.drivers.printer_states import PrinterKind, PrinterRole
from devices.simulators.escpos_printer import SimEscposPrinter
from kiosk_server.database import make_engine
from kiosk_server.records_backends import records_key
from tests.support.browser import chromium_missing, doc_screenshot
from tests.support.kiosk_site import (
    PORTRAIT,
    SECRET,
    KioskSite,
    axe_missing,
    axe_violations,
    browser_storage,
    kiosk_site,
    masked_name,
    open_kiosk,
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

MATCHES = "/kiosk/api/session/matches"
COUNSELLOR = "jiuye"
COUNSELLOR_PASSWORD = "counsellor-e2e-password"
PER_PAGE = 5  # screens/matches.js: MATCH_ROWS


@dataclass(frozen=True)
class Cast:
    hall_id: int
    registered: Person
    registration: JobSeekerProfile
    unregistered: Person
    family: Family  # the family with the most live vacancies in one district visible from the kiosk
    district: str


def _records(session: Session, person: Person, today: Any) -> Any:
    backend = DemoRecords(session, records_key(SECRET), lambda: datetime.now(UTC))
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
    return backend.records(backend.identify(identity).ref, today)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KioskSite]:
    with kiosk_site(Path(tmp_path_factory.mktemp("kiosk-matching"))) as running:
        yield running


@pytest.fixture(scope="module")
def cast(site: KioskSite) -> Cast:
    """Who presents a card, found in the demo database; and a counsellor account of the kiosk's hall."""
    engine = make_engine(site.server.database_url)
    try:
        with Session(engine) as session:
            today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
            registered = unregistered = None
            registration: JobSeekerProfile | None = None
            education = ""
            for person in list(demo_card_holders(DEFAULT_RNG_SEED))[:40]:
                records = _records(session, person, today)
                seeker = records.job_seeker
                showcase = seeker is not None and SHOWCASE_OCCUPATION in seeker.desired_occupations
                if seeker is not None and seeker.desired_occupations and (registered is None or showcase):
                    registered, registration = person, seeker
                elif seeker is None and unregistered is None:
                    unregistered, education = person, records.education
                if (
                    registration is not None
                    and SHOWCASE_OCCUPATION in registration.desired_occupations
                    and unregistered
                ):
                    break
            assert registered is not None and registration is not None, "a demo card holder with a 求职登记"
            assert unregistered is not None, "a demo card holder without a 求职登记"
            screen = session.scalars(select(Screen).where(Screen.key == site.kiosk.key)).one()
            live = visible_vacancies(session, screen.hall.org_unit, datetime.now(UTC))
            # Vacancies the person without a registration may take (education), by family and district.
            pairs = Counter(
                (f.key, v.district)
                for v in live
                for f in FAMILIES
                if f.holds(v.occupation_code)
                and v.district
                and education_rank(v.education) <= education_rank(education)
            )
            (family_key, district), count = pairs.most_common(1)[0]
            assert count >= 5, "the demo shows some family in some district several times"
            add_account(
                session,
                username=COUNSELLOR,
                password=COUNSELLOR_PASSWORD,
                display_name="就业服务专员",
                role=Role.HALL_MANAGER,
                hall_id=screen.hall_id,
            )
            session.commit()
            family = next(f for f in FAMILIES if f.key == family_key)
            return Cast(screen.hall_id, registered, registration, unregistered, family, district)
    finally:
        engine.dispose()


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


def close_to(code: str, wanted: tuple[str, ...]) -> bool:
    """The same GB/T 6565 middle group (4-07 of 4-07-05-01) as a wanted occupation, or inside a wanted prefix."""
    return any(code.split("-")[:2] == w.split("-")[:2] or code.startswith(w + "-") for w in wanted)


def open_matches(page: Any, site: KioskSite, person: Person) -> dict[str, Any]:
    """Present the card, tap 岗位匹配; the first answer the page got."""
    site.present(person)
    wait_session(page)
    wait_screen(page, "home")
    with page.expect_response(lambda r: MATCHES in r.url and r.request.method == "GET") as answer:
        tap(page, "[data-tile=matches]")
    assert answer.value.status == 200, answer.value.text()
    wait_screen(page, "matches")
    data: dict[str, Any] = answer.value.json()
    return data


def shown_rows(page: Any) -> list[dict[str, Any]]:
    return list(
        page.locator(".kmrow").evaluate_all(
            """(rows) => rows.map((r) => ({
                id: Number(r.dataset.id), rank: Number(r.dataset.rank),
                good: r.querySelectorAll('.kreason--good').length, bad: r.querySelectorAll('.kreason--bad').length,
                chips: [...r.querySelectorAll('.kreason')].map((c) => c.textContent.trim()) }))"""
        )
    )


def assert_reasons_drawn(
    rows: list[dict[str, Any]], items: list[dict[str, Any]], key: str = "text", cap: int | None = None
) -> None:
    """Every reason of every item is a chip, favourable ones first (at most ``cap`` of them: elder mode)."""
    assert [r["id"] for r in rows] == [i["id"] for i in items], "the rows are the answer's items, in its order"
    for row, item in zip(rows, items, strict=True):
        reasons = item["match"]["reasons"]
        assert reasons, f"{item['title']}: the matcher gave no reason"
        good = [r[key] for r in reasons if r["favourable"]][:cap]
        bad = [r[key] for r in reasons if not r["favourable"]]
        assert row["chips"] == good + bad
        assert row["good"] == len(good) and row["bad"] == len(bad)


def test_a_registered_job_seeker_gets_ten_jobs_with_reasons_that_fit_the_registration(
    page: Any, site: KioskSite, cast: Cast
) -> None:
    data = open_matches(page, site, cast.registered)
    assert data["profile"]["source"] == "registration" and data["needs_statement"] is False
    assert data["total"] >= 10, "ten or more vacancies to suggest"
    page.wait_for_selector(".kmrow")
    first = shown_rows(page)
    assert len(first) == PER_PAGE and [r["rank"] for r in first] == [1, 2, 3, 4, 5]
    assert_reasons_drawn(first, data["items"])
    summary = page.inner_text(".kprofile")
    assert "根据您的求职登记" in summary and "想找：" in summary
    assert data["profile"]["occupations"][0]["name"] in summary
    wanted = cast.registration.desired_occupations
    leaders = [i["occupation_code"] for i in data["items"][:3]]
    assert all(close_to(code, wanted) for code in leaders), f"{leaders} do not fit the registration {wanted}"
    # Colour is never the only signal: each group of chips says 符合 / 不符 in words and draws ✓ / ✗.
    for kind, word, mark in (("good", "符合", "ok"), ("bad", "不符", "bad")):
        groups = page.locator(f".kreasons__group--{kind}")
        for n in range(groups.count()):
            group = groups.nth(n)
            assert group.locator(".kreasons__label").inner_text() == word
            assert group.locator(".kreason").count() == group.locator(f".kreason .kicon--{mark}").count()
    assert page.locator("[data-action=print-matches]").count() == 0, "no slip printer on this kiosk: no 打印列表"
    doc_screenshot(page, "kiosk-matches-registered")
    no_axe_problems(page, "matches of a registered person")

    with page.expect_response(lambda r: MATCHES in r.url and "page=2" in r.url) as answer:
        tap(page, ".kpager__next")
    second = answer.value.json()
    page.wait_for_function("() => document.querySelector('.kmrow').dataset.rank === '6'")
    rows = shown_rows(page)
    assert [r["rank"] for r in rows] == [6, 7, 8, 9, 10]
    assert_reasons_drawn(rows, second["items"])
    ten = {r["id"] for r in first} | {r["id"] for r in rows}
    assert len(ten) == 10, "ten different vacancies over the first two pages"


def test_interest_marked_at_the_kiosk_reaches_the_counsellors_page(
    browser: Any, page: Any, site: KioskSite, cast: Cast
) -> None:
    data = open_matches(page, site, cast.registered)
    page.wait_for_selector(".kmrow")
    chosen = data["items"][0]
    tap(page, f".kmrow[data-id='{chosen['id']}']")
    wait_screen(page, "job")
    page.wait_for_selector(".kjob__why .kreason")
    assert page.inner_text(".kjob__title") == chosen["title"]
    assert page.locator(".kjob__why .kreason").count() == len(chosen["match"]["reasons"])

    with page.expect_response(lambda r: r.url.endswith(f"/vacancies/{chosen['id']}/qr")) as qr:
        tap(page, "[data-action=phone]")
    phone_url = qr.value.json()["url"]
    page.wait_for_function(
        "() => { const q = document.querySelector('.kphone__qr'); return q && q.complete && q.naturalWidth > 0; }"
    )
    # What the phone opens: the vacancy's public page, nothing of the person.
    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True
    ).new_page()
    try:
        answer = phone.goto(phone_url)
        assert answer is not None and answer.status == 200 and answer.headers["cache-control"] == "public, max-age=60"
        assert phone.inner_text("h1") == chosen["title"] and chosen["employer"] in phone.inner_text("main")
        assert masked_name(cast.registered) not in phone.content() and cast.registered.name not in phone.content()
        phone.evaluate("() => document.fonts.ready")
        doc_screenshot(phone, "kiosk-matches-phone-page")
    finally:
        phone.context.close()
    with page.expect_response(lambda r: "/interest" in r.url) as answer:
        tap(page, "[data-action=interest]")
    assert answer.value.status == 200, answer.value.text()
    marked = answer.value.json()
    assert marked["already"] is False
    page.wait_for_selector(".kinterest[data-interest=done]")
    assert "已登记意向。请到就业服务窗口出示证件" in page.inner_text(".kinterest")
    assert page.locator("[data-action=interest]").is_hidden(), "one tap records it; the button goes"
    doc_screenshot(page, "kiosk-matches-interest")
    no_axe_problems(page, "a match, interest marked, QR code shown")

    # Again from the list: the server knows it already, and the page says so.
    tap(page, "[data-nav=back]")
    wait_screen(page, "matches")
    page.wait_for_selector(".kmrow")
    tap(page, f".kmrow[data-id='{chosen['id']}']")
    wait_screen(page, "job")
    tap(page, "[data-action=interest]")
    page.wait_for_selector(".kinterest[data-interest=already]")
    assert "已登记过" in page.inner_text(".kinterest")

    console = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN").new_page()
    try:
        console.goto(f"{site.server.url}/console/login")
        console.fill("#f-username", COUNSELLOR)
        console.fill("#f-password", COUNSELLOR_PASSWORD)
        console.click("main button[type=submit]")
        console.wait_for_url("**/console/")
        console.goto(f"{site.server.url}/console/halls/{cast.hall_id}/interests")
        row = console.locator(f"tr.int-row[data-interest='{marked['interest_id']}']")
        row.wait_for()
        text = row.inner_text()
        assert chosen["title"] in text and chosen["employer"] in text
        assert masked_name(cast.registered) in text and cast.registered.name not in text
        assert console.locator("tr.int-row").count() == 1, "marked twice, recorded once"
        doc_screenshot(console, "kiosk-matches-console-interests")
    finally:
        console.context.close()


def test_without_a_registration_three_taps_say_what_is_wanted_and_the_list_fits_them(
    page: Any, site: KioskSite, cast: Cast
) -> None:
    data = open_matches(page, site, cast.unregistered)
    assert data["needs_statement"] is True and data["profile"]["source"] == "none"
    page.wait_for_selector(".kstep[data-step=family]")
    assert page.locator(".kstep__option").count() == len(data["choices"]["families"])
    sizes = page.locator(".kstep__option").evaluate_all(
        "(els) => els.map((e) => { const r = e.getBoundingClientRect(); return Math.min(r.width, r.height); })"
    )
    assert min(sizes) >= 44, "large targets"
    doc_screenshot(page, "kiosk-matches-step-family")
    no_axe_problems(page, "the first tap")
    tap(page, f".kstep__option[data-value='{cast.family.key}']")
    page.wait_for_selector(".kstep[data-step=district]")
    assert page.locator(".kstep__option").last.inner_text() == "不限地点"
    tap(page, f".kstep__option[data-value='{cast.district}']")
    page.wait_for_selector(".kstep[data-step=pay]")
    doc_screenshot(page, "kiosk-matches-step-pay")
    with page.expect_response(lambda r: MATCHES in r.url and "family=" in r.url) as answer:
        tap(page, ".kstep__option[data-value='']")  # 不限
    assert answer.value.status == 200, answer.value.text()
    url = answer.value.url
    assert f"family={cast.family.key}" in url and "district=" in url and "pay_min" not in url
    listed = answer.value.json()
    assert listed["needs_statement"] is False and listed["profile"]["source"] == "stated"
    page.wait_for_selector(".kmrow")
    leaders = listed["items"][:3]
    assert leaders, "the taps find vacancies"
    for item in leaders:
        assert cast.family.holds(item["occupation_code"]), f"{item['title']} is not {cast.family.label}"
        assert item["district"] == cast.district, f"{item['title']} is in {item['district']}"
    assert_reasons_drawn(shown_rows(page), listed["items"])
    summary = page.inner_text(".kprofile")
    assert "根据您选择的条件" in summary and cast.family.label in summary and cast.district in summary
    doc_screenshot(page, "kiosk-matches-stated")
    no_axe_problems(page, "matches of a statement")
    # The wall keeps its manifest (with the districts of its vacancy board) in storage; the statement is not kept.
    stored = browser_storage(page)
    assert "family=" not in stored and '"family"' not in stored and '"pay_min"' not in stored, "never stored"

    tap(page, "[data-action=change-statement]")
    page.wait_for_selector(".kstep[data-step=family]")
    chosen = page.locator(".kstep__option[aria-pressed=true]")
    assert chosen.count() == 1 and cast.family.label in chosen.inner_text() and "已选" in chosen.inner_text()


def test_elder_mode_and_english_draw_the_list(page: Any, site: KioskSite, cast: Cast) -> None:
    site.present(cast.registered)
    wait_session(page)
    wait_screen(page, "home")
    tap(page, "[data-toggle=elder]")
    page.wait_for_selector("#kiosk[data-elder=true]")
    with page.expect_response(lambda r: MATCHES in r.url) as answer:
        tap(page, "[data-tile=matches]")
    data = answer.value.json()
    page.wait_for_selector(".kmrow")
    rows = shown_rows(page)
    assert len(rows) == 3, "three rows a page in elder mode"
    assert_reasons_drawn(rows, data["items"], cap=3)
    on_screen = {row["id"] for row in rows}
    many = next(
        (i for i in data["items"] if i["id"] in on_screen and sum(r["favourable"] for r in i["match"]["reasons"]) > 3),
        None,
    )
    if many is not None:
        more = sum(r["favourable"] for r in many["match"]["reasons"]) - 3
        assert f"另有 {more} 条" in page.inner_text(f".kmrow[data-id='{many['id']}']"), "the rest are counted"
    sizes = page.evaluate(
        "() => [...document.querySelectorAll('#kiosk button')].filter(b => b.offsetParent)"
        ".map(b => { const r = b.getBoundingClientRect(); return Math.min(r.width, r.height); })"
    )
    assert min(sizes) >= 48, "touch targets of at least 48 px"
    doc_screenshot(page, "kiosk-matches-elder")

    tap(page, "[data-toggle=elder]")
    page.wait_for_selector("#kiosk[data-elder=false]")
    with page.expect_response(lambda r: MATCHES in r.url) as answer:
        tap(page, "[data-toggle=lang]")
    page.wait_for_selector("#kiosk[data-lang=en]")
    data = answer.value.json()
    page.wait_for_selector(".kmrow")
    assert_reasons_drawn(shown_rows(page), data["items"], key="text_en")
    assert "From your job-seeker registration" in page.inner_text(".kprofile")
    assert page.inner_text(".kreasons__group--good .kreasons__label >> nth=0") == "Fits"
    doc_screenshot(page, "kiosk-matches-english")
    no_axe_problems(page, "matches in English")


@pytest.fixture(scope="module")
def printing_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[KioskSite, SimEscposPrinter]]:
    """Another kiosk whose agent (real, on the simulated ID reader) also drives a simulated receipt printer."""
    printer = SimEscposPrinter()
    printer.start()
    with kiosk_site(Path(tmp_path_factory.mktemp("kiosk-matching-print"))) as running:
        running.agent.stop()  # the agent below, with the printer, takes its place on the kiosk's credential
        config = AgentConfig(
            server_url=running.server.url,
            device_key=running.kiosk.key,
            credential=running.kiosk.credential,
            hotplug=False,
            pcsc=False,
            reconnect_backoff=(0.1, 0.5),
            printers=(
                PrinterConfig(PrinterRole.SLIP, PrinterKind.ESCPOS_NETWORK, host="127.0.0.1", port=printer.port),
            ),
        )
        agent = Agent(
            config,
            drivers=(
                (ReaderKind.IDCARD_SERIAL, lambda emit: IdCardReader(running.sim.port, emit, reader_id="idcard-print")),
            ),
            printing=Printing(config.printers, poll_seconds=60.0),
        )
        agent.start()
        try:
            wait_for(lambda: agent.link.connected, 15, "the printing agent's link to the server")
            running.agent = agent
            yield running, printer
        finally:
            agent.stop()
            printer.stop()


def test_the_list_prints_on_the_slip_printer(browser: Any, printing_site: tuple[KioskSite, SimEscposPrinter]) -> None:
    site, printer = printing_site
    engine = make_engine(site.server.database_url)
    try:
        with Session(engine) as session:
            today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
            person = next(
                p for p in demo_card_holders(DEFAULT_RNG_SEED) if _records(session, p, today).job_seeker is not None
            )
    finally:
        engine.dispose()
    page = open_kiosk(browser, site, PORTRAIT)
    try:
        data = open_matches(page, site, person)
        page.wait_for_selector("[data-action=print-matches]", timeout=15_000)
        wanted = min(10, data["total"])
        with page.expect_request(lambda r: r.url.endswith("/kiosk/api/print/matches")) as asked:
            tap(page, "[data-action=print-matches]")
        ids = asked.value.post_data_json["vacancy_ids"]
        assert len(ids) == wanted and ids[:PER_PAGE] == [i["id"] for i in data["items"]], "the best, in order"
        page.wait_for_selector(".kmprint[data-print=done]", timeout=20_000)
        assert "请取走打印好的岗位列表" in page.inner_text(".kmprint")
        first = data["items"][0]["title"].encode("gb18030")
        printer.wait_printed(lambda printed: first in printed)
        assert page.locator("[data-action=print-matches]").is_disabled(), "one list per tap"
        doc_screenshot(page, "kiosk-matches-printed")
        assert not page.kiosk_errors, page.kiosk_errors
    finally:
        page.context.close()
        site.clear()
