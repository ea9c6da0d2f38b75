"""The ``plays`` event against a real server process and a real Socket.IO client (docs/protocol.md §9)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import socketio
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.library.items import Vacancy
from content.org.screens import Screen
from content.signage.proof_of_play import MAX_BATCH, PlayTally
from devices.agent.sio_disconnect import disconnect_promptly
from kiosk_server.database import make_engine
from tests.support import migrated_schema
from tests.support.server import ServerProcess
from tests.support.world import World, build_world

pytestmark = pytest.mark.slow


@pytest.fixture
def world_db(database_url: str) -> Iterator[tuple[str, World, Session]]:
    engine = make_engine(database_url)
    migrated_schema.ready(engine)
    with Session(engine) as session:
        world = build_world(session, vacancies=2)
        yield database_url, world, session
    engine.dispose()


@pytest.fixture
def server(world_db: tuple[str, World, Session], tmp_path: Path) -> Iterator[ServerProcess]:
    proc = ServerProcess(tmp_path / "server", world_db[0])
    proc.start()
    yield proc
    proc.stop()


@pytest.fixture
def screen(server: ServerProcess, world_db: tuple[str, World, Session]) -> Iterator[socketio.Client]:
    """A Socket.IO client connected to /screen as the first wall of the world."""
    client = socketio.Client(reconnection=False)
    client.connect(
        server.url,
        namespaces=["/screen"],
        auth={"key": world_db[1].wall_keys[0]},
        transports=["websocket"],
        wait_timeout=10,
    )
    yield client
    disconnect_promptly(client)


def screen_id(session: Session, key: str) -> int:
    found = session.scalar(select(Screen.id).where(Screen.key == key))
    assert found is not None
    return found


def vacancy_ids(session: Session) -> list[int]:
    return list(session.scalars(select(Vacancy.id).order_by(Vacancy.id)))


def tallies(session: Session) -> list[tuple[int, int, int, float]]:
    session.expire_all()
    rows = session.execute(
        select(PlayTally.screen_id, PlayTally.item_id, PlayTally.plays, PlayTally.seconds).order_by(
            PlayTally.screen_id, PlayTally.item_id
        )
    )
    return [tuple(row) for row in rows]


def send(client: socketio.Client, payload: Any) -> Any:
    """Emit ``plays`` and wait (at most 10 s) for the server's acknowledgement."""
    return client.call("plays", payload, namespace="/screen", timeout=10)


def recently() -> str:
    return (datetime.now(UTC) - timedelta(minutes=2)).isoformat()


def test_a_batch_is_acknowledged_and_lands_in_the_tallies(screen: socketio.Client, world_db) -> None:
    _, world, session = world_db
    first, second = vacancy_ids(session)
    ack = send(
        screen,
        {
            "batch": "b-1",
            "plays": [
                {"id": first, "kind": "vacancy", "start": recently(), "seconds": 24.5, "count": 2},
                {"id": second, "kind": "vacancy", "start": recently(), "seconds": 12},
                {"id": second, "kind": "vacancy", "start": "2020-01-01T00:00:00+00:00", "seconds": 12},
            ],
        },
    )
    assert ack["ok"] is True
    assert (ack["accepted"], ack["duplicate"]) == (2, False)
    assert len(ack["rejected"]) == 1 and ack["rejected"][0].startswith("plays[2]: start 2020-01-01")
    wall = screen_id(session, world.wall_keys[0])
    assert tallies(session) == [(wall, first, 2, 24.5), (wall, second, 1, 12.0)]


def test_a_batch_naming_another_screen_is_booked_to_the_connected_one(screen: socketio.Client, world_db) -> None:
    _, world, session = world_db
    [first, _] = vacancy_ids(session)
    other = screen_id(session, world.other_wall_key)
    ack = send(
        screen,
        {
            "batch": "b-2",
            "screen": other,
            "screen_id": other,
            "plays": [{"id": first, "kind": "vacancy", "start": recently(), "seconds": 10, "screen_id": other}],
        },
    )
    assert ack["accepted"] == 1
    assert tallies(session) == [(screen_id(session, world.wall_keys[0]), first, 1, 10.0)]


def test_a_batch_sent_again_after_a_lost_ack_counts_once(screen: socketio.Client, world_db) -> None:
    _, _, session = world_db
    [first, _] = vacancy_ids(session)
    batch = {"batch": "b-3", "plays": [{"id": first, "kind": "vacancy", "start": recently(), "seconds": 10}]}
    assert send(screen, batch)["duplicate"] is False
    again = send(screen, batch)
    assert (again["ok"], again["accepted"], again["duplicate"]) == (True, 0, True)
    assert [row[2] for row in tallies(session)] == [1]


def test_an_oversized_or_shapeless_batch_is_refused_whole(screen: socketio.Client, world_db) -> None:
    _, _, session = world_db
    [first, _] = vacancy_ids(session)
    play = {"id": first, "kind": "vacancy", "start": recently(), "seconds": 1}
    too_big = send(screen, {"batch": "b-4", "plays": [play] * (MAX_BATCH + 1)})
    assert (too_big["ok"], too_big["error"]) == (False, "batch_too_large")
    assert str(MAX_BATCH) in too_big["message"]
    shapeless = send(screen, [play])
    assert (shapeless["ok"], shapeless["error"]) == (False, "invalid_batch")
    assert tallies(session) == []
