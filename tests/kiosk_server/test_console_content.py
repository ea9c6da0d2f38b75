"""Vacancies and tickers in the console: every field's message, the API's rules, changes reach the outbox, scope."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.accounts.audit import AuditEntry
from content.library.items import Employer, Ticker, Vacancy
from content.org.tree import OrgUnit
from content.outbox import OutboxEvent
from kiosk_server.database import database
from tests.support.console_world import ConsoleWorld, build_console_world, csrf_now, sign_in

FIELD_ERROR = re.compile(r'<p class="field__error" id="f-([\w-]+)-error"><span aria-hidden="true">⚠ </span>(.*?)</p>')


@pytest.fixture
def cw(app: Flask) -> ConsoleWorld:
    return build_console_world(app)


def field_errors(page: Any) -> dict[str, str]:
    return {name: html.unescape(text) for name, text in FIELD_ERROR.findall(page.get_data(as_text=True))}


def vacancy_form(client: Any, cw: ConsoleWorld, **fields: Any) -> dict[str, Any]:
    form = {
        "csrf_token": csrf_now(client),
        "title": "叉车司机",
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
    form.update(fields)
    return form


def ticker_form(client: Any, cw: ConsoleWorld, **fields: Any) -> dict[str, Any]:
    form = {
        "csrf_token": csrf_now(client),
        "title": "本周六举办大型招聘会",
        "org_unit_id": str(cw.world.city_id),
        "valid_from": "",
        "valid_until": "",
    }
    form.update(fields)
    return form


def rows(app: Flask, model: Any) -> list[Any]:
    with Session(database(app).engine) as session:
        found = list(session.scalars(select(model).order_by(model.id)))
        session.expunge_all()
        return found


def events(app: Flask, kind: str) -> list[tuple[int, str]]:
    with Session(database(app).engine) as session:
        return [
            (e.payload["id"], e.payload["action"])
            for e in session.scalars(select(OutboxEvent).order_by(OutboxEvent.id))
            if e.payload.get("kind") == kind
        ]


def audits(app: Flask, kind: str) -> list[AuditEntry]:
    with Session(database(app).engine) as session:
        found = list(session.scalars(select(AuditEntry).where(AuditEntry.object_kind == kind).order_by(AuditEntry.id)))
        session.expunge_all()
        return found


# Vacancies


def test_every_vacancy_field_says_what_is_wrong(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "editor")
    before = len(rows(app, Vacancy))
    page = client.post(
        "/console/vacancies/new",
        data=vacancy_form(
            client,
            cw,
            title="",
            employer="",
            occupation_code="4020603",
            headcount="0",
            salary_min="-5",
            salary_max="六千",
            education="博士后",
            district="区" * 61,
            requirements="要" * 5001,
            contact="电" * 121,
            org_unit_id="",
            valid_from="下周一",
        ),
    )
    assert page.status_code == 400
    assert field_errors(page) == {
        "title": "请填写此项",
        "employer": "请填写此项",
        "occupation_code": "职业代码应为 X-XX-XX-XX 的格式（GB/T 6565），如 4-02-06-03",
        "headcount": "不能小于1",
        "salary_min": "不能小于0",
        "salary_max": "请输入整数",
        "education": "请选择",
        "district": "不能超过60个字",
        "requirements": "不能超过5000个字",
        "contact": "不能超过120个字",
        "org_unit_id": "请选择",
        "valid_from": "请填写完整的日期和时间",
    }
    assert 'value="4020603"' in page.get_data(as_text=True)  # what was typed stays in the form
    assert len(rows(app, Vacancy)) == before and events(app, "vacancy") == []


def test_the_vacancy_form_speaks_english_too(cw: ConsoleWorld, client: Any) -> None:
    sign_in(client, "editor")
    page = client.post(
        "/console/vacancies/new?lang=en",
        data=vacancy_form(client, cw, occupation_code="4-2-6-3", headcount="", employer="x" * 201),
    )
    assert field_errors(page) == {
        "occupation_code": "Use the GB/T 6565 form X-XX-XX-XX, e.g. 4-02-06-03",
        "headcount": "Fill this in",
        "employer": "At most 200 characters",
    }


def test_the_lowest_salary_may_not_be_above_the_highest(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "editor")
    before = (len(rows(app, Vacancy)), len(rows(app, Employer)))
    page = client.post(
        "/console/vacancies/new",
        data=vacancy_form(client, cw, salary_min="8000", salary_max="5000", employer="一家新公司"),
    )
    assert page.status_code == 400 and field_errors(page) == {"salary_min": "最低月薪不能高于最高月薪"}
    with_others = client.post(
        "/console/vacancies/new", data=vacancy_form(client, cw, salary_min="8000", salary_max="5000", title="")
    )
    assert field_errors(with_others) == {"title": "请填写此项", "salary_min": "最低月薪不能高于最高月薪"}
    unreadable = client.post(
        "/console/vacancies/new", data=vacancy_form(client, cw, salary_min="8000", salary_max="5千")
    )
    assert field_errors(unreadable) == {"salary_max": "请输入整数"}  # no comparison with a value not given
    assert (len(rows(app, Vacancy)), len(rows(app, Employer))) == before  # nor was the new employer kept


def test_a_new_vacancy_must_still_be_open_and_end_after_it_starts(cw: ConsoleWorld, client: Any) -> None:
    sign_in(client, "editor")  # the clock stands at 2026-12-02 12:00 Beijing time
    past = client.post("/console/vacancies/new", data=vacancy_form(client, cw, valid_until="2026-12-02T11:00"))
    assert field_errors(past) == {"valid_until": "新岗位的停止显示时间必须晚于现在"}
    backwards = client.post(
        "/console/vacancies/new",
        data=vacancy_form(client, cw, valid_from="2027-01-10T09:00", valid_until="2027-01-09T09:00"),
    )
    assert field_errors(backwards) == {"valid_until": "停止显示的时间须晚于开始显示的时间"}


def test_both_salaries_empty_is_negotiable(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "editor")
    done = client.post("/console/vacancies/new", data=vacancy_form(client, cw, salary_min="", salary_max=""))
    assert done.status_code == 302, field_errors(done)
    made = rows(app, Vacancy)[-1]
    assert (made.salary_min, made.salary_max) == (None, None)
    assert "面议" in client.get("/console/vacancies").get_data(as_text=True)


def test_create_edit_archive_reach_the_outbox_and_the_audit(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "editor")
    done = client.post(
        "/console/vacancies/new",
        data=vacancy_form(client, cw, employer="兰州拉面餐饮有限公司", org_unit_id=str(cw.world.county_id)),
    )
    assert done.status_code == 302 and done.headers["Location"].endswith("/console/vacancies")
    made = rows(app, Vacancy)[-1]
    employer = rows(app, Employer)[-1]
    assert (made.title, made.employer_id, employer.name) == ("叉车司机", employer.id, "兰州拉面餐饮有限公司")
    assert (made.occupation_code, made.headcount, made.salary_min, made.salary_max, made.education, made.status) == (
        "6-30-05-03",
        4,
        5000,
        7000,
        "高中/中专",
        "published",
    )
    assert made.valid_until is not None and made.valid_until.isoformat() == "2027-01-31T10:00:00+00:00"
    listed = client.get("/console/vacancies").get_data(as_text=True)
    assert "岗位已保存：叉车司机" in listed and "5000-7000元" in listed and "兰州拉面餐饮有限公司" in listed

    form = client.get(f"/console/vacancies/{made.id}").get_data(as_text=True)
    assert 'value="兰州拉面餐饮有限公司"' in form and 'value="2027-01-31T18:00"' in form
    edited = client.post(
        f"/console/vacancies/{made.id}",
        data=vacancy_form(
            client,
            cw,
            employer="兰州拉面餐饮有限公司",
            org_unit_id=str(cw.world.county_id),
            headcount="6",
            salary_max="",
            valid_until="2027-02-28T18:00",
        ),
    )
    assert edited.status_code == 302, field_errors(edited)
    changed = rows(app, Vacancy)[-1]
    assert (changed.headcount, changed.salary_max, changed.salary_text) == (6, None, "5000元以上")

    archived = client.post(f"/console/vacancies/{made.id}/archive", data={"csrf_token": csrf_now(client)})
    assert archived.status_code == 302 and rows(app, Vacancy)[-1].status == "archived"
    assert f'data-item="{made.id}"' not in client.get("/console/vacancies").get_data(as_text=True)
    assert f'data-item="{made.id}"' in client.get("/console/vacancies?status=archived").get_data(as_text=True)
    client.post(f"/console/vacancies/{made.id}/archive", data={"csrf_token": csrf_now(client), "restore": "1"})
    assert rows(app, Vacancy)[-1].status == "published"

    assert events(app, "vacancy")[-4:] == [
        (made.id, "created"),
        (made.id, "updated"),
        (made.id, "archived"),
        (made.id, "restored"),
    ]
    entries = audits(app, "vacancy")
    assert [e.action for e in entries] == ["created", "updated", "archived", "restored"]
    assert entries[1].summary["changed"] == {
        "headcount": [4, 6],
        "salary_max": [7000, None],
        "valid_until": ["2027-01-31T10:00:00+00:00", "2027-02-28T10:00:00+00:00"],
    }
    with Session(database(app).engine) as session:
        county_path = session.get(OrgUnit, cw.world.county_id).path
    assert {e.actor for e in entries} == {"editor"} and {e.org_path for e in entries} == {county_path}
    (new_employer,) = audits(app, "employer")
    assert new_employer.summary == {"after": {"name": "兰州拉面餐饮有限公司"}}


def test_the_vacancy_reference_is_optional_kept_and_cleared(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "editor")
    page = client.get("/console/vacancies/new").get_data(as_text=True)
    assert 'name="external_ref"' in page and "岗位编号（选填" in page
    too_long = client.post("/console/vacancies/new", data=vacancy_form(client, cw, external_ref="G" * 65))
    assert too_long.status_code == 400 and field_errors(too_long) == {"external_ref": "不能超过64个字"}
    done = client.post("/console/vacancies/new", data=vacancy_form(client, cw, external_ref=" GW-2026-001 "))
    assert done.status_code == 302, field_errors(done)
    made = rows(app, Vacancy)[-1]
    assert made.external_ref == "GW-2026-001"
    assert 'value="GW-2026-001"' in client.get(f"/console/vacancies/{made.id}").get_data(as_text=True)
    cleared = client.post(f"/console/vacancies/{made.id}", data=vacancy_form(client, cw, external_ref=""))
    assert cleared.status_code == 302 and rows(app, Vacancy)[-1].external_ref is None
    assert audits(app, "vacancy")[-1].summary["changed"] == {"external_ref": ["GW-2026-001", None]}
    without = client.post("/console/vacancies/new", data=vacancy_form(client, cw))  # a form without the field
    assert without.status_code == 302 and rows(app, Vacancy)[-1].external_ref is None
    assert "Reference (optional" in client.get("/console/vacancies/new?lang=en").get_data(as_text=True)


def test_an_employer_of_the_same_name_is_reused(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "editor")
    employers = len(rows(app, Employer))
    page = client.get("/console/vacancies/new").get_data(as_text=True)
    assert '<option value="兰州新区物流有限公司">' in page  # offered to pick
    done = client.post("/console/vacancies/new", data=vacancy_form(client, cw, employer=" 兰州新区物流有限公司 "))
    assert done.status_code == 302
    assert len(rows(app, Employer)) == employers and rows(app, Vacancy)[-1].employer_id == cw.world.employer_id


def test_vacancies_outside_the_scope_are_neither_listed_nor_changed(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    with Session(database(app).engine) as session:
        theirs = Vacancy(
            org_unit_id=cw.other_city_id,
            title="天水市保安员",
            employer_id=cw.world.employer_id,
            occupation_code="4-07-05-01",
        )
        session.add(theirs)
        session.commit()
        theirs_id = theirs.id
    sign_in(client, "editor")
    assert "天水市保安员" not in client.get("/console/vacancies").get_data(as_text=True)
    token = csrf_now(client)
    assert client.get(f"/console/vacancies/{theirs_id}").status_code == 404
    assert client.post(f"/console/vacancies/{theirs_id}", data=vacancy_form(client, cw)).status_code == 404
    assert client.post(f"/console/vacancies/{theirs_id}/archive", data={"csrf_token": token}).status_code == 404
    moved = client.post("/console/vacancies/new", data=vacancy_form(client, cw, org_unit_id=str(cw.other_city_id)))
    assert field_errors(moved) == {"org_unit_id": "只能选择您管辖范围内的机构"}
    assert [v.status for v in rows(app, Vacancy) if v.id == theirs_id] == ["published"]


def test_a_ticker_id_is_no_vacancy(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "admin")
    ticker_id = rows(app, Ticker)[0].id
    assert client.get(f"/console/vacancies/{ticker_id}").status_code == 404
    assert client.get(f"/console/tickers/{ticker_id}").status_code == 200


def test_a_hall_manager_reads_the_vacancies_above_their_hall(cw: ConsoleWorld, client: Any) -> None:
    sign_in(client, "manager")
    page = client.get("/console/vacancies").get_data(as_text=True)
    assert "仓储管理员1" in page and "上级发布，只读" in page  # published by 兰州市, above the hall's county
    assert "/console/vacancies/new" not in page and "/archive" not in page
    assert client.get("/console/vacancies/new").status_code == 403


def test_the_list_filters_by_words_and_pages(cw: ConsoleWorld, client: Any) -> None:
    sign_in(client, "editor")
    page = client.get("/console/vacancies?q=仓储管理员2").get_data(as_text=True)
    assert "仓储管理员2" in page and "仓储管理员1" not in page
    assert "第1页，共1页（1条）" in page
    assert "第1页，共1页（2条）" in client.get("/console/vacancies?q=物流").get_data(as_text=True)


# Tickers


def test_every_ticker_field_says_what_is_wrong(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "editor")
    page = client.post(
        "/console/tickers/new",
        data=ticker_form(client, cw, title="", org_unit_id="abc", valid_until="2026-13-40T99:00"),
    )
    assert page.status_code == 400
    assert field_errors(page) == {
        "title": "请填写此项",
        "org_unit_id": "请选择",
        "valid_until": "请填写完整的日期和时间",
    }
    long = client.post(
        "/console/tickers/new",
        data=ticker_form(client, cw, title="字" * 201, valid_from="2026-12-03T09:00", valid_until="2026-12-03T09:00"),
    )
    assert field_errors(long) == {"title": "不能超过200个字", "valid_until": "停止显示的时间须晚于开始显示的时间"}
    assert len(rows(app, Ticker)) == 1 and events(app, "ticker") == []


def test_a_ticker_is_created_edited_and_archived_with_outbox_and_audit(
    cw: ConsoleWorld, client: Any, app: Flask
) -> None:
    sign_in(client, "editor")
    done = client.post("/console/tickers/new", data=ticker_form(client, cw, valid_from="2026-12-05T08:30"))
    assert done.status_code == 302
    made = rows(app, Ticker)[-1]
    assert (made.title, made.org_unit_id, made.status) == ("本周六举办大型招聘会", cw.world.city_id, "published")
    assert made.valid_from is not None and made.valid_from.isoformat() == "2026-12-05T00:30:00+00:00"
    assert "未开始" in client.get("/console/tickers").get_data(as_text=True)
    edited = client.post(f"/console/tickers/{made.id}", data=ticker_form(client, cw, title="本周六招聘会改至周日"))
    assert edited.status_code == 302
    assert rows(app, Ticker)[-1].title == "本周六招聘会改至周日" and rows(app, Ticker)[-1].valid_from is None
    client.post(f"/console/tickers/{made.id}/archive", data={"csrf_token": csrf_now(client)})
    assert rows(app, Ticker)[-1].status == "archived"
    assert events(app, "ticker") == [(made.id, "created"), (made.id, "updated"), (made.id, "archived")]
    entries = audits(app, "ticker")
    assert [e.action for e in entries] == ["created", "updated", "archived"]
    assert entries[1].summary["changed"] == {
        "title": ["本周六举办大型招聘会", "本周六招聘会改至周日"],
        "valid_from": ["2026-12-05T00:30:00+00:00", None],
    }


def test_tickers_in_and_out_of_scope(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    province_ticker = rows(app, Ticker)[0]  # the world's, published by 甘肃省: above the editor's 兰州市
    sign_in(client, "editor")
    assert province_ticker.title not in client.get("/console/tickers").get_data(as_text=True)
    assert client.get(f"/console/tickers/{province_ticker.id}").status_code == 404
    assert (
        client.post(f"/console/tickers/{province_ticker.id}/archive", data={"csrf_token": csrf_now(client)}).status_code
        == 404
    )
    client.post("/console/logout", data={"csrf_token": csrf_now(client)})
    sign_in(client, "manager")
    page = client.get("/console/tickers").get_data(as_text=True)
    assert province_ticker.title in page and "上级发布，只读" in page
    assert client.post("/console/tickers/new", data=ticker_form(client, cw)).status_code == 403
    assert rows(app, Ticker)[0].status == "published" and len(rows(app, Ticker)) == 1
