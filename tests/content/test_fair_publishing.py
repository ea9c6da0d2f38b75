"""Job fairs on walls: the fair_board entry, the 招聘会 badge of the fair's vacancies, targeting, proof of play,
and the incremental publisher giving what a full resolve gives after fair changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from content_factories import Factory
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.library.fairs.rules import save_fair
from content.signage.live_manifests import HISTORY, Changes, LiveManifests
from content.signage.manifest import Resolver
from content.signage.proof_of_play import PlayTally, play_report, record_plays, report_csv
from tests.support.fair_factories import FAIR_START, fair

START = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)  # Monday 09:30 in Shanghai, two days before the fair


def full_resolve(session: Session, at: datetime) -> dict[str, tuple[str, Any]]:
    resolver = Resolver.load(session, since=at - HISTORY)
    manifests, _ = resolver.resolve_groups(resolver.contexts(session), at)
    return {key: (m.version, m.body) for key, m in manifests.items()}


def held(live: LiveManifests) -> dict[str, tuple[str, Any]]:
    return {key: (m.version, m.body) for key, m in live.manifests.items()}


def apply(session: Session, live: LiveManifests, kind: str, ident: int, at: datetime) -> set[str]:
    session.commit()
    rows = [("content", {"kind": kind, "id": ident, "action": "updated"})]
    return live.apply(live.read(session, Changes.of(rows), at), at)


def world(make: Factory) -> dict[str, Any]:
    tree = make.org_tree()
    halls = [make.hall(tree.street, name="东岗街道"), make.hall(tree.other_city, name="天水市")]
    screens = [make.screen(hall, name=f"主屏{n}", key=f"key-{n}") for n, hall in enumerate(halls)]
    board = make.playlist(
        [
            {"kind": "fair_board", "duration_seconds": 20, "params": {"page_size": 6}},
            {"kind": "vacancy_board", "duration_seconds": 12},
        ]
    )
    make.schedule(make.layout(), layer="default", playlists={"main": board})
    soft = make.employer(name="兰州某某软件有限公司")
    dev = make.vacancy(tree.city, title="Java开发工程师", employer=soft)
    other = make.vacancy(tree.city, title="仓储物流专员")
    lanzhou = fair(
        make.session,
        tree.city,
        booths=[{"employer_id": soft.id, "booth": "A12", "vacancy_ids": [dev.id]}],
    )
    later = fair(
        make.session,
        tree.province,
        title="甘肃省退役军人专场招聘会",
        theme="退役军人专场",
        starts_at=FAIR_START + timedelta(days=7),
        ends_at=FAIR_START + timedelta(days=7, hours=6),
    )
    tianshui = fair(make.session, tree.other_city, title="天水市农民工专场招聘会", theme="农民工专场")
    make.session.commit()
    return {
        "screens": screens,
        "lanzhou": lanzhou,
        "later": later,
        "tianshui": tianshui,
        "dev": dev,
        "other": other,
        "soft": soft,
    }


def test_fair_board_lists_the_visible_fairs_soonest_first_until_they_end(make: Factory, session: Session) -> None:
    w = world(make)
    live = LiveManifests.load(session, START)
    body = live.manifests[live.screen_groups[w["screens"][0].id]].body
    [entry, _board] = body["segments"][0]["regions"]["main"]
    assert entry["kind"] == "fair_board" and entry["page_size"] == 6
    assert entry["items"] == [f"fair:{w['lanzhou'].id}", f"fair:{w['later'].id}"]  # not Tianshui's
    shown = body["items"][f"fair:{w['lanzhou'].id}"]
    assert shown["starts_at"] == FAIR_START.isoformat()  # the player counts down from it by its own clock
    assert shown["booths"] == [
        {"booth": "A12", "employer": "兰州某某软件有限公司", "positions": 1, "titles": ["Java开发工程师"]}
    ]
    ends = [datetime.fromisoformat(s["end"]) for s in body["segments"]]
    assert w["lanzhou"].ends_at in ends  # the fair leaves the board when it ends: a transition


def test_the_fair_s_vacancies_carry_the_booth_badge_and_others_do_not(make: Factory, session: Session) -> None:
    w = world(make)
    live = LiveManifests.load(session, START)
    items = live.manifests[live.screen_groups[w["screens"][0].id]].body["items"]
    [badge] = items[f"vacancy:{w['dev'].id}"]["fairs"]
    assert (badge["booth"], badge["title"], badge["ends_at"]) == (
        "A12",
        w["lanzhou"].title,
        w["lanzhou"].ends_at.isoformat(),
    )
    assert "fairs" not in items[f"vacancy:{w['other'].id}"]


def test_fair_changes_publish_incrementally_as_a_full_resolve_would(make: Factory, session: Session) -> None:
    w = world(make)
    live = LiveManifests.load(session, START)
    lanzhou_group = live.screen_groups[w["screens"][0].id]
    at = START + timedelta(minutes=1)
    # The booth moves and offers the other employer's job no more: the badge follows.
    save_fair(
        session, w["lanzhou"], {"booths": [{"employer_id": w["soft"].id, "booth": "B3", "vacancy_ids": [w["dev"].id]}]}
    )
    assert lanzhou_group in apply(session, live, "fair", w["lanzhou"].id, at)
    assert live.manifests[lanzhou_group].body["items"][f"vacancy:{w['dev'].id}"]["fairs"][0]["booth"] == "B3"
    assert held(live) == full_resolve(session, at)
    # The fair is unpublished: its vacancy loses the badge, the board the fair.
    w["lanzhou"].status = "draft"
    apply(session, live, "fair", w["lanzhou"].id, at)
    assert "fairs" not in live.manifests[lanzhou_group].body["items"][f"vacancy:{w['dev'].id}"]
    assert held(live) == full_resolve(session, at)
    # A vacancy a published fair counts is deleted: the fair's count follows without a fair change.
    w["lanzhou"].status = "published"
    apply(session, live, "fair", w["lanzhou"].id, at)
    ident = w["dev"].id
    session.delete(w["dev"])
    apply(session, live, "vacancy", ident, at)
    assert live.manifests[lanzhou_group].body["items"][f"fair:{w['lanzhou'].id}"]["booths"][0]["positions"] == 0
    assert held(live) == full_resolve(session, at)


def test_a_fair_in_another_city_resolves_only_its_groups(make: Factory, session: Session) -> None:
    w = world(make)
    live = LiveManifests.load(session, START)
    tianshui_group = live.screen_groups[w["screens"][1].id]
    w["tianshui"].title = "天水市2026年农民工专场招聘会"
    w["tianshui"].valid_from = START + timedelta(hours=3)
    at = START + timedelta(minutes=1)
    assert apply(session, live, "fair", w["tianshui"].id, at) <= {tianshui_group}
    assert held(live) == full_resolve(session, at)


def test_plays_of_a_fair_are_tallied_like_other_items(make: Factory, session: Session) -> None:
    screen = make.screen(name="大厅1号屏")
    shown = fair(session, make.org_tree().city)
    hour = datetime(2026, 12, 2, 3, tzinfo=UTC)
    wire = {"id": shown.id, "kind": "fair", "start": hour.isoformat(), "seconds": 20.0}
    result = record_plays(session, screen.id, [wire, {**wire, "kind": "vacancy"}], hour + timedelta(minutes=30))
    session.commit()
    assert result.accepted == 1 and result.rejected == [f"plays[1]: item {shown.id} is a fair, not a vacancy"]
    [tally] = session.scalars(select(PlayTally)).all()
    assert (tally.item_kind, tally.plays) == ("fair", 1)
    assert "招聘会" in report_csv(play_report(session, start=hour, end=hour + timedelta(hours=1)))
