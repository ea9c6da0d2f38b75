"""Slow and fast commits interleaved with publisher rounds: every committed change is published, in order.

Each writer is a real transaction on its own connection and thread; the schedule (which stages,
commits, rolls back or publishes next) is drawn by Hypothesis and driven from the test thread, so
every example is reproducible. On SQLite a transaction holds the write lock from its first write
to its commit, so no round or other writer can run in between: there, a transaction stages and
ends in one step of the schedule.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from content import outbox
from content.outbox import OutboxEvent
from kiosk_server.database import database
from kiosk_server.settings_access import runtime
from tests.conftest import make_app
from tests.support.outbox_race import Wall, Writer
from tests.support.world import World, build_world

ROUND = -1  # a publisher round in a schedule; other entries name a transaction


@dataclass
class Hall:
    app: Flask
    engine: Engine
    world: World
    wall: Wall
    serial: bool  # SQLite: one writing transaction at a time
    titles: Iterator[int] = field(default_factory=itertools.count)
    revisions: list[int] = field(default_factory=list)  # after every round, in order


@pytest.fixture
def hall(tmp_path: Path, database_url: str) -> Iterator[Hall]:
    app = make_app(tmp_path, database_url)
    engine = database(app).engine
    with Session(engine) as session:
        world = build_world(session, vacancies=1)
    wall = Wall(app, world.wall_keys[0])
    try:
        yield Hall(app, engine, world, wall, serial=engine.dialect.name == "sqlite")
    finally:
        wall.close()
        runtime(app).publisher.stop()  # gives the leader lock's connection back
        engine.dispose()


@st.composite
def schedules(draw: st.DrawFn) -> tuple[list[int], list[bool]]:
    """A schedule: each transaction appears twice (stage, then commit or roll back), rounds between.

    Transactions stage in order; each ends right after the stage of itself or of one up to three
    places later (a slow one commits after those staged after it, the later-staged ending first),
    and a publisher round may follow any end.
    """
    count = draw(st.integers(min_value=2, max_value=4))
    commits = draw(st.lists(st.booleans(), min_size=count, max_size=count).filter(any))
    ends_after = [min(count - 1, t + draw(st.sampled_from([1, 0, 2, 3]))) for t in range(count)]
    steps: list[int] = []
    for staged in range(count):
        steps.append(staged)
        for t in sorted((t for t in range(count) if ends_after[t] == staged), reverse=True):
            steps.append(t)
            if draw(st.sampled_from([True, False])):
                steps.append(ROUND)
    return steps, commits


def publish_and_check(hall: Hall, committed: dict[int, str]) -> None:
    """One publisher round; then every committed change is covered, published and on the wall."""
    runtime(hall.app).publisher.publish_once()
    hall.wall.take()
    with Session(hall.engine) as session:
        revision = outbox.revision(session)
        rows = session.scalars(select(OutboxEvent).where(OutboxEvent.id.in_(committed)))
        for row in rows:
            assert row.seq is not None and row.seq <= revision, f"{committed[row.id]} committed but not covered"
            assert row.published_at is not None, f"{committed[row.id]} covered but not marked"
        unpublished_but_covered = session.scalars(
            select(OutboxEvent.id).where(OutboxEvent.published_at.is_(None), OutboxEvent.seq <= revision)
        ).all()
        assert unpublished_but_covered == []
    assert hall.revisions == [] or revision >= hall.revisions[-1], "the revision went backwards"
    hall.revisions.append(revision)
    assert set(committed.values()) <= hall.wall.titles(), "a committed change is missing from the wall"
    assert hall.wall.seqs == sorted(set(hall.wall.seqs)), "the wall got a seq that was not newer"


@settings(
    # 12 in the suite; KIOSK_PROPERTY_EXAMPLES=1000 (and KIOSK_PROPERTY_RANDOM=1 for new schedules each
    # run) for the 1,000-run target, recorded in docs/benchmarks.md.
    max_examples=int(os.environ.get("KIOSK_PROPERTY_EXAMPLES", "12")),
    derandomize=os.environ.get("KIOSK_PROPERTY_RANDOM") != "1",
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@example(schedule=([0, 1, 1, ROUND, 0], [True, True]))  # the slow one holds the lower id: issue 17
@given(schedule=schedules())
def test_every_committed_change_is_published_and_revisions_never_go_back(
    hall: Hall, schedule: tuple[list[int], list[bool]]
) -> None:
    steps, commits = schedule
    if hall.serial:  # stage each transaction where it ends: SQLite lets no one write in between
        steps = [s for i, s in enumerate(steps) if s == ROUND or s in steps[i + 1 :]]
    writers: dict[int, Writer] = {}
    committed: dict[int, str] = {}  # outbox id -> vacancy title, for changes committed in this example
    try:
        for step in steps:
            if step == ROUND:
                publish_and_check(hall, committed)
            elif step not in writers:
                writers[step] = Writer(hall.engine, hall.world, f"岗位{next(hall.titles)}")
                writers[step].stage()
                if hall.serial:
                    step_end(writers[step], commits[step], committed)
            elif not hall.serial:
                step_end(writers[step], commits[step], committed)
        publish_and_check(hall, committed)
    finally:
        for writer in writers.values():
            writer.close()


def step_end(writer: Writer, commit: bool, committed: dict[int, str]) -> None:
    if commit:
        writer.commit()
        assert writer.outbox_id is not None
        committed[writer.outbox_id] = writer.title
    else:
        writer.rollback()
