"""Every group's manifest kept current by applying changes, not by resolving the whole fleet again.

A change names what it touched (an outbox row: ``{"kind": "vacancy", "id": 7}``). Only those rows
are read again, and only the groups whose manifest can depend on them are resolved again: a
vacancy reaches the groups whose org path holds its node (boards and feeds) or whose schedules
play it by name; a schedule or an emergency the groups it targeted or targets now; a layout or a
playlist the groups whose schedules use it; a screen moves between groups. Anything the rules
cannot place (an org unit, a hall, an employer, an import without ids) reloads everything, so an
unknown change can cost time but never correctness. Every other group keeps the manifest it had:
resolved at an earlier instant of the same segment, it is the manifest a full resolve would give
now (docs/architecture.md, "Incremental publishing"); a test checks that on random worlds.

Reading (``read``, a session) and resolving (``apply``, pure CPU) are separate steps, so a server
can resolve off its serving loop.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy.orm import Session

from content.library.fairs.data import fair_links
from content.library.items import ItemKind
from content.org.timezones import zone
from content.outbox import named_changes
from content.signage._market_entries import MarketSnap, load_market
from content.signage._snapshot import (
    EmergencySnap,
    EntrySnap,
    ItemSnap,
    LayoutSnap,
    ScheduleSnap,
    Snapshot,
    load_contexts,
    load_emergencies,
    load_items,
    load_layouts,
    load_playlists,
    load_schedules,
)
from content.signage._timeline import GroupInput, schedule_playlists
from content.signage.manifest import Manifest, Resolver, canonical_json, local_midnight, version_of_text
from content.signage.playlists import EntryKind
from content.signage.targeting import ScreenContext

# Rows that ended this long before the load cannot touch a manifest (the resolver's own bound).
HISTORY: Final = timedelta(days=3)
# More changes than this since the last look are read as "everything changed": one full load is cheaper.
MAX_NAMED_CHANGES: Final = 500
ITEM_KINDS: Final = frozenset({*(k.value for k in ItemKind), "policy_notice"})


@dataclass
class Changes:
    """What a batch of outbox rows touched, by kind and id; ``everything`` when that cannot be told."""

    items: set[int] = field(default_factory=set)
    schedules: set[int] = field(default_factory=set)
    emergencies: set[int] = field(default_factory=set)
    layouts: set[int] = field(default_factory=set)
    playlists: set[int] = field(default_factory=set)
    screens: set[int] = field(default_factory=set)
    all_screens: bool = False  # screen group memberships: reload every screen's context
    everything: bool = False

    @classmethod
    def of(cls, rows: Iterable[tuple[str, Mapping[str, Any]]]) -> Changes:
        """Classify outbox rows (topic, payload); ``transition`` rows touch nothing (only the clock moved)."""
        named = named_changes(rows, MAX_NAMED_CHANGES)
        if named is None:
            return cls(everything=True)  # an import, the demo seed, a topic of the future, too many rows
        changes = cls()
        for kind, ident in named:
            if kind == "screen_group":
                changes.all_screens = True
                continue
            target = changes._named(kind)
            if target is None:
                return cls(everything=True)  # org units, halls, employers (vacancies show their name) …
            target.add(ident)
        return changes

    def _named(self, kind: Any) -> set[int] | None:
        if kind in ITEM_KINDS:
            return self.items
        return {
            "schedule": self.schedules,
            "emergency": self.emergencies,
            "layout": self.layouts,
            "playlist": self.playlists,
            "screen": self.screens,
        }.get(kind)

    @property
    def screens_only(self) -> bool:
        """Whether only named screens changed (their targeting contexts), so only they may change group."""
        return bool(self.screens) and not (
            self.items or self.schedules or self.emergencies or self.layouts or self.playlists or self.all_screens
        )

    @property
    def regroups(self) -> bool:
        """Whether screens may change group: targeting or screens changed."""
        return bool(self.schedules or self.emergencies or self.screens or self.all_screens)


@dataclass(frozen=True)
class Reloaded:
    """The rows named by a batch of changes, read again (a missing id: the row is gone or not live).

    For ``everything``, ``full`` holds every row (read with ``since``) and ``contexts`` every screen.
    """

    changes: Changes
    items: Mapping[int, ItemSnap] = field(default_factory=dict)
    schedules: Mapping[int, ScheduleSnap] = field(default_factory=dict)
    emergencies: Mapping[int, EmergencySnap] = field(default_factory=dict)
    layouts: Mapping[int, LayoutSnap] = field(default_factory=dict)
    playlists: Mapping[int, tuple[EntrySnap, ...]] = field(default_factory=dict)
    contexts: Mapping[int, ScreenContext] = field(default_factory=dict)
    full: Snapshot | None = None
    since: datetime | None = None


class LiveManifests:
    """The current manifest of every group, and the group of every screen, as of the changes applied."""

    def __init__(self) -> None:
        self.since: datetime | None = None
        self._schedules: dict[int, ScheduleSnap] = {}
        self._emergencies: dict[int, EmergencySnap] = {}
        self._layouts: dict[int, LayoutSnap] = {}
        self._playlists: dict[int, tuple[EntrySnap, ...]] = {}
        self._items: dict[int, ItemSnap] = {}
        self._market = MarketSnap()
        self._contexts: dict[int, ScreenContext] = {}
        self._inputs: dict[str, GroupInput] = {}
        self._days: dict[str, datetime] = {}  # time zone -> the local midnight the grouping was made for
        self._next: dict[str, datetime] = {}
        self.manifests: dict[str, Manifest] = {}
        self.screen_groups: dict[int, str] = {}
        self.resolved = 0  # groups resolved by the last apply or advance (for tests and benchmarks)
        self._resolved_now: set[str] = set()
        self._texts = _ManifestTexts()

    @classmethod
    def load(cls, session: Session, now: datetime) -> LiveManifests:
        """Read everything and resolve every group at ``now``."""
        live = cls()
        live.apply(live.read(session, Changes(everything=True), now), now)
        return live

    @property
    def loaded(self) -> bool:
        """Whether everything was read at least once (before that, every change reads everything)."""
        return self.since is not None

    @property
    def valid_until(self) -> datetime | None:
        """The first instant at which some group's manifest changes by the clock alone."""
        return min(self._next.values(), default=None)

    def read(self, session: Session, changes: Changes, now: datetime) -> Reloaded:
        """Read the rows ``changes`` name, and the rows a deletion changed with them (no state changes here)."""
        if changes.everything or self.since is None:
            since = now - HISTORY
            full = Snapshot(
                schedules=tuple(load_schedules(session, since).values()),
                emergencies=tuple(load_emergencies(session, since).values()),
                layouts=load_layouts(session),
                playlists=load_playlists(session),
                items=load_items(session, since),
                market=load_market(session),  # recomputed figures name no id: always a full read
            )
            contexts = {ctx.screen_id: ctx for ctx in load_contexts(session)}
            return Reloaded(Changes(everything=True), contexts=contexts, full=full, since=since)
        if changes.items:  # a fair's booths badge its vacancies, and count them (content.library.fairs.data)
            changes = replace(changes, items=self._with_fair_links(session, changes.items))
        # Deleting an item deletes its playlist entries; deleting a playlist empties layout regions.
        playlists = set(changes.playlists) | {
            pid
            for pid, entries in self._playlists.items()
            if any(e.kind == EntryKind.ITEM and e.item_id in changes.items for e in entries)
        }
        layouts = set(changes.layouts) | {
            lid for lid, layout in self._layouts.items() if any(r.playlist_id in playlists for r in layout.regions)
        }
        changes = Changes(**{**changes.__dict__, "playlists": playlists, "layouts": layouts})
        if changes.all_screens:
            contexts = {ctx.screen_id: ctx for ctx in load_contexts(session)}
        elif changes.screens:
            contexts = {ctx.screen_id: ctx for ctx in load_contexts(session, sorted(changes.screens))}
        else:
            contexts = {}
        return Reloaded(
            changes=changes,
            items=load_items(session, self.since, changes.items) if changes.items else {},
            schedules=load_schedules(session, self.since, changes.schedules) if changes.schedules else {},
            emergencies=load_emergencies(session, self.since, changes.emergencies) if changes.emergencies else {},
            layouts=load_layouts(session, layouts) if layouts else {},
            playlists=load_playlists(session, playlists) if playlists else {},
            contexts=contexts,
        )

    def _with_fair_links(self, session: Session, items: set[int]) -> set[int]:
        """``items`` and what a fair–vacancy link ties them to, as held (old links) and as stored (new)."""
        linked = set(items) | fair_links(session, items)
        for ident, snap in self._items.items():
            vacancy_ids = snap.filters.get("vacancy_ids")
            if vacancy_ids is None:
                continue
            if ident in items:
                linked.update(vacancy_ids)  # a changed fair's old positions lose or change their badge
            elif items.intersection(vacancy_ids):
                linked.add(ident)  # a fair counting a changed (or deleted) vacancy
        return linked

    def apply(self, reloaded: Reloaded, now: datetime) -> set[str]:
        """Take in the rows read again and bring every group to ``now``; the groups whose manifest changed."""
        changes = reloaded.changes
        if reloaded.full is not None:
            self._take_all(reloaded.full, reloaded.contexts, reloaded.since)
            return self._bring_to(now, True, set(), changes, every_group=True)
        # An item whose text changed but not its node, window, order or filters changes no segment, only
        # its entry under "items" of the manifests that show it: those are patched, not resolved.
        patched = {
            i for i in changes.items if i in reloaded.items and _same_place(self._items.get(i), reloaded.items[i])
        }
        # Playlists and layouts were read again because they hold a changed item (it may be gone); one
        # that came back as it was changes no group. Without this, a ticker's new text shown everywhere
        # resolved every group again through its playlist instead of being patched in (1 s at 200 groups).
        changes = replace(
            changes,
            items=changes.items - patched,
            playlists={p for p in changes.playlists if self._playlists.get(p) != reloaded.playlists.get(p)},
            layouts={i for i in changes.layouts if self._layouts.get(i) != reloaded.layouts.get(i)},
        )
        touched = self._touched(changes)  # by what the old rows reached
        _replace(self._items, patched, reloaded.items)
        _replace(self._items, changes.items, reloaded.items)
        _replace(self._schedules, changes.schedules, reloaded.schedules)
        _replace(self._emergencies, changes.emergencies, reloaded.emergencies)
        _replace(self._layouts, changes.layouts, reloaded.layouts)
        _replace(self._playlists, changes.playlists, reloaded.playlists)
        if changes.all_screens:
            self._contexts = dict(reloaded.contexts)
        else:
            _replace(self._contexts, changes.screens, reloaded.contexts)
        changed = self._bring_to(now, changes.regroups, touched, changes)
        return changed | self._patch(patched, self._resolved_now)

    def _patch(self, item_ids: set[int], done: set[str]) -> set[str]:
        """Put the items' new data into every manifest that shows them (but those just resolved)."""
        fresh = {self._items[i].key: self._items[i].data for i in item_ids}
        changed = set()
        for key, manifest in list(self.manifests.items()):
            shown = [k for k in fresh if k in manifest.body["items"]] if key not in done else []
            if not shown:
                continue
            body = {**manifest.body, "items": {**manifest.body["items"], **{k: fresh[k] for k in shown}}}
            text, version = self._texts.text(manifest, body, shown)
            if version != manifest.version:
                changed.add(key)
            self.manifests[key] = Manifest(group=key, version=version, body=body, text=text)
        return changed

    def advance(self, now: datetime) -> set[str]:
        """Bring the groups whose manifest the clock changed to ``now``; the groups whose manifest changed."""
        return self._bring_to(now, False, set(), Changes())

    def _take_all(self, full: Snapshot, contexts: Mapping[int, ScreenContext], since: datetime | None) -> None:
        self.since = since
        self._schedules = {s.id: s for s in full.schedules}
        self._emergencies = {e.id: e for e in full.emergencies}
        self._layouts = dict(full.layouts)
        self._playlists = dict(full.playlists)
        self._items = dict(full.items)
        self._market = full.market
        self._contexts = dict(contexts)

    def _bring_to(
        self, now: datetime, regroup: bool, touched: set[str], changes: Changes, *, every_group: bool = False
    ) -> set[str]:
        resolver = Resolver(self._snapshot(), self.since)
        if not self._inputs or self._new_day(now) or (regroup and not changes.screens_only):
            self._group(resolver, now, self._contexts)
        elif regroup:
            self._group(resolver, now, changes.screens)
        touched |= self._touched(changes)  # by what the new rows reach
        stale = {key for key, until in self._next.items() if until <= now}
        changed = set()
        self.resolved = 0
        self._resolved_now = set()
        for key, group in self._inputs.items():
            if key in self.manifests and key not in touched and key not in stale and not every_group:
                continue
            manifest = resolver.resolve_input(group, now)
            self.resolved += 1
            self._resolved_now.add(key)
            self._next[key] = resolver.next_change_of(group, now)
            if key not in self.manifests or self.manifests[key].version != manifest.version:
                changed.add(key)
            self.manifests[key] = manifest
        for key in set(self.manifests) - set(self._inputs):
            del self.manifests[key]
            del self._next[key]
            self._texts.forget(key)
        return changed

    def _snapshot(self) -> Snapshot:
        return Snapshot(
            schedules=tuple(self._schedules[i] for i in sorted(self._schedules)),
            emergencies=tuple(self._emergencies[i] for i in sorted(self._emergencies)),
            layouts=self._layouts,
            playlists=self._playlists,
            items=self._items,
            market=self._market,
        )

    def _new_day(self, now: datetime) -> bool:
        return any(local_midnight(now, zone(tz)) != day for tz, day in self._days.items())

    def _group(self, resolver: Resolver, now: datetime, screen_ids: Iterable[int]) -> None:
        """Put the given screens (a deleted one: out) in their groups; drop groups left without screens."""
        found = resolver.group_inputs((self._contexts[s] for s in screen_ids if s in self._contexts), now)
        if screen_ids is self._contexts:
            self.screen_groups = {}
            self._days = {}
        else:
            for screen_id in screen_ids:
                self.screen_groups.pop(screen_id, None)
        inputs = {key: group for key, group in self._inputs.items() if screen_ids is not self._contexts}
        for screen_id, group in found.items():
            inputs.setdefault(group.key, group)
            self.screen_groups[screen_id] = group.key
            tz = self._contexts[screen_id].timezone
            if tz not in self._days:
                self._days[tz] = local_midnight(now, zone(tz))
        used = set(self.screen_groups.values())
        self._inputs = {key: group for key, group in inputs.items() if key in used}

    def _touched(self, changes: Changes) -> set[str]:
        """Groups whose manifest can depend on a row ``changes`` names, by the rows held now."""
        if not (changes.items or changes.schedules or changes.emergencies or changes.layouts or changes.playlists):
            return set()
        schedules = set(changes.schedules)
        for sched in self._schedules.values():
            if sched.id in schedules:
                continue
            playlists = schedule_playlists(sched, self._layouts)
            if sched.layout_id in changes.layouts or changes.playlists.intersection(playlists):
                schedules.add(sched.id)
            elif changes.items and any(
                e.kind == EntryKind.ITEM and e.item_id in changes.items
                for p in playlists
                for e in self._playlists.get(p, ())
            ):
                schedules.add(sched.id)
        nodes = {self._items[i].org_unit_id for i in changes.items if i in self._items}  # boards and feeds
        return {
            key
            for key, group in self._inputs.items()
            if schedules.intersection(group.schedule_ids)
            or changes.emergencies.intersection(group.emergency_ids)
            or nodes.intersection(group.org_path)
        }


def _same_place(old: ItemSnap | None, new: ItemSnap) -> bool:
    """Whether only an item's shown data differs: same kind, node, window, creation and feed filters."""
    return (
        old is not None
        and (old.kind, old.org_unit_id, old.valid_from, old.valid_until, old.created_at)
        == (
            new.kind,
            new.org_unit_id,
            new.valid_from,
            new.valid_until,
            new.created_at,
        )
        and old.filters == new.filters
    )


class _ManifestTexts:
    """The canonical JSON and version of a patched manifest from texts already written, not the whole body again.

    The canonical JSON is assembled exactly as ``canonical_json`` writes it (sorted keys, no spaces):
    each field but ``items`` is written once per group and version, each item once per data, and a
    group's items text keeps its pieces in key order, so a patch writes only the entries it changes
    (a province's manifests hold a few hundred items each; a ticker shown everywhere is one of them).
    """

    def __init__(self) -> None:
        self._groups: dict[str, _GroupText] = {}  # group -> the texts of its manifest's last version
        self._items: dict[str, tuple[object, str]] = {}  # item key -> (its data, "key":data text)

    def forget(self, group: str) -> None:
        self._groups.pop(group, None)

    def text(self, old: Manifest, body: Mapping[str, Any], changed: Iterable[str]) -> tuple[str, str]:
        """The canonical JSON and version of ``body``: the manifest ``old`` with the items ``changed`` replaced."""
        items = body["items"]
        held = self._groups.get(old.group)
        if held is None or held.version != old.version or held.position.keys() != items.keys():
            keys = sorted(items)
            held = _GroupText(
                version=old.version,
                fields={name: canonical_json(value) for name, value in body.items() if name != "items"},
                position={key: n for n, key in enumerate(keys)},
                pieces=[self._item(key, items[key]) for key in keys],
            )
        pieces = list(held.pieces)
        for key in changed:
            pieces[held.position[key]] = self._item(key, items[key])
        items_text = "{" + ",".join(pieces) + "}"
        parts = [f"{json.dumps(name)}:{items_text if name == 'items' else held.fields[name]}" for name in sorted(body)]
        text = "{" + ",".join(parts) + "}"
        version = version_of_text(text)
        self._groups[old.group] = _GroupText(version, held.fields, held.position, pieces)
        if len(self._items) > 4 * MAX_NAMED_CHANGES + 10_000:
            self._items.clear()
        return text, version

    def _item(self, key: str, data: Mapping[str, Any]) -> str:
        held = self._items.get(key)
        if held is None or held[0] is not data:
            held = self._items[key] = (data, f"{json.dumps(key, ensure_ascii=False)}:{canonical_json(data)}")
        return held[1]


@dataclass(frozen=True)
class _GroupText:
    """The texts a group's manifest version was written from: fields but ``items``, and each item's piece."""

    version: str
    fields: dict[str, str]
    position: dict[str, int]  # item key -> its piece's place (keys sorted; a patch replaces values, never keys)
    pieces: list[str]


def _replace(held: dict[int, Any], ids: Iterable[int], fresh: Mapping[int, Any]) -> None:
    for ident in ids:
        if ident in fresh:
            held[ident] = fresh[ident]
        else:
            held.pop(ident, None)
