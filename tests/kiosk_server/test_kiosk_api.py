"""The kiosk page's HTTP API (docs/kiosk.md §2): public browsing, and the session rules of personal calls."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.accounts.audit import AuditEntry
from content.citizens.sessions import CitizenSession
from content.library.items import Employer, PolicyNotice, Vacancy
from content.library.kiosk_catalogue import pinyin_initials
from content.org.screens import Screen
from content.org.tree import Hall as HallRow
from kiosk_server.database import database
from kiosk_server.settings_access import runtime
from tests.support.citizens import Holder, Kiosk, add_holder, add_kiosk, open_citizen_session
from tests.support.world import World, build_world


@dataclass
class Site:
    world: World
    kiosk: Kiosk
    holder: Holder
    other_kiosk: Kiosk


@pytest.fixture
def site(app: Flask) -> Site:
    policy = runtime(app).policy
    with Session(database(app).engine) as session:
        world = build_world(session, vacancies=3)
        kiosk = add_kiosk(session, world.hall_id, policy.credential_key)
        other_kiosk = add_kiosk(session, world.other_hall_id, policy.credential_key, name="天水终端")
        holder = add_holder(session, policy.records_key)
        employer = session.get(Employer, world.employer_id)
        assert employer is not None
        future = datetime.now(UTC) + timedelta(days=30)
        session.add_all(
            [
                Vacancy(
                    org_unit_id=world.county_id,
                    title="收银员",
                    employer_id=employer.id,
                    occupation_code="4-01-02-03",
                    salary_min=3000,
                    salary_max=3800,
                    education="初中",
                    district="城关区",
                    valid_until=future,
                    requirements="年龄18-40周岁",
                ),
                Vacancy(
                    org_unit_id=world.county_id,
                    title="软件工程师",
                    employer_id=employer.id,
                    occupation_code="2-02-10-03",
                    salary_min=9000,
                    salary_max=15000,
                    education="本科",
                    district="七里河区",
                    valid_until=future,
                ),
                Vacancy(
                    org_unit_id=world.county_id,
                    title="已下线的岗位",
                    employer_id=employer.id,
                    occupation_code="4-01-02-03",
                    status="draft",
                    district="城关区",
                ),
            ]
        )
        other_city = session.get(HallRow, world.other_hall_id)
        assert other_city is not None
        session.add(
            Vacancy(
                org_unit_id=other_city.org_unit_id,
                title="天水收银员",
                employer_id=employer.id,
                occupation_code="4-01-02-03",
                district="秦州区",
                valid_until=future,
            )
        )
        session.add(
            PolicyNotice(
                org_unit_id=world.county_id,
                title="城关区就业见习补贴",
                topic="就业见习",
                body_html="<p>见习补贴</p>",
                issuing_office="城关区人社局",
            )
        )
        session.commit()
    return Site(world, kiosk, holder, other_kiosk)


def get(client: Any, path: str, kiosk: Kiosk | None, token: str = "", **kwargs: Any) -> Any:
    headers = {"X-Screen-Key": kiosk.key} if kiosk else {}
    if token:
        headers["X-Citizen-Session"] = token
    return client.get(path, headers=headers, **kwargs)


def post(client: Any, path: str, kiosk: Kiosk, token: str = "") -> Any:
    headers = {"X-Screen-Key": kiosk.key, **({"X-Citizen-Session": token} if token else {})}
    return client.post(path, headers=headers)


def open_session(app: Flask, site: Site, **kwargs: Any) -> str:
    rt = runtime(app)
    with Session(database(app).engine) as session:
        return open_citizen_session(session, rt.policy.backend(session, rt.clock), site.kiosk, site.holder, **kwargs)


def test_pinyin_initials_of_titles() -> None:
    assert pinyin_initials("收银员") == "syy"
    assert pinyin_initials("C1驾驶员") == "c1jsy"


def test_vacancies_visible_from_the_hall_filtered_faceted_and_paged(client: Any, site: Site) -> None:
    answer = get(client, "/kiosk/api/vacancies?per_page=50", site.kiosk)
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    titles = [v["title"] for v in answer.json["items"]]
    assert "收银员" in titles and "软件工程师" in titles and "仓储管理员1" in titles  # county's own and the city's
    assert "已下线的岗位" not in titles and "天水收银员" not in titles  # a draft, and a sibling city's
    assert titles.index("软件工程师") < titles.index("仓储管理员1"), "newest first"
    facets = answer.json["facets"]
    assert {"value": "七里河区", "count": 1} in facets["districts"]
    assert {c["value"] for c in facets["categories"]} == {"2", "4"}
    found = get(client, "/kiosk/api/vacancies?initials=SYY", site.kiosk).json
    assert [v["title"] for v in found["items"]] == ["收银员"] and found["items"][0]["initials"] == "syy"
    assert [v["title"] for v in get(client, "/kiosk/api/vacancies?category=2", site.kiosk).json["items"]] == [
        "软件工程师"
    ]
    assert {v["title"] for v in get(client, "/kiosk/api/vacancies?salary_min=8000", site.kiosk).json["items"]} == {
        "软件工程师"
    }
    junior = get(client, "/kiosk/api/vacancies?education=初中&per_page=50", site.kiosk).json
    assert [v["title"] for v in junior["items"]] == ["收银员"]
    by_district = get(client, "/kiosk/api/vacancies?district=七里河区", site.kiosk).json
    assert by_district["total"] == 1
    # Facets ignore their own filter, so another district stays one tap away.
    assert {d["value"] for d in by_district["facets"]["districts"]} == {"城关区", "七里河区"}
    paged = get(client, "/kiosk/api/vacancies?per_page=2&page=2", site.kiosk).json
    assert paged["page"] == 2 and len(paged["items"]) == 2 and paged["total"] == 5


@pytest.mark.parametrize(
    "query, field",
    [
        ("page=0", "page"),
        ("per_page=500", "per_page"),
        ("category=9", "category"),
        ("education=博士", "education"),
        ("salary_min=abc", "salary_min"),
        ("initials=%E6%94%B6", "initials"),
    ],
)
def test_bad_filters_are_400_naming_the_parameter(client: Any, site: Site, query: str, field: str) -> None:
    answer = get(client, f"/kiosk/api/vacancies?{query}", site.kiosk)
    assert answer.status_code == 400
    assert answer.json["error"] == "bad_request" and field in answer.json["message"]


def test_screen_key_is_required_and_must_be_a_kiosk(client: Any, app: Flask, site: Site) -> None:
    assert get(client, "/kiosk/api/vacancies", None).json["error"] == "unknown_screen"
    wall = Kiosk(0, site.world.wall_keys[0], "")
    answer = get(client, "/kiosk/api/vacancies", wall)
    assert answer.status_code == 403 and answer.json["error"] == "not_a_kiosk"


def test_one_vacancy_and_notices_by_topic(client: Any, site: Site, app: Flask) -> None:
    with Session(database(app).engine) as session:
        cashier = session.scalar(select(Vacancy.id).where(Vacancy.title == "收银员"))
        sibling = session.scalar(select(Vacancy.id).where(Vacancy.title == "天水收银员"))
    assert get(client, f"/kiosk/api/vacancies/{cashier}", site.kiosk).json["salary_text"] == "3000-3800元"
    assert get(client, f"/kiosk/api/vacancies/{sibling}", site.kiosk).status_code == 404
    listing = get(client, "/kiosk/api/notices", site.kiosk).json
    assert {t["value"] for t in listing["topics"]} == {"失业保险", "就业见习"}
    one_topic = get(client, "/kiosk/api/notices?topic=就业见习", site.kiosk).json
    assert [n["title"] for n in one_topic["items"]] == ["城关区就业见习补贴"] and "body_html" not in one_topic["items"][
        0
    ]
    page = get(client, f"/kiosk/api/notices/{one_topic['items'][0]['id']}", site.kiosk).json
    assert page["body_html"] == "<p>见习补贴</p>"
    # The other city's kiosk does not see the county's notice.
    assert {t["value"] for t in get(client, "/kiosk/api/notices", site.other_kiosk).json["topics"]} == {"失业保险"}


def test_session_calls_need_this_kiosks_open_session_and_count_as_activity(client: Any, app: Flask, site: Site) -> None:
    assert get(client, "/kiosk/api/session", site.kiosk).status_code == 401
    assert get(client, "/kiosk/api/session", site.kiosk, "made-up-token").json["error"] == "session_ended"
    token = open_session(app, site, now=datetime.now(UTC) - timedelta(seconds=100))
    assert get(client, "/kiosk/api/session", site.other_kiosk, token).status_code == 401, "another kiosk's token"
    with Session(database(app).engine) as session:
        before = session.scalar(select(CitizenSession.expires_at))
    info = get(client, "/kiosk/api/session", site.kiosk, token)
    assert info.status_code == 200 and info.headers["Cache-Control"] == "no-store"
    assert info.json["citizen"]["masked_id"] == site.holder.masked_id
    assert site.holder.id_number not in info.get_data(as_text=True) and site.holder.name not in info.get_data(
        as_text=True
    )
    touched = post(client, "/kiosk/api/session/touch", site.kiosk, token).json
    assert datetime.fromisoformat(touched["expires_at"]) > before.replace(
        tzinfo=datetime.fromisoformat(touched["expires_at"]).tzinfo
    )


def test_finish_ends_the_session_tells_the_page_and_the_token_dies(client: Any, app: Flask, site: Site) -> None:
    rt = runtime(app)
    screen_client = rt.socketio.test_client(app, namespace="/screen", auth={"key": site.kiosk.key})
    token = open_session(app, site)
    screen_client.get_received("/screen")
    assert post(client, "/kiosk/api/session/finish", site.kiosk, token).status_code == 204
    ended = [m for m in screen_client.get_received("/screen") if m["name"] == "citizen_session_ended"]
    assert ended and ended[0]["args"][0]["reason"] == "finished"
    assert get(client, "/kiosk/api/session", site.kiosk, token).status_code == 401
    assert post(client, "/kiosk/api/session/finish", site.kiosk, token).status_code == 401
    screen_client.disconnect(namespace="/screen")


def test_an_expired_session_is_refused(client: Any, app: Flask, site: Site) -> None:
    token = open_session(app, site, now=datetime.now(UTC) - timedelta(seconds=400), idle_seconds=180)
    assert get(client, "/kiosk/api/session", site.kiosk, token).status_code == 401


def test_no_answer_of_the_api_is_written_to_the_audit_log_with_personal_data(
    client: Any, app: Flask, site: Site
) -> None:
    token = open_session(app, site)
    get(client, "/kiosk/api/session", site.kiosk, token)
    with Session(database(app).engine) as session:
        rows = session.scalars(select(AuditEntry)).all()
        screens = session.scalars(select(Screen)).all()
    text = " ".join(str(r.summary) for r in rows)
    assert site.holder.id_number not in text and site.holder.name not in text and token not in text
    assert screens


def give_history(app: Flask, site: Site) -> None:
    from content.demo import DEFAULT_RNG_SEED, seed_histories

    with Session(database(app).engine) as session:
        assert seed_histories(session, DEFAULT_RNG_SEED, today=datetime.now(UTC).date()) == 1
        session.commit()


def test_records_are_masked_complete_and_audited_without_the_number(client: Any, app: Flask, site: Site) -> None:
    give_history(app, site)
    token = open_session(app, site)
    answer = get(client, "/kiosk/api/session/records", site.kiosk, token)
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    body = answer.json
    assert body["citizen"]["masked_id"] == site.holder.masked_id
    assert [e["insurance"] for e in body["enrollments"]] == [
        "pension",
        "medical",
        "unemployment",
        "work_injury",
        "maternity",
    ]
    months = body["contributions"]["months"]
    assert len(months) == 36 == body["contributions"]["total_months"]
    assert body["contributions"]["paid_months"] == sum(m["paid"] for m in months)
    assert all(isinstance(m["base_fen"], int) for m in months if m["paid"])
    assert {"pension_account_fen", "medical_account_fen", "as_of"} <= set(body["balances"])
    assert body["employment"]["state_label"]
    text = answer.get_data(as_text=True)
    assert site.holder.id_number not in text and site.holder.name not in text
    with Session(database(app).engine) as session:
        lookups = session.scalars(select(AuditEntry).where(AuditEntry.action == "citizen_lookup.records")).all()
    assert len(lookups) == 1 and lookups[0].summary["outcome"] == "ok"
    assert site.holder.id_number not in str(lookups[0].summary)


def test_matches_fit_the_persons_education_and_age(client: Any, app: Flask, site: Site) -> None:
    give_history(app, site)
    token = open_session(app, site)
    # pay_min=0: a statement, for a person without a registration (docs/kiosk.md §6)
    body = get(client, "/kiosk/api/session/matches?per_page=50&pay_min=0", site.kiosk, token).json
    from content.citizens.records import age_on
    from content.library.kiosk_catalogue import education_rank

    assert body["profile"]["age"] == age_on(site.holder.birth_date, datetime.now(UTC).date())
    assert body["total"] >= 1
    for item in body["items"]:
        assert education_rank(item["education"]) <= education_rank(body["profile"]["education"])
    age = body["profile"]["age"]
    if age > 40:
        assert "收银员" not in [v["title"] for v in body["items"]], "年龄18-40周岁 excludes this person"


def test_certificate_issued_for_the_session_with_a_phone_qr_and_a_pdf(client: Any, app: Flask, site: Site) -> None:
    give_history(app, site)
    token = open_session(app, site)
    answer = client.post(
        "/kiosk/api/session/certificate", headers={"X-Screen-Key": site.kiosk.key, "X-Citizen-Session": token}
    )
    assert answer.status_code == 200
    body = answer.json
    assert body["qr_svg"].startswith("<svg") and "/c/" in body["phone_url"] and body["code"] not in body["phone_url"]
    pdf = get(client, body["pdf_url"], site.kiosk, token)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert get(client, body["pdf_url"], site.kiosk).status_code == 401, "the kiosk copy needs the session"
    assert client.get(f"/verify/{body['code']}").status_code == 200


def test_upstream_down_is_a_503_with_a_message_for_the_screen(tmp_path: Any, database_url: str) -> None:
    from tests.conftest import make_app
    from tests.support.server import free_port

    dead = f"http://127.0.0.1:{free_port()}"
    app = make_app(
        tmp_path, database_url, records_backend="http", records_http_url=dead, records_http_timeout_seconds="1"
    )
    try:
        policy = runtime(app).policy
        with Session(database(app).engine) as session:
            world = build_world(session, vacancies=1)
            kiosk = add_kiosk(session, world.hall_id, policy.credential_key)
            holder = add_holder(session, policy.records_key)
            from content.citizens.demo_backend import DemoRecords

            # Opened through the demo backend: identify worked, then the upstream went away.
            token = open_citizen_session(
                session, DemoRecords(session, policy.records_key, runtime(app).clock), kiosk, holder
            )
        client = app.test_client()
        answer = get(client, "/kiosk/api/session/records", kiosk, token)
        assert answer.status_code == 503 and answer.json["error"] == "backend_unavailable"
        assert "稍后" in answer.json["message"] and dead not in answer.json["message"]
        assert get(client, "/kiosk/api/session", kiosk, token).status_code == 200, "the session survives it"
    finally:
        database(app).engine.dispose()


def test_a_retirees_months_after_retiring_are_marked_and_are_no_gap() -> None:
    from datetime import date

    from content.citizens.person_records import (
        Balances,
        ContributionMonth,
        EmploymentState,
        EmploymentStatus,
        PersonRecords,
        history_months,
    )
    from kiosk_server.kiosk_payloads import records_json

    today = date(2026, 11, 22)
    months = tuple(
        ContributionMonth(m, m < "2024-08", 600000 if m < "2024-08" else None, 48000 if m < "2024-08" else None, "")
        for m in history_months(today)
    )
    records = PersonRecords(
        (),
        months,
        Balances(1, 2, today),
        EmploymentStatus(EmploymentState.RETIRED, date(2024, 8, 1), "", ""),
        "不限",
        today,
    )
    body = records_json(records, {})["contributions"]
    assert body["retired_from"] == "2024-08" and body["gaps"] == []
    assert [m["month"] for m in body["months"] if m["retired"]][0] == "2024-08"
    assert not any(m["retired"] for m in body["months"] if m["paid"])
