"""Target rules: which screens a schedule or emergency applies to (org subtree, hall, group, tag, screen)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, Protocol

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from content.db import Base
from content.errors import ValidationError


class TargetKind(StrEnum):
    ORG = "org"  # ref: org unit id; matches every screen in that subtree
    HALL = "hall"  # ref: hall id
    GROUP = "group"  # ref: screen group id
    TAG = "tag"  # ref: tag text
    SCREEN = "screen"  # ref: screen id


class TargetMode(StrEnum):
    INCLUDE = "include"
    EXCLUDE = "exclude"


class Target(Base):
    """One include or exclude rule; a screen is targeted if some include matches and no exclude does."""

    __tablename__ = "targets"
    __table_args__ = (CheckConstraint("(schedule_id IS NULL) <> (emergency_id IS NULL)", name="one_owner"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int | None] = mapped_column(ForeignKey("schedules.id", ondelete="CASCADE"), index=True)
    emergency_id: Mapped[int | None] = mapped_column(ForeignKey("emergencies.id", ondelete="CASCADE"), index=True)
    mode: Mapped[str] = mapped_column(String(8), default=TargetMode.INCLUDE.value)
    kind: Mapped[str] = mapped_column(String(8))
    ref: Mapped[str] = mapped_column(String(64))


# Kinds whose ref is a numeric id (the tag kind holds free text).
_ID_KINDS: Final = frozenset({TargetKind.ORG, TargetKind.HALL, TargetKind.GROUP, TargetKind.SCREEN})
MAX_TAG_LENGTH: Final = 50


class Rule(Protocol):
    """Anything with the three fields of a target rule: the ORM Target and TargetRule alike."""

    @property
    def mode(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def ref(self) -> str: ...


@dataclass(frozen=True)
class TargetRule:
    """A target rule as plain data."""

    mode: str
    kind: str
    ref: str


@dataclass(frozen=True)
class ScreenContext:
    """What targeting needs to know about one screen; ``org_path`` runs root → the hall's org node."""

    screen_id: int
    hall_id: int
    org_unit_id: int
    org_path: tuple[int, ...]
    group_ids: frozenset[int]
    tags: frozenset[str]
    timezone: str
    voice: str = ""  # the manifest's voice entry as canonical JSON, "" for none (content/signage/voice_packs.py)


def validate_targets(rules: Sequence[Rule | Mapping[str, object]]) -> None:
    """Raise ValidationError with ``targets[i].field`` keys unless every rule is well formed and one includes."""
    errors: dict[str, str] = {}
    includes = 0
    for index, rule in enumerate(rules):
        mode, kind, ref = (_field(rule, name) for name in ("mode", "kind", "ref"))
        prefix = f"targets[{index}]"
        if mode not in set(TargetMode):
            errors[f"{prefix}.mode"] = f"unknown mode {mode!r}; use include or exclude"
        elif mode == TargetMode.INCLUDE:
            includes += 1
        if not isinstance(kind, str) or kind not in set(TargetKind):
            errors[f"{prefix}.kind"] = f"unknown kind {kind!r}; use one of {', '.join(TargetKind)}"
            continue
        problem = _ref_problem(TargetKind(kind), ref)
        if problem:
            errors[f"{prefix}.ref"] = problem
    if includes == 0 and not any(key.endswith(".mode") for key in errors):
        errors["targets"] = "add at least one include rule (an org node, hall, group, tag or screen)"
    if errors:
        raise ValidationError(errors)


def _field(rule: Rule | Mapping[str, object], name: str) -> object:
    return rule.get(name) if isinstance(rule, Mapping) else getattr(rule, name, None)


def _ref_problem(kind: TargetKind, ref: object) -> str | None:
    text = str(ref).strip() if isinstance(ref, str | int) and not isinstance(ref, bool) else ""
    if not text:
        return f"a {kind} rule needs a ref"
    if kind in _ID_KINDS:
        return None if text.isdigit() and int(text) > 0 else f"a {kind} ref is a positive id, got {ref!r}"
    return None if len(text) <= MAX_TAG_LENGTH else f"a tag has at most {MAX_TAG_LENGTH} characters"


class _Side:
    """Owner ids by (kind, ref) for one mode; refs are normalised to int for id kinds."""

    def __init__(self) -> None:
        self.by_kind: dict[TargetKind, dict[object, set[int]]] = {kind: {} for kind in TargetKind}

    def add(self, kind: TargetKind, ref: object, owner: int) -> None:
        self.by_kind[kind].setdefault(ref, set()).add(owner)

    def hall_part(self, ctx: ScreenContext) -> set[int]:
        found: set[int] = set()
        orgs = self.by_kind[TargetKind.ORG]
        for node in ctx.org_path:
            found.update(orgs.get(node, ()))
        found.update(self.by_kind[TargetKind.HALL].get(ctx.hall_id, ()))
        return found

    def screen_part(self, ctx: ScreenContext) -> set[int]:
        found: set[int] = set(self.by_kind[TargetKind.SCREEN].get(ctx.screen_id, ()))
        groups, tags = self.by_kind[TargetKind.GROUP], self.by_kind[TargetKind.TAG]
        for group in ctx.group_ids:
            found.update(groups.get(group, ()))
        for tag in ctx.tags:
            found.update(tags.get(tag, ()))
        return found


class Owned(Protocol):
    """A schedule or emergency (row or snapshot): an id and the org node it belongs to."""

    @property
    def id(self) -> int: ...
    @property
    def org_unit_id(self) -> int | None: ...


def homes(owners: Iterable[Owned]) -> dict[int, int]:
    """Owner id → owning org node, for ``TargetIndex``'s ``homes``."""
    return {owner.id: owner.org_unit_id for owner in owners if owner.org_unit_id is not None}


class TargetIndex:
    """Answers "which owners (schedules or emergencies) target this screen?" without scanning rules.

    Rules are indexed by (mode, kind, ref); a lookup touches only the buckets named by the
    screen's org path, hall, groups, tags and id. Screens that differ only by id (the usual case:
    every screen of a hall) share one cached answer unless a rule names the screen itself.

    ``homes`` maps an owner to the org node it belongs to: such an owner never reaches a screen
    outside that node's subtree, whatever its rules say. A city's schedule aimed at a tag, or at a
    group that also holds another city's screens, stays in its city.
    """

    def __init__(self, rules_by_owner: Mapping[int, Iterable[Rule]], homes: Mapping[int, int] | None = None) -> None:
        self._include, self._exclude = _Side(), _Side()
        self._homes = dict(homes or {})
        self._cache: dict[tuple[object, ...], frozenset[int]] = {}
        for owner, rules in rules_by_owner.items():
            for rule in rules:
                self._add(owner, rule)
        screens = TargetKind.SCREEN
        self._named_screens = set(self._include.by_kind[screens]) | set(self._exclude.by_kind[screens])

    def _add(self, owner: int, rule: Rule) -> None:
        try:
            kind, mode = TargetKind(rule.kind), TargetMode(rule.mode)
        except ValueError:
            return  # unknown kinds are refused on write; a stray row must not break every screen
        ref: object = str(rule.ref).strip()
        if kind in _ID_KINDS:
            if not str(ref).isdigit():
                return
            ref = int(str(ref))
        (self._include if mode is TargetMode.INCLUDE else self._exclude).add(kind, ref, owner)

    @property
    def named_screens(self) -> frozenset[object]:
        """Screen ids some rule names: only these can be targeted apart from the other screens of their hall."""
        return frozenset(self._named_screens)

    def _at_home(self, owner: int, ctx: ScreenContext) -> bool:
        home = self._homes.get(owner)
        return home is None or home in ctx.org_path

    def match(self, ctx: ScreenContext) -> frozenset[int]:
        """Owner ids with some include rule matching ``ctx`` and no exclude rule matching it."""
        screen = ctx.screen_id if ctx.screen_id in self._named_screens else None
        key = (ctx.hall_id, ctx.org_path, ctx.group_ids, ctx.tags, screen)
        found = self._cache.get(key)
        if found is None:
            included = self._include.hall_part(ctx) | self._include.screen_part(ctx)
            excluded = self._exclude.hall_part(ctx) | self._exclude.screen_part(ctx)
            found = frozenset(owner for owner in included - excluded if self._at_home(owner, ctx))
            self._cache[key] = found
        return found
