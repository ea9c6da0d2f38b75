"""Emergency notices (紧急通知): the top priority layer, always with an expiry, always audited."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from content.db import Base, utcnow
from content.signage.targeting import Target


class Severity(StrEnum):
    CRITICAL = "critical"  # red: evacuation, suspension of service
    WARNING = "warning"  # orange: weather, system outage
    INFO = "info"  # blue: urgent but not dangerous


class Emergency(Base):
    __tablename__ = "emergencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text, default="")
    severity: Mapped[str] = mapped_column(String(16), default=Severity.CRITICAL.value)
    starts_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]  # ended early by hand
    created_by: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    targets: Mapped[list[Target]] = relationship(
        cascade="all, delete-orphan", primaryjoin="Emergency.id == Target.emergency_id"
    )

    @property
    def effective_end(self) -> datetime:
        return min(self.expires_at, self.ended_at) if self.ended_at else self.expires_at
