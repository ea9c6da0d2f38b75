"""Which data feeds are due, and writing a fetch's outcome back: the database half of feed refreshing.

A success whose entries differ from the stored ones replaces them and stages an outbox row (an item
change, so manifests update through ``content.signage.live_manifests``); the same entries again only
move ``fetched_at``. A failure keeps the last good entries and records the problem for the console.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from content import outbox
from content.library.items import ItemStatus
from content.library.widgets.data_feeds import ERROR_DETAIL_MAX_LENGTH, OBJ_KIND, DataFeed
from content.library.widgets.feed_fetch import FeedSpec
from content.library.widgets.web_client import FetchError


def due_feeds(session: Session, now: datetime) -> list[FeedSpec]:
    """Feeds not archived whose last attempt is older than their refresh interval (or that never ran)."""
    rows = session.scalars(
        select(DataFeed)
        .where(DataFeed.status != ItemStatus.ARCHIVED.value, DataFeed.host_blocked.is_(False))
        .where(or_(DataFeed.valid_until.is_(None), DataFeed.valid_until > now))
        .order_by(DataFeed.id)
    )
    return [
        FeedSpec.of(feed)
        for feed in rows
        if feed.attempted_at is None or feed.attempted_at + timedelta(minutes=feed.refresh_minutes) <= now
    ]


def apply_outcome(feed: DataFeed, outcome: list[dict[str, str]] | FetchError, now: datetime) -> bool:
    """Write a fetch's outcome on ``feed`` without staging anything; True when its entries changed."""
    feed.attempted_at = now
    if isinstance(outcome, FetchError):
        feed.last_error = outcome.code.value
        feed.last_error_detail = outcome.detail[:ERROR_DETAIL_MAX_LENGTH]
        return False
    feed.last_error, feed.last_error_detail = "", ""
    feed.fetched_at = now
    if list(feed.entries or []) == outcome:
        return False
    feed.entries = outcome
    return True


def record_fetch(session: Session, feed: DataFeed, outcome: list[dict[str, str]] | FetchError, now: datetime) -> bool:
    """Write a fetch's outcome on a saved ``feed`` and stage the outbox row if its entries changed (the caller commits)."""
    changed = apply_outcome(feed, outcome, now)
    if changed:
        outbox.add_event(session, "content", kind=OBJ_KIND, id=feed.id, action="updated")
    return changed
