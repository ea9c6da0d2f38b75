"""供求分析 figures against numbers worked out by hand, and the market_board entry they feed.

The world (quarters in Asia/Shanghai): 城关区 (county) with 东岗街道 (street) below it, 七里河区 beside it.

| vacancy | node | group | headcount | pay | created (UTC) | quarter |
|---|---|---|---|---|---|---|
| v1 | 城关区 | 4 | 5 | 4000–6000 | 2026-07-10 | 2026Q3 |
| v2 | 东岗街道 | 4 | 3 | 5000–8000 | 2026-08-01 | 2026Q3 |
| v3 | 城关区 | 4 | 2 | 面议 | 2026-09-30 16:30 (10-01 00:30 local) | 2026Q4 |
| v4 | 城关区 | 6 | 10 | 3500–4500 | 2026-09-01 | 2026Q3 |
| v5 | 七里河区 | 4 | 4 | 4500–6500 | 2026-07-20 | 2026Q3 |
| v6 | 城关区 | 2 | 1 | 9000–15000 | 2026-08-15, a draft | never |
| v7 | 城关区 | 4 | 6 | 4500– (no max) | 2026-09-10 | 2026Q3 |

Tallies: 城关区 2026Q3 group 4: 8, group 6: 0; 东岗街道 2026Q3 group 4: 2; 城关区 2026Q2 group 4: 12
(a quarter with no vacancies); 七里河区 2026Q3 group 4: 5.

By hand, for 城关区 (its subtree: itself and 东岗街道):
- 2026Q2 group 4: demand 0, seekers 12, ratio 0/12 = 0.00, no pay.
- 2026Q3 group 4: v1 v2 v7: demand 5+3+6 = 14, seekers 8+2 = 10, ratio 1.40,
  pay_min median(4000, 5000, 4500) = 4500, pay_max median(6000, 8000) = 7000.
- 2026Q3 group 6: v4: demand 10, seekers 0 → ratio None ("—"), pay 3500–4500.
- 2026Q4 group 4: v3: demand 2, no tally → seekers 0, ratio None, 面议 → no pay.
For 兰州市 2026Q3 group 4: v1 v2 v5 v7: demand 18, seekers 15, ratio 1.20,
pay_min median(4000, 4500, 4500, 5000) = 4500, pay_max median(6000, 6500, 8000) = 6500.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from content_factories import Factory
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from content.library.market.figures import Figure, MarketFigure, recompute, refresh, stored_figures
from content.library.market.seeker_tallies import SeekerTally, Tally, save_tallies
from content.outbox import OutboxEvent
from content.signage.live_manifests import HISTORY, Changes, LiveManifests
from content.signage.manifest import Resolver
from content.signage.play_timing import entry_steps
from content.signage.playlists import PlaylistEntry

DATABASES = ("sqlite", "postgres")
NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)


def world(make: Factory) -> dict[str, Any]:
    tree = make.org_tree()
    specs = [
        ("v1", tree.county, "4-02-07-08", 5, 4000, 6000, datetime(2026, 7, 10, tzinfo=UTC), "published"),
        ("v2", tree.street, "4-03-02-01", 3, 5000, 8000, datetime(2026, 8, 1, tzinfo=UTC), "published"),
        ("v3", tree.county, "4-01-02-01", 2, None, None, datetime(2026, 9, 30, 16, 30, tzinfo=UTC), "published"),
        ("v4", tree.county, "6-18-01-01", 10, 3500, 4500, datetime(2026, 9, 1, tzinfo=UTC), "archived"),
        ("v5", tree.sibling_county, "4-02-07-08", 4, 4500, 6500, datetime(2026, 7, 20, tzinfo=UTC), "published"),
        ("v6", tree.county, "2-02-10-03", 1, 9000, 15000, datetime(2026, 8, 15, tzinfo=UTC), "draft"),
        ("v7", tree.county, "4-01-02-04", 6, 4500, None, datetime(2026, 9, 10, tzinfo=UTC), "published"),
    ]
    vacancies = {}
    for name, node, code, headcount, low, high, created, status in specs:
        vacancies[name] = make.vacancy(
            node,
            occupation_code=code,
            headcount=headcount,
            salary_min=low,
            salary_max=high,
            created_at=created,
            status=status,
        )
    tallies = [
        Tally(tree.county.id, "2026Q3", "4", 8),
        Tally(tree.county.id, "2026Q3", "6", 0),
        Tally(tree.street.id, "2026Q3", "4", 2),
        Tally(tree.county.id, "2026Q2", "4", 12),
        Tally(tree.sibling_county.id, "2026Q3", "4", 5),
    ]
    save_tallies(make.session, tallies, "import", NOW)
    recompute(make.session, NOW)
    make.session.commit()
    return {"tree": tree, **vacancies}


def figures_of(session: Session, unit_id: int) -> dict[tuple[str, str], tuple[Any, ...]]:
    return {
        (f.quarter, f.group): (f.vacancies, f.demand, f.seekers, f.ratio, f.pay_min, f.pay_max)
        for f in stored_figures(session, [unit_id])
    }


def test_figures_equal_the_hand_computed_ones(make: Factory, session: Session) -> None:
    tree = world(make)["tree"]
    assert figures_of(session, tree.county.id) == {
        ("2026Q2", "4"): (0, 0, 12, 0.0, None, None),
        ("2026Q3", "4"): (3, 14, 10, 1.4, 4500, 7000),
        ("2026Q3", "6"): (1, 10, 0, None, 3500, 4500),
        ("2026Q4", "4"): (1, 2, 0, None, None, None),
    }
    assert figures_of(session, tree.city.id)[("2026Q3", "4")] == (4, 18, 15, 1.2, 4500, 6500)
    assert figures_of(session, tree.street.id) == {("2026Q3", "4"): (1, 3, 2, 1.5, 5000, 8000)}
    assert ("2026Q3", "2") not in figures_of(session, tree.province.id)  # the draft never counts


def test_ratio_rounds_half_up_and_never_divides_by_zero() -> None:
    assert Figure(1, "2026Q1", "4", 1, 2, 3, None, None).ratio == 0.67
    assert Figure(1, "2026Q1", "4", 1, 1, 8, None, None).ratio == 0.13  # 0.125 → 0.13, not 0.12
    assert Figure(1, "2026Q1", "4", 1, 7, 0, None, None).ratio is None


def test_recompute_replaces_every_figure_and_asks_for_a_full_publish(make: Factory, session: Session) -> None:
    w = world(make)
    before = session.scalar(select(func.count()).select_from(MarketFigure))
    w["v1"].headcount = 9
    count = recompute(session, NOW)
    session.commit()
    assert count == before == session.scalar(select(func.count()).select_from(MarketFigure))
    assert figures_of(session, w["tree"].county.id)[("2026Q3", "4")][1] == 18
    last = session.scalars(select(OutboxEvent).order_by(OutboxEvent.id.desc())).first()
    assert last is not None and last.payload["kind"] == "market_figures" and "id" not in last.payload
    assert Changes.of([(last.topic, last.payload)]).everything


def test_a_later_tally_replaces_the_earlier_one(make: Factory, session: Session) -> None:
    tree = make.org_tree()
    save_tallies(session, [Tally(tree.county.id, "2026Q3", "4", 8)], "import", NOW)
    save_tallies(session, [Tally(tree.county.id, "2026Q3", "4", 11)], "demo", NOW)
    rows = session.scalars(select(SeekerTally)).all()
    assert [(r.seekers, r.source) for r in rows] == [(11, "demo")]


# -- the manifest entry ----------------------------------------------------------------------


def wall(make: Factory, w: dict[str, Any], params: dict[str, Any], *, node: Any = None) -> Any:
    hall = make.hall(node or w["tree"].street, name="东岗街道便民服务中心")
    screen = make.screen(hall, name="供求屏", key=f"key-{hall.id}")
    board = make.playlist([{"kind": "market_board", "duration_seconds": 12, "params": params}])
    make.schedule(make.layout(), layer="default", playlists={"main": board}, targets=[("include", "screen", screen.id)])
    make.session.commit()
    return screen


def entry_for(live: LiveManifests, screen: Any) -> dict[str, Any] | None:
    body = live.manifests[live.screen_groups[screen.id]].body
    entries = body["segments"][0]["regions"]["main"]
    return entries[0] if entries else None


def full_resolve(session: Session, at: datetime) -> dict[str, tuple[str, Any]]:
    resolver = Resolver.load(session, since=at - HISTORY)
    manifests, _ = resolver.resolve_groups(resolver.contexts(session), at)
    return {key: (m.version, m.body) for key, m in manifests.items()}


def held(live: LiveManifests) -> dict[str, tuple[str, Any]]:
    return {key: (m.version, m.body) for key, m in live.manifests.items()}


def test_county_entry_carries_the_hand_computed_series(make: Factory, session: Session) -> None:
    w = world(make)
    screen = wall(make, w, {"area": "county", "quarters": 4, "groups": 6})
    entry = entry_for(LiveManifests.load(session, NOW), screen)
    assert entry == {
        "kind": "market_board",
        "area": {"name": "城关区", "level": "county"},
        "quarters": ["2026Q1", "2026Q2", "2026Q3", "2026Q4"],
        "groups": [
            {
                "code": "4",  # 12 + 14 + 10 + 2 = 38 over the quarters, before group 6's 10
                "demand": [0, 0, 14, 2],
                "seekers": [0, 12, 10, 0],
                "ratio": [None, 0.0, 1.4, None],
                "pay_min": [None, None, 4500, None],
                "pay_max": [None, None, 7000, None],
            },
            {
                "code": "6",
                "demand": [0, 0, 10, 0],
                "seekers": [0, 0, 0, 0],
                "ratio": [None, None, None, None],
                "pay_min": [None, None, 3500, None],
                "pay_max": [None, None, 4500, None],
            },
        ],
        "totals": {"demand": [0, 0, 24, 2], "seekers": [0, 12, 10, 0], "ratio": [None, 0.0, 2.4, None]},
        "duration": 12,
    }
    assert [seconds for seconds, _ in entry_steps(entry)] == [12.0, 12.0, 12.0]  # three chart pages


def test_hall_area_and_top_groups(make: Factory, session: Session) -> None:
    w = world(make)
    street = wall(make, w, {"quarters": 2, "groups": 1})  # area "hall": the street's own figures
    county = wall(make, w, {"area": "county", "quarters": 2, "groups": 1}, node=w["tree"].county)
    live = LiveManifests.load(session, NOW)
    street_entry = entry_for(live, street)
    assert street_entry is not None
    assert (street_entry["area"]["name"], street_entry["quarters"]) == ("东岗街道", ["2026Q2", "2026Q3"])
    assert [g["code"] for g in street_entry["groups"]] == ["4"]
    assert street_entry["groups"][0]["ratio"] == [None, 1.5]
    county_entry = entry_for(live, county)
    assert county_entry is not None and [g["code"] for g in county_entry["groups"]] == ["4"]


def test_an_area_without_figures_shows_no_board(make: Factory, session: Session) -> None:
    w = world(make)
    screen = wall(make, w, {"area": "hall"}, node=w["tree"].other_city)  # 天水市: no vacancy, no tally
    assert entry_for(LiveManifests.load(session, NOW), screen) is None


def test_incremental_publishing_equals_a_full_resolve(make: Factory, session: Session) -> None:
    w = world(make)
    screen = wall(make, w, {"area": "county"})
    live = LiveManifests.load(session, NOW)
    assert held(live) == full_resolve(session, NOW)
    # New figures: the recompute's outbox row reads everything again.
    save_tallies(session, [Tally(w["tree"].county.id, "2026Q4", "4", 4)], "import", NOW)
    recompute(session, NOW)
    session.commit()
    at = NOW + timedelta(minutes=1)
    rows = [(e.topic, dict(e.payload)) for e in session.scalars(select(OutboxEvent).order_by(OutboxEvent.id))][-1:]
    live.apply(live.read(session, Changes.of(rows), at), at)
    entry = entry_for(live, screen)
    assert entry is not None and entry["groups"][0]["ratio"][-1] == 0.5  # 2 ÷ 4
    assert held(live) == full_resolve(session, at)
    # A playlist edit alone (the board's params) is applied incrementally, with the figures held.
    entry_row = session.scalars(select(PlaylistEntry).where(PlaylistEntry.kind == "market_board")).one()
    entry_row.params = {"area": "city", "quarters": 2}
    at += timedelta(minutes=1)
    session.commit()
    changes = Changes.of([("content", {"kind": "playlist", "id": entry_row.playlist_id})])
    live.apply(live.read(session, changes, at), at)
    entry = entry_for(live, screen)
    assert entry is not None and entry["area"]["name"] == "兰州市"
    assert held(live) == full_resolve(session, at)


@pytest.mark.parametrize("seekers", [0, 3])
def test_one_group_only_still_makes_an_entry(make: Factory, session: Session, seekers: int) -> None:
    tree = make.org_tree()
    make.vacancy(tree.county, occupation_code="3-01-02-01", headcount=2, created_at=datetime(2026, 10, 9, tzinfo=UTC))
    save_tallies(session, [Tally(tree.county.id, "2026Q4", "3", seekers)], "import", NOW)
    recompute(session, NOW)
    session.commit()
    screen = wall(make, {"tree": tree}, {"area": "hall"}, node=tree.county)
    entry = entry_for(LiveManifests.load(session, NOW), screen)
    assert entry is not None and [g["code"] for g in entry["groups"]] == ["3"]
    assert entry["groups"][0]["ratio"][-1] == (None if seekers == 0 else 0.67)


def test_refresh_writes_and_republishes_only_when_a_figure_moved(make: Factory, session: Session) -> None:
    w = world(make)
    rows = session.scalar(select(func.count()).select_from(OutboxEvent))
    assert refresh(session, NOW) is False
    session.commit()
    assert session.scalar(select(func.count()).select_from(OutboxEvent)) == rows  # nothing to publish
    w["v2"].salary_max = 9000  # 城关区 2026Q3 group 4: median(6000, 9000) = 7500
    assert refresh(session, NOW) is True
    session.commit()
    assert figures_of(session, w["tree"].county.id)[("2026Q3", "4")][5] == 7500
    assert session.scalar(select(func.count()).select_from(OutboxEvent)) == (rows or 0) + 1
