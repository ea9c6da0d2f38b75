"""The change signal: after a commit that staged an outbox row, wake the publishing leader in whichever process it runs.

The publisher is woken in its own process after that process's commits (``Publisher.watch``); a
change saved through another process would wait for its poll (``KIOSK_PUBLISH_POLL_SECONDS``).
With PostgreSQL every process LISTENs on a channel of its schema, and a process that is not the
leader NOTIFYs it after such a commit (docs/architecture.md, "Scale"). SQLite is one process: the
runtime builds no signal there.

PostgreSQL rather than Redis pub/sub: several processes always share the database, while Redis is
optional and its pub/sub lossy; and the signal comes back with the database it is about.

The NOTIFY goes out after the commit, from the signal's own connection, not inside the committing
transaction:

- a commit costs no extra round trip and never waits for the signal; ``after_commit`` only sets a
  flag and writes a byte to a pipe;
- a rolled-back change is never announced, and the change is visible to whoever reads after the
  notification arrives (the NOTIFY starts after the COMMIT returned);
- bursts coalesce: commits made while a NOTIFY is on its way, or within ``SEND_INTERVAL_SECONDS``
  of the last one, share the next one;
- a NOTIFY inside the writers' transactions would serialise their commits on PostgreSQL's
  notification queue lock, and a listener that stops reading (a stopped process) lets that queue
  fill until such commits fail; here only the signal would.

What is lost: a process killed between its commit and its NOTIFY leaves the change to the poll,
which stays the floor in every case (and a new leader publishes everything at its first round).

One connection does both: the loop waits on its socket and on the pipe, so neither LISTEN nor
NOTIFY needs a second connection or a pool checkout. Under gevent the loop's selector is gevent's,
and psycopg waits through the patched ``select.poll`` (``psycopg.waiting`` picks ``wait_poll``
once ``select`` is monkey-patched, instead of its C wait, which would block the hub); nothing here
blocks the serving loop. After the connection fails (the database restarted, the backend was
terminated) the signal logs once, reconnects every ``RETRY_SECONDS``, and when it listens again
wakes the leader once, since notifications sent meanwhile were lost.
"""

from __future__ import annotations

import hashlib
import logging
import os
import selectors
import threading
import time
from collections.abc import Callable
from typing import Any, Final

import psycopg
from psycopg import sql
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from content.outbox import OutboxEvent

log = logging.getLogger(__name__)

CHANNEL_PREFIX: Final = "kiosk_outbox."
APPLICATION_NAME: Final = "kiosk change signal"  # pg_stat_activity shows the listener as this and the pid
SEND_INTERVAL_SECONDS: Final = 0.05  # at most 20 notifications a second per process; a publish round is longer
RETRY_SECONDS: Final = 1.0
_MAX_CHANNEL_BYTES: Final = 63  # PostgreSQL's identifier length: a longer channel is an error or truncated
_STAGED: Final = "change_signal_outbox"  # session.info key: this transaction staged an outbox row
# Defaults for the listener's connection (the database URL's own options win): a peer that vanished
# without closing the connection is noticed within about a minute, not at the next TCP timeout.
_CONNECT_OPTIONS: Final[dict[str, Any]] = {
    "connect_timeout": 5,
    "keepalives": 1,
    "keepalives_idle": 30,
    "keepalives_interval": 10,
    "keepalives_count": 3,
}


def channel_name(schema: str) -> str:
    """The channel of one schema: servers on another schema publish on their own (like the lease)."""
    name = CHANNEL_PREFIX + schema
    if len(name.encode()) <= _MAX_CHANNEL_BYTES:
        return name
    return CHANNEL_PREFIX + hashlib.sha256(schema.encode()).hexdigest()[:32]


class ChangeSignal:
    """Tells the other server processes that an outbox row committed; wakes this one's leader when told."""

    def __init__(
        self,
        engine: Engine,
        wake: Callable[[], object],
        is_leader: Callable[[], bool],
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._engine = engine
        self._wake = wake
        self._is_leader = is_leader
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._pending = False  # a commit is waiting for a NOTIFY
        self._pipe: tuple[int, int] | None = None  # (read, write) while the loop runs
        self._stopped = threading.Event()
        self.listening: bool | None = None  # None: not started yet
        self.backend_pid: int | None = None  # the listener's PostgreSQL backend while connected
        self.failures = 0  # connections lost or refused
        self.sent = 0  # NOTIFYs sent, for tests and benchmarks
        self.received = 0  # notifications received from other processes

    def watch(self, session_factory: sessionmaker[Session]) -> None:
        """Announce every commit that staged an outbox row (the detection of ``Publisher.watch``)."""

        @event.listens_for(session_factory, "before_flush")
        def _note_outbox(session: Session, _ctx: Any, _instances: Any) -> None:
            if any(isinstance(obj, OutboxEvent) for obj in session.new):
                session.info[_STAGED] = True

        @event.listens_for(session_factory, "after_commit")
        def _after_commit(session: Session) -> None:
            # The leader's own publisher was woken in-process; only the leader acts on the signal.
            if session.info.pop(_STAGED, False) and not self._is_leader():
                self.changed()

        @event.listens_for(session_factory, "after_rollback")
        def _after_rollback(session: Session) -> None:
            session.info.pop(_STAGED, None)

    def changed(self) -> None:
        """Ask for a NOTIFY; returns at once (one flag and at most one byte to the loop's pipe)."""
        with self._lock:
            if self._pending:
                return  # the next NOTIFY, not yet sent, covers this commit too
            self._pending = True
            if self._pipe is not None:
                try:
                    os.write(self._pipe[1], b"!")
                except BlockingIOError:
                    pass  # the pipe is full of wake-ups already

    @property
    def pending(self) -> bool:
        """Whether a commit is waiting for its NOTIFY."""
        return self._pending

    def stop(self) -> None:
        self._stopped.set()
        with self._lock:
            if self._pipe is not None:
                try:
                    os.write(self._pipe[1], b"!")
                except BlockingIOError:
                    pass

    def run(self) -> None:
        """Listen, notify and reconnect until stopped (a background task: the supervisor loop of the signal)."""
        read, write = os.pipe()
        os.set_blocking(read, False)
        os.set_blocking(write, False)
        with self._lock:
            self._pipe = (read, write)
        try:
            while not self._stopped.is_set():
                try:
                    with self._connect() as conn:
                        self._serve(conn, read)
                except Exception as err:  # noqa: BLE001 - the signal's supervisor loop must survive and retry
                    self._failed(err)
                    self._stopped.wait(RETRY_SECONDS)
        finally:
            with self._lock:
                self._pipe = None
            os.close(read)
            os.close(write)

    def _connect(self) -> psycopg.Connection[Any]:
        """A connection of its own, outside the engine's pool: it is held for the life of the process."""
        cargs, cparams = self._engine.dialect.create_connect_args(self._engine.url)
        options = {**_CONNECT_OPTIONS, "application_name": f"{APPLICATION_NAME} {os.getpid()}", **cparams}
        conn: psycopg.Connection[Any] = psycopg.connect(*cargs, **options, autocommit=True)
        return conn

    def _serve(self, conn: psycopg.Connection[Any], pipe: int) -> None:
        own = self.backend_pid = conn.info.backend_pid  # our own NOTIFYs come back to us: not news
        schema = conn.execute("SELECT current_schema()").fetchone()
        channel = channel_name(str(schema[0] if schema else "public"))
        conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
        self._listening()
        next_send = 0.0
        with selectors.DefaultSelector() as selector:  # gevent's when monkey-patched
            selector.register(conn.fileno(), selectors.EVENT_READ)
            selector.register(pipe, selectors.EVENT_READ)
            while not self._stopped.is_set():
                with self._lock:
                    pending = self._pending
                timeout = max(0.0, next_send - self._monotonic()) if pending else None
                selector.select(timeout)
                _drain(pipe)
                # Also collects what arrived while our NOTIFY ran (psycopg keeps it for notifies()).
                news = sum(1 for n in conn.notifies(timeout=0) if n.pid != own)
                if news:
                    self.received += news
                    if self._is_leader():
                        self._wake()  # once for the whole batch
                now = self._monotonic()
                with self._lock:
                    due = self._pending and now >= next_send
                    if due:
                        self._pending = False  # commits from here on ask for the next NOTIFY
                if due:
                    self._notify(conn, channel)
                    next_send = now + SEND_INTERVAL_SECONDS

    def _notify(self, conn: psycopg.Connection[Any], channel: str) -> None:
        try:
            conn.execute("SELECT pg_notify(%s, '')", (channel,))
        except Exception:
            with self._lock:
                self._pending = True  # sent after reconnecting, not lost with the connection
            raise
        self.sent += 1

    def _listening(self) -> None:
        if self.listening is False:
            log.info("change signal: listening again")
        elif self.listening is None:
            log.info("change signal: listening")
        self.listening = True
        if self._is_leader():
            self._wake()  # what other processes announced while we were not listening was lost

    def _failed(self, err: Exception) -> None:
        self.failures += 1
        self.backend_pid = None
        if self.listening is not False:
            # Once per outage, not once per retry. The leader still publishes at its poll.
            log.warning(
                "change signal: not listening (%s: %s); changes saved through other processes wait for the "
                "publish poll; retrying every %.0f s",
                type(err).__name__,
                str(err).strip().splitlines()[0] if str(err).strip() else "",
                RETRY_SECONDS,
                exc_info=not isinstance(err, psycopg.OperationalError),
            )
        self.listening = False


def _drain(pipe: int) -> None:
    """Empty the wake-up pipe: the bytes carry nothing, ``_pending`` says what is asked."""
    try:
        while os.read(pipe, 4096):
            pass
    except BlockingIOError:
        pass
