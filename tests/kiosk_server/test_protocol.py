"""The delivery protocol against a real server process and real Socket.IO clients (docs/architecture.md, "Delivery")."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from content.outbox import OutboxEvent
from kiosk_server.database import make_engine
from tests.support import migrated_schema
from tests.support.screen_client import ScreenClient
from tests.support.server import ServerProcess, wait_for
from tests.support.world import World, add_emergency, add_vacancy, build_world

pytestmark = pytest.mark.slow


@pytest.fixture
def world_db(database_url: str) -> Iterator[tuple[str, World, Session]]:
    engine = make_engine(database_url)
    migrated_schema.ready(engine)
    with Session(engine) as session:
        world = build_world(session)
        yield database_url, world, session
    engine.dispose()


@pytest.fixture
def server(world_db: tuple[str, World, Session], tmp_path: Path) -> Iterator[ServerProcess]:
    proc = ServerProcess(tmp_path / "server", world_db[0])
    proc.start()
    yield proc
    proc.stop()


def current_payload(server: ServerProcess, key: str) -> dict:
    response = requests.get(f"{server.url}/screen/{key}/manifest.json", timeout=5)
    response.raise_for_status()
    return response.json()


def test_hello_without_versions_gets_a_snapshot_before_welcome(server, world_db) -> None:
    _, world, _ = world_db
    client = ScreenClient(server.url, world.wall_keys[0]).connect()
    try:
        wait_for(lambda: client.welcomes, 10, "welcome")
        assert len(client.received) == 1, "the snapshot must arrive before welcome"
        payload = client.received[0]
        assert payload["seq"] > 0
        assert payload["version"] == client.welcomes[0]["streams"]["manifest"]["version"]
        assert "仓储管理员1" in client.titles()
    finally:
        client.close()


def test_hello_with_the_current_version_gets_no_snapshot(server, world_db) -> None:
    _, world, _ = world_db
    current = current_payload(server, world.wall_keys[0])
    client = ScreenClient(server.url, world.wall_keys[0], held=current).connect()
    try:
        wait_for(lambda: client.welcomes, 10, "welcome")
        assert client.received == []
    finally:
        client.close()


def test_reconnect_with_a_stale_version_gets_a_snapshot(server, world_db) -> None:
    _, world, _ = world_db
    stale = current_payload(server, world.wall_keys[0])
    stale = {**stale, "version": "0000000000000000", "seq": stale["seq"] - 1}
    client = ScreenClient(server.url, world.wall_keys[0], held=stale).connect()
    try:
        wait_for(lambda: client.welcomes, 10, "welcome")
        assert len(client.received) == 1
        assert client.version == current_payload(server, world.wall_keys[0])["version"]
    finally:
        client.close()


def test_unknown_screen_key_is_refused(server) -> None:
    client = ScreenClient(server.url, "no-such-screen")
    with pytest.raises(Exception, match="unknown screen|namespace"):
        client.connect()


def test_screens_with_identical_targeting_share_one_group(server, world_db) -> None:
    _, world, _ = world_db
    groups = {key: current_payload(server, key)["group"] for key in [*world.wall_keys, world.led_key]}
    assert len(set(groups.values())) == 1
    assert current_payload(server, world.other_wall_key)["group"] not in groups.values()


def test_a_committed_change_reaches_every_connected_screen_of_the_group(server, world_db) -> None:
    _, world, session = world_db
    clients = [ScreenClient(server.url, key).connect() for key in world.wall_keys]
    try:
        for c in clients:
            wait_for(lambda c=c: c.welcomes, 10, "welcome")
        add_vacancy(session, world, "电子商务师（新）")
        for c in clients:
            wait_for(lambda c=c: "电子商务师（新）" in c.titles(), 10, "the new vacancy on every wall")
        assert len({c.version for c in clients}) == 1
    finally:
        for c in clients:
            c.close()


def test_killed_server_restarted_brings_every_client_to_the_latest_version(server, world_db) -> None:
    database_url, world, session = world_db
    keys = [*world.wall_keys, world.led_key, world.other_wall_key]
    clients = [ScreenClient(server.url, key).connect() for key in keys]
    try:
        for c in clients:
            wait_for(lambda c=c: c.welcomes, 10, "welcome")
        server.kill()
        # Committed while no server runs: exactly the state a crash between commit and emit leaves.
        add_vacancy(session, world, "养老护理员（夜班）")
        pending = session.scalar(
            select(func.count()).select_from(OutboxEvent).where(OutboxEvent.published_at.is_(None))
        )
        assert pending and pending >= 1
        server.start()
        for c, key in zip(clients, keys, strict=True):
            wait_for(lambda c=c: c.connects >= 2 and len(c.welcomes) >= 2, 15, f"client {key} to reconnect")
            wait_for(
                lambda c=c, key=key: c.version == current_payload(server, key)["version"],
                15,
                f"client {key} at the latest version after restart",
            )
        for c in clients[:3]:
            assert "养老护理员（夜班）" in c.titles()
        wait_for(
            lambda: (
                session.scalar(select(func.count()).select_from(OutboxEvent).where(OutboxEvent.published_at.is_(None)))
                == 0
            ),
            10,
            "the pending outbox rows to be marked published",
        )
    finally:
        for c in clients:
            c.close()


def test_payload_seq_only_grows_for_a_client_across_changes_and_restarts(server, world_db) -> None:
    _, world, session = world_db
    client = ScreenClient(server.url, world.wall_keys[0]).connect()
    try:
        wait_for(lambda: client.welcomes, 10, "welcome")
        for n in range(3):
            add_vacancy(session, world, f"快递员{n}")
            wait_for(lambda n=n: f"快递员{n}" in client.titles(), 10, f"vacancy {n}")
        server.kill()
        server.start()
        wait_for(lambda: client.connects >= 2 and len(client.welcomes) >= 2, 15, "reconnect")
        seqs = [p["seq"] for p in client.received]
        assert seqs == sorted(seqs)
        assert len({p["version"] for p in client.received}) == len(client.received), "no duplicate content"
    finally:
        client.close()


def test_the_scheduler_publishes_at_a_transition_with_no_change_committed(server, world_db) -> None:
    _, world, session = world_db
    client = ScreenClient(server.url, world.wall_keys[0]).connect()
    try:
        wait_for(lambda: client.welcomes, 10, "welcome")
        add_emergency(session, world, "临时停电通知", seconds=4)

        def emergency_shown() -> bool:
            held = client.held
            return held is not None and any(s["emergencies"] for s in held["manifest"]["segments"][:1])

        wait_for(emergency_shown, 10, "the emergency in the current segment")
        during = client.held
        assert during is not None
        # Nobody commits anything now: the next manifest must come from the transition at expiry.
        wait_for(
            lambda: (
                client.held is not None
                and client.held["seq"] > during["seq"]
                and not client.held["manifest"]["segments"][0]["emergencies"]
            ),
            15,
            "a pushed manifest without the emergency after it expired",
        )
        topics = [row.topic for row in session.scalars(select(OutboxEvent).order_by(OutboxEvent.id))]
        assert topics[-1] == "transition"
    finally:
        client.close()
