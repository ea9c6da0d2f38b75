"""REST API v1 for training courses: CRUD, places never negative, OpenAPI, the change record."""

from __future__ import annotations

from typing import Any

from tests.kiosk_server.api_factories import Api, Factory, field_errors, last_outbox, row_counts


def course_body(make: Factory, **o: Any) -> dict[str, Any]:
    return {
        "org_unit_id": make.province_id(),
        "title": "电工（低压）特种作业",
        "provider": "兰州市职业技能培训中心",
        "occupation_code": "6-31-01-03",
        "subsidy_groups": ["失业人员", "脱贫劳动力"],
        "subsidy_text": "取证后补贴1000元/人",
        "starts_on": "2026-12-10",
        "ends_on": "2026-12-30",
        "places_total": 30,
        "places_left": 8,
        "fee_yuan": 0,
        "district": "城关区",
        "enrol_url": "https://example.org/enrol/3",
        **o,
    }


def test_course_round_trips_and_records_the_change(api: Api, make: Factory, app: Any) -> None:
    created = api.post("training-courses", course_body(make))
    assert created["kind"] == "training" and created["fee_text"] == "免费" and created["places_left"] == 8
    assert created["subsidy_groups"] == ["失业人员", "脱贫劳动力"]
    assert last_outbox(app)["kind"] == "training" and last_outbox(app)["id"] == created["id"]
    changed = api.patch(f"training-courses/{created['id']}", {"places_left": 0, "fee_yuan": 600})
    assert changed["places_left"] == 0 and changed["fee_text"] == "600元"
    listed = api.get("training-courses", query_string={"district": "城关区"})
    assert [c["id"] for c in listed["items"]] == [created["id"]]
    api.delete(f"training-courses/{created['id']}")
    api.get(f"training-courses/{created['id']}", expect=404)


def test_negative_places_are_refused_and_nothing_changes(api: Api, make: Factory, app: Any) -> None:
    created = api.post("training-courses", course_body(make))
    before = row_counts(app)
    assert "places_left" in field_errors(
        api.patch(f"training-courses/{created['id']}", {"places_left": -1}, expect=422)
    )
    errors = field_errors(api.patch(f"training-courses/{created['id']}", {"places_left": 31}, expect=422))
    assert errors == {"places_left": "places_left 31 is above places_total 30"}
    errors = field_errors(api.patch(f"training-courses/{created['id']}", {"places_total": 5}, expect=422))
    assert errors == {"places_total": "places_total 5 is below places_left 8"}
    assert row_counts(app) == before
    assert api.get(f"training-courses/{created['id']}")["places_left"] == 8
    both = api.patch(f"training-courses/{created['id']}", {"places_total": 5, "places_left": 2})
    assert (both["places_total"], both["places_left"]) == (5, 2)


def test_invalid_course_fields_are_named(api: Api, make: Factory) -> None:
    cases = [
        ({"subsidy_groups": ["外星人"]}, "subsidy_groups.0"),
        ({"occupation_code": "123"}, "occupation_code"),
        ({"enrol_url": "javascript:alert(1)"}, "enrol_url"),
        ({"ends_on": "2026-12-01"}, "ends_on"),
        ({"places_total": 10**18}, "places_total"),
        ({"fee_yuan": -5}, "fee_yuan"),
    ]
    for override, field in cases:
        assert field in field_errors(api.post("training-courses", course_body(make, **override), expect=422)), field


def test_openapi_describes_training_courses(api: Api) -> None:
    spec = api.get("openapi.json")
    assert "/api/v1/training-courses" in spec["paths"] or "/training-courses" in str(spec["paths"])
    schemas = spec["components"]["schemas"]
    assert "places_left" in schemas["TrainingCreate"]["properties"]
