"""The sweeper: ends citizen sessions whose idle or hard expiry passed, and tells their kiosk screens.

Every server process runs one. Ending is a conditional UPDATE (``content.citizens.sessions.end_expired``),
so a session is ended, and announced, by exactly one process however many sweep at once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from content.backoff import SERVER_RETRY
from content.citizens.sessions import CitizenSession, end_expired
from kiosk_server.citizen_events import CitizenEvents
from kiosk_server.database import Database
from kiosk_server.db_outage import outage_of

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
            ended = end_expired(session, now or self._clock())
            session.commit()
        if ended:
            log.info("citizen sessions timed out: %s", ", ".join(str(c.id) for c in ended))
        self._events.ended(ended)
        return ended

    def run(self) -> None:
        failures = 0
        wait = self._interval
        retry = replace(SERVER_RETRY, base=min(2 * self._interval, SERVER_RETRY.cap))
        while not self._stopped.wait(wait):
            try:
                self.sweep_once()
                failures, wait = 0, self._interval
            except Exception as err:  # noqa: BLE001 - the supervisor loop survives a database hiccup and retries
                failures += 1
                wait = retry.delay(failures - 1)
                if not outage_of(self._db.engine).failed(err):  # an outage is logged once, not every attempt
                    log.exception("citizen session sweep failed (attempt %d); retrying in %.1fs", failures, wait)

    def stop(self) -> None:
        self._stopped.set()
