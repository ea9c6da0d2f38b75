"""The fleet as the running server sees it: snapshot versions, live beats merged with flushed rows, settings."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.org.screens import Screen, ScreenStatus
from content.org.tree import OrgUnit
from content.signage.fleet import FleetFilter, FleetPage, FleetState
from kiosk_server.database import database
from kiosk_server.fleet_status import fleet_for, offline_after
from kiosk_server.settings_access import runtime
from tests.conftest import make_app
from tests.support.world import World, build_world


@pytest.fixture
def world(app: Flask) -> World:
    with Session(database(app).engine) as session:
        return build_world(session)


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    with Session(database(app).engine) as db:
        yield db


def connect(app: Flask, key: str) -> Any:
    client = runtime(app).socketio.test_client(app, namespace="/screen", auth={"key": key})
    assert client.is_connected("/screen")
    return client


def hello(client: Any) -> str:
    """Say hello and return the manifest version the server sent."""
    client.emit("hello", {"held": {}}, namespace="/screen")
    [version] = [e["args"][0]["version"] for e in client.get_received("/screen") if e["name"] == "manifest"]
    return str(version)


def screen_id(session: Session, key: str) -> int:
    found = session.scalar(select(Screen.id).where(Screen.key == key))
    assert found is not None
    return found


def by_id(result: FleetPage) -> dict[int, Any]:
    return {row.screen_id: row for row in result.rows}


@dataclass(frozen=True)
class HallScope:
    path: str | None
    hall_id: int | None


def set_status(session: Session, ident: int, at: datetime, version: str | None, *, connected: bool = True) -> None:
    """Write a screen_status row as a flush (of this or another server process) would."""
    session.merge(ScreenStatus(screen_id=ident, last_seen_at=at, manifest_version=version, connected=connected))
    session.commit()


def test_a_live_heartbeat_shows_current_before_any_flush(app: Flask, world: World, session: Session) -> None:
    client = connect(app, world.wall_keys[0])
    version = hello(client)
    client.emit("heartbeat", {"showing": {"manifest": version}}, namespace="/screen")
    assert session.scalar(select(ScreenStatus)) is None, "nothing flushed yet: the state comes from memory"
    result = fleet_for(app, session, FleetFilter(), None)
    rows = by_id(result)
    row = rows[screen_id(session, world.wall_keys[0])]
    assert (row.state, row.shown_version, row.expected_version) == (FleetState.CURRENT, version, version)
    assert result.summary.by_state == {
        FleetState.CURRENT: 1,
        FleetState.BEHIND: 0,
        FleetState.OFFLINE: 0,
        FleetState.NEVER: 3,
    }
    client.disconnect(namespace="/screen")


def test_an_old_version_is_behind_and_a_disconnect_is_offline_at_once(
    app: Flask, world: World, session: Session
) -> None:
    ident = screen_id(session, world.wall_keys[0])
    client = connect(app, world.wall_keys[0])
    hello(client)
    client.emit("heartbeat", {"showing": {"manifest": "a-version-from-last-week"}}, namespace="/screen")
    assert by_id(fleet_for(app, session, FleetFilter(), None))[ident].state is FleetState.BEHIND
    client.disconnect(namespace="/screen")
    assert by_id(fleet_for(app, session, FleetFilter(), None))[ident].state is FleetState.OFFLINE


def test_expected_versions_come_from_the_current_snapshot(app: Flask, world: World, session: Session) -> None:
    snapshot = runtime(app).book.current()
    rows = by_id(fleet_for(app, session, FleetFilter(), None))
    assert rows, "the world has screens"
    for ident, row in rows.items():
        found = snapshot.for_screen(ident)
        assert found is not None and row.expected_version == found[1].version


def test_a_flushed_row_newer_than_this_process_memory_wins(app: Flask, world: World, session: Session) -> None:
    # The screen left this process and reconnected to another one, whose flush wrote the row.
    ident = screen_id(session, world.wall_keys[1])
    beats = runtime(app).beats
    beats.seen(ident, "v-here")
    beats.disconnected(ident)
    left_at = beats.latest(ident).at  # type: ignore[union-attr]
    expected = runtime(app).book.current().for_screen(ident)[1].version  # type: ignore[index]
    set_status(session, ident, left_at + timedelta(seconds=1), expected)
    row = by_id(fleet_for(app, session, FleetFilter(), None, now=left_at + timedelta(seconds=2)))[ident]
    assert (row.state, row.shown_version, row.connected) == (FleetState.CURRENT, expected, True)
    # ... and a newer beat in memory wins over that row again.
    beats.disconnected(ident)
    later = beats.latest(ident).at  # type: ignore[union-attr]
    set_status(session, ident, later - timedelta(seconds=1), expected)
    row = by_id(fleet_for(app, session, FleetFilter(), None, now=later))[ident]
    assert row.state is FleetState.OFFLINE


def test_the_scope_keeps_other_cities_and_halls_out(app: Flask, world: World, session: Session) -> None:
    city_path = session.scalar(select(OrgUnit.path).where(OrgUnit.id == world.city_id))
    assert city_path is not None
    other = screen_id(session, world.other_wall_key)
    scoped = fleet_for(app, session, FleetFilter(hall_id=world.other_hall_id), city_path)
    assert scoped.total == 0 and scoped.rows == []
    assert other in by_id(fleet_for(app, session, FleetFilter(hall_id=world.other_hall_id), None))
    # An account bound to one hall (content.accounts.access.Scope carries its org path and the hall).
    county_path = session.scalar(select(OrgUnit.path).where(OrgUnit.id == world.county_id))
    hall_bound = fleet_for(app, session, FleetFilter(), HallScope(city_path, world.other_hall_id))
    assert hall_bound.total == 0, "the hall lies outside the path: nothing"
    hall_bound = fleet_for(
        app, session, FleetFilter(org_unit_id=world.province_id), HallScope(county_path, world.hall_id)
    )
    assert hall_bound.total == 3 and other not in by_id(hall_bound)


def test_offline_after_follows_the_heartbeat_setting(tmp_path: Path, database_url: str) -> None:
    assert offline_after(45) == timedelta(seconds=112.5)
    app = make_app(tmp_path, database_url, heartbeat_seconds=20)  # offline after 50 s
    try:
        with Session(database(app).engine) as session:
            world = build_world(session)
            ident = screen_id(session, world.wall_keys[0])
            now = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)
            set_status(session, ident, now - timedelta(seconds=49), None)
            assert by_id(fleet_for(app, session, FleetFilter(), None, now=now))[ident].state is FleetState.BEHIND
            set_status(session, ident, now - timedelta(seconds=51), None)
            assert by_id(fleet_for(app, session, FleetFilter(), None, now=now))[ident].state is FleetState.OFFLINE
    finally:
        database(app).engine.dispose()
