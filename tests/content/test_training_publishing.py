"""Training courses on walls: the training_board entry, and the incremental publisher touching only what it must."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from content_factories import Factory
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.signage.live_manifests import HISTORY, Changes, LiveManifests
from content.signage.manifest import Resolver
from content.signage.play_timing import entry_steps
from content.signage.proof_of_play import PlayTally, play_report, record_plays, report_csv
from tests.support.training_factories import course

START = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)  # Monday 09:30 in Shanghai


def full_resolve(session: Session, at: datetime) -> dict[str, tuple[str, Any]]:
    resolver = Resolver.load(session, since=at - HISTORY)
    manifests, _ = resolver.resolve_groups(resolver.contexts(session), at)
    return {key: (m.version, m.body) for key, m in manifests.items()}


def held(live: LiveManifests) -> dict[str, tuple[str, Any]]:
    return {key: (m.version, m.body) for key, m in live.manifests.items()}


def apply(session: Session, live: LiveManifests, ident: int, at: datetime) -> set[str]:
    session.commit()
    rows = [("content", {"kind": "training", "id": ident, "action": "updated"})]
    return live.apply(live.read(session, Changes.of(rows), at), at)


def world(make: Factory) -> dict[str, Any]:
    tree = make.org_tree()
    halls = [make.hall(tree.street, name="东岗街道"), make.hall(tree.other_city, name="天水市")]
    screens = [make.screen(hall, name=f"主屏{n}", key=f"key-{n}") for n, hall in enumerate(halls)]
    board = make.playlist([{"kind": "training_board", "duration_seconds": 20, "params": {"page_size": 6}}])
    make.schedule(make.layout(), layer="default", playlists={"main": board})
    lanzhou = course(make.session, tree.city, title="中式面点师", starts_on=date(2026, 12, 10))
    soon = course(make.session, tree.street, title="养老护理员（初级）", starts_on=date(2026, 12, 1))
    tianshui = course(make.session, tree.other_city, title="挖掘机操作", valid_until=START + timedelta(hours=30))
    course(make.session, tree.city, title="草稿课程", status="draft")
    make.session.commit()
    return {"halls": halls, "screens": screens, "lanzhou": lanzhou, "soon": soon, "tianshui": tianshui}


def test_training_board_lists_live_visible_courses_soonest_first(make: Factory, session: Session) -> None:
    w = world(make)
    live = LiveManifests.load(session, START)
    body = live.manifests[live.screen_groups[w["screens"][0].id]].body
    [entry] = body["segments"][0]["regions"]["main"]
    assert entry["kind"] == "training_board" and entry["page_size"] == 6
    assert entry["items"] == [f"training:{w['soon'].id}", f"training:{w['lanzhou'].id}"]
    shown = body["items"][f"training:{w['soon'].id}"]
    assert (shown["places_left"], shown["fee"], shown["starts_on"]) == (12, "免费", "2026-12-01")
    assert entry_steps(entry) == [(20.0, frozenset(entry["items"]))]  # proof of play's pages


def test_a_course_in_one_city_resolves_only_the_groups_that_can_show_it(make: Factory, session: Session) -> None:
    w = world(make)
    live = LiveManifests.load(session, START)
    tianshui_group = live.screen_groups[w["screens"][1].id]
    w["tianshui"].valid_until = START + timedelta(hours=40)
    at = START + timedelta(minutes=1)
    changed = apply(session, live, w["tianshui"].id, at)
    assert changed <= {tianshui_group}
    assert live.resolved == 1 < len(live.manifests)
    assert held(live) == full_resolve(session, at)


def test_places_left_changing_is_patched_without_resolving(make: Factory, session: Session) -> None:
    w = world(make)
    live = LiveManifests.load(session, START)
    lanzhou_group = live.screen_groups[w["screens"][0].id]
    w["soon"].take_places(12)
    at = START + timedelta(minutes=1)
    assert apply(session, live, w["soon"].id, at) == {lanzhou_group}
    assert live.resolved == 0
    assert live.manifests[lanzhou_group].body["items"][f"training:{w['soon'].id}"]["places_left"] == 0
    assert held(live) == full_resolve(session, at)


def test_a_course_moved_out_of_reach_leaves_the_board(make: Factory, session: Session) -> None:
    w = world(make)
    live = LiveManifests.load(session, START)
    w["lanzhou"].org_unit_id = make.org_tree().other_city.id
    at = START + timedelta(minutes=1)
    changed = apply(session, live, w["lanzhou"].id, at)
    assert changed == set(live.manifests)  # gone from Lanzhou, new in Tianshui
    assert held(live) == full_resolve(session, at)


def test_plays_of_a_course_are_tallied_like_other_items(make: Factory, session: Session) -> None:
    screen = make.screen(name="大厅1号屏")
    shown = course(session, make.org_tree().city, title="中式面点师")
    hour = datetime(2026, 12, 2, 3, tzinfo=UTC)
    wire = {"id": shown.id, "kind": "training", "start": hour.isoformat(), "seconds": 15.0}
    result = record_plays(session, screen.id, [wire, {**wire, "kind": "vacancy"}], hour + timedelta(minutes=30))
    session.commit()
    assert result.accepted == 1 and result.rejected == [f"plays[1]: item {shown.id} is a training, not a vacancy"]
    [tally] = session.scalars(select(PlayTally)).all()
    assert (tally.item_kind, tally.item_title, tally.plays) == ("training", "中式面点师", 1)
    report = play_report(session, start=hour, end=hour + timedelta(hours=1))
    assert "培训课程" in report_csv(report)
