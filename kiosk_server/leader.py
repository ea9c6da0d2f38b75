"""Publisher leadership: with several server processes, only the holder of the lease publishes.

The lease is a row in ``publisher_lease`` (``content/publisher_lease.py``), timed by PostgreSQL's
clock. The publisher renews it every round, and its rounds are at most ``renew_seconds`` apart, so
a process that stops renewing (killed, stopped, hung) loses it within ``LEASE_SECONDS`` and a
standby takes it over with a larger fencing token. Writes that only the leader may make call
``still_held(session)`` in their own transaction, so a process that wakes up after losing the
lease has its late write refused instead of racing the new leader.

It does not depend on Redis: the message queue only speeds delivery up (``message_queue.py``), and
a Redis outage must leave one process publishing. SQLite is one process, always its own leader.
"""

from __future__ import annotations

import logging
import math
import os
import socket
import time
import uuid
from collections.abc import Callable
from typing import Final

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from content import publisher_lease

log = logging.getLogger(__name__)

LEASE_SECONDS: Final = 5.0
LEASE_NAME: Final = "publisher"  # one per database schema: servers on another schema publish on their own
LOCK_WAIT: Final = "1s"  # a lease statement waits this long for the row, then counts as not held
_LOCK_NOT_AVAILABLE: Final = "55P03"  # PostgreSQL's SQLSTATE when lock_timeout passed
_BOUND: Final = text(
    "SELECT set_config('lock_timeout', :lock_wait, true),"
    " set_config('idle_in_transaction_session_timeout', :idle, true)"
)


def _default_holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class LeaderLock:
    """A renewable PostgreSQL lease with a fencing token; SQLite is single-process."""

    def __init__(
        self,
        engine: Engine,
        *,
        lease_seconds: float = LEASE_SECONDS,
        holder: str | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._engine = engine
        self._single = engine.dialect.name != "postgresql"
        self._seconds = lease_seconds
        self.holder = holder or _default_holder()
        self._monotonic = monotonic
        self._token: int | None = None
        self._valid_until = 0.0  # monotonic: the lease lasts at least until then, unless renewed

    @property
    def held(self) -> bool:
        """Whether the lease is ours as of its last renewal, without asking the database."""
        if self._single:
            return True
        return self._token is not None and self._monotonic() < self._valid_until

    @property
    def token(self) -> int | None:
        """The fencing token of the lease this process holds (larger at every taking); None without one."""
        return self._token if self.held and not self._single else None

    @property
    def renew_seconds(self) -> float:
        """The longest the holder may wait between renewals (a standby between tries)."""
        return math.inf if self._single else self._seconds / 3

    def acquire(self) -> bool:
        """Renew the lease if this process holds it, else take it if it is free or ran out."""
        if self._single:
            return True
        sent = self._monotonic()
        try:
            with self._engine.begin() as conn:
                self._bound_waits(conn)
                if self._token is not None:
                    if publisher_lease.renew(conn, LEASE_NAME, self._token, self._seconds):
                        self._valid_until = sent + self._seconds
                        return True
                    log.warning(
                        "lost the publisher lease (token %d): it ran out or another process took it", self._token
                    )
                    self._token = None
                token = publisher_lease.take(conn, LEASE_NAME, self.holder, self._seconds)
        except DBAPIError as err:
            if _lock_busy(err):
                return self.held  # another process is taking or renewing it this very moment
            raise
        if token is not None:
            log.info("took the publisher lease (token %d)", token)
            self._token = token
            self._valid_until = sent + self._seconds
        return token is not None

    def still_held(self, session: Session) -> bool:
        """In the caller's write transaction, right before it commits: is the lease still ours?

        Renews the lease in that transaction, which keeps its row locked until the commit, so no
        one takes over in between. False (the caller must not commit) when it ran out or another
        process took it: this process then stands by.
        """
        if self._single:
            return True
        if self._token is None:
            return False
        try:
            self._bound_waits(session)
            if publisher_lease.renew(session, LEASE_NAME, self._token, self._seconds):
                return True
        except DBAPIError as err:
            if _lock_busy(err):
                return False
            raise
        log.warning("refused a late write: the publisher lease (token %d) ran out or was taken over", self._token)
        self._token = None
        return False

    def release(self) -> None:
        """End the lease now, so a standby takes it at its next try instead of when it runs out."""
        if self._single or self._token is None:
            return
        token, self._token = self._token, None
        try:
            with self._engine.begin() as conn:
                publisher_lease.give_up(conn, LEASE_NAME, token)
        except DBAPIError:
            log.warning("could not give the publisher lease up; it runs out by itself", exc_info=True)

    def _bound_waits(self, conn: Connection | Session) -> None:
        """Never wait long for the lease row; and if this process stops inside a lease transaction,
        PostgreSQL ends its session when the lease would have run out, freeing the row."""
        idle = f"{max(1, math.ceil(self._seconds))}s"
        conn.execute(_BOUND, {"lock_wait": LOCK_WAIT, "idle": idle})


def _lock_busy(err: DBAPIError) -> bool:
    return getattr(err.orig, "sqlstate", None) == _LOCK_NOT_AVAILABLE
