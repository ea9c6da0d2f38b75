"""Retired halls, groups and screens stay retired everywhere: the enrol page, the REST API, the demo start page.

Rows are retired and restored with the console's own domain functions (``content/org/structure.py``);
every page and answer is the real app's, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.org.screens import Screen, ScreenGroup
from content.org.structure import restore_screen, retire_group, retire_hall, retire_screen
from content.org.tree import Hall
from kiosk_server.database import database
from tests.conftest import make_app
from tests.kiosk_server.api_factories import Api
from tests.support.console_world import NOON, ConsoleWorld, build_console_world, csrf_now, sign_in
from tests.support.world import build_world

OTHER_HALL = "天水市人力资源市场"
OTHER_WALL = "天水大厅屏"
GROUP = "兰州市入口屏"


@pytest.fixture
def cw(app: Flask) -> ConsoleWorld:
    return build_console_world(app)


def _screen_id(app: Flask, name: str) -> int:
    with Session(database(app).engine) as db:
        return db.scalars(select(Screen.id).where(Screen.name == name)).one()


def _retire(
    app: Flask, *, screens: tuple[str, ...] = (), hall_id: int | None = None, group_id: int | None = None
) -> None:
    """Retire the named screens, then the hall and the group, as the console does."""
    with Session(database(app).engine) as db:
        for name in screens:
            retire_screen(db, db.scalars(select(Screen).where(Screen.name == name)).one(), NOON)
        if hall_id is not None:
            retire_hall(db, db.get_one(Hall, hall_id), NOON)
        if group_id is not None:
            retire_group(db, db.get_one(ScreenGroup, group_id), NOON)
        db.commit()


def _code(app: Flask) -> dict[str, Any]:
    answer = app.test_client().post("/enrol/api/codes", json={"device": "display"})
    assert answer.status_code == 201
    data: dict[str, Any] = answer.get_json()
    return data


def _state(app: Flask, secret: str) -> str:
    state: str = app.test_client().post("/enrol/api/poll", json={"secret": secret}).get_json()["state"]
    return state


def _claim(client: Any, code: str, **fields: Any) -> Any:
    form = {"csrf_token": csrf_now(client), "code": code, "mode": "new", "kind": "wall", "preset": "lcd_landscape"}
    return client.post("/console/enrol", data=form | fields)


# The enrol page


def test_the_enrol_page_offers_no_retired_hall_group_or_screen(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "admin")
    before = client.get("/console/enrol").get_data(as_text=True)
    assert f">{OTHER_HALL}</option>" in before and f"{GROUP} · " in before and "· 大厅2号屏" in before
    _retire(app, screens=(OTHER_WALL, "大厅2号屏"), hall_id=cw.world.other_hall_id, group_id=cw.group_id)
    page = client.get("/console/enrol").get_data(as_text=True)
    assert f">{OTHER_HALL}</option>" not in page, "a retired hall is not offered"
    assert f"{GROUP} · " not in page, "a retired group is not offered"
    assert "· 大厅2号屏" not in page and f"· {OTHER_WALL}" not in page, "retired screens are not offered to replace"
    assert "· 大厅1号屏" in page and ">城关区公共就业服务中心</option>" in page, "the live ones still are"


def test_a_posted_retired_hall_group_or_screen_is_refused_and_the_code_kept(
    cw: ConsoleWorld, client: Any, app: Flask
) -> None:
    _retire(app, screens=(OTHER_WALL, "大厅2号屏"), hall_id=cw.world.other_hall_id, group_id=cw.group_id)
    data = _code(app)
    sign_in(client, "admin")
    hall = _claim(client, data["code"], hall_id=str(cw.world.other_hall_id), name="旧厅新屏")
    assert hall.status_code == 400 and "该大厅已停用" in hall.get_data(as_text=True)
    group = _claim(client, data["code"], hall_id=str(cw.world.hall_id), name="新屏", group_ids=str(cw.group_id))
    assert group.status_code == 400 and "所选分组已停用" in group.get_data(as_text=True)
    screen = _claim(client, data["code"], mode="replace", replace=str(_screen_id(app, "大厅2号屏")))
    assert screen.status_code == 400 and "该屏幕已停用" in screen.get_data(as_text=True)
    assert _state(app, data["secret"]) == "waiting", "a refused form spends no code"
    with Session(database(app).engine) as db:
        assert db.scalars(select(Screen).where(Screen.name.in_(["旧厅新屏", "新屏"]))).all() == []


def test_a_restored_screen_gets_a_new_device_by_code(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    screen_id = _screen_id(app, "大厅2号屏")
    _retire(app, screens=("大厅2号屏",))
    with Session(database(app).engine) as db:
        restore_screen(db, db.get_one(Screen, screen_id))
        db.commit()
    data = _code(app)
    sign_in(client, "tech")
    assert "· 大厅2号屏" in client.get(f"/console/enrol?replace={screen_id}").get_data(as_text=True)
    assert _claim(client, data["code"], mode="replace", replace=str(screen_id)).status_code == 302
    device = app.test_client()
    body = device.post("/enrol/api/poll", json={"secret": data["secret"]}).get_json()
    assert body["state"] == "enrolled" and body["screen"]["id"] == screen_id
    assert device.get(f"/screen/{body['screen']['key']}").status_code == 200


# The REST API


@pytest.mark.parametrize(
    ("path", "retired_name"),
    [("halls", OTHER_HALL), ("screens", OTHER_WALL), ("screen-groups", GROUP)],
)
def test_the_api_lists_live_rows_unless_asked_for_retired_ones(
    cw: ConsoleWorld, api: Api, app: Flask, path: str, retired_name: str
) -> None:
    everything = {row["name"] for row in api.get(f"{path}?per_page=200")["items"]}
    assert retired_name in everything
    _retire(app, screens=(OTHER_WALL,), hall_id=cw.world.other_hall_id, group_id=cw.group_id)
    live = api.get(f"{path}?per_page=200")
    assert retired_name not in {row["name"] for row in live["items"]} and live["total"] == len(live["items"])
    assert all(row["retired_at"] is None for row in live["items"])
    assert api.get(f"{path}?retired=false&per_page=200") == live
    retired = api.get(f"{path}?retired=true")
    assert [row["name"] for row in retired["items"]] == [retired_name] and retired["total"] == 1
    ident = retired["items"][0]["id"]
    assert retired["items"][0]["retired_at"].startswith(NOON.date().isoformat())
    assert api.get(f"{path}/{ident}")["retired_at"] is not None, "a retired row is still readable by id"


def test_a_patch_of_a_retired_row_is_409_and_changes_nothing(cw: ConsoleWorld, api: Api, app: Flask) -> None:
    screen_id = _screen_id(app, OTHER_WALL)
    _retire(app, screens=(OTHER_WALL,), hall_id=cw.world.other_hall_id, group_id=cw.group_id)
    for path, ident, noun in [
        ("halls", cw.world.other_hall_id, "hall"),
        ("screens", screen_id, "screen"),
        ("screen-groups", cw.group_id, "screen group"),
    ]:
        answer = api.patch(f"{path}/{ident}", {"name": "改个名"}, expect=409)
        assert answer["error"] == "conflict"
        assert answer["message"].startswith(f"{noun} {ident} is retired") and "restore it" in answer["message"]
        assert api.get(f"{path}/{ident}")["name"] != "改个名"


def test_a_live_screen_cannot_be_put_into_a_retired_hall_or_group(cw: ConsoleWorld, api: Api, app: Flask) -> None:
    wall = _screen_id(app, "大厅1号屏")
    _retire(app, screens=(OTHER_WALL,), hall_id=cw.world.other_hall_id, group_id=cw.group_id)
    moved = api.patch(f"screens/{wall}", {"hall_id": cw.world.other_hall_id}, expect=409)
    assert moved["message"].startswith(f"hall {cw.world.other_hall_id} is retired")
    grouped = api.patch(f"screens/{wall}", {"group_ids": [cw.group_id]}, expect=409)
    assert grouped["message"].startswith(f"screen group {cw.group_id} is retired")
    created = api.post("screens", {"hall_id": cw.world.other_hall_id, "name": "新屏"}, expect=409)
    assert "is retired" in created["message"]
    shown = api.get(f"screens/{wall}")
    assert shown["hall_id"] == cw.world.hall_id and cw.group_id not in shown["group_ids"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_api_description_shows_retired_at_the_filter_and_the_409(client: Any) -> None:
    doc = client.get("/api/v1/openapi.json").get_json()
    for schema in ("HallOut", "ScreenRow", "ScreenOut", "ScreenGroupOut"):
        assert "retired_at" in doc["components"]["schemas"][schema]["properties"], schema
    for path in ("halls", "screens", "screen-groups"):
        params = {p["name"]: p for p in doc["paths"][f"/api/v1/{path}"]["get"]["parameters"]}
        assert "retired" in params and not params["retired"]["required"], path
        assert "409" in doc["paths"][f"/api/v1/{path}/{{ident}}"]["patch"]["responses"], path


# The demo start page


def test_the_demo_start_page_lists_no_retired_screen_or_hall(tmp_path: Path, database_url: str) -> None:
    app = make_app(tmp_path, database_url, public_index=True)
    try:
        with Session(database(app).engine) as db:
            world = build_world(db, vacancies=1)
        _retire(app, screens=("大厅2号屏", OTHER_WALL), hall_id=world.other_hall_id)
        page = app.test_client().get("/").get_data(as_text=True)
        assert f"/screen/{world.wall_keys[0]}" in page and f"/screen/{world.led_key}" in page
        with Session(database(app).engine) as db:
            retired_keys = list(db.scalars(select(Screen.key).where(Screen.retired_at.is_not(None))))
        assert len(retired_keys) == 2
        assert not any(f"/screen/{key}" in page for key in retired_keys), "retired screens are not listed"
        assert "大厅2号屏" not in page and OTHER_HALL not in page
    finally:
        database(app).engine.dispose()
