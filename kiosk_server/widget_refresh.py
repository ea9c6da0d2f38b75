"""Data feeds fetched and web pages probed on a schedule, by the publisher's leader only.

Every ``ROUND_SECONDS`` the leader (so with several server processes a feed is fetched once, never
by the screens) marks the items whose host left the allow-list, fetches the feeds that are due
(each its own ``refresh_minutes``), and probes the web pages not probed for ``PROBE_MINUTES``.
The network is used outside any database session: one short session reads what is due, another
writes each outcome, so a slow feed holds no transaction (and under gevent its socket waits
cooperatively: the serving loop keeps going). A changed feed or framing verdict commits an outbox
row, which wakes the publisher like any other item change.

The console's "fetch now" and "probe now" and the API's saves use ``refresh_feed`` and
``probe_page`` directly, in the request.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from flask import Flask
from sqlalchemy import or_, select

from content.library.items import ItemStatus
from content.library.widgets.data_feeds import DataFeed
from content.library.widgets.feed_fetch import FeedSpec, fetch_feed
from content.library.widgets.feed_updates import due_feeds, record_fetch
from content.library.widgets.host_checks import check_hosts
from content.library.widgets.hosts import HostAllowList
from content.library.widgets.web_client import FetchError
from content.library.widgets.web_page_probe import ProbeResult, probe, record_probe
from content.library.widgets.web_pages import WebPage
from kiosk_server.database import Database
from kiosk_server.periodic import run_rounds
from kiosk_server.settings_access import runtime, settings

log = logging.getLogger(__name__)

ROUND_SECONDS: Final = 60.0
PROBE_MINUTES: Final = 60  # a page's framing rules rarely change; an hour is soon enough


@dataclass(frozen=True)
class DataFeedOutcome:
    """What one refresh did: whether the entries changed, and the error when it failed."""

    feed_id: int
    changed: bool
    error: FetchError | None


def refresh_feed(db: Database, allow: HostAllowList, spec: FeedSpec, now: datetime) -> DataFeedOutcome:
    """Fetch one feed now and write the outcome (its own session, committed)."""
    try:
        outcome: list[dict[str, str]] | FetchError = fetch_feed(spec, allow)
    except FetchError as err:
        outcome = err
    with db.session() as session:
        feed = session.get(DataFeed, spec.id)
        if feed is None:  # deleted while we fetched
            return DataFeedOutcome(spec.id, False, None)
        changed = record_fetch(session, feed, outcome, now)
        session.commit()
    return DataFeedOutcome(spec.id, changed, outcome if isinstance(outcome, FetchError) else None)


def probe_page(db: Database, allow: HostAllowList, page_id: int, url: str, now: datetime) -> ProbeResult:
    """Probe one web page now and write the result (its own session, committed)."""
    result = probe(url, allow)
    with db.session() as session:
        page = session.get(WebPage, page_id)
        if page is not None and page.url == url:  # not changed to another URL while we probed
            record_probe(session, page, result, now)
            session.commit()
    return result


class WidgetRefresh:
    """The leader's round: allow-list marks, due feeds, stale probes."""

    def __init__(
        self, db: Database, allow: HostAllowList, clock: Callable[[], datetime], *, is_leader: Callable[[], bool]
    ) -> None:
        self._db = db
        self.allow = allow
        self._clock = clock
        self._is_leader = is_leader
        self._stopped = threading.Event()
        self.rounds = 0

    @classmethod
    def for_app(cls, app: Flask, *, is_leader: Callable[[], bool] | None = None) -> WidgetRefresh:
        rt = runtime(app)
        return cls(rt.db, settings(app).widget_hosts, rt.clock, is_leader=is_leader or (lambda: rt.publisher.is_leader))

    def run(self) -> None:
        run_rounds(
            self.refresh_once, interval=ROUND_SECONDS, stopped=self._stopped, engine=self._db.engine, what="widgets"
        )

    def stop(self) -> None:
        self._stopped.set()

    def refresh_once(self) -> list[DataFeedOutcome]:
        """One round (on the leader; elsewhere nothing); returns the feeds it fetched."""
        self.rounds += 1
        if not self._is_leader():
            return []
        now = self._clock()
        with self._db.session() as session:
            check_hosts(session, self.allow)
            session.commit()
            feeds = due_feeds(session, now)
            stale = now - timedelta(minutes=PROBE_MINUTES)
            pages = session.execute(
                select(WebPage.id, WebPage.url)
                .where(WebPage.status != ItemStatus.ARCHIVED.value, WebPage.host_blocked.is_(False))
                .where(or_(WebPage.probed_at.is_(None), WebPage.probed_at <= stale))
                .order_by(WebPage.id)
            ).all()
        outcomes = []
        for spec in feeds:
            outcome = refresh_feed(self._db, self.allow, spec, self._clock())
            if outcome.error is not None:
                log.info("feed %d: %s", spec.id, outcome.error)
            outcomes.append(outcome)
        for page_id, url in pages:
            probe_page(self._db, self.allow, page_id, url, self._clock())
        return outcomes


def init_app(app: Flask) -> None:
    """Give the app's runtime its refresher; ``Runtime.start`` runs it (on the leader only)."""
    runtime(app).widgets = WidgetRefresh.for_app(app)
