"""Service guides through the incremental publisher: the groups whose org path holds a guide, and only those."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from content_factories import Factory
from sqlalchemy.orm import Session

from content.library.guides.fields import GuideFields
from content.library.guides.service_guides import ServiceGuide
from content.signage.live_manifests import HISTORY, Changes, LiveManifests
from content.signage.manifest import Resolver

START = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)


def guide(make: Factory, org_id: int, title: str, **overrides: Any) -> ServiceGuide:
    fields = GuideFields.parse({"title": title, "category": "社会保险", "steps": ["提交申请", "审核"]})
    row = ServiceGuide(
        **{**fields.columns(), "org_unit_id": org_id, "status": "published", "created_at": START, **overrides}
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


def changed(session: Session, live: LiveManifests, guide_id: int, at: datetime) -> set[str]:
    session.commit()
    rows = [("content", {"kind": "guide", "id": guide_id, "action": "updated"})]
    return live.apply(live.read(session, Changes.of(rows), at), at)


def test_a_guide_re_resolves_only_the_groups_whose_org_path_holds_it(session: Session, make: Factory) -> None:
    tree = make.org_tree()
    lanzhou = make.screen(make.hall(tree.street, name="东岗街道"), key="key-lz")
    tianshui = make.screen(make.hall(tree.other_city, name="天水市"), key="key-ts")
    make.schedule(layer="default", playlists={"main": make.playlist([{"kind": "guide_feed", "duration_seconds": 20}])})
    session.commit()
    live = LiveManifests.load(session, START)
    groups = dict(live.screen_groups)

    city_guide = guide(make, tree.city.id, "失业保险金申领")
    at = START + timedelta(minutes=1)
    assert changed(session, live, city_guide.id, at) == {groups[lanzhou.id]}
    assert live.resolved == 1
    assert held(live) == full(session, at)

    city_guide.steps = ["提交申请", "审核", "发放"]  # text only: patched in, nothing resolved
    at += timedelta(minutes=1)
    assert changed(session, live, city_guide.id, at) == {groups[lanzhou.id]}
    assert live.resolved == 0
    assert held(live) == full(session, at)
    assert live.manifests[groups[lanzhou.id]].body["items"][f"guide:{city_guide.id}"]["steps"][-1] == "发放"

    city_guide.org_unit_id = tree.other_city.id  # moves: leaves one hall, reaches the other
    at += timedelta(minutes=1)
    assert changed(session, live, city_guide.id, at) == {groups[lanzhou.id], groups[tianshui.id]}
    assert held(live) == full(session, at)

    city_guide.status = "archived"
    at += timedelta(minutes=1)
    assert changed(session, live, city_guide.id, at) == {groups[tianshui.id]}
    assert held(live) == full(session, at)


def test_a_guide_placed_as_one_item_reaches_the_screen_and_leaves_it_when_archived(
    session: Session, make: Factory
) -> None:
    tree = make.org_tree()
    screen = make.screen(make.hall(tree.street, name="东岗街道"), key="key-one")
    one = guide(make, tree.city.id, "社会保障卡申领")
    make.schedule(layer="default", playlists={"main": make.playlist([{"item_id": one.id, "duration_seconds": 30}])})
    session.commit()
    live = LiveManifests.load(session, START)
    body = live.manifests[dict(live.screen_groups)[screen.id]].body
    [entry] = next(iter(body["segments"]))["regions"]["main"]
    assert entry == {"kind": "item", "item": f"guide:{one.id}", "duration": 30}
    assert body["items"][f"guide:{one.id}"]["title"] == "社会保障卡申领"

    one.status = "archived"
    at = START + timedelta(minutes=1)
    changed(session, live, one.id, at)
    assert held(live) == full(session, at)
    body = live.manifests[dict(live.screen_groups)[screen.id]].body
    assert f"guide:{one.id}" not in body["items"]
