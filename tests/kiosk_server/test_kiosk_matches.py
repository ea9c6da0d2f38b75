"""岗位匹配 at the kiosk (docs/kiosk.md §6): ranked matches with reasons, statements, interests, the live index, printing."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.accounts.audit import AuditEntry
from content.citizens.demo_job_seekers import store_job_seekers
from content.citizens.job_seekers import JobSeekerProfile
from content.citizens.kiosk_printers import PrinterKind, PrinterReport, PrinterRole, PrinterState, set_printer_status
from content.library.items import Employer, Vacancy
from content.matching.interests import JobInterest
from content.matching.match_stats import MatchTally
from content.org.device_commands import DeviceCommand
from content.org.tree import Hall
from kiosk_server.config import ConfigError, load_settings
from kiosk_server.database import database
from kiosk_server.match_book import FULL_RELOAD_SECONDS, VacancyChanges, match_book
from kiosk_server.print_documents import document_bytes
from kiosk_server.settings_access import runtime
from tests.kiosk_server.api_factories import Api, Factory
from tests.support.citizens import Holder, Kiosk, add_holder, add_kiosk, open_citizen_session
from tests.support.world import World, build_world

MATCHES = "/kiosk/api/session/matches"
COOK = "4-03-02-01"  # 中式烹调师


@dataclass
class Site:
    world: World
    kiosk: Kiosk
    other_kiosk: Kiosk
    holder: Holder
    cook_id: int
    clerk_id: int
    other_city_vacancy_id: int


def _vacancy(world: World, employer_id: int, **fields: Any) -> Vacancy:
    values: dict[str, Any] = {
        "org_unit_id": world.county_id,
        "employer_id": employer_id,
        "headcount": 2,
        "salary_min": 4000,
        "salary_max": 5500,
        "education": "初中",
        "district": "城关区",
        "contact": "0931-8000000",
        "valid_until": datetime.now(UTC) + timedelta(days=30),
        **fields,
    }
    return Vacancy(**values)


@pytest.fixture
def site(app: Flask) -> Site:
    from content.demo import DEFAULT_RNG_SEED, seed_histories

    policy = runtime(app).policy
    with Session(database(app).engine) as session:
        world = build_world(session, vacancies=3)
        kiosk = add_kiosk(session, world.hall_id, policy.credential_key)
        other_kiosk = add_kiosk(session, world.other_hall_id, policy.credential_key, name="天水终端")
        holder = add_holder(session, policy.records_key)
        restaurant = Employer(name="兰州牛肉面餐饮有限公司", industry="住宿和餐饮业")
        session.add(restaurant)
        session.flush()
        cook = _vacancy(world, restaurant.id, title="中式烹调师", occupation_code=COOK, requirements="持健康证优先")
        clerk = _vacancy(
            world, world.employer_id, title="办公室文员", occupation_code="3-01-02-01", education="高中/中专"
        )
        waiter = _vacancy(world, restaurant.id, title="餐厅服务员", occupation_code="4-03-02-05", district="七里河区")
        other_hall = session.get(Hall, world.other_hall_id)
        assert other_hall is not None
        elsewhere = _vacancy(
            world, restaurant.id, title="天水厨师", occupation_code=COOK, org_unit_id=other_hall.org_unit_id
        )
        session.add_all([cook, clerk, waiter, elsewhere])
        assert seed_histories(session, DEFAULT_RNG_SEED, today=datetime.now(UTC).date()) == 1
        store_job_seekers(session, [holder.person_id], {})  # no registration unless a test gives one
        session.commit()
        return Site(world, kiosk, other_kiosk, holder, cook.id, clerk.id, elsewhere.id)


def _register(app: Flask, site: Site, profile: JobSeekerProfile) -> None:
    with Session(database(app).engine) as session:
        store_job_seekers(session, [site.holder.person_id], {site.holder.person_id: profile})
        session.commit()


def _token(app: Flask, site: Site) -> str:
    rt = runtime(app)
    with Session(database(app).engine) as session:
        return open_citizen_session(session, rt.policy.backend(session, rt.clock), site.kiosk, site.holder)


def _headers(kiosk: Kiosk, token: str = "") -> dict[str, str]:
    return {"X-Screen-Key": kiosk.key, **({"X-Citizen-Session": token} if token else {})}


def _shown(app: Flask) -> dict[str, tuple[int, int]]:
    with Session(database(app).engine) as session:
        return {t.occupation_code: (t.shown, t.interests) for t in session.scalars(select(MatchTally))}


def test_a_registration_ranks_what_the_person_registered_for_first_with_reasons(
    client: Any, app: Flask, site: Site
) -> None:
    _register(
        app,
        site,
        JobSeekerProfile(
            desired_occupations=(COOK,), desired_pay_min=4000, districts=("城关区",), certificates=("健康证",)
        ),
    )
    answer = client.get(MATCHES, headers=_headers(site.kiosk, _token(app, site)))
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    body = answer.json
    assert body["needs_statement"] is False
    assert body["profile"]["source"] == "registration"
    assert body["profile"]["occupations"] == [{"code": COOK, "name": "中式烹调师"}]
    assert body["profile"]["pay_min"] == 4000 and body["profile"]["certificates"] == ["健康证"]
    assert body["page"] == 1 and body["per_page"] == 10
    first = body["items"][0]
    assert first["id"] == site.cook_id and first["title"] == "中式烹调师"
    assert first["match"]["rank"] == 1 and 0 < first["match"]["score"]
    assert first["match"]["reasons"], "a match says why"
    assert all(set(r) == {"code", "text", "text_en", "favourable"} for r in first["match"]["reasons"])
    ids = [item["id"] for item in body["items"]]
    assert site.other_city_vacancy_id not in ids, "a sibling city's vacancy is not visible from this hall"
    assert [item["match"]["rank"] for item in body["items"]] == list(range(1, len(ids) + 1))
    assert body["total"] >= len(ids)


@pytest.mark.parametrize(("sex_code", "nation_code", "region_code"), [("2", "04", "540102"), ("1", "03", "622901")])
def test_sex_ethnicity_and_household_registration_never_change_the_list(
    client: Any, app: Flask, site: Site, sex_code: str, nation_code: str, region_code: str
) -> None:
    """The same person, told apart only by sex, ethnicity and where their ID was issued, gets the same list."""
    from content.citizens.demo_backend import DemoPerson
    from content.citizens.sessions import CitizenSession

    _register(app, site, JobSeekerProfile(desired_occupations=("4-03",), desired_pay_min=3000))
    token = _token(app, site)

    def ranked() -> list[tuple[int, int, list[dict[str, Any]]]]:
        body = client.get(MATCHES, headers=_headers(site.kiosk, token)).json
        return [(item["id"], item["match"]["rank"], item["match"]["reasons"]) for item in body["items"]]

    before = ranked()
    assert before, "the person is offered jobs at all"
    with Session(database(app).engine) as session:
        person = session.get(DemoPerson, site.holder.person_id)
        assert person is not None and (person.sex_code, person.region_code) != (sex_code, region_code)
        person.sex_code, person.nation_code, person.region_code = sex_code, nation_code, region_code
        person.masked_id = region_code + person.masked_id[6:]
        for citizen in session.scalars(select(CitizenSession).where(CitizenSession.ended_at.is_(None))):
            citizen.sex_code, citizen.masked_id = sex_code, region_code + citizen.masked_id[6:]
        session.commit()
    assert ranked() == before


def test_without_a_registration_the_page_asks_three_taps_and_a_statement_gives_matches(
    client: Any, app: Flask, site: Site
) -> None:
    token = _token(app, site)
    asked = client.get(MATCHES, headers=_headers(site.kiosk, token)).json
    assert asked["needs_statement"] is True and asked["profile"]["source"] == "none"
    assert asked["items"] == [] and asked["total"] == 0
    families = {f["key"]: f for f in asked["choices"]["families"]}
    assert families["4-03"] == {"key": "4-03", "label": "餐饮服务", "label_en": "Catering"}
    assert 10 <= len(families) <= 12
    assert asked["choices"]["districts"] == ["七里河区", "城关区"], "the districts of vacancies visible here"
    assert asked["choices"]["pay_steps"] == [3000, 4000, 5000, 6000, 8000]

    stated = client.get(MATCHES + "?family=4-03&district=城关区&pay_min=4000", headers=_headers(site.kiosk, token)).json
    assert stated["needs_statement"] is False and stated["profile"]["source"] == "stated"
    assert stated["profile"]["occupations"] == [{"code": "4-03", "name": "餐饮服务"}]
    assert stated["profile"]["districts"] == ["城关区"] and stated["profile"]["pay_min"] == 4000
    assert stated["items"][0]["id"] == site.cook_id, "catering in the district asked for comes first"
    assert stated["items"][0]["occupation_code"].startswith("4-03")


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("family=9-99", "family"),
        ("district=火星区", "district"),
        ("district=秦州区", "district"),  # a district only the other city's vacancies are in
        ("pay_min=-1", "pay_min"),
        ("pay_min=1000001", "pay_min"),
        ("pay_min=abc", "pay_min"),
    ],
)
def test_a_bad_statement_is_a_400_naming_the_parameter(
    client: Any, app: Flask, site: Site, query: str, parameter: str
) -> None:
    answer = client.get(f"{MATCHES}?{query}", headers=_headers(site.kiosk, _token(app, site)))
    assert answer.status_code == 400
    assert answer.json["error"] == "bad_request" and f"参数 {parameter}" in answer.json["message"]


def test_a_vacancy_changed_through_the_api_shows_up_and_goes_without_a_full_reload(
    client: Any, app: Flask, site: Site, auth_headers: dict[str, str]
) -> None:
    token = _token(app, site)
    make = Factory(Api(client, auth_headers))
    employer = make.employer()  # an employer's change reloads everything (vacancies show its name): first
    stated = MATCHES + "?family=4-03&per_page=50"
    before = [item["id"] for item in client.get(stated, headers=_headers(site.kiosk, token)).json["items"]]
    book = match_book(app)
    assert book.full_reloads == 1
    created = make.vacancy(
        employer_id=employer["id"],
        org_unit_id=site.world.county_id,
        title="中式面点师",
        occupation_code="4-03-02-02",
        district="城关区",
    )
    after = [item["id"] for item in client.get(stated, headers=_headers(site.kiosk, token)).json["items"]]
    assert created["id"] in after and created["id"] not in before
    Api(client, auth_headers).patch(f"vacancies/{created['id']}", {"status": "archived"})
    gone = [item["id"] for item in client.get(stated, headers=_headers(site.kiosk, token)).json["items"]]
    assert created["id"] not in gone
    Api(client, auth_headers).delete(f"vacancies/{site.cook_id}")
    deleted = [item["id"] for item in client.get(stated, headers=_headers(site.kiosk, token)).json["items"]]
    assert site.cook_id not in deleted
    assert book.full_reloads == 1, "named vacancy changes are read one by one, not the whole index again"
    assert book.reread >= 3


def test_the_index_is_read_again_in_the_background_after_15_minutes_and_keeps_answering(
    client: Any, app: Flask, site: Site
) -> None:
    token = _token(app, site)
    stated = MATCHES + "?family=4-03&per_page=50"
    assert client.get(stated, headers=_headers(site.kiosk, token)).status_code == 200
    book = match_book(app)
    assert book.full_reloads == 1
    book._loaded_at -= FULL_RELOAD_SECONDS + 1  # as if 15 minutes had passed
    answered = client.get(stated, headers=_headers(site.kiosk, token))
    assert answered.status_code == 200 and answered.json["items"], "the old index answers meanwhile"
    deadline = time.monotonic() + 30
    while book.full_reloads < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert book.full_reloads == 2, "read again within 30 s"
    again = client.get(stated, headers=_headers(site.kiosk, token)).json
    assert [i["id"] for i in again["items"]] == [i["id"] for i in answered.json["items"]]
    assert book.full_reloads == 2, "once per 15 minutes"


def test_changes_the_index_does_not_care_about_are_ignored_and_unknown_ones_reload() -> None:
    assert VacancyChanges.of([("content", {"kind": "vacancy", "id": 7})]) == VacancyChanges(frozenset({7}))
    assert VacancyChanges.of([("transition", {}), ("content", {"kind": "schedule", "id": 3})]) == VacancyChanges()
    assert VacancyChanges.of([("content", {"kind": "employer", "id": 1})]).everything
    assert VacancyChanges.of([("content", {"kind": "vacancy", "action": "import", "count": 9})]).everything
    assert VacancyChanges.of([("content", {"kind": "vacancy", "id": n}) for n in range(501)]).everything
    assert VacancyChanges.of([("content", {"kind": "hall", "id": 1})]).everything


def test_matches_shown_are_counted_once_per_first_page_by_occupation(client: Any, app: Flask, site: Site) -> None:
    token = _token(app, site)
    first = client.get(MATCHES + "?family=4-03&per_page=2", headers=_headers(site.kiosk, token)).json
    assert len(first["items"]) == 2
    counted = _shown(app)
    assert sum(shown for shown, _ in counted.values()) == 2
    for item in first["items"]:
        assert counted[item["occupation_code"]][0] >= 1
    second = client.get(MATCHES + "?family=4-03&per_page=2&page=2", headers=_headers(site.kiosk, token)).json
    assert second["items"], "there is a second page"
    assert _shown(app) == counted, "paging does not count again"


def test_marking_an_interest_is_once_per_person_vacancy_and_day_and_keeps_no_number(
    client: Any, app: Flask, site: Site
) -> None:
    token = _token(app, site)
    path = f"{MATCHES}/{site.cook_id}/interest?family=4-03&pay_min=4000"
    first = client.post(path, headers=_headers(site.kiosk, token))
    assert first.status_code == 200 and first.json["already"] is False
    again = client.post(path, headers=_headers(site.kiosk, token))
    assert again.json == {"interest_id": first.json["interest_id"], "already": True}
    with Session(database(app).engine) as session:
        rows = session.scalars(select(JobInterest)).all()
        assert len(rows) == 1
        row = rows[0]
        assert row.vacancy_title == "中式烹调师" and row.employer_name == "兰州牛肉面餐饮有限公司"
        assert row.occupation_code == COOK and row.hall_id == site.world.hall_id
        assert row.masked_id == site.holder.masked_id and row.masked_name.startswith("欧")
        assert site.holder.name not in row.masked_name and row.desired_occupations == ["4-03"]
        assert row.reasons and all("text" in r for r in row.reasons)
        stored = repr([row.__dict__.get(c.key) for c in JobInterest.__table__.columns])
        assert site.holder.id_number not in stored and site.holder.id_number[-8:] not in row.person_hash
        lookups = session.scalars(select(AuditEntry).where(AuditEntry.action == "citizen_lookup.interest")).all()
        assert len(lookups) == 2 and all(site.holder.id_number not in str(e.summary) for e in lookups)
    assert _shown(app)[COOK][1] == 1, "one interest counted"


def test_an_interest_needs_a_live_vacancy_visible_from_the_hall(client: Any, app: Flask, site: Site) -> None:
    token = _token(app, site)
    elsewhere = client.post(f"{MATCHES}/{site.other_city_vacancy_id}/interest", headers=_headers(site.kiosk, token))
    assert elsewhere.status_code == 404 and elsewhere.json["error"] == "not_found"
    assert client.post(f"{MATCHES}/999999/interest", headers=_headers(site.kiosk, token)).status_code == 404
    assert client.post(f"{MATCHES}/{site.cook_id}/interest", headers=_headers(site.kiosk)).status_code == 401


def test_the_matched_list_prints_on_the_slip_printer_without_personal_data(client: Any, app: Flask, site: Site) -> None:
    url = "/kiosk/api/print/matches"
    ids = {"vacancy_ids": [site.cook_id, site.clerk_id]}
    no_printer = client.post(url, json=ids, headers=_headers(site.kiosk))
    assert no_printer.status_code == 409 and no_printer.json["error"] == "no_printer"
    report = PrinterReport(PrinterRole.SLIP, PrinterKind.ESCPOS_NETWORK, PrinterState.READY, paper_mm=80)
    with Session(database(app).engine) as session:
        set_printer_status(session, site.kiosk.screen_id, report, datetime.now(UTC))
        session.commit()
    answer = client.post(url, json=ids, headers=_headers(site.kiosk))
    assert answer.status_code == 201 and answer.json["print"]["document"] == "slip"
    with Session(database(app).engine) as session:
        row = session.get(DeviceCommand, answer.json["print"]["id"])
        assert row is not None and "_vacancy_ids" not in row.wire()["args"], "server-only arguments stay here"
        job = document_bytes(session, row, datetime.now(UTC), runtime(app).policy.certificate_print_key)
    for text in (
        "中式烹调师",
        "兰州牛肉面餐饮有限公司",
        "4000-5500元",
        "城关区",
        "0931-8000000",
        "请携带本单到人工窗口咨询",
    ):
        assert text.encode("gb18030") in job
    assert site.holder.name.encode("gb18030") not in job and site.holder.id_number.encode() not in job
    assert job.endswith(b"\x1dVB\x00"), "cut at the end"
    too_many = client.post(url, json={"vacancy_ids": list(range(1, 12))}, headers=_headers(site.kiosk))
    assert too_many.status_code == 400 and "vacancy_ids" in too_many.json["message"]
    assert client.post(url, json={"vacancy_ids": "1"}, headers=_headers(site.kiosk)).status_code == 400
    invisible = client.post(url, json={"vacancy_ids": [site.other_city_vacancy_id]}, headers=_headers(site.kiosk))
    assert invisible.status_code == 404 and invisible.json["error"] == "not_found"


def test_matching_weights_are_read_from_their_setting_and_a_bad_one_fails_naming_it(tmp_path: Any) -> None:
    loaded = load_settings({"data_dir": str(tmp_path), "matching_weights": '{"pay": 3.5}'})
    assert loaded.matching_weights.pay == 3.5
    for bad, says in [
        ("{pay", "malformed JSON"),
        ("[1]", "JSON object"),
        ('{"luck": 1}', "luck"),
        ('{"pay": -1}', "pay"),
    ]:
        with pytest.raises(ConfigError) as raised:
            load_settings({"data_dir": str(tmp_path), "matching_weights": bad})
        assert str(raised.value).startswith("KIOSK_MATCHING_WEIGHTS: ") and says in str(raised.value)


def test_statistics_are_kept_per_local_day(app: Flask, site: Site) -> None:
    from content.matching.match_stats import count_interest, count_shown, figures

    with Session(database(app).engine) as session:
        count_shown(session, site.world.hall_id, date(2026, 12, 1), [COOK, COOK, "3-01-02-01"])
        count_shown(session, site.world.hall_id, date(2026, 12, 1), [COOK])
        count_interest(session, site.world.hall_id, date(2026, 12, 1), COOK)
        count_shown(session, site.world.hall_id, date(2026, 12, 2), [COOK])
        session.commit()
        one_day = figures(session, [site.world.hall_id], date(2026, 12, 1), date(2026, 12, 1))
        both = figures(session, [site.world.hall_id], date(2026, 12, 1), date(2026, 12, 2))
        elsewhere = figures(session, [site.world.other_hall_id], date(2026, 12, 1), date(2026, 12, 2))
    assert [(f.occupation_code, f.name, f.shown, f.interests) for f in one_day] == [
        (COOK, "中式烹调师", 3, 1),
        ("3-01-02-01", "秘书", 1, 0),
    ]
    assert both[0].shown == 4 and elsewhere == []
