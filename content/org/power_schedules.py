"""Where the panels' power schedules are kept: a hall's opening hours, and a screen's own override.

A screen follows, in order: its override (its own hours, or "always on"), else its hall's opening
hours, else nothing (always on: a panel nobody scheduled is never switched off). The decisions
themselves are ``opening_hours.py``'s; the kiosk agent receives ``wire(...)`` and decides offline.
The hours are stored in the canonical text (``format_hours``), so what the console shows back is
what was understood.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Final

from sqlalchemy import ForeignKey, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from content.db import Base, utcnow
from content.errors import ValidationError
from content.org.opening_hours import (
    DEFAULT_MARGIN_MINUTES,
    OpeningHours,
    PowerSchedule,
    check_margin,
    format_hours,
    parse_hours,
)
from content.org.screens import Screen
from content.org.timezones import zone
from content.org.tree import Hall

MAX_HOURS_TEXT: Final = 2000


class HallOpeningHours(Base):
    """A hall's opening hours (canonical text) and its panels' margin around them."""

    __tablename__ = "hall_opening_hours"

    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id", ondelete="CASCADE"), primary_key=True)
    hours: Mapped[str] = mapped_column(Text)
    margin_minutes: Mapped[int] = mapped_column(default=DEFAULT_MARGIN_MINUTES)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(Text, default="")


class ScreenPowerOverride(Base):
    """One screen's own schedule: its own hours, or always on (``hours`` None)."""

    __tablename__ = "screen_power_overrides"

    screen_id: Mapped[int] = mapped_column(ForeignKey("screens.id", ondelete="CASCADE"), primary_key=True)
    always_on: Mapped[bool] = mapped_column(default=False)
    hours: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(Text, default="")


class Source(StrEnum):
    SCREEN = "screen"  # the screen's own hours
    ALWAYS_ON = "always_on"  # the screen is set to stay on
    HALL = "hall"  # the hall's opening hours
    NONE = "none"  # nothing set anywhere: always on


@dataclass(frozen=True)
class Effective:
    """What a screen follows and why."""

    source: Source
    hours: OpeningHours | None  # None: always on
    text: str  # canonical, "" when always on
    timezone: str
    margin_minutes: int

    @property
    def schedule(self) -> PowerSchedule:
        return PowerSchedule(self.hours, zone(self.timezone), check_margin(self.margin_minutes))

    def wire(self) -> dict[str, Any]:
        """The ``power_schedule`` payload the kiosk agent follows."""
        return {"hours": self.text or None, "tz": self.timezone, "margin_minutes": self.margin_minutes}


def _clean(text: str) -> tuple[OpeningHours, str]:
    if len(text) > MAX_HOURS_TEXT:
        raise ValidationError.single("opening_hours", f"at most {MAX_HOURS_TEXT} characters")
    hours = parse_hours(text)
    return hours, format_hours(hours)


@dataclass(frozen=True)
class PowerRows:
    """The rows schedules are made of: halls' time zones, halls' opening hours, screens' overrides."""

    timezones: Mapping[int, str]  # hall id -> its time zone
    halls: Mapping[int, tuple[str, int]]  # hall id -> (opening hours text, margin minutes)
    overrides: Mapping[int, tuple[bool, str | None]]  # screen id -> (always on, hours text)


def read_power_rows(session: Session) -> PowerRows:
    """Every hall's and screen's rows at once: a burst of screens saying hello shares one read."""
    return PowerRows(
        timezones={hall_id: tz for hall_id, tz in session.execute(select(Hall.id, Hall.timezone))},
        halls={
            hall_id: (hours, margin)
            for hall_id, hours, margin in session.execute(
                select(HallOpeningHours.hall_id, HallOpeningHours.hours, HallOpeningHours.margin_minutes)
            )
        },
        overrides={
            screen_id: (always_on, hours)
            for screen_id, always_on, hours in session.execute(
                select(ScreenPowerOverride.screen_id, ScreenPowerOverride.always_on, ScreenPowerOverride.hours)
            )
        },
    )


def effective(session: Session, screen: Screen) -> Effective:
    """The schedule ``screen`` follows now."""
    hall = session.get(Hall, screen.hall_id)
    hall_row = session.get(HallOpeningHours, screen.hall_id)
    override = session.get(ScreenPowerOverride, screen.id)
    rows = PowerRows(
        timezones={screen.hall_id: hall.timezone} if hall is not None else {},
        halls={screen.hall_id: (hall_row.hours, hall_row.margin_minutes)} if hall_row is not None else {},
        overrides={screen.id: (override.always_on, override.hours)} if override is not None else {},
    )
    return effective_of(rows, screen.id, screen.hall_id)


def effective_of(rows: PowerRows, screen_id: int, hall_id: int) -> Effective:
    """The schedule the screen ``screen_id`` of hall ``hall_id`` follows, by ``rows``."""
    timezone = rows.timezones.get(hall_id, "Asia/Shanghai")
    hall_row = rows.halls.get(hall_id)
    margin = hall_row[1] if hall_row is not None else DEFAULT_MARGIN_MINUTES
    override = rows.overrides.get(screen_id)
    if override is not None and override[0]:
        return Effective(Source.ALWAYS_ON, None, "", timezone, margin)
    if override is not None and override[1]:
        return Effective(Source.SCREEN, parse_hours(override[1]), override[1], timezone, margin)
    if hall_row is not None and hall_row[0]:
        return Effective(Source.HALL, parse_hours(hall_row[0]), hall_row[0], timezone, margin)
    return Effective(Source.NONE, None, "", timezone, margin)


def hall_hours(session: Session, hall_id: int) -> HallOpeningHours | None:
    return session.get(HallOpeningHours, hall_id)


def set_hall_hours(session: Session, hall: Hall, text: str, margin_minutes: int, *, by: str) -> str:
    """Set (or with empty ``text``, clear) a hall's opening hours; returns the canonical text stored."""
    check_margin(margin_minutes)
    row = session.get(HallOpeningHours, hall.id)
    if not text.strip():
        if row is not None:
            session.delete(row)
            session.flush()
        return ""
    _hours, canonical = _clean(text)
    if row is None:
        row = HallOpeningHours(hall_id=hall.id, hours=canonical)
        session.add(row)
    row.hours, row.margin_minutes, row.updated_at, row.updated_by = canonical, margin_minutes, utcnow(), by
    session.flush()
    return canonical


def set_screen_override(session: Session, screen: Screen, mode: str, text: str = "", *, by: str) -> str:
    """``mode`` "hall" (follow the hall: no override), "always_on", or "hours" with ``text``; returns the
    canonical text stored ("" for the first two)."""
    row = session.get(ScreenPowerOverride, screen.id)
    if mode == "hall":
        if row is not None:
            session.delete(row)
            session.flush()
        return ""
    if mode not in {"always_on", "hours"}:
        raise ValidationError.single("mode", f"expected hall, always_on or hours, got {mode!r}")
    canonical = _clean(text)[1] if mode == "hours" else ""
    if row is None:
        row = ScreenPowerOverride(screen_id=screen.id)
        session.add(row)
    row.always_on, row.hours, row.updated_at, row.updated_by = mode == "always_on", canonical or None, utcnow(), by
    session.flush()
    return canonical
