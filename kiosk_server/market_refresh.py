"""The 供求分析 figures kept up with the vacancies: recomputed hourly by the publisher's leader only.

Vacancies change all day (new ones, headcounts, pay), and a full recompute republishes every
manifest, so the figures are not recomputed on each change: the leader recomputes them once an hour
and writes (and republishes) only when a figure moved (``content.library.market.figures.refresh``).
An import of seeker tallies and the console's button recompute at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Final

from flask import Flask

from content.library.market.figures import refresh
from kiosk_server.database import Database
from kiosk_server.periodic import run_rounds
from kiosk_server.settings_access import runtime, settings

ROUND_SECONDS: Final = 3600.0


class MarketRefresh:
    """The leader's hourly round over the market figures."""

    def __init__(
        self, db: Database, clock: Callable[[], datetime], timezone: str, *, is_leader: Callable[[], bool]
    ) -> None:
        self._db = db
        self._clock = clock
        self._timezone = timezone
        self._is_leader = is_leader
        self._stopped = threading.Event()

    @classmethod
    def for_app(cls, app: Flask) -> MarketRefresh:
        rt = runtime(app)
        return cls(rt.db, rt.clock, settings(app).default_timezone, is_leader=lambda: rt.publisher.is_leader)

    def run(self) -> None:
        run_rounds(
            self.refresh_once, interval=ROUND_SECONDS, stopped=self._stopped, engine=self._db.engine, what="market"
        )

    def stop(self) -> None:
        self._stopped.set()

    def refresh_once(self) -> bool:
        """One round (on the leader; elsewhere nothing); whether the figures changed."""
        if not self._is_leader():
            return False
        with self._db.session() as session:
            changed = refresh(session, self._clock(), self._timezone)
            session.commit()
        return changed


def init_app(app: Flask) -> None:
    """Give the app's runtime its round; ``Runtime.start`` runs it (on the leader only)."""
    runtime(app).market = MarketRefresh.for_app(app)
