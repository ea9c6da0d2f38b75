"""The leader's widget round: due feeds fetched from a real local server, pages probed, the allow-list kept."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from content.library.widgets.data_feeds import DataFeed
from content.library.widgets.web_pages import WebPage
from content.org.tree import add_org_unit
from content.outbox import OutboxEvent
from kiosk_server.database import database
from kiosk_server.widget_refresh import WidgetRefresh
from tests.conftest import make_app
from tests.support.widget_server import WidgetServer, widget_server

NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)


@pytest.fixture
def app(tmp_path: Path, database_url: str) -> Iterator[Flask]:
    application = make_app(tmp_path, database_url, widget_hosts="http://127.0.0.1")
    yield application
    database(application).engine.dispose()


@pytest.fixture
def server() -> Iterator[WidgetServer]:
    with widget_server() as running:
        yield running


def refresher(app: Flask, leader: bool, clock: list[datetime]) -> WidgetRefresh:
    from kiosk_server.settings_access import settings

    return WidgetRefresh(database(app), settings(app).widget_hosts, lambda: clock[0], is_leader=lambda: leader)


def test_only_the_leader_fetches_and_each_feed_on_its_own_interval(app: Any, server: WidgetServer) -> None:
    db = database(app)
    with db.session() as session:
        org = add_org_unit(session, name="甘肃省", level="province")
        session.flush()
        feed = DataFeed(org_unit_id=org.id, title="人社新闻", url=server.url("/rss"), refresh_minutes=5)
        broken = DataFeed(org_unit_id=org.id, title="首页", url=server.url("/html"), refresh_minutes=60)
        page = WebPage(org_unit_id=org.id, title="网办", url=server.url("/deny"))
        session.add_all([feed, broken, page])
        session.commit()
        ids = (feed.id, broken.id, page.id)
    clock = [NOW]

    assert refresher(app, False, clock).refresh_once() == []
    assert server.hits == []

    outcomes = refresher(app, True, clock).refresh_once()
    assert [(o.feed_id, o.changed) for o in outcomes] == [(ids[0], True), (ids[1], False)]
    assert sorted(server.hits) == ["/deny", "/html", "/rss"]
    with db.session() as session:
        fetched, failed, probed = (
            session.get(DataFeed, ids[0]),
            session.get(DataFeed, ids[1]),
            session.get(WebPage, ids[2]),
        )
        assert fetched is not None and failed is not None and probed is not None
        assert len(fetched.entries) == 3 and fetched.fetched_at == NOW
        assert (failed.last_error, failed.entries) == ("html_not_feed", [])
        assert (probed.frame_status, probed.frame_detail) == ("refuses", "X-Frame-Options: DENY")
        kinds = [(e.payload.get("kind"), e.payload.get("id")) for e in session.scalars(select(OutboxEvent))]
        assert ("feed", ids[0]) in kinds and ("webpage", ids[2]) in kinds and ("feed", ids[1]) not in kinds

    server.hits.clear()
    clock[0] = NOW + timedelta(minutes=6)  # only the five-minute feed is due; the page was probed within the hour
    outcomes = refresher(app, True, clock).refresh_once()
    assert [(o.feed_id, o.changed) for o in outcomes] == [(ids[0], False)]
    assert server.hits == ["/rss"]
