"""Playlists: ordered entries with durations, each a single item or a live feed of items."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Final

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from content.db import Base
from content.library.items import ContentItem

DEFAULT_DURATION_SECONDS: Final = 15
MIN_DURATION_SECONDS: Final = 3
MAX_DURATION_SECONDS: Final = 3600


class EntryKind(StrEnum):
    ITEM = "item"  # one notice, media or ticker item
    VACANCY_BOARD = "vacancy_board"  # the live vacancies visible to the hall, paged as a table
    NOTICE_FEED = "notice_feed"  # the live policy notices visible to the hall, one page each
    TRAINING_BOARD = "training_board"  # the live training courses visible to the hall, paged as a table
    GUIDE_FEED = "guide_feed"  # the live service guides visible to the hall, one page each
    MARKET_BOARD = "market_board"  # the labour-market figures (供求分析) of the hall's area, 2–3 chart pages
    FAIR_BOARD = "fair_board"  # the live job fairs visible to the hall: countdown, then booths on the day


class Playlist(Base):
    __tablename__ = "playlists"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(100))

    entries: Mapped[list[PlaylistEntry]] = relationship(
        cascade="all, delete-orphan", order_by="PlaylistEntry.position, PlaylistEntry.id"
    )


class PlaylistEntry(Base):
    """One step of a playlist.

    ``params`` by kind: vacancy_board: ``page_size`` (rows per page), ``occupation_prefix``,
    ``district``, ``limit``; notice_feed: ``topic``, ``limit``; training_board: ``page_size``, ``district``,
    ``limit``; market_board: ``quarters`` (2–8), ``area`` (hall, county, city, province), ``groups`` (top N).
    ``duration_seconds`` is per item or per page.
    """

    __tablename__ = "playlist_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    playlist_id: Mapped[int] = mapped_column(ForeignKey("playlists.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(16), default=EntryKind.ITEM.value)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("content_items.id", ondelete="CASCADE"), index=True)
    duration_seconds: Mapped[int] = mapped_column(default=DEFAULT_DURATION_SECONDS)
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)

    item: Mapped[ContentItem | None] = relationship()
