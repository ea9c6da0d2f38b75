"""The audit log: who changed what, when, with a short before/after summary."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, Session, mapped_column

from content.db import Base, utcnow


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    object_kind: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str] = mapped_column(String(40))
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Where in the org tree the change happened (``/1/4/``), so org admins see their subtree's entries.
    org_path: Mapped[str | None] = mapped_column(String(255), index=True)


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    obj_kind: str,
    obj_id: object,
    summary: dict[str, Any],
    org_path: str | None = None,
) -> None:
    """Add an audit row to the current transaction (it commits or rolls back with the change)."""
    session.add(
        AuditEntry(
            actor=actor, action=action, object_kind=obj_kind, object_id=str(obj_id), summary=summary, org_path=org_path
        )
    )
