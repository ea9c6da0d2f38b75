"""Extreme paging, days and instants are refused or clamped, never a 500 (issue 16, defect 6)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.org.screens import Screen
from kiosk_server.database import database
from tests.support.console_world import ConsoleWorld, build_console_world, sign_in
from tests.support.world import World, build_world

HUGE_PAGE = "200000000000000000"
FAR_INSTANTS = ("9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "0001-01-01")


@pytest.fixture
def world(app: Flask) -> World:
    with Session(database(app).engine) as session:
        return build_world(session, vacancies=2)


@pytest.fixture
def cw(app: Flask) -> ConsoleWorld:
    return build_console_world(app)


def _wall_id(app: Flask, name: str = "大厅1号屏") -> int:
    with Session(database(app).engine) as session:
        return int(session.scalars(select(Screen.id).where(Screen.name == name)).one())


def _list_paths(client: Any) -> list[str]:
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    return [
        path
        for path, item in paths.items()
        if "get" in item and any(p["name"] == "page" for p in item["get"].get("parameters", []))
    ]


def _field_errors(response: Any) -> dict[str, str]:
    return {e["field"]: e["message"] for e in response.get_json()["errors"]}


def test_a_huge_page_number_is_refused_on_every_api_list(
    world: World, client: Any, auth_headers: dict[str, str]
) -> None:
    paths = _list_paths(client)
    assert len(paths) >= 10
    for path in paths:
        response = client.get(f"{path}?page={HUGE_PAGE}", headers=auth_headers)
        assert response.status_code == 422, (path, response.status_code)
        assert "10000" in _field_errors(response)["page"], path


def test_the_last_page_there_can_be_is_answered(world: World, client: Any, auth_headers: dict[str, str]) -> None:
    response = client.get("/api/v1/vacancies?page=10000&per_page=200", headers=auth_headers)
    assert response.status_code == 200
    assert response.get_json()["items"] == [] and response.get_json()["page"] == 10000


def test_the_paging_bounds_are_in_the_description(client: Any) -> None:
    doc = client.get("/api/v1/openapi.json").get_json()
    params = {p["name"]: p["schema"] for p in doc["paths"]["/api/v1/vacancies"]["get"]["parameters"]}
    assert params["page"]["maximum"] == 10000 and params["page"]["minimum"] == 1
    assert params["per_page"]["maximum"] == 200


@pytest.mark.parametrize("at", FAR_INSTANTS)
def test_a_manifest_far_in_time_is_refused(
    world: World, app: Flask, client: Any, auth_headers: dict[str, str], at: str
) -> None:
    response = client.get(f"/api/v1/screens/{_wall_id(app)}/manifest?at={at}", headers=auth_headers)
    assert response.status_code == 422
    assert "at" in _field_errors(response)


def test_a_manifest_at_the_edges_of_the_range_is_answered(
    world: World, app: Flask, client: Any, auth_headers: dict[str, str]
) -> None:
    for at in ("2100-12-31T23:59:59Z", "2000-01-01T00:00:00Z"):
        response = client.get(f"/api/v1/screens/{_wall_id(app)}/manifest?at={at}", headers=auth_headers)
        assert response.status_code == 200, at
        assert response.get_json()["manifest"]["segments"]


@pytest.mark.parametrize(
    ("query", "field"), [("to=0", "to"), ("from=0", "from"), ("from=9999-12-31", "from"), ("to=20261201", "to")]
)
def test_stats_days_must_be_written_out_and_in_range(
    world: World, client: Any, auth_headers: dict[str, str], query: str, field: str
) -> None:
    response = client.get(f"/api/v1/halls/{world.hall_id}/queue/stats?{query}", headers=auth_headers)
    assert response.status_code == 422
    assert field in _field_errors(response)


def test_a_schedule_far_in_time_is_refused_at_save(world: World, client: Any, auth_headers: dict[str, str]) -> None:
    body = {
        "org_unit_id": world.province_id,
        "name": "远期",
        "layout_id": world.layout_id,
        "date_from": "2026-12-01",
        "date_until": "9999-12-31",
        "targets": [{"kind": "org", "ref": world.province_id}],
    }
    response = client.post("/api/v1/schedules", json=body, headers=auth_headers)
    assert response.status_code == 422
    assert "2100-12-31" in _field_errors(response)["date_until"]


def test_a_row_id_beyond_the_database_is_not_found(world: World, client: Any, auth_headers: dict[str, str]) -> None:
    assert client.get(f"/api/v1/screens/{HUGE_PAGE}00", headers=auth_headers).status_code == 404


@pytest.mark.parametrize("page", ["/console/audit", "/console/notices", "/console/media", "/console/vacancies"])
def test_a_huge_page_number_shows_a_console_list(cw: ConsoleWorld, client: Any, page: str) -> None:
    sign_in(client, "admin")
    response = client.get(f"{page}?page={HUGE_PAGE}")
    assert response.status_code == 200


def test_a_huge_page_or_id_shows_the_fleet(cw: ConsoleWorld, client: Any) -> None:
    sign_in(client, "admin")
    assert client.get(f"/console/fleet?page={HUGE_PAGE}&hall={HUGE_PAGE}").status_code == 200
    assert client.get(f"/console/notices/{HUGE_PAGE}").status_code == 404


@pytest.mark.parametrize("at", ["9999-12-31T23:59", "0001-01-01T00:00"])
def test_a_preview_far_in_time_says_which_instants_it_can_show(
    cw: ConsoleWorld, app: Flask, client: Any, at: str
) -> None:
    sign_in(client, "editor")
    response = client.get(f"/console/preview?screen={_wall_id(app)}&at={at}")
    assert response.status_code == 400
    assert "2000-01-01 至 2100-12-31" in response.get_data(as_text=True)


def test_a_preview_of_a_screen_id_beyond_the_database_is_not_found(cw: ConsoleWorld, client: Any) -> None:
    sign_in(client, "editor")
    assert client.get(f"/console/preview?screen={HUGE_PAGE}").status_code == 404


@pytest.mark.parametrize("week", ["9999-12-31", "0001-01-01"])
def test_a_calendar_week_far_in_time_shows_this_week(cw: ConsoleWorld, client: Any, week: str) -> None:
    sign_in(client, "admin")
    response = client.get(f"/console/schedules?week={week}")
    assert response.status_code == 200
    assert "2026-11-30" in response.get_data(as_text=True)  # the Monday of the console world's day


def test_a_play_report_far_in_time_is_a_field_error(cw: ConsoleWorld, client: Any) -> None:
    sign_in(client, "admin")
    response = client.get("/console/plays?from=9999-12-25&to=9999-12-31")
    assert response.status_code == 400
