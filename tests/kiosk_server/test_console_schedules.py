"""Schedules in the console: the week calendar, the form's field errors, scope, audit and outbox."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from content.accounts.audit import AuditEntry
from content.org.screens import Screen
from content.outbox import OutboxEvent
from content.signage.playlists import Playlist
from content.signage.schedules import Schedule
from content.signage.targeting import Target
from kiosk_server.database import database
from tests.support.console_world import ConsoleWorld, build_console_world, csrf_now, sign_in

WEEK = "2026-11-30"  # Monday of the week holding the console world's clock (Wed 2026-12-02, 12:00 in Beijing)
DAYS = ["2026-11-30", "2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04", "2026-12-05", "2026-12-06"]
ERROR = re.compile(r'id="f-([\w.-]+)-error"><span aria-hidden="true">⚠ </span>(.*?)</p>')


@pytest.fixture
def cw(app: Flask) -> ConsoleWorld:
    return build_console_world(app)


def _db(app: Flask) -> Session:
    return Session(database(app).engine)


def _playlist(app: Flask, name: str) -> int:
    with _db(app) as session:
        return int(session.scalar(select(Playlist.id).where(Playlist.name == name)))


def _screen(app: Flask, name: str) -> int:
    with _db(app) as session:
        return int(session.scalar(select(Screen.id).where(Screen.name == name)))


def _form(client: Any, cw: ConsoleWorld, **fields: Any) -> dict[str, Any]:
    """A weekday lunchtime daypart aimed at the county's hall, as the form posts it."""
    base: dict[str, Any] = {
        "csrf_token": csrf_now(client),
        "name": "午间政策",
        "layer": "scheduled",
        "priority": "5",
        "owner": str(cw.world.city_id),
        "layout": str(cw.world.layout_id),
        "daypart_start": "12:00",
        "daypart_end": "14:00",
        "day": ["MO", "TU", "WE", "TH", "FR"],
        "in.hall": str(cw.world.hall_id),
        "enabled": "1",
    }
    base.update(fields)
    return base


def _schedules(app: Flask) -> list[Schedule]:
    with _db(app) as session:
        found = list(session.scalars(select(Schedule).options(selectinload(Schedule.targets)).order_by(Schedule.id)))
        session.expunge_all()
        return found


def _errors(page: Any) -> dict[str, str]:
    return dict(ERROR.findall(page.get_data(as_text=True)))


class _Blocks(HTMLParser):
    """The calendar's blocks: (day, schedule id, layer, start minute, end minute)."""

    def __init__(self) -> None:
        super().__init__()
        self.day = ""
        self.found: list[tuple[str, str, str, int, int]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if "cal__day" in (a.get("class") or "").split():
            self.day = a.get("data-day") or ""
        elif tag == "a" and a.get("data-schedule") and a.get("data-start") is not None:
            self.found.append(
                (
                    self.day,
                    a["data-schedule"] or "",
                    a.get("data-layer") or "",
                    int(a["data-start"] or 0),
                    int(a.get("data-end") or 0),
                )
            )


def _blocks(page: Any) -> list[tuple[str, str, str, int, int]]:
    parser = _Blocks()
    parser.feed(page.get_data(as_text=True))
    return parser.found


def test_the_calendar_puts_a_weekday_daypart_in_its_cells(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "editor")
    assert client.post("/console/schedules/new", data=_form(client, cw)).status_code == 302
    schedule = next(s for s in _schedules(app) if s.name == "午间政策")
    assert schedule.rrule == "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
    page = client.get(f"/console/schedules?week={WEEK}&screen={_screen(app, '大厅1号屏')}")
    assert page.status_code == 200
    blocks = _blocks(page)
    lunch = [(day, start, end) for day, sid, _layer, start, end in blocks if sid == str(schedule.id)]
    assert lunch == [(day, 12 * 60, 14 * 60) for day in DAYS[:5]]  # Monday to Friday, none at the weekend
    defaults = [(day, start, end) for day, _sid, layer, start, end in blocks if layer == "default"]
    assert defaults == [(day, 0, 24 * 60) for day in DAYS]  # the province's default: every day, all day
    text = page.get_data(as_text=True)
    assert "全省默认" in text and "（只读）" in text  # inherited from the province: listed, not the editor's to change


def test_the_next_week_and_a_date_window(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "editor")
    client.post(
        "/console/schedules/new",
        data=_form(
            client,
            cw,
            date_from="2026-12-08",
            date_until="2026-12-09",
            day=["TU", "WE", "SA"],
            daypart_start="22:00",
            daypart_end="02:00",
        ),
    )
    (schedule,) = [s for s in _schedules(app) if s.name == "午间政策"]
    assert [b[0] for b in _blocks(client.get(f"/console/schedules?week={WEEK}")) if b[1] == str(schedule.id)] == []
    nxt = [
        (d, s, e)
        for d, sid, _l, s, e in _blocks(client.get("/console/schedules?week=2026-12-09"))
        if sid == str(schedule.id)
    ]
    # Tuesday and Wednesday evenings inside the window, each running past midnight into the next day.
    assert nxt == [
        ("2026-12-08", 22 * 60, 24 * 60),
        ("2026-12-09", 0, 2 * 60),
        ("2026-12-09", 22 * 60, 24 * 60),
        ("2026-12-10", 0, 2 * 60),
    ]


def test_the_form_reports_every_field_in_chinese(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "editor")
    page = client.post(
        "/console/schedules/new",
        data=_form(
            client,
            cw,
            name="",
            layer="campaign",
            priority="1001",
            layout="",
            daypart_end="",
            day=[],
            date_from="2026-12-10",
            date_until="2026-12-01",
            exdates="2026-13-01",
            **{"in.hall": []},
        ),
    )
    assert page.status_code == 400
    assert _errors(page) == {
        "name": "请输入名称（不超过100个字）",
        "priority": "请输入-1000到1000之间的整数",
        "layout": "请选择版式",
        "daypart_end": "请同时填写开始和结束时间，或都留空表示全天",
        "days": "请至少选择一天",
        "date_until": "截止日期不能早于开始日期",
        "exdates": "日期格式应为 2026-10-01：2026-13-01",
        "starts_at": "插播必须有开始和结束时间",
        "ends_at": "插播必须有开始和结束时间",
        "targets": "请至少选择一个播放范围（包含）",
    }
    assert 'value="2026-12-10"' in page.get_data(as_text=True)  # what was typed stays in the form
    assert [s.name for s in _schedules(app)] == ["全省默认"]


def test_the_domain_checks_the_timing_and_says_it_in_english_too(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "editor")
    client.get("/console/schedules?lang=en")
    page = client.post("/console/schedules/new", data=_form(client, cw, daypart_end="12:00", rrule="FREQ=HOURLY"))
    errors = _errors(page)
    assert page.status_code == 400
    assert errors["daypart_end"] == "The end equals the start; leave both empty for all day"
    assert errors["rrule"].startswith("Not a usable rule") and "FREQ=HOURLY is not allowed" in errors["rrule"]
    assert [s.name for s in _schedules(app)] == ["全省默认"]


def test_a_region_may_only_take_a_playlist_on_offer(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "editor")
    page = client.post("/console/schedules/new", data=_form(client, cw, **{f"region.{cw.world.layout_id}.main": "999"}))
    assert page.status_code == 400 and _errors(page) == {"region.main": "请选择可用的播放列表"}


def test_saving_is_audited_and_tells_the_screens(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "editor")
    ticker = _playlist(app, "滚动字幕")
    region = {f"region.{cw.world.layout_id}.main": str(ticker)}
    client.post("/console/schedules/new", data=_form(client, cw, **region))
    (schedule,) = [s for s in _schedules(app) if s.name == "午间政策"]
    assert schedule.region_playlists == {"main": ticker} and schedule.org_unit_id == cw.world.city_id
    assert [(t.mode, t.kind, t.ref) for t in schedule.targets] == [("include", "hall", str(cw.world.hall_id))]
    changed = client.post(f"/console/schedules/{schedule.id}", data=_form(client, cw, daypart_end="13:30", **region))
    assert changed.status_code == 302
    disabled = client.post(f"/console/schedules/{schedule.id}/disable", data={"csrf_token": csrf_now(client)})
    assert disabled.status_code == 302
    with _db(app) as session:
        entries = list(
            session.scalars(select(AuditEntry).where(AuditEntry.object_kind == "schedule").order_by(AuditEntry.id))
        )
        events = [
            e.payload
            for e in session.scalars(select(OutboxEvent).where(OutboxEvent.topic == "content").order_by(OutboxEvent.id))
        ][-3:]
    assert [(e.action, e.actor) for e in entries] == [
        ("created", "editor"),
        ("updated", "editor"),
        ("disabled", "editor"),
    ]
    assert entries[0].summary["after"]["daypart"] == ["12:00", "14:00"]
    assert entries[1].summary == {"changed": {"daypart": [["12:00", "14:00"], ["12:00", "13:30"]]}}
    assert entries[2].summary == {"changed": {"enabled": [True, False]}}
    assert all(e.org_path and e.org_path.endswith(f"/{cw.world.city_id}/") for e in entries)
    assert events == [{"kind": "schedule", "id": schedule.id, "action": a} for a in ("created", "updated", "disabled")]
    calendar = client.get(f"/console/schedules?week={WEEK}")
    assert not [b for b in _blocks(calendar) if b[1] == str(schedule.id)]  # a disabled schedule plays nowhere


def _tianshui_schedule(app: Flask, cw: ConsoleWorld) -> int:
    with _db(app) as session:
        schedule = Schedule(
            org_unit_id=cw.other_city_id,
            name="天水午间",
            layer="scheduled",
            layout_id=cw.world.layout_id,
            region_playlists={},
        )
        schedule.targets = [Target(mode="include", kind="hall", ref=str(cw.world.other_hall_id))]
        session.add(schedule)
        session.commit()
        return schedule.id


def test_outside_the_scope_is_not_found(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    other = _tianshui_schedule(app, cw)
    for username in ("editor", "manager"):
        sign_in(client, username)
        token = csrf_now(client)
        assert client.get(f"/console/schedules/{other}").status_code == 404, username
        assert client.post(f"/console/schedules/{other}", data=_form(client, cw)).status_code == 404, username
        assert client.post(f"/console/schedules/{other}/disable", data={"csrf_token": token}).status_code == 404
        assert client.get(f"/console/schedules?hall={cw.world.other_hall_id}").status_code == 404, username
        assert client.get(f"/console/schedules?screen={_screen(app, '天水大厅屏')}").status_code == 404, username
        assert "天水午间" not in client.get("/console/schedules").get_data(as_text=True)
        client.post("/console/logout", data={"csrf_token": token})
    assert next(s for s in _schedules(app) if s.id == other).enabled


def test_targets_outside_the_scope_are_refused(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "editor")
    page = client.post("/console/schedules/new", data=_form(client, cw, **{"in.hall": str(cw.world.other_hall_id)}))
    assert page.status_code == 400 and _errors(page) == {"targets": "所选播放范围超出您的管辖范围"}
    client = app.test_client()
    sign_in(client, "manager")
    page = client.post("/console/schedules/new", data=_form(client, cw, **{"in.org": str(cw.world.county_id)}))
    assert page.status_code == 400 and _errors(page)["targets"] == "所选播放范围超出您的管辖范围"
    assert [s.name for s in _schedules(app)] == ["全省默认"]


def test_a_hall_manager_schedules_their_hall_and_reads_what_comes_from_above(
    cw: ConsoleWorld, client: Any, app: Flask
) -> None:
    sign_in(client, "manager")
    listing = client.get(f"/console/schedules?week={WEEK}").get_data(as_text=True)
    assert "全省默认" in listing and "（只读）" in listing  # aimed at their hall, from the province
    default = next(s for s in _schedules(app) if s.name == "全省默认")
    page = client.get(f"/console/schedules/{default.id}").get_data(as_text=True)
    assert 'id="read-only"' in page and '<fieldset class="sched-form__all" disabled>' in page
    assert client.post(f"/console/schedules/{default.id}", data=_form(client, cw)).status_code == 403
    assert (
        client.post(f"/console/schedules/{default.id}/disable", data={"csrf_token": csrf_now(client)}).status_code
        == 403
    )
    wall = _screen(app, "大厅1号屏")
    made = client.post(
        "/console/schedules/new", data=_form(client, cw, owner="", **{"in.hall": [], "in.screen": str(wall)})
    )
    assert made.status_code == 302
    mine = next(s for s in _schedules(app) if s.name == "午间政策")
    with _db(app) as session:
        hall_unit = session.scalar(select(Screen).where(Screen.id == wall)).hall.org_unit_id
    assert mine.org_unit_id == hall_unit  # the hall's node, whatever the form said
    assert 'id="read-only"' not in client.get(f"/console/schedules/{mine.id}").get_data(as_text=True)
    assert default.enabled and next(s for s in _schedules(app) if s.id == default.id).enabled


def test_the_form_opens_filled_in(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "editor")
    client.post("/console/schedules/new", data=_form(client, cw, exdates="2026-12-25 2026-12-31"))
    (schedule,) = [s for s in _schedules(app) if s.name == "午间政策"]
    page = client.get(f"/console/schedules/{schedule.id}").get_data(as_text=True)
    assert 'value="12:00"' in page and 'value="14:00"' in page and 'value="2026-12-25 2026-12-31"' in page
    assert re.search(r'value="FR" checked', page) and not re.search(r'value="SA" checked', page)
    assert re.search(rf'name="in.hall" value="{cw.world.hall_id}" checked', page)


def test_nobody_without_schedule_permission_sees_it(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "approver")
    assert client.get("/console/schedules").status_code == 403
    with _db(app) as session:
        assert (
            session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.object_kind == "schedule"))
            == 0
        )
