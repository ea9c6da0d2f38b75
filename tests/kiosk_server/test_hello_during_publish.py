"""A hello that a publish round overtakes still leaves the screen on the newest manifest (one process, or two).

The hello reads the book's snapshot, then the hall's queue board and the rest from the database, and
only then joins its group's room. A round that emits in between sent its push to a room the screen
was not yet in; the screen then held the old version until a heartbeat after the push grace (10 s
and one period: an emergency of a few seconds could pass it by entirely).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from kiosk_server.database import database
from kiosk_server.settings_access import runtime
from tests.conftest import make_app
from tests.support.redis_server import StoppableRedis
from tests.support.screen_client import ScreenClient
from tests.support.server import app_in_thread, wait_for
from tests.support.world import World, add_emergency, add_vacancy, build_world

DEADLINE = 10


@pytest.fixture
def world(app: Flask) -> World:
    with Session(database(app).engine) as session:
        return build_world(session)


def manifests(client: Any) -> list[dict[str, Any]]:
    return [e["args"][0] for e in client.get_received("/screen") if e["name"] == "manifest"]


def hello_overtaken_by(app: Flask, world: World, monkeypatch: pytest.MonkeyPatch, change: Any) -> Any:
    """A wall's hello holding the current version, with ``change`` committed and published mid-hello."""
    publisher = runtime(app).publisher
    publisher.publish_once()  # the publisher knows every group, as a running one would
    first = runtime(app).socketio.test_client(app, namespace="/screen", auth={"key": world.wall_keys[0]})
    first.emit("hello", {"held": {}}, namespace="/screen")
    [held] = manifests(first)  # what the player holds from before (its manifest.json, or a connection that dropped)
    first.disconnect(namespace="/screen")
    client = runtime(app).socketio.test_client(app, namespace="/screen", auth={"key": world.wall_keys[0]})
    queue = runtime(app).queue
    real_board = queue.current_board
    overtaken: list[bool] = []

    def board_then_publish(*args: Any, **kwargs: Any) -> dict[str, Any]:
        if not overtaken:  # the round runs while this hello reads from the database
            overtaken.append(True)
            with Session(database(app).engine) as session:
                change(session)
            publisher.publish_once()
        return real_board(*args, **kwargs)

    monkeypatch.setattr(queue, "current_board", board_then_publish)
    client.emit("hello", {"held": {"manifest": {"seq": held["seq"], "version": held["version"]}}}, namespace="/screen")
    assert overtaken, "the hello read no board: the test no longer overtakes it"
    return client, held


def test_a_change_published_during_a_hello_reaches_the_screen(
    app: Flask, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, held = hello_overtaken_by(app, world, monkeypatch, lambda s: add_vacancy(s, world, "养老护理员（夜班）"))
    received = manifests(client)
    assert received, "the push went to the group's room before the hello joined it, and the hello sent nothing"
    newest = received[-1]
    assert newest["seq"] > held["seq"] and newest["version"] != held["version"]
    assert "养老护理员（夜班）" in {item.get("title") for item in newest["manifest"]["items"].values()}


def test_an_emergency_that_moves_the_screen_during_its_hello_reaches_it(
    app: Flask, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, held = hello_overtaken_by(
        app, world, monkeypatch, lambda s: add_emergency(s, world, "紧急疏散演练", seconds=60, org_id=world.province_id)
    )
    received = manifests(client)
    assert received, "the emergency went to the old group's room before the hello joined it"
    assert "紧急疏散演练" in json.dumps(received[-1]["manifest"], ensure_ascii=False)


@pytest.fixture
def two_processes(tmp_path: Path, database_url: str, own_redis: StoppableRedis) -> Iterator[tuple[Flask, Flask, str]]:
    """The leader (publishes) and another process (serves the screen), sharing the database and Redis."""
    leader = make_app(tmp_path / "leader", database_url, message_queue_url=own_redis.url)
    other = make_app(tmp_path / "other", database_url, message_queue_url=own_redis.url)
    with app_in_thread(other) as url:
        yield leader, other, url
    for app in (leader, other):
        database(app).engine.dispose()


def test_a_push_from_the_leader_during_a_hello_on_another_process_reaches_the_screen(
    two_processes: tuple[Flask, Flask, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    leader, other, url = two_processes
    with Session(database(leader).engine) as session:
        world = build_world(session)
    runtime(leader).publisher.publish_once()
    first = ScreenClient(url, world.wall_keys[0]).connect()
    try:
        wait_for(lambda: first.welcomes, DEADLINE, "the first connection's welcome")
        held = first.received[-1]
    finally:
        first.close()
    manager = runtime(other).socketio.server.manager
    queue = runtime(other).queue
    real_board = queue.current_board
    overtaken: list[bool] = []

    def board_while_the_leader_publishes(*args: Any, **kwargs: Any) -> dict[str, Any]:
        if not overtaken:
            overtaken.append(True)
            with Session(database(leader).engine) as session:
                add_vacancy(session, world, "叉车司机（夜班）")
            runtime(leader).publisher.publish_once()
            # The push has come through Redis to this process's rooms before the hello joined its group's.
            wait_for(lambda: manager.newest_manifest_seq > held["seq"], DEADLINE, "the leader's push to arrive")
        return real_board(*args, **kwargs)

    monkeypatch.setattr(queue, "current_board", board_while_the_leader_publishes)
    client = ScreenClient(url, world.wall_keys[0], held=held).connect()
    try:
        wait_for(lambda: client.welcomes, DEADLINE, "welcome")
        assert overtaken, "the hello read no board: the test no longer overtakes it"
        wait_for(lambda: "叉车司机（夜班）" in client.titles(), DEADLINE, "the vacancy the leader pushed mid-hello")
    finally:
        client.close()
