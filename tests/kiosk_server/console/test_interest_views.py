"""The console's 求职意向 page: a hall's interests of the day, match statistics, CSV, and the account's scope."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.library.items import Vacancy
from content.matching.interests import Person, mark_interest
from content.matching.match_stats import count_shown
from kiosk_server.database import database
from tests.support.console_world import ConsoleWorld, build_console_world, sign_in

TODAY = date(2026, 12, 2)  # the console world's clock: 12:00 in Beijing
FORMULA = '=HYPERLINK("http://x")仓管'
REASONS = [
    {"code": "occupation", "text": "专业对口", "text_en": "Your occupation", "favourable": True},
    {"code": "certificate_missing", "text": "要求证书: 叉车证 ✗", "text_en": "Needs: forklift", "favourable": False},
]


@dataclass
class Marked:
    cw: ConsoleWorld
    vacancy_id: int
    other_vacancy_id: int


def _person(n: int) -> Person:
    return Person(f"{n:064x}", "张*", f"620102********{n:04d}", 30 + n, "高中/中专", ("4-02",))


@pytest.fixture
def marked(app: Flask) -> Marked:
    """Two interests today and one yesterday at the hall, one today at the other hall, and matches shown."""
    cw = build_console_world(app)
    world = cw.world
    with Session(database(app).engine) as session:
        vacancy = session.scalars(select(Vacancy).order_by(Vacancy.id)).first()
        assert vacancy is not None
        vacancy.title = FORMULA  # what a careless import could bring: it must not run in a spreadsheet
        other = Vacancy(
            org_unit_id=cw.other_city_id,
            title="天水收银员",
            employer_id=world.employer_id,
            occupation_code="4-01-02-04",
        )
        session.add(other)
        session.flush()
        now = cw.clock.now
        for n, (day, at) in enumerate([(TODAY, now), (TODAY, now + timedelta(minutes=5))]):
            mark_interest(
                session,
                hall_id=world.hall_id,
                screen_id=None,
                vacancy=vacancy,
                person=_person(n + 1),
                reasons=REASONS,
                day=day,
                now=at,
            )
        mark_interest(
            session,
            hall_id=world.hall_id,
            screen_id=None,
            vacancy=vacancy,
            person=_person(7),
            reasons=[],
            day=TODAY - timedelta(days=1),
            now=now - timedelta(days=1),
        )
        mark_interest(
            session,
            hall_id=world.other_hall_id,
            screen_id=None,
            vacancy=other,
            person=_person(9),
            reasons=[],
            day=TODAY,
            now=now,
        )
        count_shown(session, world.hall_id, TODAY, [vacancy.occupation_code] * 5 + ["4-01-02-04"])
        session.commit()
        return Marked(cw, vacancy.id, other.id)


def _url(marked: Marked, hall_id: int | None = None, **query: str) -> str:
    args = "&".join(f"{k}={v}" for k, v in query.items())
    return f"/console/halls/{hall_id or marked.cw.world.hall_id}/interests" + (f"?{args}" if args else "")


def _rows(page: str, marker: str) -> list[str]:
    return page.split(marker)[1:]


def test_the_hall_manager_sees_the_days_interests_masked_in_hall_time_with_reasons(app: Flask, marked: Marked) -> None:
    client = app.test_client()
    sign_in(client, "manager")
    response = client.get(_url(marked))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    rows = _rows(page, 'class="int-row"')
    assert len(rows) == 2, "today's two; yesterday's and the other hall's are not listed"
    first = rows[0].split("</tr>")[0]
    assert "12:00" in first and "张*" in first and "620102********0001" in first and ">31<" in first
    assert "专业对口" in first and "要求证书: 叉车证 ✗（不符）" in first
    assert FORMULA.replace('"', "&#34;") in page, "the vacancy's title as kept, escaped"
    assert "天水收银员" not in page
    yesterday = client.get(_url(marked, day="2026-12-01")).get_data(as_text=True)
    assert len(_rows(yesterday, 'class="int-row"')) == 1 and "620102********0007" in yesterday
    assert 'href="?day=2026-12-01"' in page and 'href="?day=2026-12-03"' in page, "day navigation"


def test_the_statistics_count_matches_shown_and_interests_by_occupation(app: Flask, marked: Marked) -> None:
    client = app.test_client()
    sign_in(client, "manager")
    page = client.get(_url(marked)).get_data(as_text=True)
    figures = {}
    for row in _rows(page, 'class="int-figure" data-code="'):
        code = row.split('"')[0]
        shown = row.split('data-col="shown">')[1].split("<")[0]
        interests = row.split('data-col="interests">')[1].split("<")[0]
        figures[code] = (int(shown), int(interests))
    assert figures == {"4-02-06-03": (5, 2), "4-01-02-04": (1, 0)}, "the other hall's interest is not counted here"
    total = page.split('id="int-total"')[1].split("</tr>")[0]
    assert 'data-col="shown">6<' in total and 'data-col="interests">2<' in total
    assert "收银员" in page, "occupations are named from the GB/T 6565 table"


def test_the_csv_export_is_formula_safe_and_carries_the_days_rows(app: Flask, marked: Marked) -> None:
    client = app.test_client()
    sign_in(client, "manager")
    response = client.get(_url(marked, day="2026-12-02", format="csv"))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "interests-hall" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["时间", "姓名", "证件号码"]
    assert len(rows) == 3
    assert rows[1][0] == "2026-12-02 12:00" and rows[1][2] == "620102********0001"
    assert rows[1][5] == "'" + FORMULA, "a cell starting with = is made inert"
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


@pytest.mark.parametrize("username", ["tianshui", "tech"])
def test_another_halls_accounts_cannot_see_the_page(app: Flask, marked: Marked, username: str) -> None:
    client = app.test_client()
    sign_in(client, username)
    status = client.get(_url(marked)).status_code
    assert status == (403 if username == "tech" else 404)
    assert client.get(_url(marked, format="csv")).status_code == status, "nor its export"


def test_the_hall_manager_cannot_open_another_hall_and_the_org_admin_can(app: Flask, marked: Marked) -> None:
    client = app.test_client()
    sign_in(client, "manager")
    assert client.get(_url(marked, marked.cw.world.other_hall_id)).status_code == 404
    other = app.test_client()
    sign_in(other, "tianshui")
    page = other.get(_url(marked, marked.cw.world.other_hall_id)).get_data(as_text=True)
    assert "天水收银员" in page and len(_rows(page, 'class="int-row"')) == 1


def test_the_interests_entry_opens_the_managers_own_hall_and_a_bad_day_is_said(app: Flask, marked: Marked) -> None:
    client = app.test_client()
    sign_in(client, "manager")
    entry = client.get("/console/interests")
    assert entry.status_code == 200 and len(_rows(entry.get_data(as_text=True), 'class="int-row"')) == 2, "their hall"
    bad = client.get(_url(marked, day="2026-13-45"))
    assert bad.status_code == 400 and "请填写有效日期" in bad.get_data(as_text=True)
    admin = app.test_client()
    sign_in(admin, "admin")
    listing = admin.get("/console/interests").get_data(as_text=True)
    assert _url(marked) in listing and _url(marked, marked.cw.world.other_hall_id) in listing
    halls = admin.get("/console/halls").get_data(as_text=True)
    assert _url(marked) in halls, "the halls list links each hall's page"
