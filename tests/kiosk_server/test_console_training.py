"""Training courses in the console: the list, the form's messages, places never negative, the import report."""

from __future__ import annotations

import html
import io
import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.library.training.courses import TrainingCourse
from content.outbox import OutboxEvent
from kiosk_server.database import database
from tests.support.console_world import ConsoleWorld, build_console_world, csrf_now, sign_in

FIELD_ERROR = re.compile(r'<p class="field__error" id="f-([\w-]+)-error"><span aria-hidden="true">⚠ </span>(.*?)</p>')


@pytest.fixture
def cw(app: Flask) -> ConsoleWorld:
    return build_console_world(app)


def field_errors(page: Any) -> dict[str, str]:
    return {name: html.unescape(text) for name, text in FIELD_ERROR.findall(page.get_data(as_text=True))}


def courses(app: Flask) -> list[TrainingCourse]:
    with Session(database(app).engine) as session:
        found = list(session.scalars(select(TrainingCourse).order_by(TrainingCourse.id)))
        session.expunge_all()
        return found


def training_events(app: Flask) -> list[dict[str, Any]]:
    with Session(database(app).engine) as session:
        return [e.payload for e in session.scalars(select(OutboxEvent)) if e.payload.get("kind") == "training"]


def course_form(client: Any, cw: ConsoleWorld, **fields: Any) -> dict[str, Any]:
    return {
        "csrf_token": csrf_now(client),
        "title": "家政服务员",
        "provider": "城关区家政服务培训学校",
        "occupation_code": "4-10-01-06",
        "subsidy_groups": ["农村转移劳动力", "脱贫劳动力"],
        "subsidy_text": "考核合格补贴1000元/人",
        "starts_on": "2027-01-10",
        "ends_on": "2027-01-25",
        "class_times": "周一至周五 9:00-16:00",
        "places_total": "35",
        "places_left": "30",
        "fee_yuan": "0",
        "venue": "城关区皋兰路2号",
        "district": "城关区",
        "enrol_phone": "0931-8860321",
        "enrol_url": "https://example.org/enrol/6",
        "requirements": "16-60周岁",
        "org_unit_id": str(cw.world.city_id),
        "valid_from": "",
        "valid_until": "",
    } | fields


def test_a_course_is_created_listed_and_reaches_the_outbox(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "editor")
    page = client.post("/console/training/new", data=course_form(client, cw))
    assert page.status_code == 302, page.get_data(as_text=True)[:2000]
    [saved] = courses(app)
    assert saved.subsidy_groups == ["农村转移劳动力", "脱贫劳动力"] and saved.places_left == 30
    assert [(e["id"], e["action"]) for e in training_events(app)] == [(saved.id, "created")]
    listing = client.get("/console/training").get_data(as_text=True)
    assert "家政服务员" in listing and "30 / 35" in listing and "培训信息" in listing  # the nav entry


def test_places_left_above_total_or_negative_is_refused_on_its_field(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "editor")
    page = client.post("/console/training/new", data=course_form(client, cw, places_left="36"))
    assert page.status_code == 400
    assert field_errors(page) == {"places_left": "剩余名额不能为负数，也不能多于招生人数"}
    page = client.post("/console/training/new", data=course_form(client, cw, places_left="-1", ends_on="2027-01-01"))
    errors = field_errors(page)
    assert set(errors) == {"places_left", "ends_on"} and errors["ends_on"] == "结业日期不能早于开班日期"
    assert courses(app) == [] and training_events(app) == []


def test_the_import_lists_every_bad_cell_and_imports_nothing(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "editor")
    text = (
        "课程名称,培训机构,开班日期,结业日期,招生人数,剩余名额\n"
        "叉车司机,兰州市职业技能培训中心,2027-01-04,2027-01-10,25,5\n"
        "=cmd|' /C calc'!A0,兰州市职业技能培训中心,2027-01-04,2027-01-10,25,-3\n"
    )
    form = {
        "csrf_token": csrf_now(client),
        "org_unit_id": str(cw.world.city_id),
        "publish": "1",
        "file": (io.BytesIO(text.encode()), "培训.csv"),
    }
    page = client.post("/console/training/import", data=form, content_type="multipart/form-data")
    body = page.get_data(as_text=True)
    assert page.status_code == 400 and 'data-import="rejected"' in body
    assert re.findall(r'<tr data-row="(\d+)"><td>\d+</td><td>(.*?)</td>', body) == [
        ("3", "课程名称"),
        ("3", "剩余名额"),
    ]
    assert courses(app) == []
    good = text.splitlines()[:2]
    form |= {"csrf_token": csrf_now(client), "file": (io.BytesIO("\n".join(good).encode()), "培训.csv")}
    page = client.post("/console/training/import", data=form, content_type="multipart/form-data")
    assert page.status_code == 302
    assert [c.title for c in courses(app)] == ["叉车司机"]
