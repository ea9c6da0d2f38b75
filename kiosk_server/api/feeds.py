"""Data feeds (信息源): an RSS/Atom or JSON URL the server fetches on a schedule and walls show with a template."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field
from sqlalchemy.orm import Session

from content.errors import ValidationError
from content.library.widgets.data_feeds import (
    DEFAULT_MAX_ENTRIES,
    DEFAULT_REFRESH_MINUTES,
    MAX_ENTRIES,
    MAX_REFRESH_MINUTES,
    MIN_REFRESH_MINUTES,
    OBJ_KIND,
    DataFeed,
    FeedFormat,
    FeedTemplate,
)
from content.library.widgets.feed_fetch import FeedSpec, fetch_feed
from content.library.widgets.feed_updates import apply_outcome
from content.library.widgets.hosts import URL_MAX_LENGTH
from content.library.widgets.web_client import FetchError
from kiosk_server.api._crud import Resource, register
from kiosk_server.api._items import ITEM_REFS, ItemFields, ItemFilters, ItemOut, save_item
from kiosk_server.api._schemas import Body, partial
from kiosk_server.api._widgets import allow_list, check_url, now

PATH_MAX_LENGTH = 100
# Changing any of these changes what a fetch returns: the feed is fetched again on save.
_FETCH_FIELDS = frozenset({"url", "format", "json_mapping", "max_entries"})


class JsonMappingIn(Body):
    """Where a JSON feed keeps its list and each entry's fields, as dotted paths (``data.items``, ``0.name``)."""

    list: str = Field("", max_length=PATH_MAX_LENGTH, description='path to the list; "" when the document is it')
    title: str = Field(min_length=1, max_length=PATH_MAX_LENGTH)
    summary: str = Field("", max_length=PATH_MAX_LENGTH)
    date: str = Field("", max_length=PATH_MAX_LENGTH, description="ISO 8601 or RFC 822 dates")
    link: str = Field("", max_length=PATH_MAX_LENGTH)


class FeedCreate(ItemFields):
    url: str = Field(
        min_length=1,
        max_length=URL_MAX_LENGTH,
        description="https URL whose host is on the deployment's allow-list (KIOSK_WIDGET_HOSTS)",
    )
    format: FeedFormat = Field(FeedFormat.XML, description="xml (RSS 2.0 or Atom) or json (with json_mapping)")
    json_mapping: JsonMappingIn | None = Field(None, description="json feeds: where the entries and their fields are")
    template: FeedTemplate = Field(FeedTemplate.LIST, description="list, ticker or cards")
    max_entries: int = Field(DEFAULT_MAX_ENTRIES, ge=1, le=MAX_ENTRIES)
    refresh_minutes: int = Field(DEFAULT_REFRESH_MINUTES, ge=MIN_REFRESH_MINUTES, le=MAX_REFRESH_MINUTES)


FeedUpdate = partial(FeedCreate)


class FeedOut(ItemOut):
    url: str
    format: FeedFormat
    json_mapping: dict[str, Any]
    template: FeedTemplate
    max_entries: int
    refresh_minutes: int
    entries: list[dict[str, str]] = Field(description="the last good fetch's entries: title, summary, date, link")
    fetched_at: datetime | None = Field(description="the last fetch that succeeded")
    attempted_at: datetime | None
    last_error: str = Field(description='"" or timeout, html_not_feed, bad_xml, too_large, host_not_allowed, …')
    last_error_detail: str
    host_blocked: bool = Field(description="the host left the allow-list: screens do not show the feed")


def save_feed(session: Session, feed: DataFeed | None, values: dict[str, Any]) -> DataFeed:
    """Create or update a feed, fetching it at once (at most 10 s) when what it reads changed."""
    if "url" in values:
        check_url(values["url"])
    if "json_mapping" in values:
        values["json_mapping"] = dict(values["json_mapping"] or {})
    refetch = feed is None or any(k in values and values[k] != getattr(feed, k) for k in _FETCH_FIELDS)
    row = save_item(session, DataFeed, feed, values)
    if row.format == FeedFormat.JSON.value and not (row.json_mapping or {}).get("title"):
        raise ValidationError.single("json_mapping", "a json feed needs json_mapping (at least its title path)")
    if refetch:
        spec = FeedSpec(0, row.url, row.format, row.max_entries, dict(row.json_mapping or {}))
        try:
            outcome: list[dict[str, str]] | FetchError = fetch_feed(spec, allow_list())
        except FetchError as err:
            outcome = err
        apply_outcome(row, outcome, now())
        row.host_blocked = False
    return row


FEEDS: Resource[DataFeed] = Resource(
    path="feeds",
    kind=OBJ_KIND,
    model=DataFeed,
    out=FeedOut,
    save=save_feed,
    create=FeedCreate,
    update=FeedUpdate,
    filters=ItemFilters,
    refs=ITEM_REFS,
)
register(FEEDS)
