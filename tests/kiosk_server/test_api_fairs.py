"""REST API v1 for job fairs: CRUD with booths, specific errors that change nothing, a deleted employer, OpenAPI."""

from __future__ import annotations

from typing import Any

from tests.kiosk_server.api_factories import Api, Factory, field_errors, last_outbox, row_counts


def fair_body(make: Factory, booths: list[dict[str, Any]] | None = None, **o: Any) -> dict[str, Any]:
    return {
        "org_unit_id": make.province_id(),
        "title": "兰州市2026年冬季高校毕业生专场招聘会",
        "theme": "高校毕业生专场",
        "starts_at": "2026-12-20T09:00:00+08:00",
        "ends_at": "2026-12-20T16:00:00+08:00",
        "venue_name": "兰州市人力资源市场",
        "venue_address": "城关区南滨河东路",
        "organiser": "兰州市就业服务中心",
        "booths": booths or [],
        **o,
    }


def _employer_with_jobs(make: Factory, name: str, *titles: str) -> tuple[int, list[int]]:
    employer = make.employer(name=name)["id"]
    return employer, [make.vacancy(employer_id=employer, title=t)["id"] for t in titles]


def test_a_fair_round_trips_with_booths_and_records_the_change(api: Api, make: Factory, app: Any) -> None:
    tech, (dev, qa) = _employer_with_jobs(make, "兰州某某软件有限公司", "Java开发工程师", "测试工程师")
    booths = [{"employer_id": tech, "booth": "A01", "vacancy_ids": [dev, qa]}]
    created = api.post("fairs", fair_body(make, booths))
    assert created["kind"] == "fair" and created["theme"] == "高校毕业生专场"
    assert created["booths"] == [
        {"booth": "A01", "employer_id": tech, "employer_name": "兰州某某软件有限公司", "vacancy_ids": [dev, qa]}
    ]
    assert created["valid_until"] == created["ends_at"]  # shown until the fair ends
    assert last_outbox(app)["kind"] == "fair" and last_outbox(app)["id"] == created["id"]
    changed = api.patch(
        f"fairs/{created['id']}", {"booths": [{"employer_id": tech, "booth": "B2", "vacancy_ids": [qa]}]}
    )
    assert [(b["booth"], b["vacancy_ids"]) for b in changed["booths"]] == [("B2", [qa])]
    listed = api.get("fairs", query_string={"theme": "高校毕业生专场"})
    assert [f["id"] for f in listed["items"]] == [created["id"]]
    api.delete(f"fairs/{created['id']}")
    api.get(f"fairs/{created['id']}", expect=404)


def test_bad_fairs_are_refused_by_field_and_nothing_changes(api: Api, make: Factory, app: Any) -> None:
    tech, (dev,) = _employer_with_jobs(make, "兰州某某软件有限公司", "Java开发工程师")
    bank, (teller,) = _employer_with_jobs(make, "甘肃某某银行", "柜员")
    before = row_counts(app)
    cases = [
        (
            {"booths": [{"employer_id": tech, "booth": "A1"}, {"employer_id": bank, "booth": "A1"}]},
            "booths.1.booth",
        ),
        ({"booths": [{"employer_id": tech, "booth": "A1", "vacancy_ids": [teller]}]}, "booths.0.vacancy_ids"),
        ({"ends_at": "2026-12-20T08:00:00+08:00"}, "ends_at"),
        ({"theme": "夜场"}, "theme"),
        ({"hall_id": 999999}, "hall_id"),
        ({"venue_name": ""}, "venue_name"),
    ]
    for override, field in cases:
        errors = field_errors(api.post("fairs", fair_body(make, **override), expect=422))
        assert field in errors, (field, errors)
    assert row_counts(app) == before
    assert "展位号重复" in field_errors(api.post("fairs", fair_body(make, **cases[0][0]), expect=422))["booths.1.booth"]
    assert dev  # the employer's own vacancy is accepted below
    api.post("fairs", fair_body(make, [{"employer_id": tech, "booth": "A1", "vacancy_ids": [dev]}]))


def test_a_fair_whose_employer_is_deleted_keeps_the_booth_name(api: Api, make: Factory) -> None:
    gone = make.employer(name="某某建筑劳务有限公司")["id"]
    created = api.post("fairs", fair_body(make, [{"employer_id": gone, "booth": "C3"}]))
    api.delete(f"employers/{gone}")
    shown = api.get(f"fairs/{created['id']}")
    assert shown["booths"] == [
        {"booth": "C3", "employer_id": None, "employer_name": "某某建筑劳务有限公司", "vacancy_ids": []}
    ]
    assert (
        api.patch(f"fairs/{created['id']}", {"title": "改名后的招聘会"})["booths"][0]["employer_name"]
        == "某某建筑劳务有限公司"
    )


def test_openapi_describes_fairs(api: Api) -> None:
    schemas = api.get("openapi.json")["components"]["schemas"]
    assert {"booths", "theme", "starts_at"} <= set(schemas["FairCreate"]["properties"])
