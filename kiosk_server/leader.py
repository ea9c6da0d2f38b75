"""Publisher leadership: with several server processes, only the holder of this lock publishes."""

from __future__ import annotations

import logging
from typing import Final

from sqlalchemy import Connection, Engine, text

log = logging.getLogger(__name__)

LOCK_CLASS: Final = 0x6B696F73  # "kios": the first of the two advisory-lock keys
# The second key names the deployment: servers on another schema or database publish on their own.
_TRY_LOCK: Final = text("SELECT pg_try_advisory_lock(:cls, hashtext(current_database() || '/' || current_schema()))")


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
        got = bool(conn.execute(_TRY_LOCK, {"cls": LOCK_CLASS}).scalar())
        conn.commit()
        if got:
            self._conn = conn
        else:
            conn.close()
        return got

    def release(self) -> None:
        """Give the lock up. Closing alone would only return the session, lock and all, to the pool."""
        if self._conn is None:
            return
        conn, self._conn = self._conn, None
        try:
            conn.execute(text("SELECT pg_advisory_unlock_all()"))
            conn.commit()
        except Exception:  # noqa: BLE001 - a dead connection took the lock with it; never reuse it
            conn.invalidate()
        finally:
            conn.close()
