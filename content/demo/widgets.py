"""The demo's data feed (信息源): the hall's own policy notices as RSS, fetched from the demo server itself.

So the demo shows a feed without the internet: the feed item reads ``/feeds/notices.rss`` of the
server it runs on (``kiosk_server/feed_pages.py``), and starts with the entries that document holds
now, parsed by the same code a fetch uses, so screens show it before the first scheduled fetch.
It plays at the end of the 政策公告轮播 playlist. The demo seeds no web page: the only host it can
count on is itself, and its own pages refuse to be framed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from content import outbox
from content.demo.programme import NOTICE_FEED
from content.library.widgets.data_feeds import DataFeed, FeedTemplate
from content.library.widgets.feed_parse import parse_entries
from content.library.widgets.notices_rss import notices_rss
from content.org.tree import OrgUnit
from content.signage.playlists import EntryKind, Playlist, PlaylistEntry

DEMO_FEED_TITLE: Final = "政策公告（信息源）"
FEED_PATH: Final = "/feeds/notices.rss"
SECONDS: Final = 20


def seed_demo_feed(session: Session, base_url: str, now: datetime) -> DataFeed:
    """The demo feed pointing at ``base_url`` (created once, its address kept current), in the notice playlist."""
    url = base_url.rstrip("/") + FEED_PATH
    feed = session.scalar(select(DataFeed).where(DataFeed.title == DEMO_FEED_TITLE).limit(1))
    if feed is None:
        province = session.scalar(select(OrgUnit).where(OrgUnit.parent_id.is_(None)).order_by(OrgUnit.id).limit(1))
        assert province is not None, "seed the demo world first"
        entries = parse_entries(notices_rss(session, now, url), "xml", limit=10)
        feed = DataFeed(
            org_unit_id=province.id,
            title=DEMO_FEED_TITLE,
            url=url,
            template=FeedTemplate.LIST.value,
            refresh_minutes=15,
            entries=entries,
            fetched_at=now,
            attempted_at=now,
        )
        session.add(feed)
        session.flush()
        outbox.add_event(session, "content", kind="feed", id=feed.id, action="created")
    elif feed.url != url:
        feed.url = url
        outbox.add_event(session, "content", kind="feed", id=feed.id, action="updated")
    playlist = session.scalar(select(Playlist).where(Playlist.name == NOTICE_FEED).limit(1))
    if playlist is not None and all(e.item_id != feed.id for e in playlist.entries):
        last = session.scalar(select(func.max(PlaylistEntry.position)).where(PlaylistEntry.playlist_id == playlist.id))
        playlist.entries.append(
            PlaylistEntry(
                position=(last if last is not None else -1) + 1,
                kind=EntryKind.ITEM.value,
                item_id=feed.id,
                duration_seconds=SECONDS,
                params={},
            )
        )
        outbox.add_event(session, "content", kind="playlist", id=playlist.id, action="updated")
    return feed
