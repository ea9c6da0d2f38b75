"""The publisher lease: a row that names who may publish until when, with a fencing token per taking.

Several server processes share one PostgreSQL database; only one of them publishes
(docs/architecture.md, "Scale"). Leadership is a lease rather than a lock held by a connection, so
a process that hangs (stopped, swapping, stuck in a call) loses it when it stops renewing, even
though its connections stay open. Every taking increments ``token``: a write that must come from
the current leader renews the lease with its token inside the write's own transaction and is
refused when that matches no row (someone else took the lease, or it ran out).

All times are the database's (``clock_timestamp()``: the real time of the statement, where
``now()`` would be the start of a transaction that may have waited). PostgreSQL only: SQLite is a
single process, always its own leader.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from sqlalchemy import BigInteger, Connection, String, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from content.db import Base

HOLDER_MAX: Final = 128


class PublisherLease(Base):
    """One lease per ``name``; ``token`` grows by one at every taking."""

    __tablename__ = "publisher_lease"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder: Mapped[str] = mapped_column(String(HOLDER_MAX))  # host:pid:nonce, for people reading the table
    token: Mapped[int] = mapped_column(BigInteger)
    expires_at: Mapped[datetime]


_TAKE: Final = text(
    """
    INSERT INTO publisher_lease AS lease (name, holder, token, expires_at)
    VALUES (:name, :holder, 1, clock_timestamp() + make_interval(secs => :seconds))
    ON CONFLICT (name) DO UPDATE
       SET holder = excluded.holder, token = lease.token + 1, expires_at = excluded.expires_at
     WHERE lease.expires_at <= clock_timestamp()
    RETURNING token
    """
)
_RENEW: Final = text(
    """
    UPDATE publisher_lease SET expires_at = clock_timestamp() + make_interval(secs => :seconds)
     WHERE name = :name AND token = :token AND expires_at > clock_timestamp()
    RETURNING token
    """
)
_GIVE_UP: Final = text(
    "UPDATE publisher_lease SET expires_at = clock_timestamp() WHERE name = :name AND token = :token"
)


def take(conn: Connection | Session, name: str, holder: str, seconds: float) -> int | None:
    """Take the lease if nobody holds it or it ran out; the new fencing token, or None if it is held."""
    token = conn.execute(_TAKE, {"name": name, "holder": holder[:HOLDER_MAX], "seconds": seconds}).scalar()
    return None if token is None else int(token)


def renew(conn: Connection | Session, name: str, token: int, seconds: float) -> bool:
    """Extend the lease taken with ``token`` by ``seconds`` from now; False if it ran out or was taken over.

    Inside a write's transaction this is the fencing check: the renewed row stays locked until the
    transaction ends, so nobody can take the lease between this check and the commit.
    """
    return conn.execute(_RENEW, {"name": name, "token": token, "seconds": seconds}).scalar() is not None


def give_up(conn: Connection | Session, name: str, token: int) -> None:
    """End the lease taken with ``token`` now, so a standby takes it at its next try."""
    conn.execute(_GIVE_UP, {"name": name, "token": token})
