"""Data feeds (信息源): an RSS 2.0 / Atom or JSON URL the server fetches on a schedule, shown with a template.

A feed is a content item (``content_items`` joined with ``data_feeds``) placed in playlists as a
single item. Screens never fetch it: the publishing leader does (``kiosk_server/widget_refresh.py``,
through ``content.library.widgets.feed_fetch``), every ``refresh_minutes``, and keeps the last good
``entries`` (plain texts) on the row. A failed fetch keeps them and records ``last_error``; a fetch
whose entries differ stages an outbox row, so manifests update by the normal path.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Final

from sqlalchemy import ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column

from content.library.items import ContentItem, ItemKind
from content.library.widgets.hosts import URL_MAX_LENGTH

OBJ_KIND: Final = ItemKind.FEED.value  # the outbox's and audit log's noun
MIN_REFRESH_MINUTES: Final = 5
MAX_REFRESH_MINUTES: Final = 24 * 60
DEFAULT_REFRESH_MINUTES: Final = 30
DEFAULT_MAX_ENTRIES: Final = 10
MAX_ENTRIES: Final = 50
ERROR_DETAIL_MAX_LENGTH: Final = 300
MAPPING_FIELDS: Final = ("list", "title", "summary", "date", "link")  # a JSON feed's mapping: dotted paths


class FeedFormat(StrEnum):
    XML = "xml"  # RSS 2.0 or Atom, told apart by the document's root
    JSON = "json"  # a list somewhere in a JSON document, mapped by ``json_mapping``


class FeedTemplate(StrEnum):
    LIST = "list"  # headlines with their dates
    TICKER = "ticker"  # one scrolling line of headlines
    CARDS = "cards"  # one entry per page: headline and summary


class DataFeed(ContentItem):
    """A feed URL, how to read and show it, and the last good result."""

    __tablename__ = "data_feeds"

    id: Mapped[int] = mapped_column(ForeignKey("content_items.id", ondelete="CASCADE"), primary_key=True)
    url: Mapped[str] = mapped_column(String(URL_MAX_LENGTH))
    format: Mapped[str] = mapped_column(String(8), default=FeedFormat.XML.value)
    json_mapping: Mapped[dict[str, Any]] = mapped_column(default=dict)  # {list, title, summary, date, link}
    template: Mapped[str] = mapped_column(String(8), default=FeedTemplate.LIST.value)
    max_entries: Mapped[int] = mapped_column(default=DEFAULT_MAX_ENTRIES)
    refresh_minutes: Mapped[int] = mapped_column(default=DEFAULT_REFRESH_MINUTES)
    entries: Mapped[list[Any]] = mapped_column(default=list)  # [{title, summary, date, link}], sanitized
    fetched_at: Mapped[datetime | None]  # the last fetch that succeeded
    attempted_at: Mapped[datetime | None]  # the last fetch, whatever its outcome
    last_error: Mapped[str] = mapped_column(String(16), default="")  # a FetchProblem code; "" after a success
    last_error_detail: Mapped[str] = mapped_column(String(ERROR_DETAIL_MAX_LENGTH), default="")
    host_blocked: Mapped[bool] = mapped_column(default=False, server_default=false())

    __mapper_args__ = {"polymorphic_identity": ItemKind.FEED.value}
