"""供求分析 in the console: the tallies' import (all or nothing, errors by row and column), the figures page,
the recompute button, and an export from which the figures can be computed again."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.library.items import Vacancy
from content.library.market.figures import VacancyFact, compute_figures
from content.library.market.seeker_tallies import SeekerTally, Tally
from content.org.timezones import zone
from kiosk_server.database import database
from tests.support.console_world import ConsoleWorld, build_console_world, csrf_now, sign_in

HEADER = "季度,地区,职业大类,求职人数\n"


@pytest.fixture
def cw(app: Flask) -> ConsoleWorld:
    world = build_console_world(app)
    with Session(database(app).engine) as session:
        for code, headcount, low, high, created in (
            ("4-02-07-08", 6, 4000, 6000, datetime(2026, 8, 3, tzinfo=UTC)),
            ("4-03-02-05", 3, 3500, 5000, datetime(2026, 9, 1, tzinfo=UTC)),
            ("2-02-10-03", 1, None, None, datetime(2026, 10, 12, tzinfo=UTC)),
        ):
            session.add(
                Vacancy(
                    org_unit_id=world.world.county_id,
                    title="岗位",
                    employer_id=world.world.employer_id,
                    occupation_code=code,
                    headcount=headcount,
                    salary_min=low,
                    salary_max=high,
                    created_at=created,
                )
            )
        session.commit()
    return world


def upload(client: Any, text: str, name: str = "求职人数.csv") -> Any:
    form = {"csrf_token": csrf_now(client), "file": (io.BytesIO(text.encode()), name)}
    return client.post("/console/market/import", data=form, content_type="multipart/form-data")


def tallies(app: Flask) -> list[tuple[int, str, str, int]]:
    with Session(database(app).engine) as session:
        rows = session.scalars(select(SeekerTally).order_by(SeekerTally.quarter, SeekerTally.group))
        return [(r.org_unit_id, r.quarter, r.group, r.seekers) for r in rows]


def test_a_bad_sheet_names_every_bad_cell_and_imports_nothing(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "editor")
    page = upload(
        client,
        HEADER
        + "2026Q3,城关区,4,10\n"
        + "2026Q5,城关区,4,10\n"  # row 3: no such quarter
        + "2027Q1,城关区,4,1\n"  # row 4: after the current quarter (the clock is in 2026Q4)
        + "2026Q3,天水市,4,1\n"  # row 5: outside the editor's city
        + "2026Q3,城关区,9,1\n"  # row 6: no major group 9
        + "2026Q3,城关区,6,-3\n"  # row 7: negative
        + "2026Q3,城关区,2,99999999\n"  # row 8: absurd
        + "2026Q3,620102,4,7\n",  # row 9: the same as row 2, by division code
    )
    body = page.get_data(as_text=True)
    assert page.status_code == 400 and 'data-import="rejected"' in body
    assert re.findall(r'<tr data-row="(\d+)"><td>\d+</td><td>(.*?)</td>', body) == [
        ("3", "季度"),
        ("4", "季度"),
        ("5", "地区"),
        ("6", "职业大类"),
        ("7", "求职人数"),
        ("8", "求职人数"),
        ("9", "职业大类"),
    ]
    assert "不是您可管理的地区" in body and "与第 2 行的地区、季度和职业大类相同" in body
    assert tallies(app) == []


def test_a_sheet_without_the_columns_is_refused(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "editor")
    page = upload(client, "季度,地区\n2026Q3,城关区\n")
    assert page.status_code == 400 and 'data-import="refused"' in page.get_data(as_text=True)
    assert tallies(app) == []


def test_import_recomputes_and_the_export_recomputes_to_the_same_figures(
    cw: ConsoleWorld, client: Any, app: Flask
) -> None:
    sign_in(client, "editor")
    county = cw.world.county_id
    page = upload(client, HEADER + "2026Q3,城关区,4,12\n2026年第4季度,620102,专业技术人员,0\n2026Q2,城关区,4,5\n")
    assert page.status_code == 302
    assert tallies(app) == [(county, "2026Q2", "4", 5), (county, "2026Q3", "4", 12), (county, "2026Q4", "2", 0)]
    page = client.get(f"/console/market?area={county}&quarters=4")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    row = re.search(r'data-quarter="2026Q3" data-group="4">(.*?)</tr>', body, re.S)
    assert row is not None
    cells = dict(re.findall(r'data-col="(\w+)">(.*?)</td>', row.group(1)))
    # 6 + 3 wanted against 12 seekers: 0.75; pay medians of (4000, 3500) and (6000, 5000).
    assert cells == {"vacancies": "2", "demand": "9", "seekers": "12", "ratio": "0.75", "pay": "3750–5500"}
    zero = re.search(r'data-quarter="2026Q4" data-group="2">(.*?)</tr>', body, re.S)
    assert zero is not None and 'data-col="ratio">—<' in zero.group(1)  # no seekers: no ratio

    export = client.get(f"/console/market?area={county}&quarters=4&format=csv")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    header, rows = rows[0], rows[1:]
    assert header[:4] == ["类别", "季度", "职业大类", "大类名称"]
    col = {name: i for i, name in enumerate(header)}
    figures = {(r[col["季度"]], r[col["职业大类"]]): r for r in rows if r[0] == "统计"}
    facts = [
        VacancyFact(
            int(r[col["岗位编号"]]),
            county,
            # the quarter's middle: what the export says about when it was published
            datetime(int(r[1][:4]), 3 * int(r[1][5]) - 1, 15, tzinfo=UTC),
            r[col["职业大类"]] + "-00",
            int(r[col["需求人数"]]),
            int(r[col["最低月薪（元）"]]) if r[col["最低月薪（元）"]] else None,
            int(r[col["最高月薪（元）"]]) if r[col["最高月薪（元）"]] else None,
        )
        for r in rows
        if r[0] == "岗位"
    ]
    counts = [Tally(county, r[1], r[2], int(r[col["求职人数"]])) for r in rows if r[0] == "求职人数"]
    again = compute_figures({county: (county,)}, facts, counts, zone("Asia/Shanghai"))
    assert {(f.quarter, f.group) for f in again} == set(figures)
    for f in again:
        shown = figures[(f.quarter, f.group)]
        assert [shown[col[c]] for c in ("需求人数", "求职人数", "求人倍率", "最低月薪（元）", "最高月薪（元）")] == [
            str(f.demand),
            str(f.seekers),
            "" if f.ratio is None else str(f.ratio),
            "" if f.pay_min is None else str(f.pay_min),
            "" if f.pay_max is None else str(f.pay_max),
        ]


def test_recompute_button_and_scope(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "editor")
    page = client.post("/console/market/recompute", data={"csrf_token": csrf_now(client)})
    assert page.status_code == 302
    page = client.get(f"/console/market?area={cw.world.county_id}")
    assert 'data-quarter="2026Q3" data-group="4"' in page.get_data(as_text=True)
    other = app.test_client()
    sign_in(other, "tianshui")  # another city's org admin: 城关区 is not offered, its own city is shown
    body = other.get(f"/console/market?area={cw.world.county_id}").get_data(as_text=True)
    assert "天水市" in body and 'data-quarter="2026Q3" data-group="4"' not in body
    assert 'id="market-recompute"' not in body  # viewing and exporting only
    english = other.get("/console/market?lang=en").get_data(as_text=True)
    assert "Labour market at a glance" in english and "market." not in english  # words, never keys
