"""The manifest resolver: what a screen shows from an instant to the end of the day after tomorrow.

``Resolver.load`` reads the database once; everything after that is a pure function of the
loaded data and the instant passed in (never the wall clock), so the same inputs give the same
body and the same ``version``. Screens whose hall org node, time zone, matched schedules and
matched emergencies agree form a **group** and share one resolution (docs/protocol.md §2).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from functools import lru_cache
from typing import Any, Final
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from content.errors import NotFound
from content.org.screens import Screen
from content.org.timezones import zone
from content.signage._snapshot import Snapshot, iso, load_contexts, load_snapshot
from content.signage._timeline import GroupInput, Piece, Timeline, piece_json, referenced_items
from content.signage.targeting import ScreenContext, TargetIndex, homes

SCHEMA: Final = 1
HORIZON_DAYS: Final = 3  # today, tomorrow and the day after: always at least 48 hours ahead
# Emergencies and campaigns that ended this long before an instant cannot touch its manifest
# (the first segment starts no earlier than local midnight, at most 25 hours back).
LOOKBACK: Final = timedelta(days=2)


@dataclass(frozen=True)
class Manifest:
    """A resolved manifest: its group key, content version and JSON body (treat the body as read-only)."""

    group: str
    version: str
    body: dict[str, Any]
    # The canonical JSON the version was computed over, when the resolver assembled it: kept so that
    # whoever needs the text (the server deflates it once per version) does not write it again.
    text: str | None = field(default=None, compare=False, repr=False)

    def canonical_text(self) -> str:
        """The canonical JSON of the body: the text kept, or written now."""
        return self.text if self.text is not None else canonical_json(self.body)


def canonical_json(body: Mapping[str, Any]) -> str:
    """The exact text the version is computed over."""
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def version_of(body: Mapping[str, Any]) -> str:
    """First 16 hex digits of SHA-256 over the canonical JSON of ``body``."""
    return version_of_text(canonical_json(body))


def version_of_text(text: str) -> str:
    """The version of a manifest whose canonical JSON is ``text``."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _json_key(name: str) -> str:
    return json.dumps(name, ensure_ascii=False)


def _require_aware(moment: datetime, name: str) -> datetime:
    if not isinstance(moment, datetime) or moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime, got {moment!r}")
    return moment.astimezone(UTC)


@lru_cache(maxsize=1024)
def local_midnight(moment: datetime, tz: ZoneInfo, days: int = 0) -> datetime:
    """Local midnight (as UTC) starting the day ``days`` after ``moment``'s day in ``tz``."""
    day = moment.astimezone(tz).date() + timedelta(days=days)
    return datetime.combine(day, time(), tzinfo=tz).astimezone(UTC)


class Resolver:
    """Resolves manifests for many screens from one loaded snapshot of the database."""

    def __init__(self, snapshot: Snapshot, since: datetime | None = None) -> None:
        self._snapshot = snapshot
        self._since = since
        self._timeline = Timeline(snapshot)
        self._schedule_index = TargetIndex({s.id: s.targets for s in snapshot.schedules}, homes(snapshot.schedules))
        self._emergency_index = TargetIndex(
            {e.id: e.targets for e in snapshot.emergencies}, homes(snapshot.emergencies)
        )
        self._groups: dict[tuple[Any, ...], GroupInput] = {}
        self._pieces: dict[tuple[str, datetime], list[Piece]] = {}
        self._texts: dict[object, str] = {}  # canonical JSON of items and pieces, encoded once

    @classmethod
    def load(cls, session: Session, since: datetime | None = None) -> Resolver:
        """Load enabled schedules, emergencies, layouts, playlists and published items.

        With ``since``, rows that ended before it (emergencies, campaigns, expired items) are not
        loaded, and the resolver refuses instants earlier than ``since + LOOKBACK``, for which
        they could still matter. None loads everything.
        """
        if since is not None:
            since = _require_aware(since, "since")
        return cls(load_snapshot(session, since), since)

    @staticmethod
    def contexts(session: Session, screen_ids: Sequence[int] | None = None) -> list[ScreenContext]:
        """Targeting contexts of the given screens (all when None), in screen id order."""
        return load_contexts(session, screen_ids)

    def _check(self, moment: datetime, name: str) -> datetime:
        moment = _require_aware(moment, name)
        if self._since is not None and moment < self._since + LOOKBACK:
            raise ValueError(
                f"{name} {moment.isoformat()} is too early for a resolver loaded since {self._since.isoformat()}"
            )
        return moment

    def _group(self, ctx: ScreenContext, at: datetime) -> GroupInput:
        tz = zone(ctx.timezone)
        day_start = local_midnight(at, tz)
        matched = (self._schedule_index.match(ctx), self._emergency_index.match(ctx))
        parts = (ctx.org_unit_id, ctx.org_path, ctx.timezone, day_start, *matched, ctx.voice)
        group = self._groups.get(parts)
        if group is None:
            group = self._groups[parts] = self._new_group(ctx, tz, day_start, *matched)
        return group

    def _new_group(
        self,
        ctx: ScreenContext,
        tz: ZoneInfo,
        day_start: datetime,
        schedule_ids: frozenset[int],
        emergency_ids: frozenset[int],
    ) -> GroupInput:
        # Rows that ended before local midnight of the day cannot show up in its manifest;
        # leaving them out of the key keeps it the same whatever window the data was loaded with.
        schedules = tuple(sorted(i for i in schedule_ids if self._timeline.schedule(i).may_run_after(day_start, tz)))
        emergencies = tuple(sorted(i for i in emergency_ids if self._timeline.emergency(i).ends_at > day_start))
        text = f"{ctx.org_unit_id}|{ctx.timezone}|{','.join(map(str, schedules))}|{','.join(map(str, emergencies))}"
        text += f"|{ctx.voice}" if ctx.voice else ""  # screens with their own voice settings: their own group
        key = "g-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
        return GroupInput(key, ctx.org_unit_id, ctx.org_path, ctx.timezone, schedules, emergencies, ctx.voice)

    def group_input(self, ctx: ScreenContext, at: datetime) -> GroupInput:
        """The group ``ctx`` belongs to on ``at``'s day: its key and what its manifest depends on."""
        return self._group(ctx, self._check(at, "at"))

    def group_inputs(self, contexts: Iterable[ScreenContext], at: datetime) -> dict[int, GroupInput]:
        """``group_input`` of many screens (by screen id), once per hall, groups and tags they share.

        Screens that differ only by id fall in one group unless a rule names one of them
        (``TargetIndex.named_screens``); the hall fixes the org node, its path and the time zone.
        """
        at = self._check(at, "at")
        named = self._schedule_index.named_screens | self._emergency_index.named_screens
        shared: dict[tuple[object, ...], GroupInput] = {}
        inputs: dict[int, GroupInput] = {}
        for ctx in contexts:
            alone = ctx.screen_id if ctx.screen_id in named else None
            signature = (ctx.hall_id, ctx.org_unit_id, ctx.group_ids, ctx.tags, alone, ctx.voice)
            group = shared.get(signature)
            if group is None:
                group = shared[signature] = self._group(ctx, at)
            inputs[ctx.screen_id] = group
        return inputs

    def resolve_input(self, group: GroupInput, at: datetime) -> Manifest:
        """The manifest of a group (from ``group_input`` on the same day) at ``at``."""
        return self._resolve_group(group, self._check(at, "at"))

    def next_change_of(self, group: GroupInput, after: datetime) -> datetime:
        """``next_change`` for a group (from ``group_input`` on ``after``'s day)."""
        after = self._check(after, "after")
        pieces, _ = self._day_pieces(group, after)
        current = next(piece for piece in pieces if piece.end > after)
        return min(current.end, local_midnight(after, zone(group.timezone), 1))

    def group_key(self, ctx: ScreenContext, at: datetime) -> str:
        """The manifest group of ``ctx`` on ``at``'s day: "g-" and 12 hex digits."""
        return self._group(ctx, self._check(at, "at")).key

    def matches(self, ctx: ScreenContext, at: datetime) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """(schedule ids, emergency ids) targeting ``ctx`` that can still matter on ``at``'s day, sorted."""
        group = self._group(ctx, self._check(at, "at"))
        return group.schedule_ids, group.emergency_ids

    def _day_pieces(self, group: GroupInput, at: datetime) -> tuple[list[Piece], datetime]:
        """Merged pieces from local midnight of ``at``'s day to the horizon end, and that end."""
        tz = zone(group.timezone)
        lo, hi = local_midnight(at, tz), local_midnight(at, tz, HORIZON_DAYS)
        cache_key = (group.key, lo)
        if cache_key not in self._pieces:
            self._pieces[cache_key] = self._timeline.pieces(group, tz, lo, hi)
        return self._pieces[cache_key], hi

    def _resolve_group(self, group: GroupInput, at: datetime) -> Manifest:
        pieces, until = self._day_pieces(group, at)
        current = [piece for piece in pieces if piece.end > at]
        layout_ids = sorted({int(p.content["layout"]) for p in current if p.content["layout"] is not None})
        body: dict[str, Any] = {
            "schema": SCHEMA,
            "group": group.key,
            "timezone": group.timezone,
            "horizon": {"from": iso(current[0].start), "until": iso(until)},
            "layouts": {str(i): self._snapshot.layouts[i].data for i in layout_ids},
            "items": {key: self._item_data(key) for key in referenced_items(current)},
            "segments": [piece_json(piece) for piece in current],
        }
        if group.voice:
            body["voice"] = json.loads(group.voice)  # docs/protocol.md §2, "Voice"
        text = self._canonical_text(group, body, current)
        return Manifest(group=group.key, version=version_of_text(text), body=body, text=text)

    def _item_data(self, key: str) -> Mapping[str, Any]:
        return self._snapshot.items[int(key.partition(":")[2])].data

    def _canonical_text(self, group: GroupInput, body: Mapping[str, Any], pieces: list[Piece]) -> str:
        """``canonical_json(body)``, reusing the encoded text of items and pieces other groups share.

        Item JSON is most of a manifest and identical in every group that shows the item, so
        the canonical text is assembled from cached parts, exactly as ``canonical_json`` would
        write it (sorted keys, no spaces); a test checks the two agree.
        """
        fields = []
        for name in sorted(body):
            if name == "items":
                text = "{" + ",".join(self._item_text(k, body["items"][k]) for k in sorted(body["items"])) + "}"
            elif name == "segments":
                parts = [
                    self._text((group.key, piece.start, piece.end), segment)
                    for piece, segment in zip(pieces, body["segments"], strict=True)
                ]
                text = "[" + ",".join(parts) + "]"
            else:
                text = canonical_json(body[name])
            fields.append(f"{_json_key(name)}:{text}")
        return "{" + ",".join(fields) + "}"

    def _item_text(self, key: str, value: Any) -> str:
        text = self._texts.get(key)
        if text is None:
            text = self._texts[key] = f"{_json_key(key)}:{canonical_json(value)}"
        return text

    def _text(self, key: object, value: Any) -> str:
        text = self._texts.get(key)
        if text is None:
            text = self._texts[key] = canonical_json(value)
        return text

    def resolve(self, ctx: ScreenContext, at: datetime) -> Manifest:
        """The manifest ``ctx`` shows at ``at`` (aware), with segments to the horizon."""
        at = self._check(at, "at")
        return self._resolve_group(self._group(ctx, at), at)

    def next_change(self, ctx: ScreenContext, after: datetime) -> datetime | None:
        """The first instant after ``after`` at which ``resolve`` gives another manifest.

        That is the end of the segment showing at ``after`` or the next local midnight (when
        the horizon rolls a day forward), whichever is earlier; so never None in practice.
        """
        return self.next_change_of(self.group_input(ctx, after), after)

    def resolve_groups(
        self, contexts: Iterable[ScreenContext], at: datetime
    ) -> tuple[dict[str, Manifest], dict[int, str]]:
        """Resolve each distinct group among ``contexts`` once: (manifest by group key, group key by screen id)."""
        at = self._check(at, "at")
        manifests: dict[str, Manifest] = {}
        screen_groups: dict[int, str] = {}
        for ctx in contexts:
            group = self._group(ctx, at)
            screen_groups[ctx.screen_id] = group.key
            if group.key not in manifests:
                manifests[group.key] = self._resolve_group(group, at)
        return manifests, screen_groups


def screen_context(session: Session, screen: Screen | int) -> ScreenContext:
    """The targeting context of one screen (by row or id); NotFound if it does not exist."""
    screen_id = screen if isinstance(screen, int) else screen.id
    found = load_contexts(session, [screen_id])
    if not found:
        raise NotFound("screen", screen_id)
    return found[0]


def resolve(session: Session, screen: Screen | int, at: datetime) -> Manifest:
    """The manifest of one screen at ``at`` (docs/architecture.md, "The manifest"); batch work should use ``Resolver``."""
    at = _require_aware(at, "at")
    return Resolver.load(session, since=at - LOOKBACK).resolve(screen_context(session, screen), at)


def next_change(session: Session, screen: Screen | int, after: datetime) -> datetime | None:
    """When the manifest of one screen next changes after ``after`` (docs/architecture.md, "The manifest")."""
    after = _require_aware(after, "after")
    return Resolver.load(session, since=after - LOOKBACK).next_change(screen_context(session, screen), after)
