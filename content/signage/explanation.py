"""Why a screen shows what it shows at an instant: the manifest, the schedule on air, the rules that matched.

``explain`` resolves the screen's manifest with the real ``Resolver`` and then answers, for the
segment on at that instant, which schedule put its layout there (with its layer, daypart and the
include rules that take the screen in), which playlist each region plays and where that choice
comes from, which emergencies cover it, and every other enabled schedule aimed at the screen with
whether its timing covers the instant. Rule matching asks ``TargetIndex`` one rule at a time, so
the answer cannot drift from what the resolver does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from content.errors import NotFound
from content.org.screens import Screen
from content.org.timezones import zone
from content.org.tree import Hall
from content.signage._timeline import region_playlist
from content.signage.emergencies import Emergency
from content.signage.layouts import Layout
from content.signage.manifest import LOOKBACK, Manifest, Resolver, screen_context
from content.signage.playlists import Playlist
from content.signage.schedules import Layer, Schedule, occurrences
from content.signage.targeting import Rule, ScreenContext, TargetIndex, TargetMode, TargetRule, homes

# An instant is "covered" by a schedule when it is on during the second that starts there.
_INSTANT = timedelta(seconds=1)


@dataclass(frozen=True)
class ScheduleWhy:
    """One enabled schedule aimed at the screen, and how it stands at the instant."""

    id: int
    name: str
    layer: str
    priority: int
    org_unit_id: int
    daypart_start: time | None
    daypart_end: time | None
    rrule: str | None
    date_from: date | None
    date_until: date | None
    starts_at: datetime | None
    ends_at: datetime | None
    on: bool  # its timing covers the instant (the default layer always does)
    matched: tuple[TargetRule, ...]  # its include rules that take the screen in
    excludes: tuple[TargetRule, ...]  # its exclude rules: none of them matches the screen


@dataclass(frozen=True)
class RegionWhy:
    """One region of the layout on screen: the playlist it plays and who chose it."""

    name: str
    widget: str
    playlist_id: int | None
    playlist_name: str | None
    from_schedule: bool  # the schedule chose this playlist; otherwise it is the layout's own for the region
    entries: int  # playlist entries with something to show at the instant


@dataclass(frozen=True)
class EmergencyWhy:
    id: int
    title: str
    severity: str
    ends_at: datetime
    matched: tuple[TargetRule, ...]


@dataclass(frozen=True)
class Explanation:
    """What ``screen_id`` shows at ``at`` and why."""

    screen_id: int
    at: datetime
    timezone: str
    manifest: Manifest
    segment: Mapping[str, Any]  # the manifest segment on at ``at`` (the first one)
    layer: str  # emergency, campaign, scheduled, default or none
    showing: ScheduleWhy | None  # the schedule whose layout is on screen (under an emergency, too)
    regions: tuple[RegionWhy, ...]
    emergencies: tuple[EmergencyWhy, ...]
    schedules: tuple[ScheduleWhy, ...]  # every enabled schedule aimed at the screen, highest layer first
    until: datetime  # when the segment ends (the manifest's next change, or its horizon)

    @property
    def open_ended(self) -> bool:
        """True when the segment runs to the manifest's horizon: no change is known before ``until``."""
        return self.until >= datetime.fromisoformat(self.manifest.body["horizon"]["until"])

    @property
    def payload(self) -> dict[str, Any]:
        """The ``manifest`` event payload a player would receive for this manifest (docs/protocol.md §3)."""
        return {
            "stream": "manifest",
            "seq": 1,
            "version": self.manifest.version,
            "group": self.manifest.group,
            "manifest": self.manifest.body,
        }


def matching_rules(rules: Iterable[Rule], ctx: ScreenContext) -> tuple[TargetRule, ...]:
    """The rules among ``rules`` that name ``ctx`` (its org path, hall, groups, tags or id), mode aside."""
    hits = []
    for rule in rules:
        probe = TargetRule(TargetMode.INCLUDE.value, rule.kind, rule.ref)
        if TargetIndex({0: [probe]}).match(ctx):
            hits.append(TargetRule(rule.mode, rule.kind, rule.ref))
    return tuple(hits)


def _schedule_why(row: Schedule, ctx: ScreenContext, at: datetime) -> ScheduleWhy:
    hits = matching_rules(row.targets, ctx)
    excludes = tuple(TargetRule(t.mode, t.kind, t.ref) for t in row.targets if t.mode == TargetMode.EXCLUDE)
    on = bool(occurrences(row, zone(ctx.timezone), at, at + _INSTANT))
    return ScheduleWhy(
        id=row.id,
        name=row.name,
        layer=row.layer,
        priority=row.priority,
        org_unit_id=row.org_unit_id,
        daypart_start=row.daypart_start,
        daypart_end=row.daypart_end,
        rrule=row.rrule,
        date_from=row.date_from,
        date_until=row.date_until,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        on=on,
        matched=tuple(r for r in hits if r.mode == TargetMode.INCLUDE),
        excludes=excludes,
    )


def hall_contexts(session: Session, hall_id: int) -> list[ScreenContext]:
    """The contexts of a hall's screens, and one for the hall itself (a screen in no group, with no tag)."""
    hall = session.get(Hall, hall_id)
    if hall is None:
        raise NotFound("hall", hall_id)
    screen_ids = list(session.scalars(select(Screen.id).where(Screen.hall_id == hall_id)))
    own = ScreenContext(
        screen_id=0,
        hall_id=hall.id,
        org_unit_id=hall.org_unit_id,
        org_path=tuple(hall.org_unit.ancestor_ids()),
        group_ids=frozenset(),
        tags=frozenset(),
        timezone=hall.timezone,
    )
    return [*Resolver.contexts(session, screen_ids), own] if screen_ids else [own]


def aimed_at(session: Session, contexts: Sequence[ScreenContext]) -> list[Schedule]:
    """Enabled schedules whose targets take in at least one of ``contexts`` (in id order, targets loaded)."""
    rows = list(
        session.scalars(
            select(Schedule)
            .where(Schedule.enabled.is_(True))
            .options(selectinload(Schedule.targets))
            .order_by(Schedule.id)
        )
    )
    index = TargetIndex({row.id: row.targets for row in rows}, homes(rows))
    wanted: set[int] = set()
    for ctx in contexts:
        wanted |= index.match(ctx)
    return [row for row in rows if row.id in wanted]


def _regions(session: Session, showing: Schedule | None, segment: Mapping[str, Any]) -> tuple[RegionWhy, ...]:
    layout = session.get(Layout, int(segment["layout"])) if segment.get("layout") is not None else None
    if layout is None or showing is None:
        return ()
    found = []
    for region in layout.regions:
        # The resolver's own rule: the schedule's playlist for the region, else the layout's.
        playlist_id = region_playlist(showing.region_playlists, region.name, region.playlist_id)
        playlist = session.get(Playlist, playlist_id) if playlist_id is not None else None
        found.append(
            RegionWhy(
                name=region.name,
                widget=region.widget,
                playlist_id=playlist_id,
                playlist_name=playlist.name if playlist else None,
                from_schedule=region.name in (showing.region_playlists or {}),
                entries=len(segment.get("regions", {}).get(region.name, [])),
            )
        )
    return tuple(found)


def explain(session: Session, screen_id: int, at: datetime) -> Explanation:
    """Resolve ``screen_id``'s manifest at ``at`` (aware) and say why it shows what it shows.

    NotFound if the screen does not exist.
    """
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"at must be an aware datetime, got {at!r}")
    at = at.astimezone(UTC)
    ctx = screen_context(session, screen_id)
    manifest = Resolver.load(session, since=at - LOOKBACK).resolve(ctx, at)
    segment = manifest.body["segments"][0]
    rows = aimed_at(session, [ctx])
    schedules = sorted(
        (_schedule_why(row, ctx, at) for row in rows),
        key=lambda s: (-Layer.parse(s.layer), not s.on, -s.priority, -s.id),
    )
    source = segment.get("source") or {}
    by_id = {row.id: row for row in rows}
    showing_row = by_id.get(int(source["id"])) if source.get("kind") == "schedule" else None
    showing = next((s for s in schedules if showing_row is not None and s.id == showing_row.id), None)
    emergencies = []
    for data in segment.get("emergencies", ()):
        row = session.get(Emergency, int(data["id"]))
        rules = matching_rules(row.targets, ctx) if row is not None else ()
        emergencies.append(
            EmergencyWhy(
                id=int(data["id"]),
                title=str(data["title"]),
                severity=str(data["severity"]),
                ends_at=datetime.fromisoformat(data["expires_at"]),
                matched=tuple(r for r in rules if r.mode == TargetMode.INCLUDE),
            )
        )
    return Explanation(
        screen_id=screen_id,
        at=at,
        timezone=ctx.timezone,
        manifest=manifest,
        segment=segment,
        layer=str(segment["layer"]),
        showing=showing,
        regions=_regions(session, showing_row, segment),
        emergencies=tuple(emergencies),
        schedules=tuple(schedules),
        until=datetime.fromisoformat(segment["end"]),
    )
