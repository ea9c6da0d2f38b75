"""Web pages and data feeds through the incremental publisher: fetches, probes and the allow-list reach screens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from content_factories import Factory
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from content.library.widgets.data_feeds import DataFeed
from content.library.widgets.feed_updates import due_feeds, record_fetch
from content.library.widgets.host_checks import check_hosts
from content.library.widgets.hosts import HostAllowList
from content.library.widgets.web_client import FetchError, FetchProblem
from content.library.widgets.web_page_probe import ProbeResult, record_probe
from content.library.widgets.web_pages import FrameStatus, WebPage
from content.outbox import OutboxEvent
from content.signage.live_manifests import HISTORY, Changes, LiveManifests
from content.signage.manifest import Resolver

START = datetime(2026, 12, 7, 1, 30, tzinfo=UTC)
ENTRIES = [{"title": "就业服务月启动", "summary": "集中招聘", "date": "2026-12-07T01:00:00+00:00", "link": ""}]


def feed(make: Factory, org_id: int, **overrides: Any) -> DataFeed:
    row = DataFeed(
        **{
            "org_unit_id": org_id,
            "title": "人社新闻",
            "url": "https://www.mohrss.gov.cn/rss.xml",
            "entries": list(ENTRIES),
            "status": "published",
            "created_at": START,
            **overrides,
        }
    )
    make.session.add(row)
    make.session.flush()
    return row


def page(make: Factory, org_id: int, **overrides: Any) -> WebPage:
    row = WebPage(
        **{
            "org_unit_id": org_id,
            "title": "网上办事大厅",
            "url": "https://www.mohrss.gov.cn/",
            "frame_status": "ok",
            "status": "published",
            "created_at": START,
            **overrides,
        }
    )
    make.session.add(row)
    make.session.flush()
    return row


def full(session: Session, at: datetime) -> dict[str, tuple[str, Any]]:
    resolver = Resolver.load(session, since=at - HISTORY)
    manifests, _groups = resolver.resolve_groups(resolver.contexts(session), at)
    return {key: (m.version, m.body) for key, m in manifests.items()}


def held(live: LiveManifests) -> dict[str, tuple[str, Any]]:
    return {key: (m.version, m.body) for key, m in live.manifests.items()}


def staged(session: Session) -> list[dict[str, Any]]:
    """The outbox rows not yet applied (``apply`` consumes them), oldest first."""
    session.flush()
    return [e.payload for e in session.scalars(select(OutboxEvent).order_by(OutboxEvent.id))]


def apply(session: Session, live: LiveManifests, at: datetime) -> set[str]:
    """Commit, and apply the staged rows to ``live`` as the manifest book would; the rows are consumed."""
    rows = [("content", p) for p in staged(session)]
    session.execute(delete(OutboxEvent))
    session.commit()
    return live.apply(live.read(session, Changes.of(rows), at), at)


def loaded(session: Session) -> LiveManifests:
    session.execute(delete(OutboxEvent))  # what seeding staged is in the first resolve
    session.commit()
    return LiveManifests.load(session, START)


def test_a_feed_placed_as_one_item_carries_its_entries_and_template(session: Session, make: Factory) -> None:
    tree = make.org_tree()
    screen = make.screen(make.hall(tree.street, name="东岗街道"), key="key-feed")
    news = feed(make, tree.city.id, template="cards")
    make.schedule(layer="default", playlists={"main": make.playlist([{"item_id": news.id, "duration_seconds": 12}])})
    live = loaded(session)
    body = live.manifests[dict(live.screen_groups)[screen.id]].body
    [entry] = next(iter(body["segments"]))["regions"]["main"]
    assert entry == {"kind": "item", "item": f"feed:{news.id}", "duration": 12}
    assert body["items"][f"feed:{news.id}"] == {
        "kind": "feed",
        "id": news.id,
        "title": "人社新闻",
        "template": "cards",
        "entries": ENTRIES,
    }


def test_a_fetch_with_new_entries_reaches_screens_and_a_failed_one_keeps_the_last_good(
    session: Session, make: Factory
) -> None:
    tree = make.org_tree()
    screen = make.screen(make.hall(tree.street, name="东岗街道"), key="key-feed")
    news = feed(make, tree.city.id)
    make.schedule(layer="default", playlists={"main": make.playlist([{"item_id": news.id, "duration_seconds": 12}])})
    live = loaded(session)
    group = dict(live.screen_groups)[screen.id]

    newer = [{**ENTRIES[0], "title": "稳岗返还政策延续"}, *ENTRIES]
    at = START + timedelta(minutes=1)
    assert record_fetch(session, news, newer, at) is True
    assert staged(session) == [{"kind": "feed", "id": news.id, "action": "updated"}]
    assert apply(session, live, at) == {group}
    assert held(live) == full(session, at)
    assert live.manifests[group].body["items"][f"feed:{news.id}"]["entries"][0]["title"] == "稳岗返还政策延续"

    at += timedelta(minutes=5)
    assert record_fetch(session, news, newer, at) is False  # the same entries: nothing for screens
    assert staged(session) == []
    assert news.fetched_at == at

    at += timedelta(minutes=5)
    assert (
        record_fetch(session, news, FetchError(FetchProblem.TIMEOUT, "www.mohrss.gov.cn did not answer"), at) is False
    )
    assert staged(session) == []
    session.commit()
    assert news.entries == newer  # the last good result stays on screens
    assert (news.last_error, news.last_error_detail) == ("timeout", "www.mohrss.gov.cn did not answer")
    assert news.attempted_at == at and news.fetched_at == at - timedelta(minutes=5)

    record_fetch(session, news, newer, at + timedelta(minutes=1))
    assert news.last_error == "" and news.last_error_detail == ""


def test_feeds_are_due_after_their_own_interval(session: Session, make: Factory) -> None:
    tree = make.org_tree()
    fresh = feed(make, tree.city.id, refresh_minutes=30, attempted_at=START - timedelta(minutes=10))
    stale = feed(make, tree.city.id, refresh_minutes=5, attempted_at=START - timedelta(minutes=10))
    never = feed(make, tree.city.id)
    feed(make, tree.city.id, status="archived")
    assert {spec.id for spec in due_feeds(session, START)} == {stale.id, never.id}
    assert fresh.id not in {spec.id for spec in due_feeds(session, START)}


def test_a_page_that_starts_refusing_frames_shows_its_fallback(session: Session, make: Factory) -> None:
    tree = make.org_tree()
    screen = make.screen(make.hall(tree.street, name="东岗街道"), key="key-page")
    hall_site = page(make, tree.city.id)
    make.schedule(
        layer="default", playlists={"main": make.playlist([{"item_id": hall_site.id, "duration_seconds": 30}])}
    )
    live = loaded(session)
    group = dict(live.screen_groups)[screen.id]
    item = live.manifests[group].body["items"][f"webpage:{hall_site.id}"]
    assert item["frameable"] is True and item["url"] == "https://www.mohrss.gov.cn/"
    assert item["qr"] and set("".join(item["qr"])) == {"0", "1"}  # the fallback's QR code, drawn offline

    at = START + timedelta(minutes=1)
    assert record_probe(session, hall_site, ProbeResult(FrameStatus.REFUSES, "X-Frame-Options: DENY"), at) is True
    assert apply(session, live, at) == {group}
    assert held(live) == full(session, at)
    assert live.manifests[group].body["items"][f"webpage:{hall_site.id}"]["frameable"] is False

    # Refusing again changes nothing screens show.
    assert record_probe(session, hall_site, ProbeResult(FrameStatus.REFUSES, "X-Frame-Options: DENY"), at) is False


def test_an_item_whose_host_left_the_allow_list_is_not_shown_until_it_is_back(session: Session, make: Factory) -> None:
    tree = make.org_tree()
    screen = make.screen(make.hall(tree.street, name="东岗街道"), key="key-hosts")
    hall_site = page(make, tree.city.id)
    news = feed(make, tree.city.id, url="https://rss.gansu.gov.cn/news.xml")
    entries = [{"item_id": hall_site.id, "duration_seconds": 30}, {"item_id": news.id, "duration_seconds": 20}]
    make.schedule(layer="default", playlists={"main": make.playlist(entries)})
    live = loaded(session)
    group = dict(live.screen_groups)[screen.id]

    narrower = HostAllowList.parse("*.gansu.gov.cn")
    at = START + timedelta(minutes=1)
    assert check_hosts(session, narrower) == [hall_site.id]
    assert apply(session, live, at) == {group}
    assert held(live) == full(session, at)
    items = live.manifests[group].body["items"]
    assert f"webpage:{hall_site.id}" not in items and f"feed:{news.id}" in items

    assert check_hosts(session, narrower) == []  # nothing more to mark
    at += timedelta(minutes=1)
    assert check_hosts(session, HostAllowList.parse("www.mohrss.gov.cn *.gansu.gov.cn")) == [hall_site.id]
    apply(session, live, at)
    assert held(live) == full(session, at)
    assert f"webpage:{hall_site.id}" in live.manifests[group].body["items"]
