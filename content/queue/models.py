"""The queue's records: service types, counters, tickets, their event log and each hall's board version.

Conventions (docs/cards.md §6): a ticket number is the service type's letter and a daily
sequence (``A023``) that starts again at midnight in the hall's time zone; states go
waiting → called → serving → done, or no-show (过号), or transferred.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, Final

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from content.db import Base, utcnow

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT identity.
_BigId = BigInteger().with_variant(Integer(), "sqlite")

PREFIXES: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


class TicketState(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    DONE = "done"
    NO_SHOW = "no_show"  # 过号
    TRANSFERRED = "transferred"  # moved on; the ticket that carries on names it in transferred_from_id


OPEN_AT_COUNTER: Final = (TicketState.CALLED.value, TicketState.SERVING.value)


class EventKind(StrEnum):
    ARRIVE = "arrive"
    CALL = "call"
    RECALL = "recall"  # 重呼
    SERVE = "serve"
    END = "end"
    NO_SHOW = "no_show"
    TRANSFER = "transfer"


class TicketSource(StrEnum):
    KIOSK = "kiosk"
    COUNTER = "counter"  # issued by staff for a walk-in
    INGEST = "ingest"  # mirrored from a hall's own queuing system


counter_services = Table(
    "queue_counter_services",
    Base.metadata,
    Column("counter_id", Integer, ForeignKey("queue_counters.id", ondelete="CASCADE"), primary_key=True),
    Column("service_type_id", Integer, ForeignKey("queue_service_types.id", ondelete="CASCADE"), primary_key=True),
)


class ServiceType(Base):
    """A line of business in one hall (社保业务, 就业登记…) with its ticket letter."""

    __tablename__ = "queue_service_types"
    __table_args__ = (UniqueConstraint("hall_id", "prefix"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id", ondelete="CASCADE"), index=True)
    prefix: Mapped[str] = mapped_column(String(1))
    name: Mapped[str] = mapped_column(String(60))
    name_en: Mapped[str] = mapped_column(String(80), default="")
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    # What a service takes when there is no recent history to estimate from.
    default_service_seconds: Mapped[int] = mapped_column(default=300)
    # None: the priority lane (绿色通道) is always called first. A number: a priority ticket counts
    # as if it had arrived that many minutes earlier, so the normal line keeps moving too.
    priority_boost_minutes: Mapped[int | None] = mapped_column(default=None)


class Counter(Base):
    """A service window (窗口), the service types it calls, and the strip screen above it."""

    __tablename__ = "queue_counters"
    __table_args__ = (UniqueConstraint("hall_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    name: Mapped[str] = mapped_column(String(40))  # 5号窗口
    screen_id: Mapped[int | None] = mapped_column(ForeignKey("screens.id", ondelete="SET NULL"), index=True)
    # The 好差评 evaluator tablet at this counter (content/queue/evaluations.py).
    evaluator_screen_id: Mapped[int | None] = mapped_column(ForeignKey("screens.id", ondelete="SET NULL"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    # 暂停服务: since when the counter is paused and why (shown on its strip and the hall's board).
    paused_since: Mapped[datetime | None]
    pause_reason: Mapped[str | None] = mapped_column(String(60))

    services: Mapped[list[ServiceType]] = relationship(secondary=counter_services, order_by=ServiceType.position)


class QueueBoard(Base):
    """One row per hall: the version of its board, bumped (and so row-locked) by every queue change.

    Taking this row first serialises a hall's queue changes on PostgreSQL and SQLite alike, which is
    what keeps two counters calling at the same instant from getting the same ticket.
    """

    __tablename__ = "queue_boards"

    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class DailySequence(Base):
    """The last number issued per hall, letter and hall-local day."""

    __tablename__ = "queue_sequences"

    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id", ondelete="CASCADE"), primary_key=True)
    prefix: Mapped[str] = mapped_column(String(1), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last: Mapped[int] = mapped_column(default=0)


class Ticket(Base):
    """One number in one line. Nothing personal: a linked card leaves only its keyed hash."""

    __tablename__ = "queue_tickets"
    __table_args__ = (
        Index("ix_queue_tickets_line", "service_type_id", "day", "state", "priority", "arrived_at"),
        Index("ix_queue_tickets_hall_day", "hall_id", "day", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id", ondelete="CASCADE"))
    service_type_id: Mapped[int] = mapped_column(ForeignKey("queue_service_types.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    number: Mapped[str] = mapped_column(String(8))
    priority: Mapped[bool] = mapped_column(default=False)
    state: Mapped[str] = mapped_column(String(12), default=TicketState.WAITING.value)
    source: Mapped[str] = mapped_column(String(8), default=TicketSource.KIOSK.value)
    public_code: Mapped[str] = mapped_column(String(24), unique=True)
    person_ref: Mapped[str | None] = mapped_column(String(64), index=True)
    arrived_at: Mapped[datetime]
    called_at: Mapped[datetime | None]  # the first call
    last_called_at: Mapped[datetime | None]
    serving_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    recalls: Mapped[int] = mapped_column(default=0)
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("queue_counters.id", ondelete="SET NULL"), index=True)
    # Transferred to one counter in particular: only that counter calls it.
    target_counter_id: Mapped[int | None] = mapped_column(ForeignKey("queue_counters.id", ondelete="SET NULL"))
    transferred_from_id: Mapped[int | None] = mapped_column(ForeignKey("queue_tickets.id", ondelete="SET NULL"))

    service_type: Mapped[ServiceType] = relationship()
    counter: Mapped[Counter | None] = relationship(foreign_keys=[counter_id])

    def __repr__(self) -> str:
        return f"Ticket(id={self.id!r}, number={self.number!r}, state={self.state!r})"


class TicketEvent(Base):
    """The event log statistics and wait estimates are computed from."""

    __tablename__ = "queue_events"
    __table_args__ = (Index("ix_queue_events_hall_at", "hall_id", "at"),)

    id: Mapped[int] = mapped_column(_BigId, primary_key=True, autoincrement=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id", ondelete="CASCADE"))
    ticket_id: Mapped[int] = mapped_column(ForeignKey("queue_tickets.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    at: Mapped[datetime]
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("queue_counters.id", ondelete="SET NULL"))
    service_type_id: Mapped[int] = mapped_column(ForeignKey("queue_service_types.id", ondelete="CASCADE"))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class IngestedEvent(Base):
    """An event id received from a hall's own queuing system, kept so a replay is refused."""

    __tablename__ = "queue_ingested"
    __table_args__ = (UniqueConstraint("hall_id", "source", "event_id"),)

    id: Mapped[int] = mapped_column(_BigId, primary_key=True, autoincrement=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(40))
    event_id: Mapped[str] = mapped_column(String(80))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
