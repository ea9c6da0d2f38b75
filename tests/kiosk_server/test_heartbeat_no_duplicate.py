"""A heartbeat that arrives while a push is on its way gets no second copy; one that comes after the grace does."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from kiosk_server import manifests
from kiosk_server.database import database
from kiosk_server.screen_namespace import PUSH_GRACE_SECONDS
from kiosk_server.settings_access import runtime
from tests.support.world import World, add_vacancy, build_world


class Time:
    """Stands in for the ``time`` module in ``kiosk_server.manifests``: a monotonic clock moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def world(app: Flask) -> World:
    with Session(database(app).engine) as session:
        return build_world(session)


@pytest.fixture
def book_time(monkeypatch: pytest.MonkeyPatch) -> Time:
    """The clock by which the book says how long a version has been current."""
    fake = Time()
    monkeypatch.setattr(manifests, "time", fake)
    return fake


def received(client: Any, name: str) -> list[Any]:
    return [e["args"][0] for e in client.get_received("/screen") if e["name"] == name]


def greeted(app: Flask, key: str) -> tuple[Any, dict[str, Any]]:
    client = runtime(app).socketio.test_client(app, namespace="/screen", auth={"key": key})
    client.emit("hello", {"held": {}}, namespace="/screen")
    [manifest] = received(client, "manifest")
    return client, manifest


def the_screen(app: Flask) -> int:
    [connected] = runtime(app).screens.connected_screens()
    return connected


def beat(client: Any, version: str) -> None:
    client.emit("heartbeat", {"showing": {"manifest": version}}, namespace="/screen")


def test_a_beat_showing_the_old_version_right_after_a_change_gets_nothing_and_one_after_the_grace_gets_it(
    app: Flask, world: World, book_time: Time
) -> None:
    client, old = greeted(app, world.wall_keys[0])
    with Session(database(app).engine) as session:
        add_vacancy(session, world, "养老护理员")

    beat(client, old["version"])  # the push of the new version is on its way (nothing publishes here)
    assert received(client, "manifest") == []
    found = runtime(app).book.current().for_screen(the_screen(app))
    assert found is not None and found[1].version != old["version"], "the beat's check did see the new version"

    book_time.now += PUSH_GRACE_SECONDS  # the push was lost after all
    beat(client, old["version"])
    [resent] = received(client, "manifest")
    assert resent["version"] == found[1].version and resent["seq"] > old["seq"]


def test_after_a_message_queue_outage_screens_get_what_they_lack_at_once_grace_or_not(
    app: Flask, world: World, book_time: Time
) -> None:
    client, old = greeted(app, world.wall_keys[0])
    beat(client, old["version"])
    with Session(database(app).engine) as session:
        add_vacancy(session, world, "育婴员")

    assert runtime(app).screens.repair_all() == 1  # the version is brand new: its push was lost with Redis
    [resent] = received(client, "manifest")
    assert resent["version"] != old["version"]
