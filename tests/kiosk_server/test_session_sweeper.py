"""The session sweeper with several server processes: every expired session is ended and announced once."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from content.citizens.records import CardIdentity, CardSource, PersonRecord
from content.citizens.sessions import CitizenSession, open_session
from content.org.screens import Screen
from kiosk_server.database import Database
from kiosk_server.session_sweeper import SessionSweeper
from tests.support import migrated_schema
from tests.support.world import build_world

T0 = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
PERSON = PersonRecord(
    ref="demo:1",
    name="张三",
    sex_code="1",
    birth_date=date(1980, 1, 2),
    masked_id="620102********1234",
    region_code="620102",
)


class RecordingEvents:
    """Stands in for CitizenEvents: records ``ended`` calls; anything else fails loudly."""

    def __init__(self) -> None:
        self.ended_ids: list[int] = []

    def ended(self, sessions: list[CitizenSession]) -> None:
        self.ended_ids.extend(c.id for c in sessions)

    def __getattr__(self, name: str) -> None:
        raise AssertionError(f"the sweeper must not call CitizenEvents.{name}")


def test_two_processes_sweeping_at_once_end_each_session_exactly_once(database_url: str) -> None:
    dbs = [Database(database_url), Database(database_url)]
    try:
        migrated_schema.ready(dbs[0].engine)
        with dbs[0].session() as session:
            world = build_world(session, vacancies=1)
            kiosks = [Screen(hall_id=world.hall_id, name=f"自助终端{n}", kind="kiosk") for n in range(12)]
            session.add_all(kiosks)
            session.flush()
            for n, kiosk in enumerate(kiosks):
                open_session(
                    session,
                    kiosk,
                    PERSON,
                    CardIdentity(source=CardSource.SSC, reader_id="ssc-1"),
                    T0 + timedelta(seconds=n),
                    idle_seconds=60,
                    max_seconds=600,
                )
            session.commit()
        recorders = [RecordingEvents(), RecordingEvents()]
        sweepers = [SessionSweeper(db, rec, lambda: T0, 1.0) for db, rec in zip(dbs, recorders, strict=True)]  # type: ignore[arg-type]
        start = threading.Barrier(2)
        errors: list[BaseException] = []

        def sweep(sweeper: SessionSweeper, until: int) -> None:
            try:
                start.wait(timeout=10)
                for second in range(until):
                    sweeper.sweep_once(T0 + timedelta(seconds=60 + second))
            except BaseException as err:  # noqa: BLE001 - reported below
                errors.append(err)

        threads = [threading.Thread(target=sweep, args=(s, 12)) for s in sweepers]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert not errors, errors
        first, second = (set(r.ended_ids) for r in recorders)
        assert not first & second, "a session announced by both processes"
        assert len(first | second) == 12 == len(recorders[0].ended_ids) + len(recorders[1].ended_ids)
        with Session(dbs[0].engine) as session:
            rows = session.scalars(select(CitizenSession)).all()
            assert {(r.end_reason, r.ended_at is not None) for r in rows} == {("timeout", True)}
    finally:
        for db in dbs:
            db.engine.dispose()


def test_a_failing_sweep_is_retried_by_the_loop(database_url: str) -> None:
    db = Database(database_url)
    migrated_schema.ready(db.engine)
    calls = threading.Event()
    attempts: list[int] = []

    class Flaky(SessionSweeper):
        def sweep_once(self, now: datetime | None = None) -> list[CitizenSession]:
            attempts.append(1)
            if len(attempts) == 1:
                raise RuntimeError("database hiccup")
            calls.set()
            self.stop()
            return []

    sweeper = Flaky(db, RecordingEvents(), lambda: T0, 0.01)  # type: ignore[arg-type]
    runner = threading.Thread(target=sweeper.run)
    runner.start()
    try:
        assert calls.wait(timeout=10), "the loop gave up after one failure"
    finally:
        sweeper.stop()
        runner.join(timeout=10)
        db.engine.dispose()
    assert len(attempts) == 2
