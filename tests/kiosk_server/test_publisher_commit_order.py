"""The publisher follows commits, not ids: a change that commits late still reaches every wall (issue 17).

On PostgreSQL ids are handed out before commit, so an outbox row with a lower id can commit after a
higher one was published. Rows are numbered after they commit (``content/outbox.py``), and the
revision screens compare is that number.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from content import outbox
from content.outbox import OutboxEvent
from kiosk_server.database import database, make_engine, upgrade_schema
from kiosk_server.settings_access import runtime
from tests.conftest import make_app
from tests.support.outbox_race import STEP_SECONDS, Wall, stage_vacancy
from tests.support.server import wait_for
from tests.support.world import World, build_world


@dataclass
class Hall:
    app: Flask
    engine: Engine
    world: World
    wall: Wall


@pytest.fixture
def pg_hall(tmp_path: Path, postgres_url: str) -> Iterator[Hall]:
    app = make_app(tmp_path, postgres_url)
    engine = database(app).engine
    with Session(engine) as session:
        world = build_world(session, vacancies=1)
    wall = Wall(app, world.wall_keys[0])
    try:
        yield Hall(app, engine, world, wall)
    finally:
        wall.close()
        runtime(app).publisher.stop()  # gives the leader lock's connection back
        engine.dispose()


def row(engine: Engine, outbox_id: int) -> OutboxEvent:
    with Session(engine) as session:
        found = session.get(OutboxEvent, outbox_id)
        assert found is not None, f"outbox row {outbox_id} is not committed"
        return found


@pytest.mark.postgres
def test_a_change_committed_after_a_later_one_was_published_still_reaches_the_wall(pg_hall: Hall) -> None:
    publisher = runtime(pg_hall.app).publisher
    publisher.publish_once()
    pg_hall.wall.take()
    slow, fast = Session(pg_hall.engine), Session(pg_hall.engine)
    try:
        slow_id = stage_vacancy(slow, pg_hall.world, "慢事务的岗位")
        fast_id = stage_vacancy(fast, pg_hall.world, "快事务的岗位")
        assert slow_id < fast_id, "the slow transaction holds the lower id"
        fast.commit()

        publisher.publish_once()
        [first] = pg_hall.wall.take()
        assert "快事务的岗位" in pg_hall.wall.titles() and "慢事务的岗位" not in pg_hall.wall.titles()
        assert row(pg_hall.engine, fast_id).published_at is not None

        slow.commit()
        assert row(pg_hall.engine, slow_id).published_at is None, "not marked before it was published"
        publisher.publish_once()
        [second] = pg_hall.wall.take()
        assert second["seq"] > first["seq"], "a wall drops a payload whose seq is not newer"
        assert {"快事务的岗位", "慢事务的岗位"} <= pg_hall.wall.titles()
        late, early = row(pg_hall.engine, slow_id), row(pg_hall.engine, fast_id)
        assert late.published_at is not None
        assert (early.seq, late.seq) == (first["seq"], second["seq"]), "numbered in commit order, not id order"
    finally:
        slow.close()
        fast.close()


@pytest.mark.postgres
def test_a_numbering_that_waited_for_another_leaves_no_empty_revision(pg_hall: Hall) -> None:
    with Session(pg_hall.engine) as session:
        stage_vacancy(session, pg_hall.world, "待编号的岗位")
        session.commit()
    first = Session(pg_hall.engine)
    waited: dict[str, int] = {}

    def number_after_first() -> None:
        with Session(pg_hall.engine) as second:
            waited["pid"] = int(second.scalar(text("SELECT pg_backend_pid()")) or 0)
            waited["revision"] = outbox.number_committed(second)
            second.commit()

    try:
        taken = outbox.number_committed(first)  # holds the head's lock until it commits
        thread = threading.Thread(target=number_after_first)
        thread.start()
        wait_for(
            lambda: (
                "pid" in waited
                and first.scalar(
                    text("SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = :pid"),
                    {"pid": waited["pid"]},
                )
            ),
            STEP_SECONDS,
            "the second numbering to wait for the head's lock",
        )
        first.commit()
        thread.join(STEP_SECONDS)
        assert waited["revision"] == taken, "the rows were numbered by the first: nothing new to number"
        with Session(pg_hall.engine) as session:
            assert outbox.revision(session) == taken
    finally:
        first.close()


def test_numbers_continue_from_the_ids_so_walls_holding_an_old_seq_accept_the_next(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        upgrade_schema(engine, "0013")
        with engine.begin() as connection:
            for topic in ("content", "content", "transition"):
                connection.execute(
                    text("INSERT INTO outbox (created_at, topic, payload) VALUES (CURRENT_TIMESTAMP, :t, '{}')"),
                    {"t": topic},
                )
        upgrade_schema(engine)
        with Session(engine) as session:
            old = session.execute(select(OutboxEvent.id, OutboxEvent.seq).order_by(OutboxEvent.id)).all()
            assert [seq for _, seq in old] == [id_ for id_, _ in old]
            newest = old[-1][0]
            assert outbox.revision(session) == newest, "the revision walls hold today: the newest id"
            outbox.add_event(session, "content", kind="vacancy", action="created")
            session.commit()
            assert outbox.number_committed(session) == newest + 1
            session.commit()
    finally:
        engine.dispose()
