"""Screens (wall, kiosk, counter), their display profiles, groups and tags."""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, Integer, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from content.db import Base, utcnow
from content.org.tree import Hall, OrgUnit


class ScreenKind(StrEnum):
    WALL = "wall"
    KIOSK = "kiosk"
    COUNTER = "counter"
    EVALUATOR = "evaluator"  # 好差评 tablet at one counter (content/queue/evaluations.py)


class Panel(StrEnum):
    LCD = "lcd"
    LED = "led"


class Orientation(StrEnum):
    LANDSCAPE = "landscape"
    PORTRAIT = "portrait"


screen_group_members = Table(
    "screen_group_members",
    Base.metadata,
    Column("group_id", Integer, ForeignKey("screen_groups.id", ondelete="CASCADE"), primary_key=True),
    Column("screen_id", Integer, ForeignKey("screens.id", ondelete="CASCADE"), primary_key=True),
)


class ScreenGroup(Base):
    """A named set of screens (e.g. 全市大厅入口屏) owned by an org node."""

    __tablename__ = "screen_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    retired_at: Mapped[datetime | None]  # retired: no members, offered nowhere; kept for history (restorable)

    org_unit: Mapped[OrgUnit] = relationship()
    screens: Mapped[list[Screen]] = relationship(secondary=screen_group_members, back_populates="groups")


class ScreenTag(Base):
    __tablename__ = "screen_tags"
    __table_args__ = (UniqueConstraint("screen_id", "tag"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    screen_id: Mapped[int] = mapped_column(ForeignKey("screens.id", ondelete="CASCADE"), index=True)
    tag: Mapped[str] = mapped_column(String(50), index=True)


def new_screen_key() -> str:
    """An unguessable key that a display presents to identify itself.

    Never one starting with "-": a technician types keys as command-line arguments
    (``kiosk agent-credential <key>``), where that reads as an option.
    """
    while True:
        key = secrets.token_urlsafe(18)
        if not key.startswith("-"):
            return key


class Screen(Base):
    """One display in a hall: an LED/LCD wall, a touch kiosk or a counter strip."""

    __tablename__ = "screens"

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16), default=ScreenKind.WALL.value)
    key: Mapped[str] = mapped_column(String(64), unique=True, default=new_screen_key)
    width_px: Mapped[int] = mapped_column(default=1920)
    height_px: Mapped[int] = mapped_column(default=1080)
    orientation: Mapped[str] = mapped_column(String(16), default=Orientation.LANDSCAPE.value)
    panel: Mapped[str] = mapped_column(String(8), default=Panel.LCD.value)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    retired_at: Mapped[datetime | None]  # retired: key rotated, out of manifests and fleet; history kept

    hall: Mapped[Hall] = relationship()
    groups: Mapped[list[ScreenGroup]] = relationship(secondary=screen_group_members, back_populates="screens")
    tag_rows: Mapped[list[ScreenTag]] = relationship(cascade="all, delete-orphan")

    @property
    def tags(self) -> list[str]:
        return sorted(row.tag for row in self.tag_rows)

    def set_tags(self, tags: list[str]) -> None:
        wanted = {t.strip() for t in tags if t.strip()}
        self.tag_rows = [row for row in self.tag_rows if row.tag in wanted]
        have = {row.tag for row in self.tag_rows}
        self.tag_rows.extend(ScreenTag(tag=t) for t in sorted(wanted - have))

    @property
    def low_resolution(self) -> bool:
        """LED walls below ~1 megapixel get the big-text profile."""
        return self.panel == Panel.LED.value and self.width_px * self.height_px < 1_000_000


class ScreenStatus(Base):
    """What a screen last reported; written in batches from heartbeats, never on every beat."""

    __tablename__ = "screen_status"

    screen_id: Mapped[int] = mapped_column(ForeignKey("screens.id", ondelete="CASCADE"), primary_key=True)
    last_seen_at: Mapped[datetime | None]
    manifest_version: Mapped[str | None] = mapped_column(String(64))
    connected: Mapped[bool] = mapped_column(default=False)
    client_info: Mapped[str] = mapped_column(String(255), default="")
