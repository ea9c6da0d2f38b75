"""Schedules: when a layout with its playlists is shown, in which priority layer, to which screens."""

from __future__ import annotations

from datetime import date, datetime, time
from enum import IntEnum
from typing import Any

from sqlalchemy import Date, ForeignKey, String, Time
from sqlalchemy.orm import Mapped, mapped_column, relationship

from content.db import Base, utcnow
from content.layouts import Layout
from content.targeting import Target


class Layer(IntEnum):
    """Priority layers of DESIGN §4.2, lowest first; a higher layer pre-empts the ones below."""

    DEFAULT = 0
    SCHEDULED = 1
    CAMPAIGN = 2
    EMERGENCY = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, value: str) -> Layer:
        return cls[value.upper()]


class Schedule(Base):
    """Shows ``layout`` (with ``region_playlists`` overriding the layout's region defaults).

    Timing, all in the time zone of each targeted screen's hall:
    - ``date_from``/``date_until``: inclusive local date window (either may be open);
    - ``daypart_start``/``daypart_end``: local times; end ≤ start means the daypart crosses midnight;
      both None means the whole day;
    - ``rrule``: an RFC 5545 RRULE (without DTSTART) choosing the days a daypart starts on, with
      ``exdates`` (ISO local dates) removed; None means every day of the window;
    - ``starts_at``/``ends_at``: an absolute window (required for the campaign layer).
    The default layer ignores timing: it is always on.
    """

    __tablename__ = "schedules"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    layer: Mapped[str] = mapped_column(String(16), default="scheduled")
    priority: Mapped[int] = mapped_column(default=0)
    enabled: Mapped[bool] = mapped_column(default=True)
    layout_id: Mapped[int] = mapped_column(ForeignKey("layouts.id", ondelete="RESTRICT"), index=True)
    region_playlists: Mapped[dict[str, Any]] = mapped_column(default=dict)  # region name -> playlist id
    date_from: Mapped[date | None] = mapped_column(Date)
    date_until: Mapped[date | None] = mapped_column(Date)
    daypart_start: Mapped[time | None] = mapped_column(Time)
    daypart_end: Mapped[time | None] = mapped_column(Time)
    rrule: Mapped[str | None] = mapped_column(String(500))
    exdates: Mapped[list[Any]] = mapped_column(default=list)
    starts_at: Mapped[datetime | None]
    ends_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    layout: Mapped[Layout] = relationship()
    targets: Mapped[list[Target]] = relationship(
        cascade="all, delete-orphan", primaryjoin="Schedule.id == Target.schedule_id"
    )
