"""A hello that fails leaves no screen stale, against a real server (docs/protocol.md §3, §5).

The hellos fail for real: on PostgreSQL the test holds a lock on the outbox past the server's lock
timeout (tests/support/outbox_lock.py), as a restarted server's walls queue on locks when they all
reconnect at once. The client here never sends hello again: only its heartbeats can bring it back.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy.orm import Session

from kiosk_server.database import make_engine
from tests.support import migrated_schema
from tests.support.outbox_lock import outbox_locked, wait_until_reads_fail, with_lock_timeout
from tests.support.screen_client import ScreenClient
from tests.support.server import ServerProcess, wait_for
from tests.support.world import World, add_vacancy, build_world

pytestmark = pytest.mark.slow

LOCK_TIMEOUT_MS = 1000


@contextmanager
def serve(database_url: str, tmp_path: Path, server_url: str | None = None) -> Iterator[tuple[World, Session, Any]]:
    engine = make_engine(database_url)
    migrated_schema.ready(engine)
    with Session(engine) as session:
        world = build_world(session, vacancies=3)
        server = ServerProcess(tmp_path / "server", server_url or database_url)
        server.start()
        try:
            yield world, session, server
        finally:
            server.stop()
    engine.dispose()


@pytest.fixture
def locking(postgres_url: str, tmp_path: Path) -> Iterator[tuple[str, World, Session, ServerProcess]]:
    """A server on PostgreSQL whose statements give up after LOCK_TIMEOUT_MS waiting for a lock."""
    with serve(postgres_url, tmp_path, with_lock_timeout(postgres_url, LOCK_TIMEOUT_MS)) as (world, session, server):
        yield postgres_url, world, session, server


def current_version(server: ServerProcess, key: str) -> str:
    response = requests.get(f"{server.url}/screen/{key}/manifest.json", timeout=5)
    response.raise_for_status()
    return str(response.json()["version"])


@pytest.mark.postgres
def test_heartbeats_alone_bring_a_screen_whose_hello_failed_to_welcome_and_the_newest_manifest(locking) -> None:
    url, world, session, server = locking
    key = world.wall_keys[0]
    client = ScreenClient(server.url, key)
    try:
        with outbox_locked(url):
            wait_until_reads_fail(server, key)
            client.connect()
            [ack] = wait_for(lambda: client.hello_acks, 15, "an answer to the hello that failed")
            assert ack["ok"] is False and ack["retry_after"] > 0
            assert client.welcomes == [] and client.received == []
        # Committed while the screen is in no group's room: a push alone would never reach it.
        add_vacancy(session, world, "电工（夜班）")

        def caught_up() -> bool:
            client.heartbeat()  # as the player beats before welcome, saying what it holds (nothing)
            return bool(client.welcomes) and "电工（夜班）" in client.titles()

        # The server retries no sooner than the retry_after it gave (at most 1.5 s for a first failure).
        wait_for(caught_up, 10, "welcome and the newest manifest through heartbeats alone", interval=0.3)
        assert len(client.hello_acks) == 1, "the client never sent hello again"
        assert client.version == current_version(server, key)
        failures = [line for line in server.log_tail(400).splitlines() if "hello failed for screen" in line]
        assert len(failures) == 1, "one line for the failed hello, not a traceback"
    finally:
        client.close()


@pytest.fixture
def sqlite_server(tmp_path: Path) -> Iterator[tuple[World, ServerProcess]]:
    with serve(f"sqlite:///{tmp_path / 'kiosk.sqlite3'}", tmp_path) as (world, _, server):
        yield world, server


def test_reserved_event_names_from_a_raw_client_run_no_connect_or_disconnect(sqlite_server) -> None:
    world, server = sqlite_server
    key = world.wall_keys[0]
    client = ScreenClient(server.url, key).connect()
    try:
        [first] = wait_for(lambda: client.welcomes, 10, "welcome")
        other = {"key": world.other_wall_key}
        client.sio.emit("disconnect", namespace="/screen")  # would drop this connection from the connected set
        client.sio.emit("connect_error", {"message": "x"}, namespace="/screen")
        client.sio.emit("connect", (other, other), namespace="/screen")  # would sign in as another screen
        client.sio.emit("hello", client.hello_payload(), namespace="/screen")
        welcomes = wait_for(lambda: client.welcomes[1:], 10, "welcome for the hello after the reserved names")
        assert welcomes[0]["screen"]["id"] == first["screen"]["id"]
        assert client.connects == 1 and client.sio.connected
    finally:
        client.close()
