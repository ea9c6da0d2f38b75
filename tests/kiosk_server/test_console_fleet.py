"""The fleet page: states from live heartbeats, counts, filters, and nothing outside the subtree."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.citizens.kiosk_agents import ReaderKind, ReaderReport, ReaderState, set_reader_status
from content.org.screens import Screen
from kiosk_server.database import database
from kiosk_server.heartbeats import HeartbeatRecorder
from kiosk_server.settings_access import runtime
from tests.support.citizens import add_kiosk
from tests.support.console_world import ConsoleWorld, build_console_world, sign_in


@pytest.fixture
def cw(app: Flask) -> ConsoleWorld:
    built = build_console_world(app)
    # Heartbeats stamped by the test's clock too (the recorder keeps the clock it was built with).
    runtime(app).beats = HeartbeatRecorder(database(app), built.clock)
    return built


def _screens(app: Flask) -> dict[str, int]:
    with Session(database(app).engine) as session:
        return {s.name: s.id for s in session.scalars(select(Screen))}


def _states(page: str) -> dict[int, str]:
    return {int(i): s for i, s in re.findall(r'data-screen="(\d+)" data-state="(\w+)"', page)}


def _current_version(app: Flask, screen_id: int) -> str:
    found = runtime(app).book.current(force_check=True).for_screen(screen_id)
    assert found is not None
    return found[1].version


def test_a_screen_that_beats_is_green_and_one_that_left_is_red_at_once(
    cw: ConsoleWorld, client: Any, app: Flask
) -> None:
    screens = _screens(app)
    wall, led = screens["大厅1号屏"], screens["门口LED屏"]
    beats = runtime(app).beats
    beats.seen(wall, _current_version(app, wall))
    beats.seen(led, "an-old-version")
    sign_in(client, "admin")
    states = _states(client.get("/console/fleet").get_data(as_text=True))
    assert states[wall] == "current" and states[led] == "behind"
    assert states[screens["大厅2号屏"]] == "never"
    beats.disconnected(wall)
    assert _states(client.get("/console/fleet").get_data(as_text=True))[wall] == "offline"


def test_silence_longer_than_the_heartbeat_window_turns_a_screen_red(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    wall = _screens(app)["大厅1号屏"]
    runtime(app).beats.seen(wall, _current_version(app, wall))
    sign_in(client, "admin")
    cw.clock.advance(seconds=60)
    assert _states(client.get("/console/fleet").get_data(as_text=True))[wall] == "current"
    cw.clock.advance(minutes=5)
    assert _states(client.get("/console/fleet").get_data(as_text=True))[wall] == "offline"


def test_counts_and_the_status_filter(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    screens = _screens(app)
    runtime(app).beats.seen(screens["大厅1号屏"], "whatever")
    sign_in(client, "admin")
    page = client.get("/console/fleet?status=behind").get_data(as_text=True)
    assert set(_states(page)) == {screens["大厅1号屏"]}
    assert re.search(r'data-state="never">\s*<span[^>]*>[^<]*</span> <strong>3</strong>', page)


def test_a_hall_manager_sees_their_hall_only_whatever_the_url_asks(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    screens = _screens(app)
    sign_in(client, "manager")
    shown = set(_states(client.get("/console/fleet").get_data(as_text=True)))
    assert shown == {screens["大厅1号屏"], screens["大厅2号屏"], screens["门口LED屏"]}
    asked = client.get(f"/console/fleet?hall={cw.world.other_hall_id}").get_data(as_text=True)
    assert screens["天水大厅屏"] not in _states(asked)


def test_an_org_admin_of_another_city_sees_none_of_this_one(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    screens = _screens(app)
    sign_in(client, "tianshui")
    assert set(_states(client.get("/console/fleet").get_data(as_text=True))) == {screens["天水大厅屏"]}


def test_a_malformed_filter_shows_the_whole_fleet_rather_than_an_error(cw: ConsoleWorld, client: Any) -> None:
    sign_in(client, "admin")
    response = client.get("/console/fleet?kind=toaster&status=%3Cscript%3E&page=-3&sort=x")
    assert response.status_code == 200 and len(_states(response.get_data(as_text=True))) == 4
    assert "<script>" not in response.get_data(as_text=True)


def test_a_kiosks_readers_show_their_fault_reason_count_and_last_good_read(
    cw: ConsoleWorld, client: Any, app: Flask
) -> None:
    good = datetime(2026, 12, 1, 2, 30, tzinfo=UTC)  # 10:30 in the console's zone
    with Session(database(app).engine) as session:
        kiosk = add_kiosk(session, cw.world.hall_id, runtime(app).policy.credential_key)
        set_reader_status(
            session,
            kiosk.screen_id,
            ReaderReport(
                "idcard-1", ReaderKind.IDCARD_SERIAL, ReaderState.FAULT, "no answer", "timeout", 42, False, good
            ),
            good,
        )
        set_reader_status(session, kiosk.screen_id, ReaderReport("ssc-1", ReaderKind.SSC_PCSC, ReaderState.IDLE), good)
        session.commit()
    sign_in(client, "admin")
    page = client.get("/console/fleet?kind=kiosk").get_data(as_text=True)
    fault = page[page.index('data-reader="idcard-1"') :]
    fault = fault[: fault.index("</span></span>")]
    assert "身份证阅读器：故障" in fault and "读卡超时，重复 42 次" in fault and "上次成功读卡 12-01 10:30" in fault
    idle = page[page.index('data-reader="ssc-1"') :]
    assert "待机" in idle[:400] and "尚未成功读卡" in idle[:400]
