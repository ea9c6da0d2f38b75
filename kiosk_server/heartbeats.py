"""Heartbeats kept in memory and written to ``screen_status`` in batches, never on every beat."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from content.org.screens import write_statuses
from kiosk_server.database import Database
from kiosk_server.db_outage import outage_of

log = logging.getLogger(__name__)

FLUSH_SECONDS: Final = 15.0


@dataclass
class Beat:
    at: datetime
    version: str | None
    connected: bool
    info: str


class HeartbeatRecorder:
    def __init__(self, db: Database, clock: Callable[[], datetime]) -> None:
        self._db = db
        self._clock = clock
        self._lock = threading.Lock()
        self._pending: dict[int, Beat] = {}
        self._latest: dict[int, Beat] = {}
        self._stopped = threading.Event()

    def seen(self, screen_id: int, version: str | None = None, *, info: str = "") -> None:
        with self._lock:
            prior = self._latest.get(screen_id)
            beat = Beat(
                self._clock(),
                version if version is not None else (prior.version if prior else None),
                True,
                info or (prior.info if prior else ""),
            )
            self._pending[screen_id] = self._latest[screen_id] = beat

    def disconnected(self, screen_id: int) -> None:
        with self._lock:
            prior = self._latest.get(screen_id)
            beat = Beat(self._clock(), prior.version if prior else None, False, prior.info if prior else "")
            self._pending[screen_id] = self._latest[screen_id] = beat

    def latest(self, screen_id: int) -> Beat | None:
        with self._lock:
            return self._latest.get(screen_id)

    def all_latest(self) -> dict[int, Beat]:
        """A copy of the latest beat of every screen heard since start (one lock, for the fleet view)."""
        with self._lock:
            return dict(self._latest)

    def flush(self) -> int:
        """Write what arrived since the last flush in one transaction; returns the rows written."""
        with self._lock:
            batch, self._pending = self._pending, {}
        if not batch:
            return 0
        try:
            with self._db.session() as session:
                write_statuses(
                    session,
                    [
                        {
                            "screen_id": screen_id,
                            "last_seen_at": beat.at,
                            "manifest_version": beat.version,
                            "connected": beat.connected,
                            "client_info": beat.info[:255],
                        }
                        for screen_id, beat in batch.items()
                    ],
                )
                session.commit()
        except Exception:
            with self._lock:  # keep them for the next flush, newer beats win
                for screen_id, beat in batch.items():
                    self._pending.setdefault(screen_id, beat)
            raise
        return len(batch)

    def run(self) -> None:
        while not self._stopped.wait(FLUSH_SECONDS):
            try:
                self.flush()
            except Exception as err:  # noqa: BLE001 - keep flushing after a database hiccup
                if not outage_of(self._db.engine).failed(err):  # an outage is logged once, not every round
                    log.exception("heartbeat flush failed; will retry")

    def stop(self) -> None:
        self._stopped.set()
