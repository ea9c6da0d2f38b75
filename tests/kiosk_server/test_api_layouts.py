"""Layouts with regions and playlists with ordered entries."""

from __future__ import annotations

from typing import Any

from tests.kiosk_server.api_factories import Api, Factory, field_errors, row_counts


def test_layout_regions_round_trip_in_stacking_order(api: Api, make: Factory) -> None:
    playlist = make.playlist()
    layout = make.layout(
        regions=[
            {"name": "ticker", "widget": "ticker", "x": 0, "y": 0.92, "w": 1, "h": 0.08, "z": 2},
            {"name": "main", "x": 0, "y": 0.1, "w": 0.7, "h": 0.82, "playlist_id": playlist["id"]},
        ]
    )
    assert [(r["name"], r["z"]) for r in layout["regions"]] == [("main", 0), ("ticker", 2)]
    assert layout["regions"][0]["playlist_id"] == playlist["id"]


def test_region_outside_the_screen_is_refused_by_index(api: Api, make: Factory, app: Any) -> None:
    body = make.layout_body(
        regions=[
            {"name": "main", "x": 0.0, "y": 0.0, "w": 1.0, "h": 1.0},
            {"name": "side", "x": 0.8, "y": 1.2, "w": 0.3, "h": -0.1},
        ]
    )
    before = row_counts(app)
    errors = field_errors(api.post("layouts", body, expect=422))
    assert set(errors) == {"regions.1.y", "regions.1.w", "regions.1.h"}
    assert "beyond the screen edge" in errors["regions.1.w"]
    assert row_counts(app) == before


def test_region_names_are_unique_and_playlists_must_exist(api: Api, make: Factory) -> None:
    body = make.layout_body(regions=[{"name": "main"}, {"name": "main", "playlist_id": 999}])
    errors = field_errors(api.post("layouts", body, expect=422))
    assert errors == {
        "regions.1.name": "'main' is already the name of region 0",
        "regions.1.playlist_id": "no playlist with id 999",
    }


def test_region_type_errors_have_dotted_paths(api: Api, make: Factory) -> None:
    body = make.layout_body(regions=[{"name": "main", "w": "wide"}, {"name": "x", "widget": "video-wall"}])
    assert set(field_errors(api.post("layouts", body, expect=422))) == {"regions.0.w", "regions.1.widget"}


def test_regions_are_replaced_on_update_even_under_the_same_names(api: Api, make: Factory) -> None:
    layout = make.layout()
    changed = api.patch(
        f"layouts/{layout['id']}",
        {
            "regions": [
                {"name": "main", "x": 0, "y": 0, "w": 1, "h": 0.9},
                {"name": "ticker", "x": 0, "y": 0.9, "w": 1, "h": 0.1},
            ]
        },
    )
    assert [(r["name"], r["h"]) for r in changed["regions"]] == [("main", 0.9), ("ticker", 0.1)]
    renamed = api.patch(f"layouts/{layout['id']}", {"name": "竖屏"})
    assert renamed["regions"] == changed["regions"]


def test_layout_in_use_by_a_schedule_cannot_be_deleted(api: Api, make: Factory) -> None:
    schedule = make.schedule()
    assert api.delete(f"layouts/{schedule['layout_id']}", expect=409)["error"] == "conflict"


def test_playlist_entries_keep_their_order(api: Api, make: Factory) -> None:
    notice, ticker, media = make.policy_notice(), make.ticker(), make.media()
    playlist = make.playlist(
        entries=[
            {"item_id": notice["id"], "duration_seconds": 20},
            {"kind": "vacancy_board", "duration_seconds": 12, "params": {"page_size": 8, "occupation_prefix": "4-02"}},
            {"item_id": media["id"]},
            {"kind": "notice_feed", "params": {"topic": "失业保险"}},
            {"item_id": ticker["id"], "duration_seconds": 30},
        ]
    )
    entries = playlist["entries"]
    assert [(e["position"], e["kind"], e["item_id"]) for e in entries] == [
        (0, "item", notice["id"]),
        (1, "vacancy_board", None),
        (2, "item", media["id"]),
        (3, "notice_feed", None),
        (4, "item", ticker["id"]),
    ]
    assert entries[1]["params"] == {"page_size": 8, "occupation_prefix": "4-02"}
    assert entries[2]["duration_seconds"] == 15
    reordered = api.patch(
        f"playlists/{playlist['id']}", {"entries": [{"item_id": ticker["id"]}, {"item_id": notice["id"]}]}
    )
    assert [e["item_id"] for e in reordered["entries"]] == [ticker["id"], notice["id"]]


def test_playlist_entry_rules(api: Api, make: Factory, app: Any) -> None:
    vacancy = make.vacancy()
    body = make.playlist_body(
        entries=[
            {"item_id": vacancy["id"]},
            {"kind": "item"},
            {"kind": "notice_feed", "params": {"page_size": 5}},
            {"item_id": 4242},
            {"kind": "item", "item_id": 1, "duration_seconds": 1},
        ]
    )
    before = row_counts(app)
    errors = field_errors(api.post("playlists", body, expect=422))
    assert errors == {"entries.4.duration_seconds": "Input should be greater than or equal to 3"}
    body["entries"].pop()
    errors = field_errors(api.post("playlists", body, expect=422))
    assert errors == {
        "entries.0.item_id": f"item {vacancy['id']} is a vacancy; show vacancies with a vacancy_board entry",
        "entries.1.item_id": "an item entry needs item_id (a notice, media or ticker)",
        "entries.2.params.page_size": "not a parameter of a notice_feed entry",
        "entries.3.item_id": "no content item with id 4242",
    }
    assert row_counts(app) == before


def test_deleting_an_item_drops_it_from_playlists(api: Api, make: Factory) -> None:
    ticker = make.ticker()
    playlist = make.playlist(entries=[{"item_id": ticker["id"]}, {"kind": "vacancy_board"}])
    api.delete(f"tickers/{ticker['id']}")
    assert [e["kind"] for e in api.get(f"playlists/{playlist['id']}")["entries"]] == ["vacancy_board"]
