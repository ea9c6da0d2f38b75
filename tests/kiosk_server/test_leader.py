"""Publisher leadership: a lease per deployment (database and schema), renewed or lost, fenced by its token."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from content import outbox
from kiosk_server.database import Database, make_engine
from kiosk_server.leader import LeaderLock
from kiosk_server.manifests import ManifestBook, Snapshot
from kiosk_server.publisher import Publisher
from tests.support import migrated_schema
from tests.support.server import wait_for


@pytest.fixture
def lease_engine(postgres_url: str) -> Iterator[Engine]:
    engine = make_engine(postgres_url)
    migrated_schema.ready(engine)
    yield engine
    engine.dispose()


def lease_row(engine: Engine) -> dict[str, Any]:
    with engine.connect() as conn:
        row = conn.execute(text("SELECT holder, token, expires_at FROM publisher_lease")).mappings().one()
        return dict(row)


def run_out(engine: Engine) -> None:
    """The holder stopped renewing long enough: its lease lies in the past, as the database's clock tells."""
    with engine.begin() as conn:
        conn.execute(text("UPDATE publisher_lease SET expires_at = clock_timestamp() - interval '1 second'"))


def unpublished(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM outbox WHERE published_at IS NULL")).scalar_one())


@pytest.mark.postgres
def test_one_leader_per_schema_and_each_schema_has_its_own(postgres_schemas) -> None:
    first_url, other_url = postgres_schemas(), postgres_schemas()
    engines = [make_engine(first_url), make_engine(first_url), make_engine(other_url)]
    for engine in (engines[0], engines[2]):
        migrated_schema.ready(engine)
    locks = [LeaderLock(e) for e in engines]
    try:
        assert locks[0].acquire() is True
        assert locks[1].acquire() is False, "a second process of the same deployment must stand by"
        assert locks[2].acquire() is True, "another deployment (schema) must publish on its own"
        assert locks[0].acquire() is True, "the holder keeps its lease"
        locks[0].release()
        assert locks[1].acquire() is True, "released, the lease passes to the standby at once"
    finally:
        for lock in locks:
            lock.release()
        for engine in engines:
            engine.dispose()


@pytest.mark.postgres
def test_renewing_extends_the_lease_under_the_same_token(lease_engine: Engine) -> None:
    lock = LeaderLock(lease_engine)
    assert lock.acquire() is True
    taken = lease_row(lease_engine)
    assert lock.acquire() is True
    renewed = lease_row(lease_engine)
    assert renewed["token"] == taken["token"] == lock.token
    assert renewed["expires_at"] > taken["expires_at"]
    assert renewed["holder"] == lock.holder


@pytest.mark.postgres
def test_a_lease_nobody_renews_runs_out_and_passes_on_with_a_larger_token(lease_engine: Engine) -> None:
    hung, standby = LeaderLock(lease_engine, lease_seconds=0.5), LeaderLock(lease_engine, lease_seconds=0.5)
    assert hung.acquire() is True
    first_token = hung.token
    assert standby.acquire() is False
    wait_for(standby.acquire, 5, "the standby to take the lease once the holder stopped renewing")
    assert first_token is not None and standby.token == first_token + 1, "every taking has a larger token"
    assert hung.held is False, "the old holder knows its lease ran out without asking anyone"
    assert hung.acquire() is False, "and cannot renew it, nor take it back from the new holder"
    assert lease_row(lease_engine)["holder"] == standby.holder


@pytest.mark.postgres
def test_a_write_under_a_stale_token_is_refused_and_under_the_current_one_goes_through(lease_engine: Engine) -> None:
    old, new = LeaderLock(lease_engine), LeaderLock(lease_engine)
    assert old.acquire() is True
    run_out(lease_engine)
    assert new.acquire() is True
    with Session(lease_engine) as session:
        outbox.add_event(session, "content", note="the old leader's late write")
        assert old.still_held(session) is False
        session.rollback()
    assert old.held is False and old.token is None, "refused once, the old holder stands by"
    with Session(lease_engine) as session:
        outbox.add_event(session, "content", note="the new leader's write")
        assert new.still_held(session) is True
        session.commit()
    assert unpublished(lease_engine) == 1


@pytest.mark.postgres
def test_a_process_stopped_inside_a_fenced_write_blocks_nobody_for_long(lease_engine: Engine) -> None:
    """The fence keeps the lease row locked until the write commits; a holder that freezes right there
    must not keep the lease forever: PostgreSQL ends its session when the lease would have run out."""
    frozen, standby = LeaderLock(lease_engine, lease_seconds=1), LeaderLock(lease_engine, lease_seconds=1)
    assert frozen.acquire() is True
    session = Session(lease_engine)
    try:
        assert frozen.still_held(session) is True  # ... and the process stops before its commit
        wait_for(standby.acquire, 10, "the standby to take the lease from a holder frozen mid-write")
        assert lease_row(lease_engine)["holder"] == standby.holder
        with pytest.raises(DBAPIError, match="idle-in-transaction"):
            session.commit()  # the frozen process wakes up: its write is gone with its session
    finally:
        session.close()


def test_sqlite_is_always_its_own_leader(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'k.sqlite3'}")
    lock = LeaderLock(engine)
    assert lock.acquire() is True
    assert lock.held is True
    with Session(engine) as session:
        assert lock.still_held(session) is True
    engine.dispose()


class RecordingSocketIO:
    """Takes the publisher's emits; anything else it is asked for is a mistake."""

    def __init__(self) -> None:
        self.emitted: list[tuple[str, str]] = []

    def emit(self, event: str, _payload: Any, *, to: str, namespace: str) -> None:
        self.emitted.append((event, to))


class TakeoverBook(ManifestBook):
    """A manifest book during whose computation another process takes the lease (this one stalled)."""

    def __init__(self, db: Database, clock: Callable[[], datetime], takeover: Callable[[], None]) -> None:
        super().__init__(db, clock)
        self._takeover = takeover

    def current(self, *, force_check: bool = False) -> Snapshot:
        snap = super().current(force_check=force_check)
        self._takeover()
        return snap


@pytest.mark.postgres
def test_a_publisher_that_lost_the_lease_mid_round_marks_nothing_published(lease_engine: Engine) -> None:
    db = Database(lease_engine.url.render_as_string(hide_password=False))
    with db.session() as session:
        outbox.add_event(session, "content", note="a change to publish")
        session.commit()
    successor = LeaderLock(lease_engine)

    def takeover() -> None:
        run_out(lease_engine)
        assert successor.acquire() is True

    clock = lambda: datetime.now(UTC)  # noqa: E731
    publisher = Publisher(RecordingSocketIO(), db, TakeoverBook(db, clock, takeover), clock, poll_seconds=5)  # type: ignore[arg-type]
    try:
        publisher.publish_once()
        assert unpublished(lease_engine) == 1, "the stalled leader's mark was refused: the new leader publishes it"
        assert lease_row(lease_engine)["holder"] == successor.holder
    finally:
        successor.release()
        db.engine.dispose()
