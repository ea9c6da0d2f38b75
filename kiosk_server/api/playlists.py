"""Playlists: ordered entries, each one item or a live feed (vacancy board, notice feed), with durations."""

from __future__ import annotations

from typing import Any, Final

from pydantic import Field
from sqlalchemy.orm import Session, selectinload

from content.errors import ValidationError
from content.library.items import ContentItem, ItemKind
from content.org.tree import OrgUnit
from content.signage.playlists import (
    DEFAULT_DURATION_SECONDS,
    MAX_DURATION_SECONDS,
    MIN_DURATION_SECONDS,
    EntryKind,
    Playlist,
    PlaylistEntry,
)
from kiosk_server.api._crud import Id, Resource, find, register, upsert
from kiosk_server.api._schemas import Body, Filters, Out, partial

# Which params each entry kind understands (content.signage.playlists.PlaylistEntry documents them).
PARAMS_BY_KIND: Final = {
    EntryKind.ITEM: frozenset(),
    EntryKind.VACANCY_BOARD: frozenset({"page_size", "occupation_prefix", "district", "limit"}),
    EntryKind.NOTICE_FEED: frozenset({"topic", "limit"}),
    EntryKind.TRAINING_BOARD: frozenset({"page_size", "district", "limit"}),
    EntryKind.GUIDE_FEED: frozenset({"category", "limit"}),
    EntryKind.FAIR_BOARD: frozenset({"page_size", "limit"}),  # 招聘会 (content.library.fairs.job_fairs)
    EntryKind.MARKET_BOARD: frozenset({"quarters", "area", "groups"}),  # 供求分析 (content.signage._market_entries)
}
SINGLE_ITEM_KINDS: Final = frozenset(
    {ItemKind.GUIDE, ItemKind.NOTICE, ItemKind.MEDIA, ItemKind.TICKER, ItemKind.DOCUMENT}
    | {ItemKind.WEBPAGE, ItemKind.FEED}  # web page and data feed widgets (issue 23)
)


class EntryParams(Body):
    page_size: int | None = Field(None, ge=1, le=50, description="vacancy_board: rows per page")
    occupation_prefix: str | None = Field(
        None, pattern=r"^\d(-\d{2}){0,3}$", description="vacancy_board: GB/T 6565 code prefix, e.g. 4-02"
    )
    district: str | None = Field(None, max_length=60, description="vacancy_board: only this district")
    topic: str | None = Field(None, max_length=40, description="notice_feed: only this topic")
    category: str | None = Field(None, max_length=20, description="guide_feed: only this category")
    limit: int | None = Field(None, ge=1, le=1000, description="at most this many items")
    quarters: int | None = Field(None, ge=2, le=8, description="market_board: quarters of the trend (default 4)")
    area: str | None = Field(
        None, pattern=r"^(hall|county|city|province)$", description="market_board: the hall's node or its ancestor"
    )
    groups: int | None = Field(None, ge=1, le=8, description="market_board: the top N occupation groups (default 6)")


class EntryIn(Body):
    kind: EntryKind = EntryKind.ITEM
    item_id: Id | None = Field(None, description="item entries: a notice, media or ticker")
    duration_seconds: int = Field(
        DEFAULT_DURATION_SECONDS,
        ge=MIN_DURATION_SECONDS,
        le=MAX_DURATION_SECONDS,
        description="per item, or per page of a feed",
    )
    params: EntryParams = Field(default_factory=lambda: EntryParams.model_validate({}))


class PlaylistCreate(Body):
    org_unit_id: Id
    name: str = Field(min_length=1, max_length=100)
    entries: list[EntryIn] = Field(default_factory=list, max_length=200)


PlaylistUpdate = partial(PlaylistCreate)


class EntryOut(Out):
    id: int
    position: int
    kind: EntryKind
    item_id: int | None
    duration_seconds: int
    params: dict[str, Any]


class PlaylistOut(Out):
    id: int
    org_unit_id: int
    name: str
    entries: list[EntryOut]


class PlaylistFilters(Filters):
    org_unit_id: Id | None = None


def _entry_problems(session: Session, index: int, entry: dict[str, Any]) -> dict[str, str]:
    kind, prefix = EntryKind(entry["kind"]), f"entries.{index}"
    problems: dict[str, str] = {}
    params = {k: v for k, v in entry["params"].items() if v is not None}
    for name in sorted(set(params) - PARAMS_BY_KIND[kind]):
        problems[f"{prefix}.params.{name}"] = f"not a parameter of a {kind} entry"
    if kind is not EntryKind.ITEM:
        if entry["item_id"] is not None:
            problems[f"{prefix}.item_id"] = f"a {kind} entry picks its items itself; leave item_id out"
        return problems
    if entry["item_id"] is None:
        problems[f"{prefix}.item_id"] = "an item entry needs item_id (a notice, media or ticker)"
        return problems
    item = find(session, ContentItem, entry["item_id"])
    if item is None:
        problems[f"{prefix}.item_id"] = f"no content item with id {entry['item_id']}"
    elif item.kind not in SINGLE_ITEM_KINDS:
        problems[f"{prefix}.item_id"] = f"item {item.id} is a {item.kind}; show vacancies with a vacancy_board entry"
    return problems


def save_playlist(session: Session, playlist: Playlist | None, values: dict[str, Any]) -> Playlist:
    if "entries" in values:
        errors: dict[str, str] = {}
        for index, entry in enumerate(values["entries"]):
            errors.update(_entry_problems(session, index, entry))
        if errors:
            raise ValidationError(errors)
    playlist = upsert(session, Playlist, playlist, values, skip=frozenset({"entries"}))
    if "entries" in values:
        playlist.entries = [
            PlaylistEntry(
                position=index,
                kind=str(entry["kind"]),
                item_id=entry["item_id"],
                duration_seconds=entry["duration_seconds"],
                params={k: v for k, v in entry["params"].items() if v is not None},
            )
            for index, entry in enumerate(values["entries"])
        ]
    return playlist


PLAYLISTS: Resource[Playlist] = Resource(
    path="playlists",
    kind="playlist",
    model=Playlist,
    out=PlaylistOut,
    save=save_playlist,
    create=PlaylistCreate,
    update=PlaylistUpdate,
    filters=PlaylistFilters,
    refs={"org_unit_id": (OrgUnit, "org unit")},
    load=(selectinload(Playlist.entries),),
)
register(PLAYLISTS)
