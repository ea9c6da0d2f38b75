"""Schedules with their targets, checked by the resolver's own validators."""

from __future__ import annotations

from typing import Any

from tests.kiosk_server.api_factories import Api, Factory, field_errors, row_counts


def test_schedule_round_trip_with_targets_and_region_playlists(api: Api, make: Factory) -> None:
    playlist = make.playlist()
    group = make.screen_group()
    schedule = make.schedule(
        region_playlists={"main": playlist["id"]},
        exdates=["2026-10-01", "2026-10-02"],
        targets=[
            {"kind": "org", "ref": str(make.province_id())},
            {"kind": "group", "ref": group["id"]},
            {"mode": "exclude", "kind": "tag", "ref": "窗口"},
        ],
    )
    assert schedule["daypart_start"] == "08:30:00" and schedule["layer"] == "scheduled"
    assert schedule["region_playlists"] == {"main": playlist["id"]}
    assert schedule["exdates"] == ["2026-10-01", "2026-10-02"]
    assert schedule["targets"] == [
        {"mode": "include", "kind": "org", "ref": str(make.province_id())},
        {"mode": "include", "kind": "group", "ref": str(group["id"])},
        {"mode": "exclude", "kind": "tag", "ref": "窗口"},
    ]
    retargeted = api.patch(f"schedules/{schedule['id']}", {"targets": [{"kind": "tag", "ref": "入口"}]})
    assert retargeted["targets"] == [{"mode": "include", "kind": "tag", "ref": "入口"}]
    assert api.get(f"schedules/{schedule['id']}") == retargeted


def test_timing_errors_come_from_the_resolver_validator_all_at_once(api: Api, make: Factory, app: Any) -> None:
    body = make.schedule_body(
        layer="campaign",
        date_from="2026-05-01",
        date_until="2026-04-01",
        rrule="FREQ=SOMETIMES",
        daypart_end=None,
        targets=[],
    )
    before = row_counts(app)
    errors = field_errors(api.post("schedules", body, expect=422))
    assert {"date_until", "starts_at", "ends_at", "rrule", "daypart_end", "targets"} <= set(errors)
    assert "2026-04-01 is before date_from 2026-05-01" == errors["date_until"]
    assert row_counts(app) == before


def test_emergency_is_not_a_schedule_layer(api: Api, make: Factory) -> None:
    errors = field_errors(api.post("schedules", make.schedule_body(layer="emergency"), expect=422))
    assert "emergency notice" in errors["layer"]


def test_times_are_wall_clock_and_instants_are_aware(api: Api, make: Factory) -> None:
    body = make.schedule_body(
        daypart_start="08:30+08:00",
        layer="campaign",
        starts_at="2026-11-22T08:00:00",
        ends_at="2026-11-23T08:00:00+08:00",
    )
    assert set(field_errors(api.post("schedules", body, expect=422))) == {"daypart_start", "starts_at"}


def test_targets_must_exist_and_be_well_formed(api: Api, make: Factory) -> None:
    body = make.schedule_body(
        targets=[
            {"kind": "hall", "ref": "4242"},
            {"kind": "screen", "ref": "abc"},
            {"kind": "org", "ref": str(make.province_id())},
        ]
    )
    errors = field_errors(api.post("schedules", body, expect=422))
    assert set(errors) == {"targets.1.ref"}  # malformed refs first; existence once they are well formed
    body["targets"].pop(1)
    assert field_errors(api.post("schedules", body, expect=422)) == {"targets.0.ref": "no hall with id 4242"}


def test_only_excludes_is_refused(api: Api, make: Factory) -> None:
    body = make.schedule_body(targets=[{"mode": "exclude", "kind": "tag", "ref": "窗口"}])
    assert list(field_errors(api.post("schedules", body, expect=422))) == ["targets"]


def test_region_playlists_must_name_regions_of_the_layout(api: Api, make: Factory) -> None:
    playlist = make.playlist()
    body = make.schedule_body(region_playlists={"main": 4242, "sidebar": playlist["id"]})
    errors = field_errors(api.post("schedules", body, expect=422))
    assert errors["region_playlists.main"] == "no playlist with id 4242"
    sidebar = errors["region_playlists.sidebar"]
    assert sidebar.startswith("layout ") and "has no region 'sidebar' (it has main, ticker)" in sidebar


def test_partial_update_is_checked_against_the_stored_timing(api: Api, make: Factory) -> None:
    schedule = make.schedule(date_from="2026-05-01")
    errors = field_errors(api.patch(f"schedules/{schedule['id']}", {"date_until": "2026-04-30"}, expect=422))
    assert errors == {"date_until": "2026-04-30 is before date_from 2026-05-01"}
    assert api.patch(f"schedules/{schedule['id']}", {"enabled": False})["enabled"] is False


def test_schedules_filter_by_layer(api: Api, make: Factory) -> None:
    make.schedule()
    default = make.schedule(name="默认轮播", layer="default", daypart_start=None, daypart_end=None, rrule=None)
    assert [s["id"] for s in api.get("schedules?layer=default")["items"]] == [default["id"]]
