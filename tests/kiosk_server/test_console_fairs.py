"""Job fairs in the console: create with booths and a booth map, a booth's problem said on its row, delete."""

from __future__ import annotations

import html
import io
import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.library.fairs.job_fairs import JobFair
from content.library.items import Employer, Vacancy
from content.outbox import OutboxEvent
from kiosk_server.database import database
from tests.kiosk_server.api_factories import tiny_png
from tests.support.console_world import ConsoleWorld, build_console_world, csrf_now, sign_in

ROW_ERROR = re.compile(r'^(\d+)">.*?<p class="error" role="alert">(.*?)</p>', re.S)


@pytest.fixture
def cw(app: Flask) -> ConsoleWorld:
    return build_console_world(app)


def fairs(app: Flask) -> list[JobFair]:
    with Session(database(app).engine) as session:
        found = list(session.scalars(select(JobFair).order_by(JobFair.id)))
        for f in found:
            _ = [(b.booth, b.shown_name, [p.vacancy_id for p in b.positions]) for b in f.booths]
        session.expunge_all()
        return found


def jobs(app: Flask) -> list[tuple[int, int, str]]:
    """(employer id, vacancy id, employer name) of the world's vacancies."""
    with Session(database(app).engine) as session:
        rows = session.execute(
            select(Vacancy.employer_id, Vacancy.id, Employer.name).join(Employer).order_by(Vacancy.id)
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


def fair_events(app: Flask) -> list[dict[str, Any]]:
    with Session(database(app).engine) as session:
        return [e.payload for e in session.scalars(select(OutboxEvent)) if e.payload.get("kind") == "fair"]


def fair_form(client: Any, cw: ConsoleWorld, **fields: Any) -> dict[str, Any]:
    return {
        "csrf_token": csrf_now(client),
        "title": "城关区2026年冬季退役军人专场招聘会",
        "theme": "退役军人专场",
        "starts_at": "2027-01-12T09:00",
        "ends_at": "2027-01-12T16:00",
        "hall_id": "",
        "venue_name": "城关区退役军人服务中心",
        "venue_address": "城关区庆阳路",
        "organiser": "城关区人力资源和社会保障局",
        "org_unit_id": str(cw.world.city_id),
        "valid_from": "",
        "valid_until": "",
        "booth_0": "",
        "employer_0": "",
    } | fields


def test_a_fair_with_a_booth_and_a_map_is_created_listed_and_reaches_the_outbox(
    cw: ConsoleWorld, client: Any, app: Flask
) -> None:
    sign_in(client, "editor")
    assert "招聘会" in client.get("/console/fairs/new").get_data(as_text=True)
    employer, vacancy, name = jobs(app)[0]
    form = fair_form(
        client,
        cw,
        booth_0="A01",
        employer_0=str(employer),
        vacancies_0=[str(vacancy)],
        booth_map=(io.BytesIO(tiny_png()), "展位图.png"),
    )
    page = client.post("/console/fairs/new", data=form, content_type="multipart/form-data")
    assert page.status_code == 302, page.get_data(as_text=True)[:3000]
    [saved] = fairs(app)
    assert [(b.booth, b.shown_name, [p.vacancy_id for p in b.positions]) for b in saved.booths] == [
        ("A01", name, [vacancy])
    ]
    assert (
        saved.booth_map_mime == "image/png"
        and client.get(f"/media/fair-maps/{saved.booth_map_sha256}").status_code == 200
    )
    assert saved.valid_until == saved.ends_at
    assert [(e["id"], e["action"]) for e in fair_events(app)] == [(saved.id, "created")]
    listing = client.get("/console/fairs").get_data(as_text=True)
    assert "城关区2026年冬季退役军人专场招聘会" in listing and "1 家单位" in listing


def test_a_duplicate_booth_is_said_on_its_row_and_nothing_is_saved(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "editor")
    (first, _, _), (second, _, _) = jobs(app)[:2]
    form = fair_form(client, cw, booth_0="A01", employer_0=str(first), booth_1="A01", employer_1=str(second))
    page = client.post("/console/fairs/new", data=form)
    assert page.status_code == 400
    rows = page.get_data(as_text=True).split('<tr data-booth-row="')[1:]  # each row's own problem
    found = [(m[1], html.unescape(m[2])) for row in rows if (m := ROW_ERROR.match(row))]
    assert found == [("1", "展位号与上面的行重复")]
    page = client.post("/console/fairs/new", data=fair_form(client, cw, ends_at="2027-01-12T08:00"))
    assert page.status_code == 400 and "结束时间须晚于开始时间" in page.get_data(as_text=True)
    assert fairs(app) == [] and fair_events(app) == []


def test_a_fair_is_deleted_with_its_booths(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "editor")
    employer, _, _ = jobs(app)[0]
    client.post("/console/fairs/new", data=fair_form(client, cw, booth_0="A01", employer_0=str(employer)))
    [saved] = fairs(app)
    page = client.get(f"/console/fairs/{saved.id}").get_data(as_text=True)
    assert 'value="A01"' in page
    assert client.post(f"/console/fairs/{saved.id}/delete", data={"csrf_token": csrf_now(client)}).status_code == 302
    assert fairs(app) == [] and [e["action"] for e in fair_events(app)] == ["created", "deleted"]
