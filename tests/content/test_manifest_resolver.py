"""The manifest resolver: layers, segments, next_change, feeds, groups (docs/protocol.md §2)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from content_factories import Factory
from sqlalchemy.orm import Session

from content.org.screens import Screen
from content.signage import manifest as manifest_module
from content.signage.manifest import Manifest, Resolver, canonical_json, next_change, resolve, version_of
from content.signage.playlists import Playlist

# Timestamps, times and JSON must round-trip the same way through both databases.
DATABASES = ("sqlite", "postgres")

SHANGHAI = ZoneInfo("Asia/Shanghai")


def sh(day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A wall-clock instant in Shanghai in November 2026."""
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


def summary(manifest: Manifest, tz: ZoneInfo = SHANGHAI) -> list[tuple[str, str, int | None]]:
    """(local start "DD HH:MM", layer, source schedule id) per segment."""
    rows = []
    for seg in manifest.body["segments"]:
        start = datetime.fromisoformat(seg["start"]).astimezone(tz)
        rows.append((start.strftime("%d %H:%M"), seg["layer"], seg["source"]["id"] if seg["source"] else None))
    return rows


def main_items(segment: dict[str, Any]) -> list[str]:
    keys: list[str] = []
    for entry in segment["regions"].get("main", []):
        keys.extend(entry.get("items") or [entry["item"]])
    return keys


@pytest.fixture
def screen(make: Factory) -> Screen:
    return make.screen(make.hall(make.org_tree().street))


@pytest.fixture
def board(make: Factory) -> Playlist:
    return make.playlist([{"kind": "vacancy_board", "duration_seconds": 12, "params": {}}])


def test_naive_instant_is_refused(session: Session, screen: Screen) -> None:
    with pytest.raises(ValueError, match="aware"):
        resolve(session, screen, datetime(2026, 11, 22, 8))
    with pytest.raises(ValueError, match="aware"):
        next_change(session, screen, datetime(2026, 11, 22, 8))


def test_nothing_scheduled_gives_layer_none_from_local_midnight(session: Session, screen: Screen) -> None:
    body = resolve(session, screen, sh(22, 15)).body
    assert body["horizon"] == {"from": "2026-11-21T16:00:00+00:00", "until": "2026-11-24T16:00:00+00:00"}
    assert body["segments"] == [
        {
            "start": "2026-11-21T16:00:00+00:00",
            "end": "2026-11-24T16:00:00+00:00",
            "layer": "none",
            "source": None,
            "layout": None,
            "regions": {},
            "emergencies": [],
        }
    ]
    assert body["layouts"] == {} and body["items"] == {}


def test_horizon_follows_the_hall_time_zone(make: Factory, session: Session) -> None:
    urumqi = make.screen(make.hall(make.org_tree().street, timezone="Asia/Urumqi"))
    body = resolve(session, urumqi, datetime(2026, 11, 22, 1, tzinfo=UTC)).body  # 07:00 in Urumqi
    assert body["timezone"] == "Asia/Urumqi"
    assert body["horizon"] == {"from": "2026-11-21T18:00:00+00:00", "until": "2026-11-24T18:00:00+00:00"}


def test_layers_preempt_and_lower_layers_resume(
    make: Factory, session: Session, screen: Screen, board: Playlist
) -> None:
    layout = make.layout()
    default = make.schedule(layout, layer="default", playlists={"main": board})
    daily = make.schedule(layout, daypart_start=time(9), daypart_end=time(12))
    campaign = make.schedule(layout, layer="campaign", starts_at=sh(22, 10), ends_at=sh(22, 10, 30))
    make.emergency(starts_at=sh(22, 10, 15), expires_at=sh(22, 10, 20))
    rows = summary(resolve(session, screen, sh(22)))
    assert rows[:8] == [
        ("22 00:00", "default", default.id),
        ("22 09:00", "scheduled", daily.id),
        ("22 10:00", "campaign", campaign.id),
        ("22 10:15", "emergency", campaign.id),  # the emergency covers what would play underneath
        ("22 10:20", "campaign", campaign.id),  # emergency expired: the campaign resumes
        ("22 10:30", "scheduled", daily.id),  # campaign window closed: the daypart resumes
        ("22 12:00", "default", default.id),  # daypart over: the default playlist resumes
        ("23 09:00", "scheduled", daily.id),
    ]


def test_emergency_segment_lists_active_emergencies_most_severe_then_newest(
    make: Factory, session: Session, screen: Screen
) -> None:
    info = make.emergency(severity="info", title="i", starts_at=sh(22, 10), expires_at=sh(22, 11))
    old = make.emergency(severity="critical", title="c1", starts_at=sh(22, 9), expires_at=sh(22, 11))
    new = make.emergency(severity="critical", title="c2", starts_at=sh(22, 9, 30), expires_at=sh(22, 11))
    make.emergency(
        severity="warning", title="ended by hand", starts_at=sh(22, 9), expires_at=sh(22, 12), ended_at=sh(22, 9, 45)
    )
    body = resolve(session, screen, sh(22, 10, 5)).body
    first = body["segments"][0]
    assert first["layer"] == "emergency" and first["layout"] is None
    assert [e["id"] for e in first["emergencies"]] == [new.id, old.id, info.id]
    assert first["emergencies"][0] == {
        "id": new.id,
        "title": "c2",
        "body": "系统升级，暂停办理",
        "severity": "critical",
        "starts_at": "2026-11-22T01:30:00+00:00",
        "expires_at": "2026-11-22T03:00:00+00:00",
    }
    assert body["segments"][1]["layer"] == "none" and body["segments"][1]["emergencies"] == []


def test_emergency_ended_early_reverts_to_schedule(make: Factory, session: Session, screen: Screen) -> None:
    daily = make.schedule(daypart_start=time(8), daypart_end=time(18))
    make.emergency(starts_at=sh(22, 9), expires_at=sh(22, 17), ended_at=sh(22, 9, 40))
    rows = summary(resolve(session, screen, sh(22, 9, 50)))
    assert rows[0] == ("22 09:40", "scheduled", daily.id)


def test_higher_priority_then_newer_schedule_wins(make: Factory, session: Session, screen: Screen) -> None:
    layout = make.layout()
    low = make.schedule(layout, priority=0, daypart_start=time(8), daypart_end=time(18))
    high = make.schedule(layout, priority=5, daypart_start=time(10), daypart_end=time(11))
    newer = make.schedule(layout, priority=0, daypart_start=time(14), daypart_end=time(15))
    rows = summary(resolve(session, screen, sh(22, 8)))
    assert rows[:6] == [
        ("22 08:00", "scheduled", low.id),
        ("22 10:00", "scheduled", high.id),
        ("22 11:00", "scheduled", low.id),
        ("22 14:00", "scheduled", newer.id),
        ("22 15:00", "scheduled", low.id),
        ("22 18:00", "none", None),
    ]


def test_disabled_schedules_are_ignored(make: Factory, session: Session, screen: Screen) -> None:
    make.schedule(enabled=False)
    assert summary(resolve(session, screen, sh(22, 8)))[0][1] == "none"


def test_next_change_is_the_end_of_the_current_segment_or_local_midnight(
    make: Factory, session: Session, screen: Screen
) -> None:
    make.schedule(layer="default")
    make.schedule(daypart_start=time(9), daypart_end=time(12))
    make.emergency(starts_at=sh(22, 10, 15), expires_at=sh(22, 10, 20))
    assert next_change(session, screen, sh(22, 8)) == sh(22, 9)
    assert next_change(session, screen, sh(22, 9)) == sh(22, 10, 15)
    assert next_change(session, screen, sh(22, 10, 16)) == sh(22, 10, 20)
    assert next_change(session, screen, sh(22, 13)) == sh(23)  # default runs on: the horizon rolls at midnight


def test_next_change_is_when_the_version_changes(make: Factory, session: Session, screen: Screen) -> None:
    make.schedule(daypart_start=time(9), daypart_end=time(12))
    resolver = Resolver.load(session)
    ctx = Resolver.contexts(session)[0]
    after = sh(22, 7)
    change = resolver.next_change(ctx, after)
    assert change == sh(22, 9)
    assert resolver.resolve(ctx, change - timedelta(seconds=1)).version == resolver.resolve(ctx, after).version
    assert resolver.resolve(ctx, change).version != resolver.resolve(ctx, after).version


def test_first_segment_starts_at_the_last_transition_and_is_stable_inside_it(
    make: Factory, session: Session, screen: Screen
) -> None:
    make.schedule(daypart_start=time(9), daypart_end=time(12))
    early, late = resolve(session, screen, sh(22, 9, 30)), resolve(session, screen, sh(22, 11, 59))
    assert early.body["horizon"]["from"] == early.body["segments"][0]["start"] == "2026-11-22T01:00:00+00:00"
    assert early.version == late.version and early.body == late.body
    assert resolve(session, screen, sh(22, 12)).version != early.version


def test_overnight_daypart_is_cut_at_local_midnight_for_the_first_segment(
    make: Factory, session: Session, screen: Screen
) -> None:
    night = make.schedule(daypart_start=time(22), daypart_end=time(6))
    rows = summary(resolve(session, screen, sh(23, 2)))
    assert rows[:3] == [
        ("23 00:00", "scheduled", night.id),
        ("23 06:00", "none", None),
        ("23 22:00", "scheduled", night.id),
    ]


def test_dayparts_follow_each_halls_time_zone(make: Factory, session: Session) -> None:
    tree = make.org_tree()
    shanghai = make.screen(make.hall(tree.street))
    urumqi = make.screen(make.hall(tree.street, timezone="Asia/Urumqi", name="乌鲁木齐市人力资源市场"))
    make.schedule(daypart_start=time(9), daypart_end=time(12))
    at = datetime(2026, 11, 22, 0, 30, tzinfo=UTC)
    manifests, groups = Resolver.load(session).resolve_groups(Resolver.contexts(session), at)
    assert groups[shanghai.id] != groups[urumqi.id]
    starts = {
        sid: [s["start"] for s in manifests[key].body["segments"] if s["layer"] == "scheduled"][0]
        for sid, key in groups.items()
    }
    assert starts == {shanghai.id: "2026-11-22T01:00:00+00:00", urumqi.id: "2026-11-22T03:00:00+00:00"}


def test_dst_hall_keeps_local_dayparts_across_the_change(make: Factory, session: Session) -> None:
    berlin = make.screen(make.hall(make.org_tree().street, timezone="Europe/Berlin"))
    make.schedule(daypart_start=time(9), daypart_end=time(10))
    body = resolve(session, berlin, datetime(2026, 3, 28, 5, tzinfo=UTC)).body
    assert [s["start"] for s in body["segments"] if s["layer"] == "scheduled"] == [
        "2026-03-28T08:00:00+00:00",
        "2026-03-29T07:00:00+00:00",
        "2026-03-30T07:00:00+00:00",
    ]
    assert body["horizon"]["until"] == "2026-03-30T22:00:00+00:00"  # midnight CEST ending the 30th


def test_targeting_inherits_down_the_tree_and_exclusion_falls_back(make: Factory, session: Session) -> None:
    tree = make.org_tree()
    in_street, in_community = make.screen(make.hall(tree.street)), make.screen(make.hall(tree.community))
    in_sibling = make.screen(make.hall(tree.sibling_county))
    tagged = make.screen(make.hall(tree.street), tags=["柜台"])
    default = make.schedule(layer="default")
    city = make.schedule(
        targets=[("include", "org", tree.city.id), ("exclude", "org", tree.community.id), ("exclude", "tag", "柜台")]
    )
    at = sh(22, 9)
    shown = {s.id: summary(resolve(session, s, at))[0][2] for s in (in_street, in_community, in_sibling, tagged)}
    assert shown == {in_street.id: city.id, in_community.id: default.id, in_sibling.id: city.id, tagged.id: default.id}


def test_identical_targeting_shares_a_group_and_one_resolution(
    make: Factory, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    tree = make.org_tree()
    hall = make.hall(tree.street)
    first, second = make.screen(hall), make.screen(hall, name="二号屏")
    same_node = make.screen(make.hall(tree.street, name="东岗便民服务站"))
    excluded = make.screen(hall, tags=["柜台"])
    make.schedule(targets=[("include", "org", tree.province.id), ("exclude", "tag", "柜台")])
    calls: list[str] = []
    original = Resolver._resolve_group

    def counting(self: Resolver, group: Any, at: datetime) -> Manifest:
        calls.append(group.key)
        return original(self, group, at)

    monkeypatch.setattr(Resolver, "_resolve_group", counting)
    resolver = Resolver.load(session)
    manifests, groups = resolver.resolve_groups(Resolver.contexts(session), sh(22, 9))
    assert groups[first.id] == groups[second.id] == groups[same_node.id] != groups[excluded.id]
    assert sorted(calls) == sorted(manifests) and len(manifests) == 2
    assert all(re.fullmatch(r"g-[0-9a-f]{12}", key) for key in manifests)
    shared = manifests[groups[first.id]]
    assert shared.body["group"] == shared.group == groups[first.id]
    assert shared == resolve(session, second, sh(22, 9))


def test_feeds_show_live_items_of_ancestor_nodes_newest_first(
    make: Factory, session: Session, screen: Screen, board: Playlist
) -> None:
    tree = make.org_tree()
    base = datetime(2026, 1, 1, tzinfo=UTC)
    province = make.vacancy(tree.province, created_at=base)
    city = make.vacancy(tree.city, created_at=base + timedelta(days=2))
    street = make.vacancy(tree.street, created_at=base + timedelta(days=1))
    make.vacancy(tree.sibling_county, created_at=base + timedelta(days=3))  # another branch
    make.vacancy(tree.community, created_at=base + timedelta(days=3))  # below the hall's node
    make.vacancy(tree.city, status="draft")
    make.vacancy(tree.city, valid_until=sh(1))  # expired long ago
    make.schedule(layer="default", playlists={"main": board})
    segment = resolve(session, screen, sh(22, 9)).body["segments"][0]
    assert segment["regions"]["main"] == [
        {
            "kind": "vacancy_board",
            "page_size": 8,
            "duration": 12,
            "items": [f"vacancy:{v.id}" for v in (city, street, province)],
        }
    ]


def test_board_and_feed_params_filter_order_and_limit(make: Factory, session: Session, screen: Screen) -> None:
    tree = make.org_tree()
    base = datetime(2026, 1, 1, tzinfo=UTC)
    cook = [
        make.vacancy(tree.city, occupation_code="4-03-02-01", district="城关区", created_at=base + timedelta(hours=n))
        for n in range(3)
    ]
    make.vacancy(tree.city, occupation_code="4-03-02-01", district="七里河区", created_at=base + timedelta(hours=9))
    make.vacancy(tree.city, occupation_code="6-01-01-01", district="城关区")
    topics = [make.notice(tree.province, topic="养老保险", created_at=base + timedelta(hours=n)) for n in range(3)]
    make.notice(tree.province, topic="失业保险")
    playlist = make.playlist(
        [
            {
                "kind": "vacancy_board",
                "duration_seconds": 10,
                "params": {"occupation_prefix": "4-03", "district": "城关区", "limit": 2, "page_size": 4},
            },
            {
                "kind": "vacancy_board",
                "duration_seconds": 10,
                "params": {"occupation_prefix": "4-03", "order": "oldest"},
            },
            {"kind": "notice_feed", "duration_seconds": 25, "params": {"topic": "养老保险", "limit": 2}},
        ]
    )
    make.schedule(layer="default", playlists={"main": playlist})
    main = resolve(session, screen, sh(22, 9)).body["segments"][0]["regions"]["main"]
    assert main[0] == {
        "kind": "vacancy_board",
        "items": [f"vacancy:{cook[2].id}", f"vacancy:{cook[1].id}"],
        "page_size": 4,
        "duration": 10,
    }
    assert main[1]["items"][:3] == [f"vacancy:{v.id}" for v in cook]
    assert len(main[1]["items"]) == 4
    assert main[2] == {
        "kind": "notice_feed",
        "items": [f"notice:{topics[2].id}", f"notice:{topics[1].id}"],
        "duration": 25,
    }


def test_item_validity_bounds_are_transitions(make: Factory, session: Session, screen: Screen, board: Playlist) -> None:
    tree = make.org_tree()
    leaving = make.vacancy(tree.city, valid_until=sh(22, 15))
    arriving = make.vacancy(tree.city, valid_from=sh(23, 8))
    make.vacancy(tree.city, occupation_code="9-99", valid_until=sh(22, 16))  # no board shows it
    filtered = make.playlist([{"kind": "vacancy_board", "params": {"occupation_prefix": "4"}, "duration_seconds": 9}])
    make.schedule(layer="default", playlists={"main": filtered})
    segments = resolve(session, screen, sh(22, 9)).body["segments"]
    assert [(s["start"], main_items(s)) for s in segments] == [
        ("2026-11-21T16:00:00+00:00", [f"vacancy:{leaving.id}"]),
        ("2026-11-22T07:00:00+00:00", []),  # 15:00 local: gone, and 16:00 changes nothing visible
        ("2026-11-23T00:00:00+00:00", [f"vacancy:{arriving.id}"]),
    ]
    assert board is not None


def test_empty_entries_are_left_out_and_items_hold_what_is_referenced(
    make: Factory, session: Session, screen: Screen
) -> None:
    expired = make.media(valid_until=sh(1))
    draft = make.notice(status="draft")
    image = make.media(title="社保卡", sha256="cd" * 32)
    notice = make.notice(body_html="<p>新政</p>", effective_date=datetime(2026, 1, 1).date())
    ticker = make.ticker(title="今日岗位 120 个")
    main = make.playlist(
        [
            {"kind": "item", "item": expired},
            {"kind": "item", "item": draft},
            {"kind": "vacancy_board"},
            {"kind": "item", "item": image, "duration_seconds": 1},
            {"kind": "item", "item": notice, "duration_seconds": 20},
        ]
    )
    ticks = make.playlist([{"kind": "item", "item": ticker, "duration_seconds": 30}])
    make.schedule(layer="default", playlists={"main": main, "ticker": ticks})
    body = resolve(session, screen, sh(22, 9)).body
    regions = body["segments"][0]["regions"]
    assert regions["main"] == [
        {"kind": "item", "item": f"media:{image.id}", "duration": 3},  # clamped to the minimum
        {"kind": "item", "item": f"notice:{notice.id}", "duration": 20},
    ]
    assert regions["ticker"] == [{"kind": "item", "item": f"ticker:{ticker.id}", "duration": 30}]
    assert body["items"] == {
        f"media:{image.id}": {
            "kind": "media",
            "id": image.id,
            "title": "社保卡",
            "media_type": "image",
            "mime": "image/png",
            "url": "/media/" + "cd" * 32,
            "sha256": "cd" * 32,
            "duration": None,
        },
        f"notice:{notice.id}": {
            "kind": "notice",
            "id": notice.id,
            "title": "失业保险稳岗返还政策",
            "topic": "失业保险",
            "html": "<p>新政</p>",
            "issuing_office": "省人社厅",
            "effective_date": "2026-01-01",
        },
        f"ticker:{ticker.id}": {"kind": "ticker", "id": ticker.id, "text": "今日岗位 120 个"},
    }
    layout = body["layouts"][body["segments"][0]["layout"]]
    assert [r["name"] for r in layout["regions"]] == ["main", "ticker"]


def test_vacancy_item_shape(make: Factory, session: Session, screen: Screen, board: Playlist) -> None:
    vacancy = make.vacancy(
        salary_min=None, salary_max=None, valid_until=datetime(2026, 12, 31, 16, tzinfo=UTC), requirements="持叉车证"
    )
    make.schedule(layer="default", playlists={"main": board})
    item = resolve(session, screen, sh(22, 9)).body["items"][f"vacancy:{vacancy.id}"]
    assert item == {
        "kind": "vacancy",
        "id": vacancy.id,
        "title": "仓储物流专员",
        "employer": "兰州某某物流有限公司",
        "occupation_code": "4-02-06-03",
        "headcount": 5,
        "salary": "面议",
        "salary_min": None,
        "salary_max": None,
        "education": "高中/中专",
        "district": "城关区",
        "requirements": "持叉车证",
        "contact": "0931-1234567",
        "valid_until": "2026-12-31T16:00:00+00:00",
    }


def test_region_playlists_override_layout_defaults(make: Factory, session: Session, screen: Screen) -> None:
    a, b = make.ticker(title="甲"), make.ticker(title="乙")
    default_pl = make.playlist([{"kind": "item", "item": a}])
    override_pl = make.playlist([{"kind": "item", "item": b}])
    layout = make.layout(
        regions=[
            {"name": "main", "playlist_id": default_pl.id},
            {"name": "side", "x": 0.5, "w": 0.5, "playlist_id": default_pl.id},
        ]
    )
    make.schedule(layout, layer="default", playlists={"main": override_pl, "side": None})
    regions = resolve(session, screen, sh(22, 9)).body["segments"][0]["regions"]
    assert regions == {"main": [{"kind": "item", "item": f"ticker:{b.id}", "duration": 15}], "side": []}


def test_version_is_the_hash_of_the_canonical_body(make: Factory, session: Session, screen: Screen) -> None:
    make.schedule(layer="default")
    manifest = resolve(session, screen, sh(22, 9))
    assert re.fullmatch(r"[0-9a-f]{16}", manifest.version)
    assert manifest.version == version_of(manifest.body)
    assert manifest.text == canonical_json(manifest.body), "the text kept for the wire is the canonical one"
    assert "version" not in manifest.body


def test_module_functions_match_the_resolver(make: Factory, session: Session, screen: Screen) -> None:
    make.schedule(daypart_start=time(9), daypart_end=time(12))
    ctx = manifest_module.screen_context(session, screen.id)
    resolver = Resolver.load(session)
    assert resolve(session, screen.id, sh(22, 10)) == resolver.resolve(ctx, sh(22, 10))
    assert next_change(session, screen, sh(22, 10)) == resolver.next_change(ctx, sh(22, 10)) == sh(22, 12)


def test_group_key_ignores_emergencies_over_before_the_day(make: Factory, session: Session, screen: Screen) -> None:
    make.schedule(layer="default")
    make.emergency(starts_at=sh(20, 9), expires_at=sh(20, 10))
    ctx = Resolver.contexts(session)[0]
    everything, recent = Resolver.load(session), Resolver.load(session, since=sh(21))
    assert everything.matches(ctx, sh(20, 12))[1] != ()  # still on the 20th's timeline
    assert everything.matches(ctx, sh(23, 12))[1] == ()
    assert everything.group_key(ctx, sh(23, 12)) == recent.group_key(ctx, sh(23, 12))
    assert everything.resolve(ctx, sh(23, 12)) == recent.resolve(ctx, sh(23, 12))


def test_resolver_loaded_since_refuses_instants_it_may_lack_data_for(session: Session, screen: Screen) -> None:
    resolver = Resolver.load(session, since=sh(21))
    ctx = Resolver.contexts(session)[0]
    with pytest.raises(ValueError, match="too early"):
        resolver.resolve(ctx, sh(22))
    assert resolver.resolve(ctx, sh(23)).body["segments"][0]["layer"] == "none"


def test_schedules_and_emergencies_stay_inside_their_owner_subtree(make: Factory, session: Session) -> None:
    """A city's tag and group rules reach that city's tagged screens and no other city's (docs/console.md)."""
    tree = make.org_tree()
    everywhere = make.screen_group(tree.city)
    home = make.screen(make.hall(tree.street), tags=["入口"], groups=[everywhere])
    away = make.screen(make.hall(tree.other_city, name="天水市人力资源市场"), tags=["入口"], groups=[everywhere])
    by_tag = make.schedule(targets=[("include", "tag", "入口")], org_unit_id=tree.city.id, name="兰州入口")
    by_group = make.schedule(
        targets=[("include", "group", everywhere.id)],
        org_unit_id=tree.city.id,
        priority=1,
        daypart_start=time(14),
        daypart_end=time(16),
        name="兰州午后",
    )
    alert = make.emergency(targets=[("include", "group", everywhere.id)], org_unit_id=tree.city.id)
    at = sh(22, 11)  # 03:00 UTC: the emergency is on air
    ours, theirs = resolve(session, home, at).body, resolve(session, away, at).body
    assert {seg["source"]["id"] for seg in ours["segments"] if seg["source"]} == {by_tag.id, by_group.id}
    assert any(e["id"] == alert.id for seg in ours["segments"] for e in seg["emergencies"])
    assert all(seg["source"] is None and not seg["emergencies"] for seg in theirs["segments"])
