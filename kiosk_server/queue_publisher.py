"""Pushes a hall's queue board to its screens (room ``hall:<id>``) after every committed queue change.

Every process emits the boards its own commits changed, at once: a call reaches the wall in
milliseconds whichever process took it. The publishing leader also compares every hall's board
version each round, so a board changed by a process that died before emitting still goes out.
Screens apply a board only if its version is newer than theirs, so the duplicates are harmless.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any, Final

from flask_socketio import SocketIO
from sqlalchemy import event, select
from sqlalchemy.orm import Session, sessionmaker

from content.backoff import SERVER_RETRY
from content.queue.board import board_state
from content.queue.models import QueueBoard
from kiosk_server.database import Database
from kiosk_server.db_outage import outage_of
from kiosk_server.events import QUEUE_BOARD, SCREEN_NAMESPACE, hall_room
from kiosk_server.shared_reads import SharedRead

log = logging.getLogger(__name__)

# A cached board is reused for a burst of hellos while its version holds, but not for longer than
# this: its wait estimates move with the clock.
BOARD_CACHE_SECONDS: Final = 15.0


class QueuePublisher:
    def __init__(
        self,
        socketio: SocketIO,
        db: Database,
        clock: Callable[[], datetime],
        poll_seconds: float,
        is_leader: Callable[[], bool],
    ) -> None:
        self._socketio = socketio
        self._db = db
        self._clock = clock
        self._poll_seconds = poll_seconds
        self._is_leader = is_leader
        self._lock = threading.Lock()
        self._dirty: set[int] = set()
        self._emitted: dict[int, int] = {}  # hall -> board version last emitted by this process
        self._cache: dict[int, dict[str, Any]] = {}  # hall -> the latest board computed here
        self._computing: dict[int, threading.Lock] = {}  # hall -> held while a hello computes its board
        self._versions = SharedRead(db, _board_versions)
        self._wake = threading.Event()
        self._stopped = threading.Event()
        self._started = False

    def watch(self, session_factory: sessionmaker[Session]) -> None:
        """Note the halls a commit changed (``content.queue.ticketing.lock_board`` names them) and wake."""

        @event.listens_for(session_factory, "after_commit")
        def _after_commit(session: Session) -> None:
            halls = session.info.pop("queue_halls", None)
            if halls:
                self.changed(halls)

        @event.listens_for(session_factory, "after_rollback")
        def _after_rollback(session: Session) -> None:
            session.info.pop("queue_halls", None)

    def changed(self, hall_ids: set[int]) -> None:
        with self._lock:
            self._dirty |= hall_ids
        self._wake.set()

    def start(self) -> None:
        if not self._started:
            self._started = True
            self._socketio.start_background_task(self._run)

    def stop(self) -> None:
        self._stopped.set()
        self._wake.set()

    def board(self, hall_id: int) -> dict[str, Any]:
        """The hall's board, computed now."""
        with self._db.session() as session:
            board = board_state(session, hall_id, self._clock())
        with self._lock:
            self._cache[hall_id] = board
        return board

    def current_board(self, hall_id: int, *, seen_after: float) -> dict[str, Any]:
        """The hall's board for a (re)connecting screen: the cached one while its version is current.

        ``seen_after`` (``time.monotonic()``): the screen has been in the hall's room since then, so
        any board committed later reaches it as a push; its version check may therefore come from a
        read of every hall's version that began after that instant, and a burst of hellos shares one.
        The hall's hellos compute its board one at a time: those that waited take the board the
        first computed when its version is still the current one, so a storm of a hall's screens
        costs one computation (and one database connection), not one each.
        """
        cached = self._current(hall_id, seen_after)
        if cached is not None:
            return cached
        with self._lock:
            computing = self._computing.setdefault(hall_id, threading.Lock())
        with computing:
            cached = self._current(hall_id, seen_after)
            return cached if cached is not None else self.board(hall_id)

    def _current(self, hall_id: int, seen_after: float) -> dict[str, Any] | None:
        """The cached board when it is young and its version is the hall's as of a read after ``seen_after``."""
        with self._lock:
            cached = self._cache.get(hall_id)
        if cached is None:
            return None
        age = (self._clock() - datetime.fromisoformat(cached["generated_at"])).total_seconds()
        if 0 <= age < BOARD_CACHE_SECONDS and self._versions.since(seen_after).get(hall_id, 0) == cached["version"]:
            return cached
        return None

    def _run(self) -> None:
        failures = 0
        while not self._stopped.is_set():
            timeout = self._poll_seconds
            try:
                self.publish_once(sweep=self._is_leader())
                failures = 0
            except Exception as err:  # noqa: BLE001 - the supervisor loop must survive anything and retry
                failures += 1
                # Never longer than a normal round: once the database is back, screens catch up within one.
                timeout = min(SERVER_RETRY.delay(failures - 1), self._poll_seconds)
                if not outage_of(self._db.engine).failed(err):  # an outage is logged once, not every round
                    log.exception("queue publish round failed (attempt %d); retrying in %.1fs", failures, timeout)
            self._wake.wait(timeout=timeout)
            self._wake.clear()

    def publish_once(self, *, sweep: bool) -> int:
        """Emit the boards that changed; with ``sweep`` also any whose version moved elsewhere."""
        with self._lock:
            halls, self._dirty = self._dirty, set()
        if sweep:
            with self._db.session() as session:
                for hall_id, version in session.execute(select(QueueBoard.hall_id, QueueBoard.version)):
                    if self._emitted.get(hall_id, -1) < version:
                        halls.add(hall_id)
        emitted = 0
        for hall_id in sorted(halls):
            board = self.board(hall_id)
            if self._emitted.get(hall_id, -1) >= board["version"]:
                continue
            self._socketio.emit(QUEUE_BOARD, board, to=hall_room(hall_id), namespace=SCREEN_NAMESPACE)
            self._emitted[hall_id] = board["version"]
            emitted += 1
        return emitted


def _board_versions(session: Session) -> dict[int, int]:
    """Every hall's board version."""
    return {hall_id: version for hall_id, version in session.execute(select(QueueBoard.hall_id, QueueBoard.version))}
