"""The screen directory: known keys from memory, and no key accepted once its change is a check old, in any process."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine, delete, event, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from content import outbox
from content.org.screens import Screen
from kiosk_server import screen_directory
from kiosk_server.database import database
from kiosk_server.screen_directory import REVISION_CHECK_SECONDS, ScreenDirectory
from kiosk_server.settings_access import runtime
from tests.conftest import make_app
from tests.kiosk_server.api_factories import Api
from tests.support.server import wait_for
from tests.support.world import World, add_vacancy, build_world

BURST = 200
# A revision check (two statements, or up to four when it numbers rows that just committed) and one read of every screen.
HANDFUL = 5


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def next_check(self) -> None:
        self.now += REVISION_CHECK_SECONDS


@pytest.fixture
def world(app: Flask) -> World:
    with Session(database(app).engine) as session:
        return build_world(session)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def directory(app: Flask, clock: Clock) -> ScreenDirectory:
    return ScreenDirectory(database(app), monotonic=clock)


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    """Every SQL statement sent on ``engine`` inside the block."""
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", record)


def screen_reads(sent: list[str]) -> int:
    return sum(1 for statement in sent if "FROM screens" in statement)


def add_screens(app: Flask, world: World, count: int) -> list[str]:
    with Session(database(app).engine) as session:
        screens = [Screen(hall_id=world.hall_id, name=f"窗口屏{n}", kind="counter") for n in range(count)]
        session.add_all(screens)
        session.commit()
        return [s.key for s in screens]


def screen_id(app: Flask, key: str) -> int:
    with Session(database(app).engine) as session:
        found = session.scalar(select(Screen.id).where(Screen.key == key))
        assert found is not None
        return found


@pytest.fixture
def other_process(tmp_path: Path, database_url: str, world: World) -> Iterator[Api]:
    """The REST API of a second app on the same database: nothing in this process hears of its changes."""
    other = make_app(tmp_path / "other", database_url)
    yield Api(other.test_client(), {"Authorization": "Bearer test-token"})
    database(other).engine.dispose()


def test_known_keys_are_answered_from_memory_after_one_read_of_every_screen(
    app: Flask, world: World, directory: ScreenDirectory, clock: Clock
) -> None:
    keys = [*world.wall_keys, world.led_key, world.other_wall_key, *add_screens(app, world, BURST - 4)]
    with statements(database(app).engine) as sent:
        found = [directory.find(key) for key in keys]
    assert all(f is not None for f in found) and len({f.id for f in found if f}) == BURST
    assert screen_reads(sent) == 1, "one read of every screen, not one per key"
    assert len(sent) <= HANDFUL, sent

    clock.next_check()
    with statements(database(app).engine) as sent:
        assert all(directory.find(key) is not None for key in keys)
    assert screen_reads(sent) == 0 and len(sent) <= 2, "a later burst costs one revision check"


def test_welcome_facts_are_the_screens_and_its_halls(app: Flask, world: World, directory: ScreenDirectory) -> None:
    led = directory.find(world.led_key)
    assert led is not None
    assert led.welcome() == {
        "id": screen_id(app, world.led_key),
        "name": "门口LED屏",
        "kind": "wall",
        "panel": "led",
        "width": 768,
        "height": 384,
        "orientation": "landscape",
        "low_resolution": True,
        "hall": {"id": world.hall_id, "name": "城关区公共就业服务中心", "timezone": "Asia/Shanghai"},
    }
    wall = directory.find(world.wall_keys[0])
    assert wall is not None and wall.low_resolution is False


def test_a_screen_deleted_through_another_process_is_refused_from_the_next_check(
    app: Flask, world: World, directory: ScreenDirectory, clock: Clock, other_process: Api
) -> None:
    key = world.wall_keys[0]
    assert directory.find(key) is not None
    other_process.delete(f"screens/{screen_id(app, key)}")
    clock.next_check()
    assert directory.find(key) is None
    assert directory.find(world.wall_keys[1]) is not None, "the other screens are still known"


def test_a_screen_moved_or_renamed_through_the_api_is_welcomed_as_it_is_now(
    app: Flask, world: World, directory: ScreenDirectory, clock: Clock, other_process: Api
) -> None:
    key = world.wall_keys[0]
    ident = screen_id(app, key)
    assert directory.find(key) is not None
    other_process.patch(f"screens/{ident}", {"hall_id": world.other_hall_id, "name": "搬走的屏"})
    other_process.patch(f"halls/{world.other_hall_id}", {"name": "天水市人力资源市场（新址）"})
    clock.next_check()
    moved = directory.find(key)
    assert moved is not None and moved.name == "搬走的屏"
    assert (moved.hall.id, moved.hall.name) == (world.other_hall_id, "天水市人力资源市场（新址）")
    other = directory.find(world.other_wall_key)
    assert other is not None and other.hall.name == "天水市人力资源市场（新址）", "the hall's other screens too"


def test_a_changed_key_is_refused_and_the_new_one_accepted(
    app: Flask, world: World, directory: ScreenDirectory, clock: Clock
) -> None:
    old = world.wall_keys[0]
    ident = screen_id(app, old)
    assert directory.find(old) is not None
    new = secrets.token_urlsafe(18)
    # The API has no way to change a key: a writer that does must commit an outbox row with it, as every change does.
    with Session(database(app).engine) as session:
        session.execute(update(Screen).where(Screen.id == ident).values(key=new))
        outbox.add_event(session, "content", kind="screen", id=ident, action="updated")
        session.commit()
    clock.next_check()
    assert directory.find(old) is None
    found = directory.find(new)
    assert found is not None and found.id == ident


def test_a_new_screen_is_found_at_once_without_waiting_for_a_check(
    app: Flask, world: World, directory: ScreenDirectory, other_process: Api
) -> None:
    assert directory.find(world.wall_keys[0]) is not None  # every screen read, and the check is fresh
    created = other_process.post("screens", {"hall_id": world.hall_id, "name": "新装的屏"})
    found = directory.find(created["key"])
    assert found is not None and found.id == created["id"]


def test_unknown_keys_cost_one_query_each_and_are_not_remembered(
    app: Flask, world: World, directory: ScreenDirectory
) -> None:
    assert directory.find(world.wall_keys[0]) is not None
    held = len(directory)
    with statements(database(app).engine) as sent:
        for _ in range(50):
            assert directory.find(secrets.token_urlsafe(18)) is None
    assert len(sent) == 50
    assert len(directory) == held, "nothing is kept for a key no screen has"


def test_content_changes_keep_what_is_known_and_other_changes_empty_it(
    app: Flask, world: World, directory: ScreenDirectory, clock: Clock
) -> None:
    assert directory.find(world.wall_keys[0]) is not None
    with Session(database(app).engine) as session:
        add_vacancy(session, world, "叉车司机")
    clock.next_check()
    with statements(database(app).engine) as sent:
        assert directory.find(world.wall_keys[0]) is not None
    assert screen_reads(sent) == 0, "a vacancy changes no screen"

    for kind in ("org_unit", "screen_group", "something_new"):
        with Session(database(app).engine) as session:
            outbox.add_event(session, "content", kind=kind, id=1, action="updated")
            session.commit()
        clock.next_check()
        with statements(database(app).engine) as sent:
            assert directory.find(world.wall_keys[0]) is not None
        assert screen_reads(sent) == 1, f"a {kind} change: everything is read again"


def test_more_changes_than_it_reads_empty_it(
    app: Flask, world: World, directory: ScreenDirectory, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(screen_directory, "MAX_CHANGES_READ", 3)
    assert directory.find(world.wall_keys[0]) is not None
    with Session(database(app).engine) as session:
        for n in range(4):
            add_vacancy(session, world, f"焊工{n}")
    clock.next_check()
    with statements(database(app).engine) as sent:
        assert directory.find(world.wall_keys[0]) is not None
    assert screen_reads(sent) == 1


# -- through the /screen namespace ------------------------------------------------------------------------


def connect(app: Flask, key: str) -> Any:
    return runtime(app).socketio.test_client(app, namespace="/screen", auth={"key": key})


def test_a_burst_of_connects_of_known_keys_costs_a_handful_of_queries(
    app: Flask, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One revision check for the whole burst, however long this machine takes over it (the period has its test above).
    monkeypatch.setattr(screen_directory, "REVISION_CHECK_SECONDS", 3600.0)
    keys = [*world.wall_keys, world.led_key, world.other_wall_key, *add_screens(app, world, BURST - 4)]
    with statements(database(app).engine) as sent:
        clients = [connect(app, key) for key in keys]
    try:
        assert all(c.is_connected("/screen") for c in clients)
        assert runtime(app).screens.connected_screens() == {screen_id(app, key) for key in keys}
    finally:
        for c in clients:
            c.disconnect(namespace="/screen")
    assert len(sent) <= HANDFUL, sent


def test_a_deleted_screen_can_no_longer_connect(app: Flask, world: World, api: Api) -> None:
    key = world.wall_keys[0]
    first = connect(app, key)
    assert first.is_connected("/screen")
    first.disconnect(namespace="/screen")
    api.delete(f"screens/{screen_id(app, key)}")

    def refused() -> bool:
        client = connect(app, key)
        connected = bool(client.is_connected("/screen"))
        if connected:
            client.disconnect(namespace="/screen")
        return not connected

    wait_for(refused, 5, "the deleted screen's key to be refused")
    assert connect(app, world.wall_keys[1]).is_connected("/screen")


def test_while_revision_checks_fail_keys_are_read_from_the_database(
    app: Flask, world: World, directory: ScreenDirectory, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert directory.find(world.wall_keys[0]) is not None
    attempts: list[int] = []

    def locked_out(_session: Session) -> int:  # the outbox locked past the lock timeout
        attempts.append(1)
        raise OperationalError("UPDATE outbox_head", {}, Exception("lock timeout"))

    ident = screen_id(app, world.wall_keys[0])
    monkeypatch.setattr(outbox, "number_committed", locked_out)
    with Session(database(app).engine) as session:
        session.execute(delete(Screen).where(Screen.id == ident))
        outbox.add_event(session, "content", kind="screen", id=ident, action="deleted")
        session.commit()
    clock.next_check()
    assert directory.find(world.wall_keys[0]) is None, "no check: the deleted screen is not answered from memory"
    assert directory.find(world.wall_keys[1]) is not None
    assert len(attempts) == 1, "a failed check is not tried again for every connect"
    clock.next_check()
    assert directory.find(world.wall_keys[1]) is not None
    assert len(attempts) == 2
