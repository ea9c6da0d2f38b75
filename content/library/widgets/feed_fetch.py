"""Fetching a data feed: the network half (no database), so it can run outside any transaction.

``FeedSpec`` is what the fetch needs of a ``DataFeed`` row, read in one short session; ``fetch_feed``
then reads the URL (10 s, 1 MB, allow-listed hops only) and parses it to entries. The outcome is
written back by ``content.library.widgets.feed_updates.record_fetch`` in another short session.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from content.library.widgets.data_feeds import DataFeed, FeedFormat
from content.library.widgets.feed_parse import parse_entries
from content.library.widgets.hosts import HostAllowList
from content.library.widgets.web_client import fetch

TIMEOUT_SECONDS: Final = 10.0
MAX_BYTES: Final = 1024 * 1024
_ACCEPT: Final = {
    FeedFormat.XML.value: "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9",
    FeedFormat.JSON.value: "application/json",
}


@dataclass(frozen=True)
class FeedSpec:
    id: int
    url: str
    format: str
    max_entries: int
    json_mapping: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, feed: DataFeed) -> FeedSpec:
        return cls(feed.id, feed.url, feed.format, feed.max_entries, dict(feed.json_mapping or {}))


def fetch_feed(
    spec: FeedSpec, allow: HostAllowList, *, timeout: float = TIMEOUT_SECONDS, max_bytes: int = MAX_BYTES
) -> list[dict[str, str]]:
    """The feed's entries now; ``FetchError`` (code and detail) when it cannot be read or understood."""
    got = fetch(spec.url, allow, timeout=timeout, max_bytes=max_bytes, accept=_ACCEPT.get(spec.format, "*/*"))
    return parse_entries(
        got.body, spec.format, limit=spec.max_entries, mapping=spec.json_mapping, content_type=got.content_type
    )
