"""The power schedule a wall's or counter's player follows: off-intervals, in welcome and pushed on a save.

The intervals (content/org/player_power.py) are checked against instants worked out by hand, a
week in Asia/Shanghai and one in Asia/Urumqi (UTC+6, the zone Xinjiang's halls may use). The
welcome and the push go through a served app (a real server in a thread) and a python-socketio
screen client, as tests/kiosk_server/test_console_power.py does for the kiosk's agent. Runs on
SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.org import player_power
from content.org import power_schedules as power
from content.org.opening_hours import PowerSchedule, parse_hours
from content.org.screens import Screen
from content.org.tree import Hall
from kiosk_server.database import database
from kiosk_server.settings_access import runtime
from tests.support.citizens import add_kiosk
from tests.support.console_world import ConsoleWorld, build_console_world, csrf_now, sign_in
from tests.support.screen_client import ScreenClient
from tests.support.server import app_in_thread, wait_for

DEADLINE = 10
SHANGHAI = ZoneInfo("Asia/Shanghai")
URUMQI = ZoneInfo("Asia/Urumqi")
WEEK = timedelta(days=7)


def at(text: str, tz: ZoneInfo) -> datetime:
    """A local wall-clock time (``"2026-12-07 08:15"``) of ``tz`` as a UTC instant."""
    return datetime.fromisoformat(text).replace(tzinfo=tz).astimezone(UTC)


def spans(tz: ZoneInfo, *pairs: tuple[str, str]) -> list[tuple[datetime, datetime]]:
    return [(at(begin, tz), at(end, tz)) for begin, end in pairs]


# -- the intervals ------------------------------------------------------------------------------------


def test_a_week_in_shanghai_is_off_between_the_margins_of_every_opening() -> None:
    hours = parse_hours("周一至周五 08:30-12:00,14:00-17:30；周六 09:00-12:00")
    schedule = PowerSchedule(hours, SHANGHAI, timedelta(minutes=15))
    start = at("2026-12-07 00:00", SHANGHAI)  # a Monday, midnight: the panel is off
    assert player_power.off_intervals(schedule, start, WEEK) == spans(
        SHANGHAI,
        ("2026-12-07 00:00", "2026-12-07 08:15"),  # off from the start, on 15 min before opening
        ("2026-12-07 12:15", "2026-12-07 13:45"),  # the lunch break, less the margins
        ("2026-12-07 17:45", "2026-12-08 08:15"),
        ("2026-12-08 12:15", "2026-12-08 13:45"),
        ("2026-12-08 17:45", "2026-12-09 08:15"),
        ("2026-12-09 12:15", "2026-12-09 13:45"),
        ("2026-12-09 17:45", "2026-12-10 08:15"),
        ("2026-12-10 12:15", "2026-12-10 13:45"),
        ("2026-12-10 17:45", "2026-12-11 08:15"),
        ("2026-12-11 12:15", "2026-12-11 13:45"),
        ("2026-12-11 17:45", "2026-12-12 08:45"),  # Saturday opens at 09:00
        ("2026-12-12 12:15", "2026-12-14 00:00"),  # Sunday closed: off to the end of the horizon
    )
    wire = player_power.wire(schedule, start, WEEK)
    assert wire["off"][0] == ["2026-12-06T16:00:00Z", "2026-12-07T00:15:00Z"]
    assert wire["off"][-1] == ["2026-12-12T04:15:00Z", "2026-12-13T16:00:00Z"]
    assert wire["until"] == "2026-12-13T16:00:00Z"


def test_a_week_in_urumqi_with_a_holiday_merges_the_closed_days() -> None:
    # Wednesday 2026-12-09 closed: off from Tuesday evening to Thursday morning, one interval.
    hours = parse_hours("Mon-Fri 10:00-13:30,15:30-19:30; 2026-12-09 closed")
    schedule = PowerSchedule(hours, URUMQI, timedelta(minutes=30))
    start = at("2026-12-07 11:00", URUMQI)  # on: the first interval is the lunch break
    assert player_power.off_intervals(schedule, start, WEEK) == spans(
        URUMQI,
        ("2026-12-07 14:00", "2026-12-07 15:00"),
        ("2026-12-07 20:00", "2026-12-08 09:30"),
        ("2026-12-08 14:00", "2026-12-08 15:00"),
        ("2026-12-08 20:00", "2026-12-10 09:30"),
        ("2026-12-10 14:00", "2026-12-10 15:00"),
        ("2026-12-10 20:00", "2026-12-11 09:30"),
        ("2026-12-11 14:00", "2026-12-11 15:00"),
        ("2026-12-11 20:00", "2026-12-14 09:30"),  # the weekend
    )
    # Urumqi is UTC+6: 14:00 there is 08:00 UTC.
    assert player_power.wire(schedule, start, WEEK)["off"][0] == ["2026-12-07T08:00:00Z", "2026-12-07T09:00:00Z"]


def test_the_default_horizon_is_48_hours_and_clips_the_last_interval() -> None:
    schedule = PowerSchedule(parse_hours("Mon-Fri 08:30-17:30"), SHANGHAI, timedelta(minutes=15))
    start = at("2026-12-11 12:00", SHANGHAI)  # a Friday noon
    wire = player_power.wire(schedule, start)
    assert wire == {
        "off": [["2026-12-11T09:45:00Z", "2026-12-13T04:00:00Z"]],  # Friday 17:45 to the horizon
        "until": "2026-12-13T04:00:00Z",
    }


def test_always_on_and_never_open_again() -> None:
    start = at("2026-12-07 09:00", SHANGHAI)
    assert player_power.wire(PowerSchedule(None, SHANGHAI), start)["off"] == []
    closed = PowerSchedule(parse_hours("2026-01-01 08:00-09:00"), SHANGHAI)  # a day long gone
    assert player_power.wire(closed, start)["off"] == [["2026-12-07T01:00:00Z", "2026-12-09T01:00:00Z"]]


def test_a_naive_start_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        player_power.off_intervals(PowerSchedule(None, SHANGHAI), datetime(2026, 12, 7, 9, 0))


# -- the welcome and the push -------------------------------------------------------------------------


@pytest.fixture
def cw(app: Flask) -> ConsoleWorld:
    return build_console_world(app)


@pytest.fixture
def served(app: Flask, cw: ConsoleWorld) -> Iterator[str]:
    with app_in_thread(app) as url:
        yield url


class Player(ScreenClient):
    """A screen client recording every ``power_schedule`` event it is sent."""

    def __init__(self, base_url: str, key: str) -> None:
        super().__init__(base_url, key)
        self.schedules: list[dict[str, Any]] = []
        self.sio.on("power_schedule", self._got_schedule, namespace="/screen")

    def _got_schedule(self, data: dict[str, Any]) -> None:
        with self.lock:
            self.schedules.append(data)

    def welcome(self) -> dict[str, Any]:
        found: dict[str, Any] = wait_for(lambda: self.welcomes[-1] if self.welcomes else None, DEADLINE, "welcome")
        return found

    def schedule(self, number: int) -> dict[str, Any]:
        def got() -> dict[str, Any] | None:
            with self.lock:
                return self.schedules[number - 1] if len(self.schedules) >= number else None

        found: dict[str, Any] = wait_for(got, DEADLINE, f"power_schedule number {number}")
        return found


@pytest.fixture
def players() -> Iterator[list[Player]]:
    opened: list[Player] = []
    yield opened
    for player in opened:
        player.close()


def open_player(base_url: str, key: str, players: list[Player]) -> Player:
    player = Player(base_url, key)
    players.append(player)
    player.connect()
    return player


def screen_of(app: Flask, key: str) -> int:
    with Session(database(app).engine) as session:
        return int(session.scalars(select(Screen.id).where(Screen.key == key)).one())


def expected(app: Flask, screen_id: int, now: datetime) -> dict[str, Any]:
    """What the player should follow from ``now``, from the same rule the console shows."""
    with Session(database(app).engine) as session:
        screen = session.get(Screen, screen_id)
        assert screen is not None
        return player_power.wire(power.effective(session, screen).schedule, now)


def console(app: Flask, username: str) -> Any:
    client = app.test_client()
    sign_in(client, username)
    return client


def test_the_welcome_of_a_wall_carries_its_off_intervals_and_a_kiosks_does_not(
    app: Flask, cw: ConsoleWorld, served: str, players: list[Player]
) -> None:
    with Session(database(app).engine) as session:
        hall = session.get(Hall, cw.world.hall_id)
        assert hall is not None
        hall.timezone = "Asia/Urumqi"
        power.set_hall_hours(session, hall, "Mon-Sun 09:00-18:00", 15, by="test")
        kiosk = add_kiosk(session, cw.world.hall_id, runtime(app).policy.credential_key)
        session.commit()
    wall = open_player(served, cw.world.wall_keys[0], players)
    welcome = wall.welcome()
    now = datetime.fromisoformat(welcome["server_time"])
    assert welcome["power"] == expected(app, screen_of(app, cw.world.wall_keys[0]), now)
    assert len(welcome["power"]["off"]) >= 2, "every day 09:00-18:00: two nights at least in 48 hours"
    for begin, end in welcome["power"]["off"]:
        # Urumqi is UTC+6: the panels go off at 18:15 (12:15Z) and on at 08:45 (02:45Z).
        assert end.endswith("T02:45:00Z") or end == welcome["power"]["until"]
        assert begin.endswith("T12:15:00Z") or begin == welcome["power"]["off"][0][0]
    kiosk_page = open_player(served, kiosk.key, players)
    assert "power" not in kiosk_page.welcome(), "a kiosk's agent switches its panel; its page is never blanked"


def test_a_save_pushes_the_new_intervals_to_a_connected_wall(
    app: Flask, cw: ConsoleWorld, served: str, players: list[Player]
) -> None:
    wall = open_player(served, cw.world.wall_keys[0], players)
    assert wall.welcome()["power"]["off"] == [], "nothing set anywhere: always on"
    screen_id = screen_of(app, cw.world.wall_keys[0])
    manager = console(app, "manager")
    form = {"csrf_token": csrf_now(manager), "hours": "Mon-Fri 08:30-17:30", "margin_minutes": "15"}
    response = manager.post(f"/console/screens/{screen_id}/power/hall", data=form)
    assert response.status_code == 302
    pushed = wall.schedule(1)
    # The console's clock is the world's NOON (a Wednesday, 12:00 in Beijing): off from 17:45 on.
    assert pushed == expected(app, screen_id, cw.clock())
    assert pushed["off"][0] == ["2026-12-02T09:45:00Z", "2026-12-03T00:15:00Z"]
    tech = console(app, "tech")
    form = {"csrf_token": csrf_now(tech), "mode": "always_on", "hours": ""}
    assert tech.post(f"/console/screens/{screen_id}/power", data=form).status_code == 302
    assert wall.schedule(2)["off"] == []
    page = tech.get(f"/console/screens/{screen_id}/power").get_data(as_text=True)
    assert "关屏时段由播放器把画面全黑" in page


def test_a_beat_near_the_end_of_the_horizon_brings_the_next_one(
    app: Flask, cw: ConsoleWorld, served: str, players: list[Player]
) -> None:
    wall = open_player(served, cw.world.wall_keys[0], players)
    wall.welcome()
    namespace = runtime(app).screens
    for conn in list(namespace._connected.values()):  # as if the welcome had been a day and more ago
        conn.power_until = datetime.now(UTC) + timedelta(hours=1)
    wall.heartbeat()
    refreshed = wall.schedule(1)
    assert refreshed["off"] == []
    until = datetime.fromisoformat(refreshed["until"].replace("Z", "+00:00"))
    assert until > datetime.now(UTC) + timedelta(hours=47)
