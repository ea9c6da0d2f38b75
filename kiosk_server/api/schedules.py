"""Schedules: when a layout (with region playlists) shows, in which layer, to which screens."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Any, Final

from pydantic import AfterValidator, Field, WithJsonSchema
from sqlalchemy.orm import Session, selectinload

from content.errors import ValidationError
from content.org.tree import OrgUnit
from content.signage.layouts import Layout
from content.signage.playlists import Playlist
from content.signage.schedules import Schedule, validate_schedule
from kiosk_server.api._crud import Id, Resource, assign, find, register
from kiosk_server.api._errors import gather
from kiosk_server.api._schemas import Body, Day, Filters, Instant, Out, partial
from kiosk_server.api._targets import TargetIn, TargetOut, check_targets, target_rows

TIMING: Final = (
    "layer",
    "date_from",
    "date_until",
    "daypart_start",
    "daypart_end",
    "rrule",
    "exdates",
    "starts_at",
    "ends_at",
)


def _local(value: time) -> time:
    if value.tzinfo is not None:
        raise ValueError("a wall-clock time in the hall's time zone, without an offset, e.g. 08:30")
    return value


# JSON Schema's format "time" is RFC 3339's full-time, which needs an offset; a daypart is a wall-clock
# time in the hall's zone, so the description says what is sent and answered instead.
_WALL_CLOCK: Final = {
    "type": "string",
    "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$",
    "description": "a wall-clock time in the hall's time zone, without an offset: 08:30 or 08:30:00",
}
WallClock = Annotated[time, WithJsonSchema(_WALL_CLOCK)]
LocalTime = Annotated[time, AfterValidator(_local), WithJsonSchema(_WALL_CLOCK)]


class ScheduleCreate(Body):
    org_unit_id: Id
    name: str = Field(min_length=1, max_length=100)
    layer: str = Field("scheduled", max_length=16, description="default, scheduled or campaign")
    priority: int = Field(0, ge=-1000, le=1000, description="higher wins within a layer")
    enabled: bool = True
    layout_id: Id
    region_playlists: dict[str, Id] = Field(default_factory=dict, description="region name → playlist id")
    date_from: Day | None = None
    date_until: Day | None = None
    daypart_start: LocalTime | None = None
    daypart_end: LocalTime | None = Field(None, description="at or before daypart_start: runs past midnight")
    rrule: str | None = Field(
        None, max_length=500, description="RFC 5545 RRULE without DTSTART, e.g. FREQ=WEEKLY;BYDAY=MO,TU"
    )
    exdates: list[Day] = Field(default_factory=list, max_length=366, description="local days left out")
    starts_at: Instant | None = None
    ends_at: Instant | None = None
    targets: list[TargetIn] = Field(max_length=200)


ScheduleUpdate = partial(ScheduleCreate)


class ScheduleOut(Out):
    id: int
    org_unit_id: int
    name: str
    layer: str
    priority: int
    enabled: bool
    layout_id: int
    region_playlists: dict[str, int]
    date_from: date | None
    date_until: date | None
    daypart_start: WallClock | None
    daypart_end: WallClock | None
    rrule: str | None
    exdates: list[date]
    starts_at: datetime | None
    ends_at: datetime | None
    targets: list[TargetOut]
    created_at: datetime


class ScheduleFilters(Filters):
    org_unit_id: Id | None = None
    layout_id: Id | None = None
    layer: str | None = None
    enabled: bool | None = None


def _check_region_playlists(session: Session, layout_id: int, mapping: dict[str, int]) -> None:
    layout = find(session, Layout, layout_id)
    if layout is None:
        return  # reported on layout_id
    names = {region.name for region in layout.regions}
    errors: dict[str, str] = {}
    for region, playlist_id in mapping.items():
        if region not in names:
            have = ", ".join(sorted(names)) or "no regions"
            errors[f"region_playlists.{region}"] = f"layout {layout_id} has no region {region!r} (it has {have})"
        elif find(session, Playlist, playlist_id) is None:
            errors[f"region_playlists.{region}"] = f"no playlist with id {playlist_id}"
    if errors:
        raise ValidationError(errors)


def save_schedule(session: Session, schedule: Schedule | None, values: dict[str, Any]) -> Schedule:
    timing = {name: values[name] if name in values or schedule is None else getattr(schedule, name) for name in TIMING}
    layout_id = values["layout_id"] if "layout_id" in values else getattr(schedule, "layout_id", 0)
    mapping = values["region_playlists"] if "region_playlists" in values else getattr(schedule, "region_playlists", {})
    gather(
        lambda: validate_schedule(**timing),
        lambda: _check_region_playlists(session, layout_id, mapping),
        lambda: check_targets(session, values["targets"]) if "targets" in values else None,
    )
    if schedule is None:
        schedule = Schedule()
        session.add(schedule)
    assign(schedule, values, skip=frozenset({"targets", "exdates"}))
    if "exdates" in values:
        schedule.exdates = sorted({day.isoformat() for day in values["exdates"]})
    if "targets" in values:
        schedule.targets = target_rows(values["targets"])
    return schedule


SCHEDULES: Resource[Schedule] = Resource(
    path="schedules",
    kind="schedule",
    model=Schedule,
    out=ScheduleOut,
    save=save_schedule,
    create=ScheduleCreate,
    update=ScheduleUpdate,
    filters=ScheduleFilters,
    refs={"org_unit_id": (OrgUnit, "org unit"), "layout_id": (Layout, "layout")},
    load=(selectinload(Schedule.targets),),
)
register(SCHEDULES)
