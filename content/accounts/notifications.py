"""In-app notifications: a short message for one console account, read or not yet.

A notification names its ``kind`` and the ``params`` that fill in its words, not ready-made text:
the console says it in the reader's language. ``subject_kind``/``subject_id`` name what it is
about (``policy_notice`` 12); the console turns that into a link, so the domain knows no URLs.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import Any, Final

from sqlalchemy import ForeignKey, Index, String, func, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from content.db import Base, utcnow
from content.errors import NotFound

MAX_LISTED: Final = 200


class NotificationKind(StrEnum):
    NOTICE_SUBMITTED = "notice_submitted"  # to approvers: a notice waits for review
    NOTICE_RESUBMITTED = "notice_resubmitted"  # to approvers: an approved or published notice was changed
    NOTICE_APPROVED = "notice_approved"  # to the submitter
    NOTICE_REJECTED = "notice_rejected"  # to the submitter, with the reason
    NOTICE_PUBLISHED = "notice_published"  # to the submitter: it is on screens
    GUIDE_SUBMITTED = "guide_submitted"  # to approvers: a service guide waits for review
    GUIDE_RESUBMITTED = "guide_resubmitted"  # to approvers: an approved or published guide was changed
    GUIDE_APPROVED = "guide_approved"  # to the submitter
    GUIDE_REJECTED = "guide_rejected"  # to the submitter, with the reason
    GUIDE_PUBLISHED = "guide_published"  # to the submitter: it is on screens
    EMERGENCY_PROPOSED = "emergency_proposed"  # to approvers: an editor proposes an emergency notice
    EMERGENCY_APPROVED = "emergency_approved"  # to the proposer: it is on air
    EMERGENCY_REJECTED = "emergency_rejected"  # to the proposer, with the reason
    ALERT_SILENT = "alert_silent"  # to the hall's managers: a screen went silent (content/signage/alerts.py)
    ALERT_BEHIND = "alert_behind"  # ... a screen shows old content
    ALERT_READER_FAULT = "alert_reader_fault"  # ... a kiosk's reader is faulty
    ALERT_PRINTER_FAULT = "alert_printer_fault"  # ... a kiosk's printer is out of paper, offline or in error
    ALERT_FLAPPING = "alert_flapping"  # ... a screen keeps failing and recovering: one alert for all of it


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_recipient_unread", "recipient_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("staff_accounts.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    subject_kind: Mapped[str] = mapped_column(String(40), default="")
    subject_id: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

    @property
    def unread(self) -> bool:
        return self.read_at is None


def notify(
    session: Session,
    recipient_ids: Iterable[int],
    kind: NotificationKind,
    *,
    params: dict[str, Any],
    subject: tuple[str, int | None] = ("", None),
    now: datetime | None = None,
) -> list[Notification]:
    """Stage one notification per recipient (each once) in the caller's transaction."""
    at = now or utcnow()
    made = [
        Notification(
            recipient_id=rid,
            kind=kind.value,
            params=dict(params),
            subject_kind=subject[0],
            subject_id=subject[1],
            created_at=at,
        )
        for rid in sorted(set(recipient_ids))
    ]
    session.add_all(made)
    return made


def unread_count(session: Session, account_id: int) -> int:
    stmt = select(func.count(Notification.id)).where(
        Notification.recipient_id == account_id, Notification.read_at.is_(None)
    )
    return int(session.scalar(stmt) or 0)


def unread(session: Session, account_id: int, limit: int = MAX_LISTED) -> list[Notification]:
    """The account's unread notifications, newest first."""
    stmt = (
        select(Notification)
        .where(Notification.recipient_id == account_id, Notification.read_at.is_(None))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


def recent(session: Session, account_id: int, limit: int = MAX_LISTED) -> list[Notification]:
    """The account's notifications, read or not, newest first."""
    stmt = (
        select(Notification)
        .where(Notification.recipient_id == account_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


def mark_read(session: Session, account_id: int, notification_id: int, now: datetime) -> Notification:
    """Mark one of the account's notifications read (once: the first reading counts); NotFound for anyone else's."""
    found = session.get(Notification, notification_id)
    if found is None or found.recipient_id != account_id:
        raise NotFound("notification", notification_id)
    if found.read_at is None:
        found.read_at = now
    return found


def mark_all_read(session: Session, account_id: int, now: datetime) -> int:
    """Mark every unread notification of the account read; returns how many."""
    result = session.execute(
        update(Notification)
        .where(Notification.recipient_id == account_id, Notification.read_at.is_(None))
        .values(read_at=now)
        .execution_options(synchronize_session="fetch")
    )
    return int(getattr(result, "rowcount", 0) or 0)
