"""Publisher leadership: with several server processes, only the holder of this lock publishes."""

from __future__ import annotations

import logging
from typing import Final

from sqlalchemy import Connection, Engine, text

log = logging.getLogger(__name__)

ADVISORY_LOCK_KEY: Final = 0x6B696F736B  # "kiosk"


class LeaderLock:
    """A PostgreSQL session advisory lock held on a dedicated connection; SQLite is single-process."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._conn: Connection | None = None

    @property
    def held(self) -> bool:
        return self._engine.dialect.name != "postgresql" or self._conn is not None

    def acquire(self) -> bool:
        if self._engine.dialect.name != "postgresql":
            return True
        if self._conn is not None:
            try:
                self._conn.execute(text("SELECT 1"))
                return True
            except Exception:  # noqa: BLE001 - the connection died and took the lock with it
                log.warning("lost the publisher lock connection; trying to take it again")
                self.release()
        conn = self._engine.connect()
        got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_LOCK_KEY}).scalar())
        conn.commit()
        if got:
            self._conn = conn
        else:
            conn.close()
        return got

    def release(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None
