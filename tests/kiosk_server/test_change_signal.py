"""The change signal on its own: which commits ask for a NOTIFY, coalescing, delivery, reconnecting (issue 18, item 4).

Two ``ChangeSignal`` objects on two engines stand for two server processes; the end-to-end check
with real ``kiosk serve`` processes under gevent is tests/kiosk_server/test_cross_process_wake.py.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, make_url, select, text

from content import outbox
from content.outbox import OutboxEvent
from kiosk_server.change_signal import CHANNEL_PREFIX, ChangeSignal, channel_name
from kiosk_server.database import Database
from kiosk_server.settings_access import runtime
from tests.conftest import POSTGRES_URL, make_app
from tests.support import migrated_schema
from tests.support.server import wait_for
from tests.support.tcp_proxy import TcpProxy

DEADLINE = 10  # a deadline for a condition, not a timing: the machine may be busy
SIGNAL_LOGGER = "kiosk_server.change_signal"


@dataclass
class Leader:
    """The wake-up callback of the process that holds the lease: counts wakes, and what it could read then."""

    db: Database
    wakes: int = 0
    newest_seen: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def wake(self) -> None:
        with self.db.session() as session:  # what a publisher round woken now would find committed
            newest = int(session.scalar(select(func.max(OutboxEvent.id))) or 0)
        with self.lock:
            self.wakes += 1
            self.newest_seen = max(self.newest_seen, newest)


class FrozenClock:
    """A monotonic clock that moves only when told: the signal's coalescing interval under test control."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def stage_and_commit(db: Database) -> int:
    with db.session() as session:
        row = outbox.add_event(session, "content", kind="test", action="changed")
        session.commit()
        return row.id


@pytest.fixture
def two_processes(postgres_url: str) -> Iterator[tuple[Database, Database]]:
    first, second = Database(postgres_url), Database(postgres_url)
    migrated_schema.ready(first.engine)
    yield first, second
    first.engine.dispose()
    second.engine.dispose()


@pytest.fixture
def running() -> Iterator[Callable[[ChangeSignal], ChangeSignal]]:
    """run(signal): its loop in a thread until the test ends, once it listens."""
    started: list[tuple[ChangeSignal, threading.Thread]] = []

    def run(signal: ChangeSignal) -> ChangeSignal:
        thread = threading.Thread(target=signal.run, daemon=True)
        thread.start()
        started.append((signal, thread))
        wait_for(lambda: signal.listening, DEADLINE, "the signal to listen")
        return signal

    yield run
    for signal, thread in started:
        signal.stop()
        thread.join(timeout=DEADLINE)
        assert not thread.is_alive(), "the signal's loop did not end at stop()"


def test_channel_is_per_schema_and_fits_an_identifier() -> None:
    assert channel_name("public") == "kiosk_outbox.public"
    assert channel_name("t_abc") != channel_name("t_abd")
    long = channel_name("s" * 63)
    assert long.startswith(CHANNEL_PREFIX) and len(long.encode()) <= 63
    assert long != channel_name("s" * 62 + "t")


def test_only_a_commit_that_staged_an_outbox_row_asks_for_a_notify(database_url: str) -> None:
    db = Database(database_url)
    migrated_schema.ready(db.engine)
    signal = ChangeSignal(db.engine, lambda: None, lambda: False)  # not running: only the asking is seen
    signal.watch(db.session_factory)
    try:
        with db.session() as session:
            session.execute(text("SELECT 1"))
            session.commit()
        assert not signal.pending, "a commit without an outbox row is no change to announce"

        with db.session() as session:
            outbox.add_event(session, "content", kind="test", action="rolled back")
            session.flush()
            session.rollback()
            session.execute(text("SELECT 1"))
            session.commit()
        assert not signal.pending, "a rolled-back row is never announced"

        stage_and_commit(db)
        assert signal.pending
    finally:
        db.engine.dispose()


def test_the_leaders_own_commits_are_not_announced(database_url: str) -> None:
    db = Database(database_url)
    migrated_schema.ready(db.engine)
    signal = ChangeSignal(db.engine, lambda: None, lambda: True)
    signal.watch(db.session_factory)
    try:
        stage_and_commit(db)
        assert not signal.pending, "the leader's publisher was woken in its own process"
    finally:
        db.engine.dispose()


@pytest.mark.postgres
def test_a_commit_in_one_process_wakes_the_leader_in_another(two_processes, running) -> None:
    leader_db, other_db = two_processes
    leader = Leader(leader_db)
    running(ChangeSignal(leader_db.engine, leader.wake, lambda: True))
    standby_wakes: list[None] = []
    other = ChangeSignal(other_db.engine, lambda: standby_wakes.append(None), lambda: False)
    other.watch(other_db.session_factory)
    running(other)

    newest = stage_and_commit(other_db)
    wait_for(lambda: leader.newest_seen >= newest, DEADLINE, "the leader to be woken and see the change")
    assert other.sent >= 1
    assert standby_wakes == [], "only the leader publishes: a standby is never woken"


@pytest.mark.postgres
def test_a_burst_of_commits_costs_few_notifications_and_the_last_commit_is_announced(two_processes, running) -> None:
    leader_db, other_db = two_processes
    leader = Leader(leader_db)
    running(ChangeSignal(leader_db.engine, leader.wake, lambda: True))
    clock = FrozenClock()
    other = ChangeSignal(other_db.engine, lambda: None, lambda: False, monotonic=clock)
    other.watch(other_db.session_factory)
    running(other)

    first = stage_and_commit(other_db)
    wait_for(lambda: leader.newest_seen >= first, DEADLINE, "the first commit's notification")
    assert other.sent == 1
    # The clock stands still: every later commit of the burst falls inside the interval after the first.
    last = 0
    for _ in range(300):
        last = stage_and_commit(other_db)
    assert other.pending and other.sent == 1, "the burst waits for the interval to pass"
    clock.now += 1.0
    wait_for(lambda: leader.newest_seen >= last, DEADLINE, "the leader to see the burst's last commit")
    assert other.sent == 2, "300 commits in one interval share one notification"


@pytest.mark.postgres
def test_the_listener_comes_back_after_its_connection_is_terminated(two_processes, running, caplog) -> None:
    caplog.set_level(logging.INFO, logger=SIGNAL_LOGGER)
    leader_db, other_db = two_processes
    leader = Leader(leader_db)
    listener = running(ChangeSignal(leader_db.engine, leader.wake, lambda: True))
    other = ChangeSignal(other_db.engine, lambda: None, lambda: False)
    other.watch(other_db.session_factory)
    running(other)

    killed = listener.backend_pid
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            assert conn.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": killed})
    finally:
        admin.dispose()
    wait_for(lambda: listener.failures == 1, DEADLINE, "the listener to notice")
    wait_for(lambda: listener.listening and listener.backend_pid not in (None, killed), DEADLINE, "a new listener")

    newest = stage_and_commit(other_db)
    wait_for(lambda: leader.newest_seen >= newest, DEADLINE, "the leader to be woken again")
    messages = [r.getMessage() for r in caplog.records if r.name == SIGNAL_LOGGER]
    assert sum("not listening" in m for m in messages) == 1
    assert sum("listening again" in m for m in messages) == 1


@pytest.mark.postgres
def test_an_outage_is_logged_once_and_the_wake_works_again_after_it(postgres_url: str, running, caplog) -> None:
    caplog.set_level(logging.INFO, logger=SIGNAL_LOGGER)
    with TcpProxy("127.0.0.1", make_url(postgres_url).port or 5432) as proxy:
        through = make_url(postgres_url).set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        leader_db, other_db = Database(through), Database(postgres_url)
        migrated_schema.ready(other_db.engine)
        try:
            leader = Leader(leader_db)
            listener = running(ChangeSignal(leader_db.engine, leader.wake, lambda: True))
            other = ChangeSignal(other_db.engine, lambda: None, lambda: False)
            other.watch(other_db.session_factory)
            running(other)

            proxy.stop()  # the database is gone for this process: every reconnect is refused
            wait_for(lambda: listener.failures >= 3, DEADLINE, "several reconnects to fail")
            during = stage_and_commit(other_db)  # announced while the leader could not listen: lost
            proxy.start()
            wait_for(lambda: listener.listening, DEADLINE, "the listener to be back")
            # Back, the leader is woken once for what it may have missed.
            wait_for(lambda: leader.newest_seen >= during, DEADLINE, "the wake-up on return")

            after = stage_and_commit(other_db)
            wait_for(lambda: leader.newest_seen >= after, DEADLINE, "a notification after the outage")
            messages = [r.getMessage() for r in caplog.records if r.name == SIGNAL_LOGGER]
            assert sum("not listening" in m for m in messages) == 1, messages
            assert sum("listening again" in m for m in messages) == 1, messages
        finally:
            leader_db.engine.dispose()
            other_db.engine.dispose()


def test_sqlite_builds_no_signal(tmp_path: Path) -> None:
    app = make_app(tmp_path, f"sqlite:///{tmp_path / 'kiosk.sqlite3'}")
    assert runtime(app).signal is None


@pytest.mark.postgres
def test_postgresql_builds_a_signal_that_watches_the_apps_sessions(postgres_url: str, tmp_path: Path) -> None:
    app = make_app(tmp_path, postgres_url)
    signal = runtime(app).signal
    assert signal is not None
    from kiosk_server.database import database

    stage_and_commit(database(app))
    assert signal.pending, "a standby's commit asks for a NOTIFY"
    database(app).engine.dispose()
