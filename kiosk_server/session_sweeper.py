"""The sweeper: ends citizen sessions whose idle or hard expiry passed, and tells their kiosk screens.

Every server process runs one. Ending is a conditional UPDATE (``content.citizens.sessions.end_expired``),
so a session is ended, and announced, by exactly one process however many sweep at once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

from content.citizens.certificates import purge_expired
from content.citizens.sessions import CitizenSession, end_expired
from kiosk_server.citizen_events import CitizenEvents
from kiosk_server.database import Database
from kiosk_server.periodic import run_rounds

log = logging.getLogger(__name__)


class SessionSweeper:
    def __init__(self, db: Database, events: CitizenEvents, clock: Callable[[], datetime], interval: float) -> None:
        self._db = db
        self._events = events
        self._clock = clock
        self._interval = interval
        self._stopped = threading.Event()

    def sweep_once(self, now: datetime | None = None) -> list[CitizenSession]:
        """End what expired by ``now`` (the clock's now when omitted); returns the sessions this call ended."""
        with self._db.session() as session:
            moment = now or self._clock()
            ended = end_expired(session, moment)
            purge_expired(session, moment)  # certificate PDFs past their download window (docs/kiosk.md §2)
            session.commit()
        if ended:
            log.info("citizen sessions timed out: %s", ", ".join(str(c.id) for c in ended))
        self._events.ended(ended)
        return ended

    def run(self) -> None:
        run_rounds(
            self.sweep_once,
            interval=self._interval,
            stopped=self._stopped,
            engine=self._db.engine,
            what="citizen session sweep",
        )

    def stop(self) -> None:
        self._stopped.set()
