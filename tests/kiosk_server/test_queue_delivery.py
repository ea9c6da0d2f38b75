"""The queue board stream on /screen: snapshot on hello, a push to the hall's room after each commit."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session

from content.queue.setup import add_counter, add_service_type
from content.queue.ticketing import call_next, recall, take_ticket
from kiosk_server.database import database
from kiosk_server.settings_access import runtime
from tests.support.world import World, build_world


@dataclass
class Queue:
    world: World
    line_id: int
    counter_id: int


@pytest.fixture
def queue(app: Flask) -> Queue:
    with Session(database(app).engine) as session:
        world = build_world(session, vacancies=1)
        line = add_service_type(session, world.hall_id, prefix="A", name="社保业务")
        counter = add_counter(session, world.hall_id, number=5, services=[line])
        session.commit()
        return Queue(world, line.id, counter.id)


def change(app: Flask, operation: Any, *args: Any) -> Any:
    """Run one queue operation in the app's own session factory (whose commits the publisher hears)."""
    with database(app).session() as session:
        result = operation(session, *args, runtime(app).clock())
        session.commit()
        return result


def screen(app: Flask, key: str, held: dict[str, Any] | None = None) -> Any:
    client = runtime(app).socketio.test_client(app, namespace="/screen", auth={"key": key})
    client.emit("hello", {"held": held or {}}, namespace="/screen")
    return client


def boards(client: Any) -> list[dict[str, Any]]:
    return [e["args"][0] for e in client.get_received("/screen") if e["name"] == "queue_board"]


def test_hello_gets_the_hall_board_as_a_snapshot(app: Flask, queue: Queue) -> None:
    change(app, take_ticket, queue.line_id)
    [board] = boards(screen(app, queue.world.wall_keys[0]))
    assert board["hall_id"] == queue.world.hall_id
    assert board["services"][0]["waiting"] == 1
    assert board["version"] == 1


def test_hello_holding_the_current_version_gets_no_board(app: Flask, queue: Queue) -> None:
    change(app, take_ticket, queue.line_id)
    assert boards(screen(app, queue.world.wall_keys[0], {"queue": {"version": 1}})) == []


def test_a_committed_call_is_pushed_to_every_screen_of_the_hall_only(app: Flask, queue: Queue) -> None:
    change(app, take_ticket, queue.line_id)
    wall = screen(app, queue.world.wall_keys[0])
    elsewhere = screen(app, queue.world.other_wall_key)
    boards(wall), boards(elsewhere)
    change(app, call_next, queue.counter_id)
    assert runtime(app).queue.publish_once(sweep=False) == 1
    [pushed] = boards(wall)
    assert pushed["calls"][0]["ticket"] == "A001" and pushed["calls"][0]["counter"] == 5
    assert pushed["version"] == 2
    assert all(b["hall_id"] != queue.world.hall_id for b in boards(elsewhere))


def test_a_recall_is_marked_on_the_board(app: Flask, queue: Queue) -> None:
    change(app, take_ticket, queue.line_id)
    change(app, call_next, queue.counter_id)
    change(app, recall, queue.counter_id)
    runtime(app).queue.publish_once(sweep=False)
    [board] = boards(screen(app, queue.world.wall_keys[0]))
    assert [(c["ticket"], c["recall"]) for c in board["calls"]] == [("A001", True), ("A001", False)]


def test_the_leader_sweep_pushes_a_change_another_process_committed(app: Flask, queue: Queue) -> None:
    wall = screen(app, queue.world.wall_keys[0])
    boards(wall)
    runtime(app).queue.publish_once(sweep=True)  # what it has emitted so far
    boards(wall)
    # A plain Session is not the app's factory: like another process, its commit is not heard here.
    with Session(database(app).engine) as session:
        take_ticket(session, queue.line_id, runtime(app).clock())
        session.commit()
    assert runtime(app).queue.publish_once(sweep=False) == 0
    assert runtime(app).queue.publish_once(sweep=True) == 1
    [board] = boards(wall)
    assert board["services"][0]["waiting"] == 1


def test_a_rolled_back_change_publishes_nothing(app: Flask, queue: Queue) -> None:
    runtime(app).queue.publish_once(sweep=True)
    with database(app).session() as session:
        take_ticket(session, queue.line_id, runtime(app).clock())
        session.rollback()
    assert runtime(app).queue.publish_once(sweep=False) == 0


def test_hellos_of_screens_that_joined_before_a_version_read_share_it(app: Flask, queue: Queue) -> None:
    # A screen is in its hall's room from its connect: a board committed after a read that began
    # later reaches it as a push, so its hello may use that read (a connect storm: one read, not one each).
    change(app, take_ticket, queue.line_id)
    reads: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "FROM queue_boards" in statement and "WHERE" not in statement:
            reads.append(statement)

    engine = database(app).engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        first = screen(app, queue.world.wall_keys[0])
        assert boards(first)[0]["version"] == 1
        read_so_far = len(reads)
        joined = time.monotonic()
        time.sleep(0.01)  # a read that begins strictly later
        queue_pub = runtime(app).queue
        assert queue_pub.current_board(queue.world.hall_id, seen_after=joined)["version"] == 1
        assert len(reads) == read_so_far + 1
        for _ in range(5):
            assert queue_pub.current_board(queue.world.hall_id, seen_after=joined)["version"] == 1
        assert len(reads) == read_so_far + 1, "hellos that joined before the read share it"
        change(app, call_next, queue.counter_id)  # committed after the read: a later join must see it
        later = time.monotonic()
        assert queue_pub.current_board(queue.world.hall_id, seen_after=later)["version"] == 2
        assert len(reads) == read_so_far + 2
    finally:
        event.remove(engine, "before_cursor_execute", note)


def test_a_storm_of_one_halls_hellos_computes_its_board_once(
    app: Flask, queue: Queue, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every hello of a hall's screens that finds no current board used to compute one, each on a
    # database connection of its own: a restart's storm of 4 processes ran PostgreSQL out of
    # connections. Now the first computes and the others wait for it and take its board.
    import kiosk_server.queue_publisher as module

    change(app, take_ticket, queue.line_id)
    queue_pub = runtime(app).queue
    hellos = 8
    computed: list[int] = []
    looked = threading.Semaphore(0)
    release = threading.Event()
    real_board_state, real_current = module.board_state, queue_pub._current

    def slow_board_state(*args: Any) -> dict[str, Any]:
        computed.append(1)
        assert release.wait(30), "the test never released the computation"
        return real_board_state(*args)

    def counted_current(*args: Any) -> dict[str, Any] | None:
        found = real_current(*args)
        looked.release()
        return found

    monkeypatch.setattr(module, "board_state", slow_board_state)
    monkeypatch.setattr(queue_pub, "_current", counted_current)
    joined = time.monotonic()
    results: list[int] = []
    threads = [
        threading.Thread(
            target=lambda: results.append(queue_pub.current_board(queue.world.hall_id, seen_after=joined)["version"])
        )
        for _ in range(hellos)
    ]
    for thread in threads:
        thread.start()
    for _ in range(hellos):  # every hello has looked for a current board (and found none) ...
        assert looked.acquire(timeout=30)
    release.set()  # ... before the first computation ends
    for thread in threads:
        thread.join(30)
    assert results == [1] * hellos
    assert len(computed) == 1
