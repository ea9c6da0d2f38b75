"""The transactional outbox: a change commits together with a row saying something must be published.

A row's ``seq`` is the data revision that first covers it, and it is given only after the row has
committed: ``number_committed`` takes the one ``outbox_head`` row's lock, gives every committed row
that has none the next number, and the caller commits. Numbering is serialised by that lock, so
the numbers become visible in the order they were given: a reader that sees revision n sees every
row numbered n or less, and every change those rows committed with. An id cannot serve: on
PostgreSQL ids are handed out before commit, so a transaction holding a lower id can commit after
a higher one has been published, and its change would never be (docs/architecture.md, "Delivery").
Writers take no lock of ours and need no hook: any session that adds a row is covered.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Final, cast

from sqlalchemy import BigInteger, CursorResult, Integer, String, Update, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from content.db import Base, utcnow

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT identity.
_Id = BigInteger().with_variant(Integer(), "sqlite")
HEAD_ID: Final = 1


class OutboxEvent(Base):
    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(_Id, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    topic: Mapped[str] = mapped_column(String(32))  # content | transition | screens
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    # None until the first numbering after commit; then the revision that covers this row.
    seq: Mapped[int | None] = mapped_column(BigInteger, index=True)


class OutboxHead(Base):
    """The one row whose lock serialises numbering, and whose ``seq`` is the current revision."""

    __tablename__ = "outbox_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)


def add_event(session: Session, topic: str, **payload: Any) -> OutboxEvent:
    """Stage an outbox row in the caller's transaction; the publisher emits it after commit."""
    event = OutboxEvent(topic=topic, payload=payload)
    session.add(event)
    return event


def revision(session: Session) -> int:
    """The data revision: the number last given to committed rows (0 before any)."""
    return int(session.scalar(select(OutboxHead.seq).where(OutboxHead.id == HEAD_ID)) or 0)


def number_committed(session: Session) -> int:
    """Give every committed row without a ``seq`` the next revision, and return the revision.

    Writes only when such rows exist; then the head row stays locked until the caller ends the
    transaction, which it should do at once (commit; a rollback gives the rows back unnumbered).
    Call it in a session that has staged no row of its own, at READ COMMITTED (the default): each
    statement then sees what committed before it began, which is what orders the numbers.
    """
    if session.scalar(select(OutboxEvent.id).where(OutboxEvent.seq.is_(None)).limit(1)) is None:
        return revision(session)
    taken = _bump_head(session, +1)
    if taken is None:  # a schema made without the migration, which inserts the head
        _insert_head(session)
        taken = _bump_head(session, +1)
        assert taken is not None, "the head row was just inserted"
    # A statement started after the head's lock was granted: it sees every row committed before,
    # including those an earlier numbering (which held the lock) gave numbers to.
    numbered = _rowcount(session, update(OutboxEvent).where(OutboxEvent.seq.is_(None)).values(seq=taken))
    if numbered == 0:
        # Another numbering took them while this one waited for the lock: leave no empty revision.
        _bump_head(session, -1)
        return taken - 1
    return taken


def _bump_head(session: Session, by: int) -> int | None:
    bumped = session.execute(
        update(OutboxHead).where(OutboxHead.id == HEAD_ID).values(seq=OutboxHead.seq + by).returning(OutboxHead.seq),
        execution_options={"synchronize_session": False},
    ).scalar()
    return None if bumped is None else int(bumped)


def _insert_head(session: Session) -> None:
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    start = select(func.coalesce(func.max(OutboxEvent.seq), 0)).scalar_subquery()
    session.execute(
        insert(OutboxHead).values(id=HEAD_ID, seq=start).on_conflict_do_nothing(index_elements=["id"]),
    )


def mark_published(session: Session, through: int, at: datetime) -> int:
    """Mark the unpublished rows that revision ``through`` covers; returns how many."""
    marked = update(OutboxEvent).where(OutboxEvent.published_at.is_(None), OutboxEvent.seq <= through)
    return _rowcount(session, marked.values(published_at=at))


def _rowcount(session: Session, statement: Update) -> int:
    # An UPDATE gives a CursorResult, which has the row count; Session.execute is typed for any statement.
    result = session.execute(statement, execution_options={"synchronize_session": False})
    return cast(CursorResult[Any], result).rowcount


def changes_between(session: Session, after: int, through: int, limit: int) -> list[tuple[str, dict[str, Any]]]:
    """(topic, payload) of the rows numbered after revision ``after`` up to ``through``, at most ``limit``."""
    rows = session.execute(
        select(OutboxEvent.topic, OutboxEvent.payload)
        .where(OutboxEvent.seq > after, OutboxEvent.seq <= through)
        .order_by(OutboxEvent.seq, OutboxEvent.id)
        .limit(limit)
    )
    return [(topic, dict(payload or {})) for topic, payload in rows]


def named_changes(rows: Iterable[tuple[str, Mapping[str, Any]]], limit: int) -> list[tuple[Any, int]] | None:
    """(kind, id) of each ``content`` row of ``rows`` (topic, payload), skipping ``transition`` rows (only the clock moved).

    None when the rows cannot be told apart thing by thing: a row naming no single id (an import, the
    demo seed, a topic of the future) or more than ``limit`` rows. Readers that keep something up to
    date (the manifests, the match index) then read everything again.
    """
    named: list[tuple[Any, int]] = []
    for count, (topic, payload) in enumerate(rows, start=1):
        if count > limit:
            return None
        if topic == "transition":
            continue
        kind, ident = payload.get("kind"), payload.get("id")
        if topic != "content" or not isinstance(ident, int) or isinstance(ident, bool):
            return None
        named.append((kind, ident))
    return named
