"""Screens (wall, kiosk, counter), their display profiles, groups and tags."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any, Final

from sqlalchemy import Column, ForeignKey, Integer, String, Table, UniqueConstraint
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

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


# What a status write sets; a row not there yet is inserted with them.
STATUS_FIELDS: Final = ("last_seen_at", "manifest_version", "connected", "client_info")


def write_statuses(session: Session, statuses: Sequence[Mapping[str, Any]]) -> None:
    """Insert or update many screens' status rows in one statement (each mapping: screen_id and STATUS_FIELDS).

    A batch of heartbeats at 5,000 screens took a SELECT and an UPDATE per row through the ORM,
    seconds of the serving core; this is one upsert (ON CONFLICT DO UPDATE, on SQLite and PostgreSQL).
    """
    if not statuses:
        return
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(ScreenStatus)
    upsert = statement.on_conflict_do_update(
        index_elements=[ScreenStatus.screen_id], set_={name: statement.excluded[name] for name in STATUS_FIELDS}
    )
    session.execute(upsert, list(statuses))
