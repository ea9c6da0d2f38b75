"""The schedule form's reach: screens counted by kind, the layout-fit warning, and the wait after a save."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.accounts.audit import AuditEntry
from content.org.screens import Screen
from kiosk_server.database import database
from tests.support.console_world import ConsoleWorld, build_console_world, csrf_now, sign_in


@pytest.fixture
def cw(app: Flask) -> ConsoleWorld:
    """The console world, its county hall given a portrait kiosk and a 640×64 counter strip."""
    world = build_console_world(app)
    with Session(database(app).engine) as session:
        session.add_all(
            [
                Screen(
                    hall_id=world.world.hall_id,
                    name="自助终端A",
                    kind="kiosk",
                    width_px=1080,
                    height_px=1920,
                    orientation="portrait",
                ),
                Screen(hall_id=world.world.hall_id, name="3号窗口屏", kind="counter", width_px=640, height_px=64),
            ]
        )
        session.commit()
    return world


def _screen(app: Flask, name: str) -> int:
    with Session(database(app).engine) as session:
        return int(session.scalar(select(Screen.id).where(Screen.name == name)))


def _form(client: Any, cw: ConsoleWorld, **fields: Any) -> dict[str, Any]:
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


def _reach(client: Any, form: dict[str, Any]) -> dict[str, Any]:
    answer = client.post("/console/schedules/reach", data=form)
    assert answer.status_code == 200
    found: dict[str, Any] = answer.get_json()
    return found


def test_the_reach_counts_the_screens_of_a_hall_by_kind(cw: ConsoleWorld, client: Any) -> None:
    sign_in(client, "editor")
    found = _reach(client, _form(client, cw))
    # The hall: two LCD walls and an LED wall, the kiosk and the strip.
    assert found["total"] == 5
    assert found["count"] == "覆盖 5 块屏：大屏 3、自助终端 1、窗口屏 1"


def test_the_reach_warns_of_screens_the_layout_does_not_fit(cw: ConsoleWorld, client: Any) -> None:
    sign_in(client, "editor")
    found = _reach(client, _form(client, cw))
    assert "版式“大厅横屏”不适合其中 2 块屏" in found["fit_title"]
    lines = found["fit_lines"]
    assert len(lines) == 2
    assert any("3号窗口屏（窗口屏，640×64）" in line and "看不清" in line for line in lines)
    assert any("自助终端A（自助终端，1080×1920）" in line and "挤窄" in line for line in lines)
    assert not any("大厅1号屏" in line or "门口LED屏" in line for line in lines)


def test_excluding_the_misfits_leaves_only_walls_and_no_warning(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "editor")
    form = _form(client, cw, **{"ex.screen": [str(_screen(app, "自助终端A")), str(_screen(app, "3号窗口屏"))]})
    found = _reach(client, form)
    assert found["count"] == "覆盖 3 块屏：大屏 3"
    assert found["fit_title"] == "" and found["fit_lines"] == []


def test_no_target_reaches_nothing_and_english_is_available(cw: ConsoleWorld, client: Any) -> None:
    sign_in(client, "editor")
    client.get("/console/schedules?lang=en")
    found = _reach(client, _form(client, cw, **{"in.hall": []}))
    assert found == {"count": "No target chosen: it reaches no screen", "total": 0, "fit_title": "", "fit_lines": []}
    found = _reach(client, _form(client, cw))
    assert found["count"] == "Reaches 5 screens: Wall 3, Kiosk 1, Counter strip 1"


def test_the_form_opens_with_the_reach_of_a_stored_schedule(cw: ConsoleWorld, client: Any) -> None:
    sign_in(client, "editor")
    assert client.post("/console/schedules/new", data=_form(client, cw)).status_code == 302
    listing = client.get("/console/schedules").get_data(as_text=True)
    schedule_id = re.search(r'href="/console/schedules/(\d+)"', listing)
    assert schedule_id is not None
    page = unescape(client.get(f"/console/schedules/{schedule_id.group(1)}").get_data(as_text=True))
    assert "覆盖 5 块屏：大屏 3、自助终端 1、窗口屏 1" in page
    assert "3号窗口屏（窗口屏，640×64）" in page
    assert "js/console/schedule-reach.js" in page


def test_saving_warns_of_misfits_and_says_when_it_shows(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "editor")
    saved = client.post("/console/schedules/new", data=_form(client, cw), follow_redirects=True)
    page = unescape(saved.get_data(as_text=True))
    assert re.search(r"排期“午间政策”已保存，约 \d+ 秒内上屏", page)
    assert "版式“大厅横屏”不适合 2 块目标屏" in page
    with Session(database(app).engine) as session:
        assert session.scalar(select(AuditEntry.action).where(AuditEntry.object_kind == "schedule")) == "created"


def test_a_hall_manager_counts_only_their_hall(cw: ConsoleWorld, client: Any) -> None:
    sign_in(client, "manager")
    found = _reach(client, _form(client, cw))
    assert found["total"] == 5
    outside = _reach(client, _form(client, cw, **{"in.hall": str(cw.world.other_hall_id)}))
    assert outside["total"] == 0  # the other city's hall is outside the scope: nothing counted there


def test_the_reach_needs_the_schedule_permission(cw: ConsoleWorld, client: Any) -> None:
    sign_in(client, "approver")  # reviews notices, schedules nothing
    answer = client.post("/console/schedules/reach", data={"csrf_token": csrf_now(client), "in.hall": "1"})
    assert answer.status_code in (403, 404)
