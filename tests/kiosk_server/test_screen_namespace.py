"""The /screen namespace in-process: identification, snapshots, heartbeats written only in batches."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.org.screens import ScreenStatus
from kiosk_server.database import database
from kiosk_server.settings_access import runtime
from tests.support.world import World, build_world


@pytest.fixture
def world(app: Flask) -> World:
    with Session(database(app).engine) as session:
        return build_world(session)


def events(client: Any, name: str) -> list[Any]:
    return [e["args"][0] for e in client.get_received("/screen") if e["name"] == name]


def connect(app: Flask, key: str) -> Any:
    return runtime(app).socketio.test_client(app, namespace="/screen", auth={"key": key})


def test_unknown_key_is_refused(app: Flask, world: World) -> None:
    client = connect(app, "nope")
    assert not client.is_connected("/screen")


def test_hello_gets_manifest_then_welcome_with_screen_facts(app: Flask, world: World) -> None:
    client = connect(app, world.led_key)
    client.emit("hello", {"held": {}}, namespace="/screen")
    received = client.get_received("/screen")
    assert [e["name"] for e in received] == ["manifest", "queue_board", "welcome"]
    welcome = received[2]["args"][0]
    assert welcome["screen"]["low_resolution"] is True
    assert welcome["screen"]["hall"]["timezone"] == "Asia/Shanghai"
    assert welcome["streams"]["manifest"]["version"] == received[0]["args"][0]["version"]
    assert welcome["streams"]["queue"]["version"] == received[1]["args"][0]["version"] == 0


def test_heartbeats_reach_the_database_only_on_flush(app: Flask, world: World) -> None:
    client = connect(app, world.wall_keys[0])
    client.emit("hello", {"held": {}}, namespace="/screen")
    version = events(client, "manifest")[0]["version"]
    beats = runtime(app).beats
    beats.flush()  # the connect itself
    for _ in range(5):
        client.emit("heartbeat", {"showing": {"manifest": version}}, namespace="/screen")
    with Session(database(app).engine) as session:
        row = session.scalar(select(ScreenStatus))
        assert row is not None and row.manifest_version is None, "a beat must not write on arrival"
    assert beats.flush() == 1, "five beats of one screen flush as one row"
    with Session(database(app).engine) as session:
        row = session.scalar(select(ScreenStatus))
        assert row is not None
        assert row.manifest_version == version
        assert row.connected is True
    client.disconnect(namespace="/screen")
    beats.flush()
    with Session(database(app).engine) as session:
        assert session.scalar(select(ScreenStatus.connected)) is False


def test_a_heartbeat_showing_another_version_gets_the_snapshot_and_a_current_one_nothing(
    app: Flask, world: World
) -> None:
    client = connect(app, world.wall_keys[0])
    client.emit("hello", {"held": {}}, namespace="/screen")
    [manifest] = [e["args"][0] for e in client.get_received("/screen") if e["name"] == "manifest"]
    client.emit("heartbeat", {"showing": {"manifest": manifest["version"]}}, namespace="/screen")
    assert client.get_received("/screen") == []
    client.emit("heartbeat", {"showing": {"manifest": "a-version-whose-push-was-lost"}}, namespace="/screen")
    [again] = client.get_received("/screen")
    assert again["name"] == "manifest" and again["args"][0]["version"] == manifest["version"]
