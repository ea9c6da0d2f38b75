"""The transactional outbox: a change commits together with a row saying something must be published."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Integer, String, func, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from content.db import Base, utcnow

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT identity.
_Id = BigInteger().with_variant(Integer(), "sqlite")


class OutboxEvent(Base):
    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(_Id, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    topic: Mapped[str] = mapped_column(String(32))  # content | transition | screens
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    published_at: Mapped[datetime | None] = mapped_column(index=True)


def add_event(session: Session, topic: str, **payload: Any) -> OutboxEvent:
    """Stage an outbox row in the caller's transaction; the publisher emits it after commit."""
    event = OutboxEvent(topic=topic, payload=payload)
    session.add(event)
    return event


def pending(session: Session, limit: int = 500) -> list[OutboxEvent]:
    """Unpublished rows, oldest first."""
    stmt = select(OutboxEvent).where(OutboxEvent.published_at.is_(None)).order_by(OutboxEvent.id).limit(limit)
    return list(session.scalars(stmt))


def mark_published(session: Session, ids: list[int], at: datetime) -> None:
    if ids:
        session.execute(update(OutboxEvent).where(OutboxEvent.id.in_(ids)).values(published_at=at))


def latest_id(session: Session) -> int:
    """The newest outbox id: the revision of the data a snapshot is computed from."""
    return int(session.scalar(select(func.coalesce(func.max(OutboxEvent.id), 0))) or 0)
