"""What the server says to one screen goes straight to its socket, never through the Redis message queue.

A hello's snapshots and welcome, and a heartbeat's answer, concern one connection of this process:
publishing them would make every process read them back (three messages per hello in a connect storm).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask
from sqlalchemy.orm import Session

from kiosk_server import screen_namespace
from kiosk_server.database import database
from kiosk_server.message_queue import CHANNEL, MessageQueue
from kiosk_server.settings_access import runtime
from tests.conftest import make_app
from tests.support.redis_server import StoppableRedis
from tests.support.screen_client import ScreenClient
from tests.support.server import app_in_thread, wait_for
from tests.support.world import World, build_world

DEADLINE = 10
ONE_SCREEN_EVENTS = {"manifest", "queue_board", "welcome", "citizen_session"}


@pytest.fixture
def queued_app(tmp_path: Path, own_redis: StoppableRedis) -> Iterator[Flask]:
    application = make_app(tmp_path, f"sqlite:///{tmp_path / 'kiosk.sqlite3'}", message_queue_url=own_redis.url)
    assert isinstance(runtime(application).socketio.server.manager, MessageQueue)
    yield application
    database(application).engine.dispose()


@pytest.fixture
def served(queued_app: Flask) -> Iterator[str]:
    """The app served in this process (Flask-SocketIO's test client refuses a message queue); its base URL."""
    with app_in_thread(queued_app) as url:
        yield url


class Channel:
    """What is published on the Socket.IO channel, read by a subscriber of the test's own."""

    def __init__(self, url: str) -> None:
        self._client = redis.Redis.from_url(url)
        self._pubsub = self._client.pubsub()
        self._pubsub.subscribe(CHANNEL)
        wait_for(lambda: self._next(), DEADLINE, "the subscription to be confirmed")
        self.events: list[str] = []

    def _next(self) -> Any:
        return self._pubsub.get_message(timeout=0.1)

    def read_until(self, marker: str) -> list[str]:
        """The events published before ``marker`` (Redis keeps one publisher's messages in order)."""

        def marker_seen() -> bool:
            message = self._next()
            if message is None or message["type"] != "message":
                return False
            event = json.loads(message["data"]).get("event")
            self.events.append(event)
            return event == marker

        wait_for(marker_seen, DEADLINE, f"{marker!r} on the channel", interval=0)
        return self.events[:-1]

    def close(self) -> None:
        self._pubsub.close()
        self._client.close()


def test_a_hello_and_a_heartbeat_answer_reach_the_screen_but_not_the_message_queue(
    queued_app: Flask, served: str, own_redis: StoppableRedis, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(screen_namespace, "PUSH_GRACE_SECONDS", 0.0)  # answer the stale beat below at once
    with Session(database(queued_app).engine) as session:
        world: World = build_world(session)
    channel = Channel(own_redis.url)
    client = ScreenClient(served, world.wall_keys[0])
    try:
        client.connect()
        wait_for(lambda: client.welcomes and client.hello_acks, DEADLINE, "welcome and the hello's ack")
        assert client.hello_acks == [{"ok": True}]
        [manifest] = client.received
        assert client.welcomes[0]["streams"]["manifest"]["version"] == manifest["version"]

        with client.lock:
            client.held = {**manifest, "version": "a-version-whose-push-was-lost"}
        client.heartbeat()
        wait_for(lambda: len(client.received) == 2, DEADLINE, "the heartbeat's answer")
        assert client.received[1]["version"] == manifest["version"]

        # A room emit is published as always: once it is on the channel, anything published before it is too.
        runtime(queued_app).socketio.emit("probe", {}, to="group:nobody", namespace="/screen")
        published = channel.read_until("probe")
        assert not ONE_SCREEN_EVENTS & set(published), published
    finally:
        client.close()
        channel.close()
