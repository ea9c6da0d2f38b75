"""Schedules: when a layout with its playlists is shown, in which priority layer, to which screens."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from enum import IntEnum
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import Date, ForeignKey, String, Time
from sqlalchemy.orm import Mapped, mapped_column, relationship

from content.db import Base, utcnow
from content.errors import ValidationError
from content.signage._recurrence import normalize_rrule, rrule_problem, rule_days, usable_rule
from content.signage.layouts import Layout
from content.signage.targeting import Target


class Layer(IntEnum):
    """Priority layers (docs/architecture.md, "Priority layers"), lowest first; a higher layer pre-empts the ones below."""

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


# Emergencies are their own model (content.signage.emergencies); a schedule cannot claim that layer.
SCHEDULE_LAYERS = (Layer.DEFAULT, Layer.SCHEDULED, Layer.CAMPAIGN)


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


class ScheduleTiming(Protocol):
    """The timing fields of a schedule: the ORM row and the resolver's snapshot both have them."""

    @property
    def layer(self) -> str: ...
    @property
    def date_from(self) -> date | None: ...
    @property
    def date_until(self) -> date | None: ...
    @property
    def daypart_start(self) -> time | None: ...
    @property
    def daypart_end(self) -> time | None: ...
    @property
    def rrule(self) -> str | None: ...
    @property
    def exdates(self) -> Sequence[Any]: ...
    @property
    def starts_at(self) -> datetime | None: ...
    @property
    def ends_at(self) -> datetime | None: ...


def validate_schedule(
    *,
    layer: str,
    date_from: date | None = None,
    date_until: date | None = None,
    daypart_start: time | None = None,
    daypart_end: time | None = None,
    rrule: str | None = None,
    exdates: Sequence[object] | None = None,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
) -> None:
    """Raise ValidationError naming every field whose timing value cannot work."""
    errors: dict[str, str] = {}
    layer_value = _parse_layer(layer, errors)
    if date_from is not None and date_until is not None and date_until < date_from:
        errors["date_until"] = f"{date_until.isoformat()} is before date_from {date_from.isoformat()}"
    for field, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if value is not None and value.tzinfo is None:
            errors[field] = "give a time with its UTC offset (an aware datetime)"
    if "starts_at" not in errors and "ends_at" not in errors and starts_at and ends_at and ends_at <= starts_at:
        errors["ends_at"] = f"{ends_at.isoformat()} is not after starts_at {starts_at.isoformat()}"
    if layer_value is Layer.CAMPAIGN:
        for field, value in (("starts_at", starts_at), ("ends_at", ends_at)):
            if value is None:
                errors[field] = "a campaign is time-boxed: give both starts_at and ends_at"
    if daypart_start is not None and daypart_end is not None and daypart_start == daypart_end:
        start = daypart_start.isoformat("minutes")
        errors["daypart_end"] = f"equals daypart_start {start}; leave both empty for all day"
    elif (daypart_start is None) != (daypart_end is None):
        missing = "daypart_end" if daypart_end is None else "daypart_start"
        errors[missing] = "give both daypart_start and daypart_end, or neither for the whole day"
    problem = rrule_problem(rrule, date_from)
    if problem is not None:
        errors["rrule"] = problem
    bad = [value for value in exdates or () if _as_date(value) is None]
    if bad:
        errors["exdates"] = f"not ISO dates (YYYY-MM-DD): {', '.join(repr(v) for v in bad[:5])}"
    if errors:
        raise ValidationError(errors)


def validate_schedule_row(schedule: ScheduleTiming) -> None:
    """validate_schedule over the fields of a Schedule row (or anything with the same fields)."""
    validate_schedule(
        layer=schedule.layer,
        date_from=schedule.date_from,
        date_until=schedule.date_until,
        daypart_start=schedule.daypart_start,
        daypart_end=schedule.daypart_end,
        rrule=schedule.rrule,
        exdates=schedule.exdates,
        starts_at=schedule.starts_at,
        ends_at=schedule.ends_at,
    )


def _parse_layer(layer: str, errors: dict[str, str]) -> Layer | None:
    names = ", ".join(item.label for item in SCHEDULE_LAYERS)
    try:
        value = Layer.parse(layer)
    except (KeyError, AttributeError):
        errors["layer"] = f"unknown layer {layer!r}; use one of {names}"
        return None
    if value not in SCHEDULE_LAYERS:
        errors["layer"] = f"{value.label} is not a schedule layer (send an emergency notice); use one of {names}"
        return None
    return value


def _as_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def occurrences(
    schedule: ScheduleTiming, tz: ZoneInfo, window_start: datetime, window_end: datetime
) -> list[tuple[datetime, datetime]]:
    """The sorted, disjoint UTC intervals inside [window_start, window_end) in which ``schedule`` is on.

    Wall-clock times are placed in ``tz`` one local day at a time (fold=0 for repeated hours,
    zoneinfo's rule for skipped ones), so a DST change shifts the UTC instant, not the local time.
    """
    if window_start.tzinfo is None or window_end.tzinfo is None:
        raise ValueError("occurrences() needs aware window bounds")
    lo, hi = window_start.astimezone(UTC), window_end.astimezone(UTC)
    if Layer.parse(schedule.layer) is Layer.DEFAULT:
        return [(lo, hi)] if lo < hi else []
    if schedule.starts_at is not None:
        lo = max(lo, schedule.starts_at.astimezone(UTC))
    if schedule.ends_at is not None:
        hi = min(hi, schedule.ends_at.astimezone(UTC))
    if hi <= lo:
        return []
    # A daypart that started the evening before the window may still be running at its start.
    first_day = lo.astimezone(tz).date() - timedelta(days=1)
    last_day = hi.astimezone(tz).date()
    if schedule.date_from is not None:
        first_day = max(first_day, schedule.date_from)
    if schedule.date_until is not None:
        last_day = min(last_day, schedule.date_until)
    intervals: list[tuple[datetime, datetime]] = []
    for day in _start_days(schedule, first_day, last_day):
        start, end = _daypart(day, schedule.daypart_start, schedule.daypart_end, tz)
        start, end = max(start, lo), min(end, hi)
        if start < end:
            intervals.append((start, end))
    return _merge(intervals)


def _start_days(schedule: ScheduleTiming, first_day: date, last_day: date) -> list[date]:
    if last_day < first_day:
        return []
    if normalize_rrule(schedule.rrule) is None:
        days = [first_day + timedelta(days=n) for n in range((last_day - first_day).days + 1)]
    elif not usable_rule(schedule.rrule, schedule.date_from):
        return []  # saved before the checks of today (or written around them): it cannot stall a resolution
    else:
        days = rule_days(schedule.rrule or "", schedule.date_from, first_day, last_day)
    skipped = {d for d in (_as_date(v) for v in schedule.exdates or ()) if d is not None}
    return [day for day in days if day not in skipped]


def _daypart(day: date, start: time | None, end: time | None, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """UTC bounds of the daypart beginning on local ``day``; end ≤ start runs into the next day."""
    begin = start or time()
    finish = end or time()
    end_day = day + timedelta(days=1) if finish <= begin else day
    return (
        datetime.combine(day, begin, tzinfo=tz).astimezone(UTC),
        datetime.combine(end_day, finish, tzinfo=tz).astimezone(UTC),
    )


def _merge(intervals: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
