"""The wall player in Chromium: connection loss, server restarts, offline reloads, what it reports."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import wall_manifests as wm
from playwright.sync_api import expect
from wall_page import MAIN, notice_title, notices_payload, wait_conn, wait_main_contains
from wall_support import Harness, until

pytestmark = pytest.mark.browser


def test_segment_boundary_switches_content_while_disconnected(harness: Harness, open_wall: Any) -> None:
    now = wm.utcnow()
    boundary = now + timedelta(seconds=10)
    items = wm.standard_items(**{"notice:1": wm.notice(1), "notice:2": wm.notice(2)})
    body = wm.manifest(
        [
            wm.segment(now - timedelta(hours=1), boundary, wm.standard_regions([wm.entry("notice:1", 2)])),
            wm.segment(boundary, now + timedelta(hours=48), wm.standard_regions([wm.entry("notice:2", 2)])),
        ],
        items,
    )
    harness.screen("wall", wm.payload(body, 42))
    page = open_wall("wall")
    wait_main_contains(page, notice_title(1))
    wait_conn(page, "online")
    harness.stop()
    wait_conn(page, "online", negate=True)
    wait_main_contains(page, notice_title(2), timeout=25_000)
    assert page.get_attribute("#wall", "data-conn") != "online"
    assert page.get_attribute("#wall", "data-segment") == wm.iso(boundary)


def test_reconnects_after_the_server_restarts(harness: Harness, open_wall: Any) -> None:
    first = notices_payload([1])
    harness.screen("wall", first)
    page = open_wall("wall")
    wait_conn(page, "online")
    harness.stop()
    wait_conn(page, "online", negate=True)
    expect(page.locator(".connection")).not_to_have_attribute("data-state", "online")
    harness.start()
    wait_conn(page, "online", timeout=45_000)
    hellos = until(lambda: harness.log("hello", "wall"), 10, "no hello after the reconnect")
    assert hellos[0]["data"] == {"held": {"manifest": {"seq": 42, "version": first["version"]}}, "accept": ["deflate"]}
    expect(page.locator(".connection")).to_have_attribute("data-state", "online")
    wait_main_contains(page, notice_title(1))


def test_missing_pings_are_detected_as_a_dead_connection(harness: Harness, open_wall: Any) -> None:
    harness.screen("wall", notices_payload([1]))
    page = open_wall("wall")
    wait_conn(page, "online")
    harness.freeze()  # sockets stay open, nothing answers: only the ping deadline can tell
    wait_conn(page, "online", negate=True, timeout=15_000)
    harness.thaw()
    wait_conn(page, "online", timeout=45_000)


def test_unknown_screen_shows_hall_and_clock_and_keeps_retrying(harness: Harness, open_wall: Any) -> None:
    page = open_wall("late")
    expect(page.locator(".idle")).to_be_visible(timeout=10_000)
    expect(page.locator(".idle__hall")).to_have_text("人力资源和社会保障服务大厅")
    until(lambda: harness.log("refused", "late"), 10, "the player never tried to connect")
    harness.screen("late", notices_payload([1]))
    wait_conn(page, "online", timeout=30_000)
    wait_main_contains(page, notice_title(1))
    expect(page.locator(".idle")).to_be_hidden()


def test_hello_is_sent_again_when_the_group_changes(harness: Harness, open_wall: Any) -> None:
    harness.screen("wall", notices_payload([1]))
    page = open_wall("wall")
    wait_conn(page, "online")
    until(lambda: harness.log("hello", "wall"), 10, "no hello")
    moved = notices_payload([2], seq=43, group="g-other")
    harness.screen("wall", moved, push=True)

    def two_hellos() -> list[dict[str, Any]] | None:
        hellos = harness.log("hello", "wall")
        return hellos if len(hellos) >= 2 else None

    hellos = until(two_hellos, 10, "no second hello after the group changed")
    assert hellos[1]["data"]["held"]["manifest"] == {"seq": 43, "version": moved["version"]}


def test_heartbeat_reports_what_is_shown(harness: Harness, open_wall: Any) -> None:
    shown = notices_payload([1])
    harness.screen("wall", shown, heartbeat_seconds=1)
    open_wall("wall")
    beats = until(lambda: harness.log("heartbeat", "wall"), 15, "no heartbeat")
    assert beats[0]["data"] == {
        "showing": {"manifest": shown["version"]},
        "seq": {"manifest": 42},
        "segment": shown["manifest"]["segments"][0]["start"],
    }


def test_reload_while_offline_still_shows_the_last_content(harness: Harness, open_wall: Any) -> None:
    harness.screen("wall", notices_payload([1]))
    page = open_wall("wall", service_workers="allow")
    wait_main_contains(page, notice_title(1))
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=15_000)
    page.evaluate("window.__marker = 1")
    harness.stop()
    page.reload()
    wait_main_contains(page, notice_title(1), timeout=15_000)
    assert page.evaluate("window.__marker") is None, "the page was not reloaded"
    assert page.get_attribute("#wall", "data-conn") != "online"


def test_media_is_cached_for_playing_offline(harness: Harness, open_wall: Any) -> None:
    image = "d" * 64
    (harness.media / image).write_bytes(wm.png(rgb=(200, 60, 30)))
    items = wm.standard_items(**{"media:1": wm.media(1, image), "notice:1": wm.notice(1)})
    harness.screen("wall", wm.simple(wm.standard_regions([wm.entry("media:1", 2), wm.entry("notice:1", 2)]), items))
    page = open_wall("wall", service_workers="allow")
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=15_000)
    page.wait_for_function(
        """async (path) => {
        const cache = await caches.open('wall-v1-media');
        return (await cache.keys()).some(r => new URL(r.url).pathname === path);
    }""",
        arg=f"/media/{image}",
        timeout=15_000,
        polling=200,
    )
    harness.stop()
    page.reload()
    page.wait_for_function(
        "sel => { const img = document.querySelector(sel + ' img'); return img && img.naturalWidth === 64; }",
        arg=MAIN,
        timeout=20_000,
    )


def test_a_failed_hello_is_sent_again_until_welcome_and_beats_go_on_meanwhile(harness: Harness, open_wall: Any) -> None:
    shown = notices_payload([1])
    harness.screen("wall", shown, heartbeat_seconds=1)
    page = open_wall("wall")
    page.wait_for_function("window.__wall && window.__wall.store.welcome !== null", timeout=15_000)
    # From now on the next two hellos fail as a server's would: {"ok": false, "retry_after": …}, no welcome.
    harness.screen("wall", shown, heartbeat_seconds=1, hello_failures=2)
    before = len(harness.log())
    page.evaluate(
        """() => {
        window.__welcomes = 0;
        window.__wall.store.subscribe((change) => { if (change === 'welcome') window.__welcomes += 1; });
        window.__wall.socket.stop();
        window.__wall.socket.start();
    }"""
    )
    # Backoff 1 s then 2 s, each × [0.5, 1.5]: the third hello goes out within 4.5 s of the first.
    page.wait_for_function("window.__welcomes >= 1", timeout=15_000)
    log = harness.log()[before:]
    hellos = [i for i, e in enumerate(log) if e["event"] == "hello"]
    assert len(hellos) == 3, f"two failed hellos and the one answered: {[e['event'] for e in log]}"
    assert all(
        log[i]["data"] == {"held": {"manifest": {"seq": 42, "version": shown["version"]}}, "accept": ["deflate"]}
        for i in hellos
    )
    beats = [e for e in log[hellos[0] : hellos[-1]] if e["event"] == "heartbeat"]
    assert beats, "heartbeats start at connect, not at welcome"
    assert beats[0]["data"]["showing"] == {"manifest": shown["version"]}
