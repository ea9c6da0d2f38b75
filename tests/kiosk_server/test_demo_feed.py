"""The demo's data feed: the notices as RSS from our own server, a feed item reading it, in the notice playlist."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select

from content.demo import seed_demo
from content.demo.programme import NOTICE_FEED
from content.demo.widgets import DEMO_FEED_TITLE, seed_demo_feed
from content.library.widgets.data_feeds import DataFeed
from content.library.widgets.feed_parse import parse_entries
from content.library.widgets.notices_rss import live_notices
from content.signage.playlists import Playlist
from kiosk_server.database import database

TODAY = date(2026, 12, 7)
NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)


def test_the_notices_feed_is_rss_of_the_live_notices_and_the_demo_feed_starts_with_it(app: Any, client: Any) -> None:
    with database(app).session() as session:
        seed_demo(session, today=TODAY)
        session.commit()
        titles = [n.title for n in live_notices(session, NOW)]
    answer = client.get("/feeds/notices.rss")
    assert answer.status_code == 200 and answer.mimetype == "application/rss+xml"
    served = parse_entries(answer.data, "xml", limit=50, content_type=answer.mimetype)
    assert [e["title"] for e in served][:5] == titles[:5] and len(titles) >= 5
    assert all("<" not in e["summary"] for e in served)

    with database(app).session() as session:
        feed = seed_demo_feed(session, "http://127.0.0.1:8000", NOW)
        session.commit()
        assert feed.url == "http://127.0.0.1:8000/feeds/notices.rss"
        assert [e["title"] for e in feed.entries] == titles[:10]
        playlist = session.scalar(select(Playlist).where(Playlist.name == NOTICE_FEED))
        assert playlist is not None and playlist.entries[-1].item_id == feed.id
        count = len(playlist.entries)

        again = seed_demo_feed(session, "http://127.0.0.1:8123/", NOW)  # another port: the same feed, new address
        session.commit()
        assert again.id == feed.id and again.url == "http://127.0.0.1:8123/feeds/notices.rss"
        assert len(playlist.entries) == count
        assert session.scalar(select(DataFeed.id).where(DataFeed.title == DEMO_FEED_TITLE)) == feed.id
