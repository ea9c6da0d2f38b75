"""Screens, their tags and groups, the generated key, and the manifest preview."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tests.kiosk_server.api_factories import Api, Factory, field_errors, last_outbox, row_counts


def test_screen_key_is_generated_and_shown_on_create_and_detail_only(api: Api, make: Factory) -> None:
    screen = make.screen()
    assert len(screen["key"]) >= 20
    assert api.get(f"screens/{screen['id']}")["key"] == screen["key"]
    assert "key" not in api.get("screens")["items"][0]
    other = make.screen(name="二楼大屏")
    assert other["key"] != screen["key"]


def test_a_key_cannot_be_chosen_by_the_client(api: Api, make: Factory) -> None:
    assert "key" in field_errors(api.post("screens", make.screen_body(key="guessable"), expect=422))


def test_tags_and_groups_round_trip_and_filter(api: Api, make: Factory, app: Any) -> None:
    entrance = make.screen_group()
    counters = make.screen_group(name="窗口屏")
    screen = make.screen(tags=[" 入口 ", "LED", "入口"], group_ids=[entrance["id"]])
    assert screen["tags"] == ["LED", "入口"] and screen["group_ids"] == [entrance["id"]]
    make.screen(name="二号屏", tags=["二楼"])

    moved = api.patch(f"screens/{screen['id']}", {"group_ids": [counters["id"]], "tags": ["LED"]})
    assert moved["group_ids"] == [counters["id"]] and moved["tags"] == ["LED"]
    assert last_outbox(app) == {"topic": "content", "kind": "screen", "id": screen["id"], "action": "updated"}
    assert api.get(f"screen-groups/{counters['id']}")["screen_ids"] == [screen["id"]]
    assert api.get(f"screen-groups/{entrance['id']}")["screen_ids"] == []
    assert [s["id"] for s in api.get("screens?tag=LED")["items"]] == [screen["id"]]
    assert [s["id"] for s in api.get(f"screens?group_id={counters['id']}")["items"]] == [screen["id"]]


def test_unknown_group_or_hall_is_422_on_its_field(api: Api, make: Factory, app: Any) -> None:
    group = make.screen_group()
    body = make.screen_body(group_ids=[group["id"], 999])
    before = row_counts(app)
    assert field_errors(api.post("screens", body, expect=422)) == {"group_ids.1": "no screen group with id 999"}
    assert field_errors(api.post("screens", make.screen_body(hall_id=999), expect=422)) == {
        "hall_id": "no hall with id 999"
    }
    assert row_counts(app) == before


def test_low_resolution_led_profile_is_reported(make: Factory) -> None:
    led = make.screen(panel="led", width_px=768, height_px=384)
    assert led["low_resolution"] is True
    assert make.screen(name="LCD")["low_resolution"] is False


def test_deleting_a_group_keeps_its_screens(api: Api, make: Factory) -> None:
    group = make.screen_group()
    screen = make.screen(group_ids=[group["id"]])
    api.delete(f"screen-groups/{group['id']}")
    assert api.get(f"screens/{screen['id']}")["group_ids"] == []


def test_manifest_preview_at_an_instant(api: Api, make: Factory) -> None:
    screen = make.screen()
    answer = api.get(f"screens/{screen['id']}/manifest?at=2026-11-22T08:00:00%2B08:00")
    assert set(answer) == {"group", "version", "manifest"}
    assert answer["manifest"]["group"] == answer["group"]
    assert answer["manifest"]["timezone"] == "Asia/Shanghai"
    again = api.get(f"screens/{screen['id']}/manifest?at=2026-11-22T00:00:00Z")
    assert again["version"] == answer["version"]  # the same instant: the same content


def test_manifest_at_defaults_to_now_and_shows_an_emergency(api: Api, make: Factory) -> None:
    screen = make.screen()
    make.emergency(title="停电通知")
    manifest = api.get(f"screens/{screen['id']}/manifest")["manifest"]
    first = manifest["segments"][0]
    assert datetime.fromisoformat(first["start"]) <= datetime.now().astimezone()
    assert first["layer"] == "emergency"
    assert [e["title"] for e in first["emergencies"]] == ["停电通知"]


def test_manifest_at_must_be_an_aware_instant(api: Api, make: Factory) -> None:
    screen = make.screen()
    for at in ("2026-11-22T08:00:00", "tomorrow", "2026-13-45T08:00:00Z"):
        assert list(field_errors(api.get(f"screens/{screen['id']}/manifest?at={at}", expect=422))) == ["at"]


def test_manifest_of_unknown_screen_is_404(api: Api) -> None:
    api.get("screens/4242/manifest", expect=404)
