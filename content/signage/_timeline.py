"""Segment building for one manifest group (private helper of ``content.signage.manifest``).

A group's timeline over a window is cut at every transition (schedule occurrences, campaign
windows, emergencies, item validity); each piece gets the winning layer and its region entries;
neighbouring pieces that came out identical are merged, so a transition that changes nothing on
screen (a vacancy that no board shows expiring) neither splits a segment nor changes a version.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from content.library.items import ItemKind
from content.signage._market_entries import market_entry
from content.signage._snapshot import EmergencySnap, EntrySnap, ItemSnap, LayoutSnap, ScheduleSnap, Snapshot, iso
from content.signage.emergencies import Severity
from content.signage.playlists import MAX_DURATION_SECONDS, MIN_DURATION_SECONDS, EntryKind
from content.signage.schedules import Layer, occurrences

DEFAULT_PAGE_SIZE: Final = 8
DEFAULT_BOARD_LIMIT: Final = 200
DEFAULT_FEED_LIMIT: Final = 20
# Entry kinds filled from the live items visible to the group (not one named item).
FEED_KINDS: Final = (
    EntryKind.VACANCY_BOARD,
    EntryKind.NOTICE_FEED,
    EntryKind.TRAINING_BOARD,
    EntryKind.GUIDE_FEED,
    EntryKind.FAIR_BOARD,
)
DEFAULT_FAIR_LIMIT: Final = 3  # a fair board shows the next three fairs at most
_SEVERITY_RANK: Final = {Severity.CRITICAL.value: 0, Severity.WARNING.value: 1, Severity.INFO.value: 2}


@dataclass(frozen=True)
class GroupInput:
    """Everything a group's manifest depends on besides the loaded data and the clock."""

    key: str
    org_unit_id: int
    org_path: tuple[int, ...]
    timezone: str
    schedule_ids: tuple[int, ...]
    emergency_ids: tuple[int, ...]
    voice: str = ""  # the manifest's voice entry as canonical JSON, "" for none


@dataclass(frozen=True)
class Feed:
    """A feed's candidates in display order, and every instant at which one becomes live or stops."""

    items: tuple[ItemSnap, ...]
    bounds: tuple[datetime, ...]


@dataclass(frozen=True)
class Piece:
    start: datetime
    end: datetime
    content: Mapping[str, Any]  # layer, source, layout, regions, emergencies


def _int_param(params: Mapping[str, Any], name: str, default: int) -> int:
    value = params.get(name, default)
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default  # params are checked on write; a bad one must not blank a screen
    return number if number >= 1 else default


def _duration(seconds: int) -> int:
    return max(MIN_DURATION_SECONDS, min(MAX_DURATION_SECONDS, int(seconds)))


def region_playlist(region_playlists: Mapping[str, Any], region: str, default: int | None) -> int | None:
    """The playlist a schedule's ``region_playlists`` give ``region``, else ``default`` (the layout's)."""
    if region not in region_playlists:
        return default
    value = region_playlists[region]
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def schedule_playlists(sched: ScheduleSnap, layouts: Mapping[int, LayoutSnap]) -> list[int]:
    """The playlists a schedule plays: its layout's regions', as its ``region_playlists`` override them."""
    layout = layouts.get(sched.layout_id)
    if layout is None:
        return []
    ids = []
    for region in layout.regions:
        playlist_id = region_playlist(sched.region_playlists, region.name, region.playlist_id)
        if playlist_id is not None:
            ids.append(playlist_id)
    return ids


class Timeline:
    """Builds merged segment pieces for groups, caching what several groups share."""

    def __init__(self, snapshot: Snapshot) -> None:
        self._snap = snapshot
        self._schedules = {s.id: s for s in snapshot.schedules}
        self._emergencies = {e.id: e for e in snapshot.emergencies}
        self._items_by_org: dict[int, list[ItemSnap]] = {}
        for item in snapshot.items.values():
            self._items_by_org.setdefault(item.org_unit_id, []).append(item)
        self._occurrences: dict[tuple[int, str, datetime, datetime], list[tuple[datetime, datetime]]] = {}
        self._candidates: dict[tuple[Any, ...], Feed] = {}
        self._entries: dict[tuple[int, int, int], dict[str, Any] | None] = {}

    def schedule(self, schedule_id: int) -> ScheduleSnap:
        return self._schedules[schedule_id]

    def emergency(self, emergency_id: int) -> EmergencySnap:
        return self._emergencies[emergency_id]

    # -- transitions -------------------------------------------------------------------------

    def _intervals(
        self, sched: ScheduleSnap, tz_name: str, tz: ZoneInfo, lo: datetime, hi: datetime
    ) -> list[tuple[datetime, datetime]]:
        key = (sched.id, tz_name, lo, hi)
        if key not in self._occurrences:
            self._occurrences[key] = occurrences(sched, tz, lo, hi)
        return self._occurrences[key]

    def _playlist_ids(self, sched: ScheduleSnap) -> list[int]:
        return schedule_playlists(sched, self._snap.layouts)

    def _candidates_for(self, entry_kind: str, params: Mapping[str, Any], group: GroupInput) -> Feed:
        """Feed candidates visible to the group's org node, filtered by params and in display order."""
        if entry_kind == EntryKind.VACANCY_BOARD:
            order = str(params.get("order") or "newest")
            key: tuple[Any, ...] = (
                entry_kind,
                group.org_unit_id,
                str(params.get("occupation_prefix") or ""),
                str(params.get("district") or ""),
                order,
            )
        else:
            order = "newest"
            key = (entry_kind, group.org_unit_id, str(params.get("topic") or ""))
        if entry_kind == EntryKind.TRAINING_BOARD:  # soonest start first (content.library.training.courses)
            key = (entry_kind, group.org_unit_id, str(params.get("district") or ""))
        if entry_kind == EntryKind.GUIDE_FEED:  # newest first, one category if given
            key = (entry_kind, group.org_unit_id, str(params.get("category") or ""))
        if key in self._candidates:
            return self._candidates[key]
        kind = ItemKind.VACANCY.value if entry_kind == EntryKind.VACANCY_BOARD else ItemKind.NOTICE.value
        if entry_kind == EntryKind.TRAINING_BOARD:
            return self._training_feed(key, group)
        if entry_kind == EntryKind.GUIDE_FEED:
            return self._guide_feed(key, group)
        if entry_kind == EntryKind.FAIR_BOARD:
            return self._fair_feed(key, group)
        found = [i for org in group.org_path for i in self._items_by_org.get(org, ()) if i.kind == kind]
        if entry_kind == EntryKind.VACANCY_BOARD:
            prefix, district = key[2], key[3]
            found = [
                i
                for i in found
                if i.filters["occupation_code"].startswith(prefix)
                and (not district or i.filters["district"] == district)
            ]
        elif key[2]:
            found = [i for i in found if i.filters["topic"] == key[2]]
        found.sort(key=lambda i: (i.created_at, i.id), reverse=order != "oldest")
        if order == "salary":  # stable sort: equal salaries stay newest first
            found.sort(key=lambda i: i.filters["salary"], reverse=True)
        bounds = sorted({m for i in found for m in (i.valid_from, i.valid_until) if m is not None})
        feed = self._candidates[key] = Feed(tuple(found), tuple(bounds))
        return feed

    def _training_feed(self, key: tuple[Any, ...], group: GroupInput) -> Feed:
        """Training courses visible to the group's node (in ``key[2]``'s district if given), soonest first."""
        kind, district = ItemKind.TRAINING.value, key[2]
        found = [i for org in group.org_path for i in self._items_by_org.get(org, ()) if i.kind == kind]
        found = [i for i in found if not district or i.filters["district"] == district]
        found.sort(key=lambda i: (i.filters["starts_on"], i.id))
        bounds = sorted({m for i in found for m in (i.valid_from, i.valid_until) if m is not None})
        feed = self._candidates[key] = Feed(tuple(found), tuple(bounds))
        return feed

    def _fair_feed(self, key: tuple[Any, ...], group: GroupInput) -> Feed:
        """Job fairs visible to the group's node, soonest start first (content.library.fairs.job_fairs)."""
        kind = ItemKind.FAIR.value
        found = [i for org in group.org_path for i in self._items_by_org.get(org, ()) if i.kind == kind]
        found.sort(key=lambda i: (i.filters["starts_at"], i.id))
        bounds = sorted({m for i in found for m in (i.valid_from, i.valid_until) if m is not None})
        feed = self._candidates[key] = Feed(tuple(found), tuple(bounds))
        return feed

    def _guide_feed(self, key: tuple[Any, ...], group: GroupInput) -> Feed:
        """Service guides visible to the group's node (of ``key[2]``'s category if given), newest first."""
        kind, category = ItemKind.GUIDE.value, key[2]
        found = [i for org in group.org_path for i in self._items_by_org.get(org, ()) if i.kind == kind]
        found = [i for i in found if not category or i.filters["category"] == category]
        found.sort(key=lambda i: (i.created_at, i.id), reverse=True)
        bounds = sorted({m for i in found for m in (i.valid_from, i.valid_until) if m is not None})
        feed = self._candidates[key] = Feed(tuple(found), tuple(bounds))
        return feed

    def _item_bounds(self, schedules: Iterable[ScheduleSnap], group: GroupInput) -> set[datetime]:
        """Validity starts and ends of every item the group's schedules could show."""
        bounds: set[datetime] = set()
        for sched in schedules:
            for playlist_id in self._playlist_ids(sched):
                for entry in self._snap.playlists.get(playlist_id, ()):
                    if entry.kind == EntryKind.ITEM:
                        item = self._snap.items.get(entry.item_id or 0)
                        if item is not None:
                            bounds.update(m for m in (item.valid_from, item.valid_until) if m is not None)
                    elif entry.kind in FEED_KINDS:
                        bounds.update(self._candidates_for(entry.kind, entry.params, group).bounds)
        return bounds

    # -- segments ----------------------------------------------------------------------------

    def pieces(self, group: GroupInput, tz: ZoneInfo, lo: datetime, hi: datetime) -> list[Piece]:
        """Merged pieces covering [lo, hi) for ``group``."""
        schedules = [self._schedules[i] for i in group.schedule_ids]
        emergencies = [self._emergencies[i] for i in group.emergency_ids]
        timed = {s.id: self._intervals(s, group.timezone, tz, lo, hi) for s in schedules if s.rank is not Layer.DEFAULT}
        cuts = {lo, hi}
        for intervals in timed.values():
            for start, end in intervals:
                cuts.update((start, end))
        for emergency in emergencies:
            cuts.update((emergency.starts_at, emergency.ends_at))
        cuts.update(self._item_bounds(schedules, group))
        points = sorted(moment for moment in cuts if lo <= moment <= hi)
        pieces: list[Piece] = []
        for start, end in zip(points, points[1:], strict=False):
            active = [s for s in schedules if s.id not in timed or any(a <= start < b for a, b in timed[s.id])]
            content = self._content(group, start, active, [e for e in emergencies if e.starts_at <= start < e.ends_at])
            if pieces and pieces[-1].content == content:
                pieces[-1] = Piece(pieces[-1].start, end, content)
            else:
                pieces.append(Piece(start, end, content))
        return pieces

    def _content(
        self, group: GroupInput, at: datetime, active: list[ScheduleSnap], emergencies: list[EmergencySnap]
    ) -> dict[str, Any]:
        winner = max(active, key=lambda s: (s.rank, s.priority, s.id)) if active else None
        layout = self._snap.layouts.get(winner.layout_id) if winner else None
        if winner is None or layout is None:
            content: dict[str, Any] = {"layer": "none", "source": None, "layout": None, "regions": {}}
        else:
            regions = {r.name: self._region(group, winner, r.name, r.playlist_id, at) for r in layout.regions}
            content = {
                "layer": winner.rank.label,
                "source": winner.source,
                "layout": str(layout.id),
                "regions": regions,
            }
        ordered = sorted(
            emergencies, key=lambda e: (_SEVERITY_RANK.get(e.severity, 9), -e.starts_at.timestamp(), -e.id)
        )
        if ordered:
            content["layer"] = Layer.EMERGENCY.label
        content["emergencies"] = [dict(e.data) for e in ordered]
        return content

    def _region(
        self, group: GroupInput, sched: ScheduleSnap, region: str, default: int | None, at: datetime
    ) -> list[dict[str, Any]]:
        playlist_id = region_playlist(sched.region_playlists, region, default)
        entries = []
        for entry in self._snap.playlists.get(playlist_id, ()) if playlist_id is not None else ():
            if entry.kind == EntryKind.ITEM:
                item = self._snap.items.get(entry.item_id or 0)
                if item is not None and item.live(at):
                    entries.append({"kind": "item", "item": item.key, "duration": _duration(entry.duration)})
            elif entry.kind in FEED_KINDS:
                # A feed's content only changes when one of its candidates' validity starts or
                # ends: pieces between the same two such instants (and groups at the same org
                # node) share one result.
                feed = self._candidates_for(entry.kind, entry.params, group)
                key = (entry.id, group.org_unit_id, bisect_right(feed.bounds, at))
                if key not in self._entries:
                    self._entries[key] = self._feed_entry(entry, feed, at)
                resolved = self._entries[key]
                if resolved is not None:
                    entries.append(resolved)
            elif entry.kind == EntryKind.MARKET_BOARD:  # 供求分析: the area's figures, no items, no transitions
                key = (entry.id, group.org_unit_id, -1)
                if key not in self._entries:
                    self._entries[key] = market_entry(
                        self._snap.market, entry.params, group.org_path, _duration(entry.duration)
                    )
                if (market := self._entries[key]) is not None:
                    entries.append(market)
        return entries

    @staticmethod
    def _feed_entry(entry: EntrySnap, feed: Feed, at: datetime) -> dict[str, Any] | None:
        duration = _duration(entry.duration)
        is_board = entry.kind in (EntryKind.VACANCY_BOARD, EntryKind.TRAINING_BOARD, EntryKind.FAIR_BOARD)
        default_limit = DEFAULT_BOARD_LIMIT if is_board else DEFAULT_FEED_LIMIT
        if entry.kind == EntryKind.FAIR_BOARD:
            default_limit = DEFAULT_FAIR_LIMIT
        limit = _int_param(entry.params, "limit", default_limit)
        keys: list[str] = []
        for item in feed.items:
            if item.live(at):
                keys.append(item.key)
                if len(keys) >= limit:
                    break
        if not keys:
            return None
        if is_board:
            page_size = _int_param(entry.params, "page_size", DEFAULT_PAGE_SIZE)
            return {"kind": str(entry.kind), "items": keys, "page_size": page_size, "duration": duration}
        return {"kind": str(entry.kind), "items": keys, "duration": duration}  # notice_feed, guide_feed


def referenced_items(pieces: Iterable[Piece]) -> list[str]:
    """Item keys that the pieces' region entries name, sorted."""
    seen: set[str] = set()
    done: set[int] = set()
    for piece in pieces:
        for entries in piece.content["regions"].values():
            for entry in entries:
                if id(entry) in done:  # feed entries are shared between pieces: walk each once
                    continue
                done.add(id(entry))
                if "items" in entry:
                    seen.update(entry["items"])
                elif "item" in entry:  # a market_board names no item
                    seen.add(entry["item"])
    return sorted(seen)


def piece_json(piece: Piece) -> dict[str, Any]:
    return {"start": iso(piece.start), "end": iso(piece.end), **piece.content}
