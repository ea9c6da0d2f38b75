"""The import page: a clean file imports, a file with bad rows lists exactly those and imports nothing,
a missing column is fixed by remapping without a new upload, and scope and form checks hold."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from content.accounts.audit import AuditEntry
from content.library.items import Vacancy
from kiosk_server.database import database
from tests.support.console_world import ConsoleWorld, build_console_world, csrf_now, sign_in
from tests.support.vacancy_files import HEADER, csv_bytes, job, xlsx_bytes


@pytest.fixture
def cw(app: Flask) -> ConsoleWorld:
    return build_console_world(app)


def _vacancies(app: Flask) -> int:
    with Session(database(app).engine) as session:
        return session.scalar(select(func.count()).select_from(Vacancy)) or 0


def _upload(client: Any, data: bytes, name: str, org: int | str) -> Any:
    return client.post(
        "/console/vacancies/import",
        data={"csrf_token": csrf_now(client), "org_unit_id": str(org), "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_a_clean_gbk_file_imports_every_row(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    before = _vacancies(app)
    sign_in(client, "editor")
    rows = [job(岗位名称=f"仓储物流专员{n}") for n in range(30)]
    done = _upload(client, csv_bytes(rows, encoding="gbk"), "岗位.csv", cw.world.county_id)
    assert done.status_code == 302
    assert _vacancies(app) == before + 30
    assert "已导入 30 个岗位" in client.get(done.headers["Location"]).get_data(as_text=True)
    with Session(database(app).engine) as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "import")).one()
        assert entry.actor == "editor" and entry.org_path is not None


def test_bad_rows_are_listed_exactly_and_nothing_is_imported(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    before = _vacancies(app)
    rows = [job() for _ in range(200)]
    rows[15] = job(最低月薪="8000", 最高月薪="5000")  # sheet row 17
    rows[99] = job(职业代码="abc")  # row 101
    rows[199] = job(岗位名称="")  # row 201
    sign_in(client, "editor")
    page = _upload(client, xlsx_bytes([[r[h] for h in HEADER] for r in rows]), "岗位.xlsx", cw.world.city_id)
    text = page.get_data(as_text=True)
    assert page.status_code == 400
    reported = re.findall(r'<tr class="import-problem"><td>(\d+)</td><td>([^<]+)</td>', text)
    assert reported == [("17", "最低月薪"), ("101", "职业代码"), ("201", "岗位名称")]
    assert _vacancies(app) == before


def test_a_missing_column_is_fixed_by_remapping_without_uploading_again(
    cw: ConsoleWorld, client: Any, app: Flask
) -> None:
    header = tuple("职位全称" if h == "岗位名称" else h for h in HEADER)
    rows = [{("职位全称" if k == "岗位名称" else k): v for k, v in job().items()} for _ in range(3)]
    sign_in(client, "editor")
    page = _upload(client, csv_bytes(rows, header=header), "岗位.csv", cw.world.city_id)
    text = page.get_data(as_text=True)
    assert page.status_code == 400 and "缺少必填列：岗位名称" in text
    token = re.search(r'name="token" value="([^"]+)"', text).group(1)
    index = header.index("职位全称")
    form = {
        "csrf_token": csrf_now(client),
        "token": token,
        "filename": "岗位.csv",
        "org_unit_id": str(cw.world.city_id),
        "remap": "1",
    }
    for i in range(len(header)):
        found = re.search(rf'<select id="map-{i}" name="map-{i}">.*?<option value="(\w+)" selected', text, re.S)
        form[f"map-{i}"] = found.group(1) if found and i != index else ""
    form[f"map-{index}"] = "title"
    before = _vacancies(app)
    done = client.post("/console/vacancies/import", data=form)
    assert done.status_code == 302, done.get_data(as_text=True)[-2000:]
    assert _vacancies(app) == before + 3


def test_the_owner_must_lie_in_the_editors_scope_and_a_file_is_needed(
    cw: ConsoleWorld, client: Any, app: Flask
) -> None:
    sign_in(client, "editor")
    page = _upload(client, csv_bytes([job()]), "岗位.csv", cw.other_city_id)
    assert page.status_code == 400 and 'id="f-org_unit_id-error"' in page.get_data(as_text=True)
    empty = client.post(
        "/console/vacancies/import", data={"csrf_token": csrf_now(client), "org_unit_id": str(cw.world.city_id)}
    )
    assert empty.status_code == 400 and 'id="f-file-error"' in empty.get_data(as_text=True)


def test_a_file_that_is_not_a_spreadsheet_is_refused_plainly(cw: ConsoleWorld, client: Any) -> None:
    sign_in(client, "editor")
    page = _upload(client, b"<script>alert(1)</script>", "岗位.xlsx", cw.world.city_id)
    text = page.get_data(as_text=True)
    assert page.status_code == 400 and 'id="import-refused"' in text and "<script>alert" not in text


def test_the_same_file_twice_is_reported_unless_the_manager_chooses_to_update(
    cw: ConsoleWorld, client: Any, app: Flask
) -> None:
    sign_in(client, "editor")
    first = [job(岗位名称=f"叉车司机{n}") for n in range(3)]
    assert _upload(client, csv_bytes(first), "岗位.csv", cw.world.county_id).status_code == 302
    before = _vacancies(app)
    page = _upload(client, csv_bytes(first), "岗位.csv", cw.world.county_id)
    text = page.get_data(as_text=True)
    assert page.status_code == 400 and "重复" in text
    assert re.findall(r'<tr class="import-problem"><td>(\d+)</td>', text) == ["2", "3", "4"]
    assert 'name="duplicates" value="report" checked' in text  # the default, kept on the page
    again = [job(岗位名称="叉车司机0", 招聘人数="9"), job(岗位名称="收银员")]
    done = client.post(
        "/console/vacancies/import",
        data={
            "csrf_token": csrf_now(client),
            "org_unit_id": str(cw.world.county_id),
            "duplicates": "update",
            "file": (io.BytesIO(csv_bytes(again)), "岗位.csv"),
        },
        content_type="multipart/form-data",
    )
    assert done.status_code == 302
    assert _vacancies(app) == before + 1
    shown = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "已导入 1 个岗位" in shown and "更新了 1 个已有岗位" in shown
    with Session(database(app).engine) as session:
        assert session.scalars(select(Vacancy.headcount).where(Vacancy.title == "叉车司机0")).one() == 9
