"""When a change is on screen: publish latency plus the item's place in its region's rotation."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from content.signage.play_timing import (
    PUBLISH_SECONDS,
    entry_steps,
    groups_showing,
    item_wait,
    region_loops,
    schedule_wait,
    ticker_pass_seconds,
)

AT = datetime(2026, 12, 2, 4, 0, tzinfo=UTC)
TICKER_TEXT = "本周六上午九点举办高校毕业生专场招聘会，欢迎参加"  # 24 characters


def manifest(main: list[dict[str, Any]], ticker: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """One segment around AT on the hall layout: a main playlist region and a full-width ticker 8 % high."""
    return {
        "layouts": {
            "3": {
                "regions": [
                    {"name": "main", "widget": "playlist", "x": 0, "y": 0.1, "w": 1, "h": 0.82},
                    {"name": "ticker", "widget": "ticker", "x": 0, "y": 0.92, "w": 1, "h": 0.08},
                ]
            }
        },
        "items": {
            "ticker:2": {"kind": "ticker", "id": 2, "text": TICKER_TEXT},
            "ticker:4": {"kind": "ticker", "id": 4, "text": "办事请先取号"},
            "notice:3": {"kind": "notice", "id": 3, "title": "失业保险金申领"},
            "notice:5": {"kind": "notice", "id": 5, "title": "灵活就业社保补贴"},
            "media:7": {"kind": "media", "id": 7, "title": "宣传片"},
            "document:9": {"kind": "document", "id": 9, "title": "政策解读", "seconds_per_page": 8, "pages": [{}] * 6},
        },
        "segments": [
            {
                "start": "2026-12-01T16:00:00+00:00",
                "end": "2026-12-02T16:00:00+00:00",
                "layout": "3",
                "regions": {"main": main, "ticker": ticker or []},
            },
        ],
    }


CAROUSEL = [
    {"kind": "vacancy_board", "items": [f"vacancy:{n}" for n in range(20)], "page_size": 8, "duration": 12},
    {"kind": "notice_feed", "items": ["notice:3", "notice:5"], "duration": 20},
    {"kind": "item", "item": "media:7", "duration": 30},
]


def test_a_vacancy_board_is_paged_like_the_player() -> None:
    steps = entry_steps(CAROUSEL[0])
    assert [len(keys) for _, keys in steps] == [8, 8, 4]
    assert {seconds for seconds, _ in steps} == {12.0}


def test_a_notice_in_a_carousel_is_seen_within_the_rest_of_one_pass() -> None:
    loops = region_loops("g-1", manifest(CAROUSEL), AT, "notice:3")
    assert [(x.region, x.pass_seconds, x.step_seconds) for x in loops] == [("main", 3 * 12 + 2 * 20 + 30, 20)]
    # 106 s pass, less its own 20 s step, plus publishing: rounded up to 5 s.
    assert item_wait(loops) == 90
    assert item_wait(loops) >= 106 - 20 + PUBLISH_SECONDS


def test_a_document_takes_its_pages_times_its_seconds_per_page_not_the_entry_duration() -> None:
    body = manifest([*CAROUSEL, {"kind": "item", "item": "document:9", "duration": 15}])
    [loop] = region_loops("g-1", body, AT, "notice:3")
    assert loop.pass_seconds == 3 * 12 + 2 * 20 + 30 + 6 * 8, "document.js shows each of the 6 pages for 8 s"
    [own] = region_loops("g-1", body, AT, "document:9")
    assert own.step_seconds == 48


def test_a_feed_of_cards_takes_the_entry_duration_for_each_card() -> None:
    cards = {"kind": "feed", "id": 4, "title": "快讯", "template": "cards", "entries": [{}, {}, {}]}
    body = manifest([{"kind": "item", "item": "feed:4", "duration": 10}])
    body["items"]["feed:4"] = cards
    [loop] = region_loops("g-1", body, AT, "feed:4")
    assert loop.step_seconds == 30


def test_a_one_item_region_shows_a_change_at_once() -> None:
    loops = region_loops("g-1", manifest([{"kind": "item", "item": "media:7", "duration": 30}]), AT, "media:7")
    assert item_wait(loops) == 5  # publishing only, rounded up


def test_a_ticker_edit_waits_for_the_loop_of_the_line() -> None:
    ticker = [{"kind": "item", "item": "ticker:2", "duration": 30}, {"kind": "item", "item": "ticker:4"}]
    loops = region_loops("g-1", manifest(CAROUSEL, ticker), AT, "ticker:2")
    assert [x.widget for x in loops] == ["ticker"]
    # On the 1920×1080 reference the region is 86 px high: 47 px type, 40.8 font heights across;
    # the texts are 24 + 6 characters with one 4 em separator: 74.8 em at 4 a second.
    assert loops[0].pass_seconds == pytest.approx((1920 / (0.55 * 86.4) + 24 + 6 + 4) / 4)
    assert item_wait(loops) == 25  # 18.6 s and 2 s of publishing, rounded up


def test_a_longer_ticker_text_takes_longer() -> None:
    short = ticker_pass_seconds(["短"], 1.0, 0.08)
    long = ticker_pass_seconds(["长" * 200], 1.0, 0.08)
    assert long - short == pytest.approx(199 / 4)


def test_an_item_no_region_plays_has_no_wait() -> None:
    assert region_loops("g-1", manifest(CAROUSEL), AT, "notice:99") == []
    assert item_wait([]) is None


def test_only_the_segment_at_the_instant_counts() -> None:
    later = datetime(2026, 12, 3, 4, 0, tzinfo=UTC)
    assert region_loops("g-1", manifest(CAROUSEL), later, "notice:3") == []


def test_the_slowest_region_decides_when_the_item_plays_in_two() -> None:
    body = manifest(CAROUSEL, [{"kind": "notice_feed", "items": ["notice:3"], "duration": 10}])
    loops = region_loops("g-1", body, AT, "notice:3")
    assert {x.region for x in loops} == {"main", "ticker"}
    assert item_wait(loops) == item_wait([x for x in loops if x.region == "main"])


def test_a_schedule_change_waits_for_the_current_item_or_ticker_loop() -> None:
    loops = region_loops("g-1", manifest(CAROUSEL, [{"kind": "item", "item": "ticker:4"}]), AT)
    ticker = next(x for x in loops if x.widget == "ticker").pass_seconds
    assert schedule_wait(loops) == 5 * -(-(max(30, ticker) + PUBLISH_SECONDS) // 5)
    assert schedule_wait([]) == 5


def test_groups_showing_an_item() -> None:
    manifests = {"g-a": manifest(CAROUSEL), "g-b": manifest([{"kind": "item", "item": "media:7"}])}
    assert groups_showing(manifests, "notice:3", AT) == ["g-a"]
    assert groups_showing(manifests, "media:7", AT) == ["g-a", "g-b"]
