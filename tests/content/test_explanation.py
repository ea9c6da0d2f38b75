"""Why a screen shows what it shows: the schedule on air, the rules that matched, the ones outranked or off."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
from content_factories import Factory
from sqlalchemy.orm import Session

from content.errors import NotFound
from content.signage.explanation import aimed_at, explain, hall_contexts, matching_rules
from content.signage.manifest import resolve
from content.signage.targeting import ScreenContext, TargetRule

DATABASES = ("sqlite", "postgres")
SHANGHAI = ZoneInfo("Asia/Shanghai")


def sh(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)  # 2026-11-23 is a Monday


def test_matching_rules_names_each_rule_that_takes_the_screen_in() -> None:
    ctx = ScreenContext(
        screen_id=9,
        hall_id=4,
        org_unit_id=3,
        org_path=(1, 2, 3),
        group_ids=frozenset({7}),
        tags=frozenset({"入口"}),
        timezone="Asia/Shanghai",
    )
    rules = [
        TargetRule("include", "org", "2"),
        TargetRule("include", "org", "5"),
        TargetRule("include", "hall", "4"),
        TargetRule("exclude", "group", "7"),
        TargetRule("include", "tag", "入口"),
        TargetRule("include", "tag", "出口"),
        TargetRule("include", "screen", "9"),
        TargetRule("include", "screen", "10"),
    ]
    assert matching_rules(rules, ctx) == (
        TargetRule("include", "org", "2"),
        TargetRule("include", "hall", "4"),
        TargetRule("exclude", "group", "7"),
        TargetRule("include", "tag", "入口"),
        TargetRule("include", "screen", "9"),
    )


def test_the_daypart_wins_inside_it_and_the_default_outside(make: Factory, session: Session) -> None:
    tree = make.org_tree()
    hall = make.hall(tree.street)
    screen = make.screen(hall, tags=["入口"])
    layout = make.layout()
    board = make.playlist([{"kind": "vacancy_board", "duration_seconds": 12, "params": {}}], name="午间岗位")
    default = make.schedule(layout, layer="default", name="全省默认")
    lunch = make.schedule(
        layout,
        name="午间",
        priority=3,
        daypart_start=time(12),
        daypart_end=time(14),
        rrule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
        playlists={"main": board},
        targets=[("include", "tag", "入口"), ("exclude", "hall", 999)],
    )
    session.commit()

    at_lunch = explain(session, screen.id, sh(23, 13))
    assert at_lunch.layer == "scheduled" and at_lunch.showing is not None and at_lunch.showing.id == lunch.id
    assert at_lunch.showing.matched == (TargetRule("include", "tag", "入口"),)
    assert at_lunch.showing.excludes == (TargetRule("exclude", "hall", "999"),)
    assert at_lunch.until == sh(23, 14).astimezone(UTC) and not at_lunch.open_ended
    regions = {r.name: r for r in at_lunch.regions}
    assert regions["main"].playlist_name == "午间岗位" and regions["main"].from_schedule
    assert not regions["ticker"].from_schedule
    assert [(s.id, s.on) for s in at_lunch.schedules] == [(lunch.id, True), (default.id, True)]
    # What it explains is what the resolver resolves.
    assert at_lunch.manifest == resolve(session, screen, sh(23, 13))

    saturday = explain(session, screen.id, sh(28, 13))
    assert saturday.layer == "default" and saturday.showing is not None and saturday.showing.id == default.id
    assert saturday.showing.matched == (TargetRule("include", "org", str(tree.province.id)),)
    assert [(s.id, s.on) for s in saturday.schedules] == [(lunch.id, False), (default.id, True)]
    assert saturday.until == sh(30, 12).astimezone(UTC)  # Monday noon, inside the horizon


def test_nothing_aimed_at_the_screen_says_so(make: Factory, session: Session) -> None:
    screen = make.screen(make.hall(make.org_tree().other_city))
    make.schedule(targets=[("include", "org", make.org_tree().city.id)])
    session.commit()
    why = explain(session, screen.id, sh(23, 13))
    assert why.layer == "none" and why.showing is None and why.schedules == () and why.regions == ()
    assert why.open_ended
    with pytest.raises(NotFound):
        explain(session, 999_999, sh(23, 13))
    with pytest.raises(ValueError, match="aware"):
        explain(session, screen.id, datetime(2026, 11, 23, 13))


def test_a_hall_as_such_matches_its_org_and_hall_rules(make: Factory, session: Session) -> None:
    tree = make.org_tree()
    hall = make.hall(tree.street)
    empty = make.hall(tree.street, name="社区便民服务站")
    screen = make.screen(hall, tags=["入口"])
    by_org = make.schedule(name="街道", targets=[("include", "org", tree.street.id)])
    by_tag = make.schedule(name="入口屏", targets=[("include", "tag", "入口")])
    by_other_hall = make.schedule(name="另一大厅", targets=[("include", "hall", empty.id)])
    session.commit()
    contexts = hall_contexts(session, hall.id)
    assert [c.screen_id for c in contexts] == [screen.id, 0]
    assert [s.id for s in aimed_at(session, contexts)] == [by_org.id, by_tag.id]
    assert [s.id for s in aimed_at(session, hall_contexts(session, empty.id))] == [by_org.id, by_other_hall.id]
