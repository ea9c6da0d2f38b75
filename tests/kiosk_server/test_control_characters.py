"""NUL and the other C0 control characters but TAB, LF and CR (and DEL) never reach the database (issue 17, item 7a).

PostgreSQL refuses a NUL in a text column (a 500 before), SQLite stored it; both now refuse it
with a 422 naming the field, in the REST API and in every console form.
"""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from content.library.items import Vacancy
from content.signage.layouts import Layout
from kiosk_server.database import database
from tests.kiosk_server.api_factories import Api, Factory
from tests.support.console_world import ConsoleWorld, build_console_world, csrf_now, sign_in

FIELD_ERROR = re.compile(r'<p class="field__error" id="([\w-]+)-error"><span aria-hidden="true">⚠ </span>(.*?)</p>')
TEXTAREA = re.compile(r'<textarea id="(f-\d+)" name="([^"]+)"[^>]*>\n(.*?)</textarea>', re.S)
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _count(app: Flask, model: type) -> int:
    with Session(database(app).engine) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _field_errors(response: Any) -> dict[str, str]:
    assert response.status_code == 422, response.get_data(as_text=True)
    return {e["field"]: e["message"] for e in response.get_json()["errors"]}


def test_the_api_refuses_control_characters_naming_the_field_and_stores_nothing(
    app: Flask, api: Api, make: Factory
) -> None:
    body = make.vacancy_body(title="叉车\x00司机")
    before = _count(app, Vacancy)
    errors = _field_errors(api.client.post("/api/v1/vacancies", json=body, headers=api.headers))
    assert set(errors) == {"title"}
    assert "U+0000" in errors["title"]
    assert _count(app, Vacancy) == before

    for char in ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x0e", "\x1f", "\x7f"]:
        employer = make.employer_body(industry=f"物{char}流")
        errors = _field_errors(api.client.post("/api/v1/employers", json=employer, headers=api.headers))
        assert f"U+{ord(char):04X}" in errors["industry"], repr(char)

    created = api.post("vacancies", make.vacancy_body(requirements="持证\t优先\r\n能上夜班\n"))
    assert created["requirements"] == "持证\t优先\r\n能上夜班"  # TAB, CR and LF stay (trimmed at the ends)
    patched = api.client.patch(f"/api/v1/vacancies/{created['id']}", json={"contact": "a\x1bb"}, headers=api.headers)
    assert "U+001B" in _field_errors(patched)["contact"]
    assert api.get(f"vacancies/{created['id']}")["contact"] == created["contact"]

    layout = make.layout_body()
    layout["regions"][1]["name"] = "ticker\x00"
    before = _count(app, Layout)
    errors = _field_errors(api.client.post("/api/v1/layouts", json=layout, headers=api.headers))
    assert set(errors) == {"regions.1.name"}
    assert _count(app, Layout) == before
    errors = _field_errors(api.client.get("/api/v1/vacancies?district=%00", headers=api.headers))
    assert set(errors) == {"district"}


def test_the_pages_and_their_apis_refuse_control_characters_before_any_lookup(client: Any) -> None:
    # A NUL in a screen key or a search was a 500 on PostgreSQL: it reached the query.
    assert client.get("/screen/ab%00cd").status_code == 422
    answer = client.get("/kiosk/api/vacancies?q=%00", headers={"X-Screen-Key": "kiosk"})
    assert answer.status_code == 422
    assert answer.get_json()["field"] == "q" and "U+0000" in answer.get_json()["message"]


@pytest.fixture
def cw(app: Flask) -> ConsoleWorld:
    return build_console_world(app)


def test_a_control_character_in_a_console_form_is_a_field_error_and_the_cleaned_form_saves(
    app: Flask, cw: ConsoleWorld
) -> None:
    client = app.test_client()
    token = CSRF.search(client.get("/console/login").get_data(as_text=True)).group(1)  # type: ignore[union-attr]
    refused = client.post("/console/login", data={"csrf_token": token, "username": "editor\x00", "password": "x"})
    assert refused.status_code == 400  # not looked up: PostgreSQL refuses a NUL even in a query
    assert "U+0000" in refused.get_data(as_text=True)

    assert sign_in(client, "editor").status_code == 302
    search = client.get("/console/vacancies?q=%E5%8F%89%00")
    assert search.status_code == 422 and "U+0000" in search.get_data(as_text=True)
    form = {
        "csrf_token": csrf_now(client),
        "title": "叉车\x00司机",
        "employer": "兰州新区物流有限公司",
        "occupation_code": "6-30-05-03",
        "headcount": "4",
        "salary_min": "5000",
        "salary_max": "7000",
        "education": "高中/中专",
        "district": "城关区",
        "requirements": "持叉车证",
        "contact": "0931-8123456",
        "org_unit_id": str(cw.world.city_id),
        "valid_from": "",
        "valid_until": "2027-01-31T18:00",
    }
    before = _count(app, Vacancy)
    page = client.post("/console/vacancies/new", data=form)
    assert page.status_code == 422
    text = page.get_data(as_text=True)
    fields = {ident: (name, html.unescape(value)) for ident, name, value in TEXTAREA.findall(text)}
    errors = {fields[ident][0]: html.unescape(message) for ident, message in FIELD_ERROR.findall(text)}
    assert list(errors) == ["title"]
    assert "U+0000" in errors["title"] and "控制字符" in errors["title"]
    assert dict(fields.values())["title"] == "叉车司机"
    assert _count(app, Vacancy) == before

    again = {**dict(fields.values()), "csrf_token": CSRF.search(text).group(1)}  # type: ignore[union-attr]
    assert client.post("/console/vacancies/new", data=again).status_code == 302
    with Session(database(app).engine) as session:
        assert session.scalars(select(Vacancy.title).where(Vacancy.title == "叉车司机")).one()
