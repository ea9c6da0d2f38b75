"""What a manifest carries of a web page or a data feed (private helper of ``content.signage._snapshot``)."""

from __future__ import annotations

from typing import Any

from content.library.guides.qr import qr_rows
from content.library.widgets.data_feeds import DataFeed
from content.library.widgets.web_pages import WebPage


def webpage_data(page: WebPage) -> dict[str, Any]:
    """The page as the player frames it, or (``frameable`` false, offline, not loading) shows its fallback."""
    return {
        "kind": page.kind,
        "id": page.id,
        "title": page.title,
        "url": page.url,
        "frameable": page.frameable,
        "qr": list(qr_rows(page.url)),
    }


def feed_data(feed: DataFeed) -> dict[str, Any]:
    """The feed's last good entries (plain texts) and its template; never when or how it was fetched."""
    return {
        "kind": feed.kind,
        "id": feed.id,
        "title": feed.title,
        "template": feed.template,
        "entries": [dict(e) for e in feed.entries or ()],
    }
