"""Target rules: which screens a schedule or emergency applies to (org subtree, hall, group, tag, screen)."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from content.db import Base


class TargetKind(StrEnum):
    ORG = "org"  # ref: org unit id; matches every screen in that subtree
    HALL = "hall"  # ref: hall id
    GROUP = "group"  # ref: screen group id
    TAG = "tag"  # ref: tag text
    SCREEN = "screen"  # ref: screen id


class TargetMode(StrEnum):
    INCLUDE = "include"
    EXCLUDE = "exclude"


class Target(Base):
    """One include or exclude rule; a screen is targeted if some include matches and no exclude does."""

    __tablename__ = "targets"
    __table_args__ = (
        CheckConstraint(
            "(schedule_id IS NULL) <> (emergency_id IS NULL)", name="one_owner"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int | None] = mapped_column(ForeignKey("schedules.id", ondelete="CASCADE"), index=True)
    emergency_id: Mapped[int | None] = mapped_column(ForeignKey("emergencies.id", ondelete="CASCADE"), index=True)
    mode: Mapped[str] = mapped_column(String(8), default=TargetMode.INCLUDE.value)
    kind: Mapped[str] = mapped_column(String(8))
    ref: Mapped[str] = mapped_column(String(64))
