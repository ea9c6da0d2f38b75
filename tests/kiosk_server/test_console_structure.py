"""Halls, screen groups and the screen page in the console: who may change what, where, and what a change does.

The permission of every route is in test_console_authorization.py; here: scope (404 outside it),
a move that keeps the key and shows the new hall's content, retiring (the key stops working, the
screen leaves the fleet and its groups) and restoring, a hall with live screens kept, bad input
refused with nothing half-saved, and a field technician kept away from content.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.accounts.audit import AuditEntry
from content.org.screens import Screen, ScreenGroup
from content.org.tree import Hall
from content.outbox import OutboxEvent
from kiosk_server.database import database
from kiosk_server.screen_directory import ScreenDirectory
from kiosk_server.settings_access import runtime
from tests.support.console_world import ConsoleWorld, build_console_world, csrf_now, sign_in


@pytest.fixture
def cw(app: Flask) -> ConsoleWorld:
    return build_console_world(app)


def _db(app: Flask) -> Session:
    return Session(database(app).engine, expire_on_commit=False)


def _screen(app: Flask, name: str) -> Screen:
    with _db(app) as db:
        found = db.scalar(select(Screen).where(Screen.name == name))
        assert found is not None
        return found


def _post(client: Any, url: str, **form: Any) -> Any:
    return client.post(url, data={"csrf_token": csrf_now(client), **form})


def _flash(client: Any, url: str) -> str:
    return client.get(url).get_data(as_text=True)


def _fleet_total(client: Any) -> int:
    found = re.search(r"共 (\d+) 块屏幕", client.get("/console/fleet").get_data(as_text=True))
    assert found
    return int(found.group(1))


def _audited(app: Flask, kind: str, ident: int) -> list[str]:
    with _db(app) as db:
        rows = db.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.object_kind == kind, AuditEntry.object_id == str(ident))
            .order_by(AuditEntry.id)
        )
        return list(rows)


def _profile(client: Any, **overrides: Any) -> dict[str, Any]:
    form = {"name": "大厅1号屏", "width_px": "1920", "height_px": "1080", "orientation": "landscape", "panel": "lcd"}
    return form | overrides


def test_a_technician_edits_name_profile_groups_and_tags(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    wall = _screen(app, "大厅1号屏")
    sign_in(client, "tech")
    answer = _post(
        client,
        f"/console/screens/{wall.id}",
        **_profile(client, name="大厅一号屏", preset="fhd_portrait", tags="入口，一楼", group_ids=str(cw.group_id)),
    )
    assert answer.status_code == 302
    with _db(app) as db:
        saved = db.get(Screen, wall.id)
        assert saved is not None
        assert (saved.name, saved.width_px, saved.height_px, saved.orientation) == (
            "大厅一号屏",
            1080,
            1920,
            "portrait",
        )
        assert saved.tags == ["一楼", "入口"] and [g.id for g in saved.groups] == [cw.group_id]
        assert saved.key == wall.key
        assert db.scalar(
            select(OutboxEvent.id).where(OutboxEvent.payload["kind"].as_string() == "screen").order_by(OutboxEvent.id)
        )
    assert _audited(app, "screen", wall.id) == ["updated"]
    page = client.get(f"/console/screens/{wall.id}").get_data(as_text=True)
    assert "大厅一号屏" in page and "兰州市入口屏" in page and "1080×1920" in page


def test_a_field_technician_never_changes_content(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "tech")
    token = csrf_now(client)
    for url in ("/console/tickers/new", "/console/vacancies/new", "/console/schedules/new", "/console/notices/new"):
        assert client.post(url, data={"csrf_token": token, "title": "x"}).status_code == 403, url
    assert client.post("/console/emergencies", data={"csrf_token": token}).status_code == 403
    assert client.get("/console/halls").status_code == 403  # nor halls and groups: org admins do those
    assert client.get("/console/groups").status_code == 403


def test_outside_the_subtree_a_screen_is_not_found(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    other = _screen(app, "天水大厅屏")
    own = _screen(app, "大厅1号屏")
    sign_in(client, "tech")  # 城关区
    assert client.get(f"/console/screens/{other.id}").status_code == 404
    assert _post(client, f"/console/screens/{other.id}/move", hall_id=str(cw.world.hall_id)).status_code == 404
    assert _post(client, f"/console/screens/{other.id}/retire", confirm="1").status_code == 404
    assert _post(client, f"/console/screens/{other.id}", **_profile(client)).status_code == 404
    assert client.get("/console/screens/99999999999").status_code == 404
    other_client = app.test_client()
    sign_in(other_client, "tianshui")  # the org admin of 天水市
    assert other_client.get(f"/console/screens/{own.id}").status_code == 404
    assert other_client.get(f"/console/halls/{cw.world.hall_id}").status_code == 404
    assert other_client.get(f"/console/groups/{cw.group_id}").status_code == 404
    assert "城关区公共就业服务中心" not in other_client.get("/console/halls").get_data(as_text=True)
    with _db(app) as db:
        unchanged = db.get(Screen, other.id)
        assert unchanged is not None and unchanged.hall_id == other.hall_id and unchanged.retired_at is None


def test_a_move_keeps_the_key_and_shows_the_new_halls_content(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    wall = _screen(app, "大厅1号屏")
    before = client.get(f"/screen/{wall.key}/manifest.json").get_json()
    assert "仓储管理员1" in str(before)  # 兰州市's vacancies
    sign_in(client, "admin")
    answer = _post(client, f"/console/screens/{wall.id}/move", hall_id=str(cw.world.other_hall_id))
    assert answer.status_code == 302
    assert "已移到 天水市人力资源市场" in _flash(client, answer.headers["Location"])
    with _db(app) as db:
        moved = db.get(Screen, wall.id)
        assert moved is not None and moved.hall_id == cw.world.other_hall_id and moved.key == wall.key
    book = runtime(app).book.current(force_check=True)
    other = _screen(app, "天水大厅屏")
    found, theirs = book.for_screen(wall.id), book.for_screen(other.id)
    assert found is not None and theirs is not None and found[0] == theirs[0]  # the 天水 hall's group
    after = client.get(f"/screen/{wall.key}/manifest.json").get_json()
    assert after["group"] == theirs[0] != before["group"] and "仓储管理员1" not in str(after)
    assert _audited(app, "screen", wall.id) == ["moved"]


def test_a_move_to_a_hall_outside_the_scope_is_refused(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    wall = _screen(app, "大厅1号屏")
    sign_in(client, "tech")
    answer = _post(client, f"/console/screens/{wall.id}/move", hall_id=str(cw.world.other_hall_id))
    assert "请选择您管辖范围内的在用大厅" in _flash(client, answer.headers["Location"])
    answer = _post(client, f"/console/screens/{wall.id}/move", hall_id="abc")
    assert "请选择您管辖范围内的在用大厅" in _flash(client, answer.headers["Location"])
    with _db(app) as db:
        kept = db.get(Screen, wall.id)
        assert kept is not None and kept.hall_id == cw.world.hall_id
    assert _audited(app, "screen", wall.id) == []


def test_retiring_voids_the_key_and_takes_the_screen_out_of_the_fleet(
    cw: ConsoleWorld, client: Any, app: Flask
) -> None:
    wall = _screen(app, "大厅1号屏")
    with _db(app) as db:
        group = db.get(ScreenGroup, cw.group_id)
        screen = db.get(Screen, wall.id)
        assert group is not None and screen is not None
        group.screens = [screen]
        db.commit()
    assert client.get(f"/screen/{wall.key}").status_code == 200
    sign_in(client, "tech")
    total = _fleet_total(client)
    unconfirmed = _post(client, f"/console/screens/{wall.id}/retire")
    assert "请勾选确认后再退役" in _flash(client, unconfirmed.headers["Location"])
    assert _fleet_total(client) == total
    _post(client, f"/console/screens/{wall.id}/retire", confirm="1")
    assert client.get(f"/screen/{wall.key}").status_code == 404
    assert client.get(f"/screen/{wall.key}/manifest.json").status_code == 404
    assert _fleet_total(client) == total - 1
    assert runtime(app).book.current(force_check=True).for_screen(wall.id) is None
    with _db(app) as db:
        retired = db.get(Screen, wall.id)
        assert retired is not None and retired.retired_at is not None and retired.groups == []
    directory = ScreenDirectory(database(app))  # what a display's socket hello is checked against
    assert directory.find(wall.key) is None and directory.find(retired.key) is None
    assert f'data-screen="{wall.id}"' not in client.get("/console/screens").get_data(as_text=True)
    assert f'data-screen="{wall.id}"' in client.get("/console/screens?retired=1").get_data(as_text=True)
    page = client.get(f"/console/screens/{wall.id}").get_data(as_text=True)
    assert "已退役" in page and 'name="confirm"' not in page  # nothing to edit, only to restore
    assert _post(client, f"/console/screens/{wall.id}", **_profile(client, name="改名")).status_code == 302
    assert _screen(app, "大厅1号屏").retired_at is not None  # the edit was refused


def test_a_restored_screen_is_back_in_the_fleet_with_a_key_nobody_held(
    cw: ConsoleWorld, client: Any, app: Flask
) -> None:
    wall = _screen(app, "大厅1号屏")
    sign_in(client, "manager")
    total = _fleet_total(client)
    _post(client, f"/console/screens/{wall.id}/retire", confirm="1")
    answer = _post(client, f"/console/screens/{wall.id}/restore")
    assert "已恢复" in _flash(client, answer.headers["Location"])
    assert _fleet_total(client) == total
    restored = _screen(app, "大厅1号屏")
    assert restored.retired_at is None and restored.key != wall.key
    assert client.get(f"/screen/{restored.key}/manifest.json").status_code == 200
    assert _audited(app, "screen", wall.id) == ["retired", "restored"]
    again = _post(client, f"/console/screens/{wall.id}/restore")
    assert "未退役，无需恢复" in _flash(client, again.headers["Location"])


def test_a_hall_with_live_screens_cannot_be_retired(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "orgadmin")
    answer = _post(client, f"/console/halls/{cw.world.hall_id}/retire", confirm="1")
    assert "该大厅还有 3 块在用屏幕" in _flash(client, answer.headers["Location"])
    with _db(app) as db:
        hall = db.get(Hall, cw.world.hall_id)
        assert hall is not None and hall.retired_at is None
        ids = list(db.scalars(select(Screen.id).where(Screen.hall_id == cw.world.hall_id)))
    for ident in ids:
        _post(client, f"/console/screens/{ident}/retire", confirm="1")
    answer = _post(client, f"/console/halls/{cw.world.hall_id}/retire", confirm="1")
    assert answer.headers["Location"].endswith("/console/halls")
    assert "城关区公共就业服务中心" in client.get("/console/halls?retired=1").get_data(as_text=True)
    restore = _post(client, f"/console/screens/{ids[0]}/restore")
    assert "大厅已退役，请先恢复" in _flash(client, restore.headers["Location"])
    _post(client, f"/console/halls/{cw.world.hall_id}/restore")
    _post(client, f"/console/screens/{ids[0]}/restore")
    assert _screen(app, "大厅1号屏").retired_at is None


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": "  "}, "name", "请填写此项"),
        ({"width_px": "0"}, "width_px", "不能小于16"),
        ({"height_px": "99999"}, "height_px", "不能大于16384"),
        ({"width_px": "宽"}, "width_px", "请输入整数"),
        ({"tags": "x" * 51}, "tags", "不能超过50个字"),
        ({"group_ids": "999999"}, "group_ids", "只能选择可见的在用分组"),
    ],
)
def test_bad_screen_input_is_said_and_nothing_is_saved(
    cw: ConsoleWorld, client: Any, app: Flask, overrides: dict[str, str], field: str, message: str
) -> None:
    wall = _screen(app, "大厅1号屏")
    sign_in(client, "tech")
    # The other fields are good and changed: none of them may be saved while one is wrong.
    answer = _post(client, f"/console/screens/{wall.id}", **(_profile(client, name="新名字", panel="led") | overrides))
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert f'id="f-{field}-error"' in page and message in page
    kept = _screen(app, "大厅1号屏")
    assert (kept.name, kept.panel, kept.width_px, kept.height_px) == ("大厅1号屏", "lcd", 1920, 1080)
    assert _audited(app, "screen", wall.id) == []


def test_an_org_admin_creates_and_edits_a_hall_in_their_subtree(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "orgadmin")  # 兰州市
    form = {"name": "城关区零工市场", "address": "兰州市城关区", "org_unit_id": str(cw.world.county_id), "timezone": ""}
    assert _post(client, "/console/halls/new", **form).status_code == 302
    with _db(app) as db:
        hall = db.scalar(select(Hall).where(Hall.name == "城关区零工市场"))
        assert hall is not None and hall.timezone == "Asia/Shanghai"
    assert _audited(app, "hall", hall.id) == ["created"]
    outside = _post(client, f"/console/halls/{hall.id}", **(form | {"org_unit_id": str(cw.other_city_id)}))
    assert outside.status_code == 400 and "只能选择您管辖范围内的机构" in outside.get_data(as_text=True)
    bad_zone = _post(client, f"/console/halls/{hall.id}", **(form | {"timezone": "Mars/Olympus"}))
    assert bad_zone.status_code == 400 and "未知的时区" in bad_zone.get_data(as_text=True)
    empty = _post(client, f"/console/halls/{hall.id}", **(form | {"name": ""}))
    assert empty.status_code == 400 and "请填写此项" in empty.get_data(as_text=True)
    assert _post(client, f"/console/halls/{hall.id}", **(form | {"timezone": "Asia/Urumqi"})).status_code == 302
    with _db(app) as db:
        saved = db.get(Hall, hall.id)
        assert saved is not None and saved.name == "城关区零工市场" and saved.timezone == "Asia/Urumqi"
        assert saved.org_unit_id == cw.world.county_id
    assert _audited(app, "hall", hall.id) == ["created", "updated"]


def test_groups_pick_members_in_scope_and_retiring_empties_them(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    wall, led, other = _screen(app, "大厅1号屏"), _screen(app, "门口LED屏"), _screen(app, "天水大厅屏")
    sign_in(client, "orgadmin")
    form = {"name": "城关区大屏", "org_unit_id": str(cw.world.county_id)}
    refused = client.post(
        "/console/groups/new",
        data={"csrf_token": csrf_now(client), **form, "screen_ids": [str(wall.id), str(other.id)]},
    )
    assert refused.status_code == 400 and "只能选择您管辖范围内的在用屏幕" in refused.get_data(as_text=True)
    with _db(app) as db:
        assert db.scalar(select(ScreenGroup).where(ScreenGroup.name == "城关区大屏")) is None
    made = client.post(
        "/console/groups/new", data={"csrf_token": csrf_now(client), **form, "screen_ids": [str(wall.id), str(led.id)]}
    )
    assert made.status_code == 302
    with _db(app) as db:
        group = db.scalar(select(ScreenGroup).where(ScreenGroup.name == "城关区大屏"))
        assert group is not None and sorted(s.id for s in group.screens) == sorted([wall.id, led.id])
    _post(client, f"/console/groups/{group.id}/retire", confirm="1")
    with _db(app) as db:
        retired = db.get(ScreenGroup, group.id)
        assert retired is not None and retired.retired_at is not None and retired.screens == []
    assert "城关区大屏" in client.get("/console/groups?retired=1").get_data(as_text=True)
    assert "城关区大屏" not in client.get(f"/console/screens/{wall.id}").get_data(as_text=True)
    assert _audited(app, "screen_group", group.id) == ["created", "members", "retired"]
