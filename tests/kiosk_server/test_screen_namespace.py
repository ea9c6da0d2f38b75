"""The /screen namespace in-process: identification, snapshots, failed hellos, heartbeats, reserved event names."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from content.org.enrolment import revoke_screen
from content.org.screens import Screen, ScreenStatus
from kiosk_server import manifests, screen_directory, screen_namespace
from kiosk_server.database import database
from kiosk_server.events import group_room
from kiosk_server.settings_access import runtime
from tests.support.server import wait_for
from tests.support.world import World, add_vacancy, build_world


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
    app: Flask, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The version here is seconds old; the grace for pushes on their way: test_heartbeat_no_duplicate.py.
    monkeypatch.setattr(screen_namespace, "PUSH_GRACE_SECONDS", 0.0)
    client = connect(app, world.wall_keys[0])
    client.emit("hello", {"held": {}}, namespace="/screen")
    [manifest] = [e["args"][0] for e in client.get_received("/screen") if e["name"] == "manifest"]
    client.emit("heartbeat", {"showing": {"manifest": manifest["version"]}}, namespace="/screen")
    assert client.get_received("/screen") == []
    client.emit("heartbeat", {"showing": {"manifest": "a-version-whose-push-was-lost"}}, namespace="/screen")
    [again] = client.get_received("/screen")
    assert again["name"] == "manifest" and again["args"][0]["version"] == manifest["version"]


# -- a hello that fails, and reconciliation by heartbeat (docs/protocol.md §3, §5) ----------------------


class BookFails:
    """Stands in for ``ManifestBook.current``: raises ``times`` times (a lock timeout), then asks the real one."""

    def __init__(self, real: Any, times: int) -> None:
        self.real = real
        self.times = times
        self.calls = 0

    def __call__(self, *, force_check: bool = False) -> Any:
        self.calls += 1
        if self.calls <= self.times:
            raise OperationalError("SELECT seq FROM outbox_head", {}, Exception("lock timeout"))
        return self.real(force_check=force_check)


def fail_book(app: Flask, monkeypatch: pytest.MonkeyPatch, times: int) -> BookFails:
    book = runtime(app).book
    failing = BookFails(book.current, times)
    monkeypatch.setattr(book, "current", failing)
    return failing


def names(client: Any) -> list[str]:
    return [e["name"] for e in client.get_received("/screen")]


def test_a_failed_hello_is_answered_with_retry_after_and_joins_no_group(
    app: Flask, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = runtime(app).book.current().for_screen(world_screen_id(app, world.wall_keys[0]))
    assert found is not None
    group = found[0]
    fail_book(app, monkeypatch, times=1)
    client = connect(app, world.wall_keys[0])
    ack = client.emit("hello", {"held": {}}, namespace="/screen", callback=True)
    assert ack["ok"] is False and 0 < ack["retry_after"] <= 1.5
    assert names(client) == [], "no snapshot and no welcome from a hello that failed"
    runtime(app).socketio.emit("manifest", {"probe": True}, to=group_room(group), namespace="/screen")
    assert names(client) == [], "a failed hello leaves the screen out of its group's room"
    assert client.emit("hello", {"held": {}}, namespace="/screen", callback=True) == {"ok": True}
    assert names(client) == ["manifest", "queue_board", "welcome"]


def test_heartbeats_complete_a_failed_hello_no_faster_than_its_backoff(
    app: Flask, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    failing = fail_book(app, monkeypatch, times=1_000)  # a database that stays broken
    client = connect(app, world.wall_keys[0])
    client.emit("hello", {"held": {}}, namespace="/screen", callback=True)
    for _ in range(20):
        client.emit("heartbeat", {"showing": {"manifest": "v-old"}}, namespace="/screen")
    assert failing.calls == 1, "beats right after a failed hello must not run it again before its retry_after"
    failing.times = 0  # the database is back; the player never sends hello again, it only beats

    def welcomed() -> list[str]:
        client.emit("heartbeat", {"showing": {"manifest": "v-old"}}, namespace="/screen")
        return names(client)

    got = wait_for(welcomed, 5, "a heartbeat to complete the hello")
    assert got[-1] == "welcome" and "manifest" in got


def test_failed_hellos_log_one_line_without_a_traceback(
    app: Flask, world: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    fail_book(app, monkeypatch, times=1_000)
    clients = [connect(app, key) for key in [*world.wall_keys, world.led_key]]
    with caplog.at_level(logging.WARNING, logger="kiosk_server.screen_namespace"):
        for client in clients * 3:
            client.emit("hello", {"held": {}}, namespace="/screen", callback=True)
    lines = [r for r in caplog.records if r.name == "kiosk_server.screen_namespace"]
    assert len(lines) == 1 and lines[0].exc_info is None, [r.getMessage() for r in lines]
    assert "hello failed for screen" in lines[0].getMessage() and "lock timeout" in lines[0].getMessage()


def test_a_heartbeat_gets_a_change_that_this_process_snapshot_missed(
    app: Flask, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # This process's book trusts its last revision check for an hour: only the beat's own check can see the change.
    monkeypatch.setattr(manifests, "REVISION_CHECK_SECONDS", 3600.0)
    # Past the grace a push gets to arrive (test_heartbeat_no_duplicate.py): its loss is what is repaired here.
    monkeypatch.setattr(screen_namespace, "PUSH_GRACE_SECONDS", 0.0)
    client = connect(app, world.wall_keys[0])
    client.emit("hello", {"held": {}}, namespace="/screen")
    [shown] = events(client, "manifest")
    client.get_received("/screen")
    with Session(database(app).engine) as session:
        add_vacancy(session, world, "养老护理员（新）")
    client.emit("heartbeat", {"showing": {"manifest": shown["version"]}}, namespace="/screen")
    [fresh] = events(client, "manifest")
    assert fresh["version"] != shown["version"] and fresh["seq"] > shown["seq"]
    assert "养老护理员（新）" in {item.get("title") for item in fresh["manifest"]["items"].values()}


def test_beats_share_one_revision_check_within_half_the_grace(
    app: Flask, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(screen_namespace, "BEAT_CHECK_SECONDS", 3600.0)  # a slow machine changes nothing here
    client = connect(app, world.wall_keys[0])
    client.emit("hello", {"held": {}}, namespace="/screen")
    [shown] = events(client, "manifest")
    counting = fail_book(app, monkeypatch, times=0)
    for _ in range(20):
        client.emit("heartbeat", {"showing": {"manifest": shown["version"]}}, namespace="/screen")
    assert counting.calls == 1, "twenty beats, one revision check"
    monkeypatch.setattr(screen_namespace, "PUSH_GRACE_SECONDS", 0.0)  # no grace: nothing may be shared
    for _ in range(5):
        client.emit("heartbeat", {"showing": {"manifest": shown["version"]}}, namespace="/screen")
    assert counting.calls == 6


# -- reserved event names -----------------------------------------------------------------------------------


def test_a_client_emitting_reserved_event_names_runs_no_connect_or_disconnect(app: Flask, world: World) -> None:
    screens = runtime(app).screens
    client = connect(app, world.wall_keys[0])
    me = world_screen_id(app, world.wall_keys[0])
    other = world_screen_id(app, world.other_wall_key)
    client.emit("disconnect", namespace="/screen")
    client.emit("connect_error", {"message": "x"}, namespace="/screen")
    # With a second argument Flask-SocketIO would pass it to on_connect as the auth: another screen's key.
    client.emit("connect", {"key": world.other_wall_key}, {"key": world.other_wall_key}, namespace="/screen")
    assert screens.connected_screens() == {me}
    beat = runtime(app).beats.latest(me)
    assert beat is not None and beat.connected is True
    assert other not in {b for b, latest in runtime(app).beats.all_latest().items() if latest.connected}
    client.emit("hello", {"held": {}}, namespace="/screen")
    [welcome] = events(client, "welcome")
    assert welcome["screen"]["id"] == me
    client.disconnect(namespace="/screen")
    assert screens.connected_screens() == set(), "the real disconnect still runs"


def world_screen_id(app: Flask, key: str) -> int:
    with Session(database(app).engine) as session:
        found = session.scalar(select(Screen.id).where(Screen.key == key))
        assert found is not None
        return found


def test_after_a_message_queue_outage_each_screen_gets_what_it_lacks(app: Flask, world: World) -> None:
    behind, current = connect(app, world.wall_keys[0]), connect(app, world.wall_keys[1])
    for client in (behind, current):
        client.emit("hello", {"held": {}}, namespace="/screen")
    version = events(current, "manifest")[0]["version"]
    behind.emit("heartbeat", {"showing": {"manifest": "0000000000000000"}}, namespace="/screen")
    current.emit("heartbeat", {"showing": {"manifest": version}}, namespace="/screen")
    for client in (behind, current):
        client.get_received("/screen")

    assert runtime(app).screens.repair_all() == 1

    assert [e["name"] for e in behind.get_received("/screen")] == ["manifest", "queue_board"]
    assert [e["name"] for e in current.get_received("/screen")] == ["queue_board"]


def test_a_screen_key_with_a_nul_is_refused_like_an_unknown_one(
    app: Flask, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        client = connect(app, world.wall_keys[0] + "\x00")
    assert not client.is_connected("/screen")
    assert not [r for r in caplog.records if r.exc_info], "refused, not a database error"


def test_a_beat_of_a_revoked_screen_ends_its_connection(
    app: Flask, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Beats are handled without Flask's request context: the connection to end is the beat's own.
    monkeypatch.setattr(screen_directory, "REVISION_CHECK_SECONDS", 0.0)
    revoked, kept = connect(app, world.wall_keys[0]), connect(app, world.wall_keys[1])
    for client in (revoked, kept):
        client.emit("hello", {"held": {}}, namespace="/screen")
    with database(app).session() as session:
        screen = session.scalars(select(Screen).where(Screen.key == world.wall_keys[0])).one()
        revoke_screen(session, screen)
        session.commit()
    for client in (revoked, kept):
        client.emit("heartbeat", {"showing": {"manifest": "whatever"}}, namespace="/screen")
    assert not revoked.is_connected("/screen")
    assert kept.is_connected("/screen")
