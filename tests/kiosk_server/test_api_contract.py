"""The API does what its OpenAPI description says, where the two used to disagree (issue 16, item 11)."""

from __future__ import annotations

import re
from typing import Any

from tests.kiosk_server.api_factories import Api, Factory


def _doc(api: Api) -> dict[str, Any]:
    return api.client.get("/api/v1/openapi.json").get_json()


def _schema(doc: dict[str, Any], name: str) -> dict[str, Any]:
    schema: dict[str, Any] = doc["components"]["schemas"][name]
    return schema


def _plain(schema: dict[str, Any]) -> dict[str, Any]:
    """The non-null member of an ``anyOf: [X, null]``."""
    members = [s for s in schema.get("anyOf", [schema]) if s.get("type") != "null"]
    assert len(members) == 1
    return members[0]


def test_a_daypart_is_described_as_the_wall_clock_time_it_is(api: Api, make: Factory) -> None:
    schedule = make.schedule()
    assert schedule["daypart_start"] == "08:30:00"
    doc = _doc(api)
    for model in ("ScheduleOut", "ScheduleCreate"):
        described = _plain(_schema(doc, model)["properties"]["daypart_start"])
        assert "format" not in described  # "time" is RFC 3339's full-time, which needs an offset
        assert re.fullmatch(described["pattern"], "08:30:00") and re.fullmatch(described["pattern"], "08:30")
        assert not re.fullmatch(described["pattern"], "08:30:00+08:00")


def test_the_stats_download_is_described_as_csv(api: Api, make: Factory) -> None:
    hall = make.hall()
    operation = _doc(api)["paths"]["/api/v1/halls/{ident}/queue/stats.csv"]["get"]
    assert list(operation["responses"]["200"]["content"]) == ["text/csv"]
    response = api.client.get(f"/api/v1/halls/{hall['id']}/queue/stats.csv", headers=api.headers)
    assert response.status_code == 200 and response.mimetype == "text/csv"


def test_an_empty_patch_is_refused_as_nothing_to_change(api: Api, make: Factory) -> None:
    employer = make.employer()
    before = api.get(f"employers/{employer['id']}")
    answer = api.patch(f"employers/{employer['id']}", {}, expect=400)
    assert answer == {"error": "nothing_to_change", "message": "send at least one field to change"}
    assert api.get(f"employers/{employer['id']}") == before
    assert "400" in _doc(api)["paths"]["/api/v1/employers/{ident}"]["patch"]["responses"]


def test_a_day_given_as_a_number_is_refused_not_read_as_1970(api: Api, make: Factory) -> None:
    hall = make.hall()
    answer = api.get(f"halls/{hall['id']}/queue/stats?to=0", expect=422)
    assert answer["errors"] == [{"field": "to", "message": "a day written YYYY-MM-DD, e.g. 2026-12-01"}]


def test_booleans_are_not_integers(api: Api, make: Factory) -> None:
    body = make.layout_body(regions=[{"name": "main", "z": False}])
    answer = api.post("layouts", body, expect=422)
    assert [e["field"] for e in answer["errors"]] == ["regions.0.z"]
    schedule = make.schedule_body(priority=True)
    assert [e["field"] for e in api.post("schedules", schedule, expect=422)["errors"]] == ["priority"]


def test_numbers_written_as_text_are_refused_in_bodies(api: Api, make: Factory) -> None:
    body = make.screen_group_body(org_unit_id=str(make.province_id()))
    assert [e["field"] for e in api.post("screen-groups", body, expect=422)["errors"]] == ["org_unit_id"]


def test_a_method_the_route_does_not_have_names_those_it_has(api: Api) -> None:
    response = api.client.put("/api/v1/employers", headers=api.headers)
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}
    assert response.get_json()["error"] == "method_not_allowed"
