"""The policy notices as an RSS 2.0 document: what ``/feeds/notices.rss`` serves.

A hall's own server publishing its notices as a feed lets other systems (a city portal, another
hall's data feed item) follow them, and gives the demo a feed that works offline. Only what screens
already show is in it: published notices inside their window, newest first, as plain text.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from email.utils import format_datetime
from typing import Final
from xml.etree.ElementTree import Element, SubElement, tostring

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from content.library.items import ItemStatus, PolicyNotice
from content.library.sanitize import plain_text

MAX_ITEMS: Final = 20
SUMMARY_MAX: Final = 300
CHANNEL_TITLE: Final = "政策公告 Policy notices"


def live_notices(session: Session, at: datetime, limit: int = MAX_ITEMS) -> list[PolicyNotice]:
    """Published notices live at ``at``, newest first."""
    stmt = (
        select(PolicyNotice)
        .where(PolicyNotice.status == ItemStatus.PUBLISHED.value)
        .where(or_(PolicyNotice.valid_from.is_(None), PolicyNotice.valid_from <= at))
        .where(or_(PolicyNotice.valid_until.is_(None), PolicyNotice.valid_until > at))
        .order_by(PolicyNotice.created_at.desc(), PolicyNotice.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


def notices_rss(session: Session, at: datetime, link: str) -> bytes:
    """The RSS document (UTF-8 bytes); ``link`` is the feed's own address."""
    rss = Element("rss", version="2.0")
    channel = SubElement(rss, "channel")
    SubElement(channel, "title").text = CHANNEL_TITLE
    SubElement(channel, "link").text = link
    SubElement(channel, "description").text = CHANNEL_TITLE
    SubElement(channel, "lastBuildDate").text = format_datetime(at.astimezone(UTC))
    for notice in live_notices(session, at):
        item = SubElement(channel, "item")
        SubElement(item, "title").text = notice.title
        summary = plain_text(notice.body_html)
        SubElement(item, "description").text = summary[:SUMMARY_MAX]
        day = notice.effective_date
        published = datetime.combine(day, time(), tzinfo=UTC) if day else notice.created_at
        SubElement(item, "pubDate").text = format_datetime(published.astimezone(UTC))
        SubElement(item, "guid", isPermaLink="false").text = f"notice:{notice.id}"
    body: bytes = tostring(rss, encoding="utf-8", xml_declaration=True)
    return body
