"""The wall player in Chromium against the stand-in server: content, versions, timeline, offline."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
import wall_manifests as wm
from wall_support import Harness, until
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

MAIN = "[data-region=main] .region__view"


def wait_conn(page: Any, state: str, timeout: float = 15_000, negate: bool = False) -> None:
    op = "!==" if negate else "==="
    page.wait_for_function(f"s => document.getElementById('wall').dataset.conn {op} s", arg=state,
                           timeout=timeout)


def wait_main_contains(page: Any, text: str, timeout: float = 15_000) -> None:
    page.wait_for_function("([sel, t]) => (document.querySelector(sel)?.textContent || '').includes(t)",
                           arg=[MAIN, text], timeout=timeout)


def seen_main(page: Any) -> list[dict[str, Any]]:
    return [s for s in page.evaluate("window.__seen") if s["region"] == "main"]


def assert_no_blank_frames(page: Any) -> None:
    """Once the main region showed something, it never showed nothing (the next item replaces it whole)."""
    shown = seen_main(page)
    first = next(i for i, s in enumerate(shown) if s["text"] or s["img"])
    blanks = [s for s in shown[first:] if not (s["text"] or s["img"])]
    assert not blanks, f"the main region went blank {len(blanks)} time(s)"


def notice_title(notice_id: int) -> str:
    return str(wm.notice(notice_id)["title"])


def notices_payload(ids: list[int], seq: int = 42, duration: float = 2, **args: Any) -> dict[str, Any]:
    items = wm.standard_items(**{f"notice:{i}": wm.notice(i) for i in ids})
    return wm.simple(wm.standard_regions([wm.entry(f"notice:{i}", duration) for i in ids]), items, seq=seq, **args)


def board_payload(count: int = 12, page_size: int = 8, duration: float = 30, seq: int = 42) -> dict[str, Any]:
    found = wm.vacancies(count)
    return wm.simple(wm.standard_regions([wm.board(list(found), page_size, duration)]),
                     wm.standard_items(**found), seq=seq)


def test_vacancies_render_as_a_table_in_chinese(harness: Harness, open_wall: Any) -> None:
    harness.screen("wall", board_payload())
    page = open_wall("wall")
    table = page.locator(f"{MAIN} table.vb__table")
    expect(table).to_be_visible(timeout=10_000)
    assert table.locator("th").all_inner_texts() == ["岗位名称", "用人单位", "人数", "薪资", "学历", "区域"]
    assert table.locator("tbody tr").count() == 8
    assert table.locator("tbody tr").first.locator("td").all_inner_texts() == [
        "仓储物流专员", "兰州某某物流有限公司", "5人", "4500-6000元", "高中/中专", "城关区"]
    expect(page.locator(f"{MAIN} .vb__pager")).to_have_text("第 1/2 页")
    row_font = page.evaluate(f"parseFloat(getComputedStyle(document.querySelector('{MAIN} td')).fontSize)")
    assert row_font >= 28, f"vacancy rows at {row_font}px are too small to read from three metres"


def test_vacancy_board_pages_advance_and_wrap(harness: Harness, open_wall: Any) -> None:
    harness.screen("wall", board_payload(count=12, page_size=5, duration=2))
    page = open_wall("wall")
    pager = page.locator(f"{MAIN} .vb__pager")
    expect(pager).to_have_text("第 1/3 页", timeout=10_000)
    expect(pager).to_have_text("第 2/3 页", timeout=10_000)
    assert page.locator(f"{MAIN} tbody tr").first.locator("td").first.inner_text() == "送餐骑手"
    expect(pager).to_have_text("第 3/3 页", timeout=10_000)
    assert page.locator(f"{MAIN} tbody tr").count() == 2
    expect(pager).to_have_text("第 1/3 页", timeout=10_000)


def test_newer_seq_is_applied_without_reload(harness: Harness, open_wall: Any) -> None:
    harness.screen("wall", notices_payload([1]))
    page = open_wall("wall")
    wait_main_contains(page, notice_title(1))
    wait_conn(page, "online")
    page.evaluate("window.__marker = 1")
    harness.screen("wall", notices_payload([2], seq=43), push=True)
    wait_main_contains(page, notice_title(2))
    assert page.evaluate("window.__marker") == 1, "the page reloaded instead of applying the push"
    assert page.get_attribute("#wall", "data-seq") == "43"


def test_older_or_equal_seq_is_ignored(harness: Harness, open_wall: Any) -> None:
    harness.screen("wall", notices_payload([1]))
    page = open_wall("wall")
    wait_main_contains(page, notice_title(1))
    wait_conn(page, "online")
    harness.emit("wall", notices_payload([7], seq=42))  # same seq, other content: a duplicate
    harness.emit("wall", notices_payload([8], seq=41))  # older: arrived late
    harness.emit("wall", notices_payload([9], seq=43))  # newer: must win
    wait_main_contains(page, notice_title(9))
    shown = " ".join(s["text"] for s in seen_main(page))
    assert notice_title(7) not in shown and notice_title(8) not in shown
    assert page.get_attribute("#wall", "data-seq") == "43"


def test_newer_seq_with_the_same_version_keeps_the_screen_as_it_is(harness: Harness, open_wall: Any) -> None:
    first = notices_payload([1])
    harness.screen("wall", first)
    page = open_wall("wall")
    wait_main_contains(page, notice_title(1))
    wait_conn(page, "online")
    page.evaluate(f"document.querySelector('{MAIN} > *').__tag = 'kept'")
    harness.emit("wall", {**first, "seq": 50})
    page.wait_for_function("document.getElementById('wall').dataset.seq === '50'", timeout=10_000)
    assert page.evaluate(f"document.querySelector('{MAIN} > *').__tag") == "kept", "the region was re-rendered"
    stored = page.evaluate("JSON.parse(localStorage.getItem('wall:wall:manifest')).seq")
    assert stored == 50


def test_new_manifest_waits_for_the_end_of_the_pass(harness: Harness, open_wall: Any) -> None:
    harness.screen("wall", notices_payload([1, 2], duration=2))
    page = open_wall("wall")
    wait_conn(page, "online")
    wait_main_contains(page, notice_title(1))
    pushed_at = page.evaluate("Date.now()")
    harness.screen("wall", notices_payload([3], seq=43), push=True)
    wait_main_contains(page, notice_title(3), timeout=15_000)
    after = [s["text"] for s in seen_main(page) if s["at"] >= pushed_at]
    first_new = next(i for i, text in enumerate(after) if notice_title(3) in text)
    assert any(notice_title(2) in text for text in after[:first_new]), (
        "the new manifest cut into the running pass instead of waiting for its end")
    assert_no_blank_frames(page)


def test_segment_boundary_switches_content_while_disconnected(harness: Harness, open_wall: Any) -> None:
    now = wm.utcnow()
    boundary = now + timedelta(seconds=10)
    items = wm.standard_items(**{"notice:1": wm.notice(1), "notice:2": wm.notice(2)})
    body = wm.manifest([
        wm.segment(now - timedelta(hours=1), boundary, wm.standard_regions([wm.entry("notice:1", 2)])),
        wm.segment(boundary, now + timedelta(hours=48), wm.standard_regions([wm.entry("notice:2", 2)])),
    ], items)
    harness.screen("wall", wm.payload(body, 42))
    page = open_wall("wall")
    wait_main_contains(page, notice_title(1))
    wait_conn(page, "online")
    harness.stop()
    wait_conn(page, "online", negate=True)
    wait_main_contains(page, notice_title(2), timeout=25_000)
    assert page.get_attribute("#wall", "data-conn") != "online"
    assert page.get_attribute("#wall", "data-segment") == wm.iso(boundary)


def test_emergency_overlay_appears_and_leaves_at_its_segment_end(harness: Harness, open_wall: Any) -> None:
    now = wm.utcnow()
    end = now + timedelta(seconds=8)
    regions = wm.standard_regions([wm.entry("notice:1", 5)])
    emergencies = [wm.emergency(1, now - timedelta(minutes=1), end),
                   wm.emergency(2, now - timedelta(minutes=1), end, severity="warning", title="暴雨黄色预警")]
    body = wm.manifest([
        wm.segment(now - timedelta(minutes=1), end, regions, layer="emergency", emergencies=emergencies),
        wm.segment(end, now + timedelta(hours=48), regions),
    ], wm.standard_items(**{"notice:1": wm.notice(1)}))
    harness.screen("wall", wm.payload(body, 42))
    page = open_wall("wall")
    overlay = page.locator(".emergency")
    expect(overlay).to_be_visible(timeout=10_000)
    assert overlay.get_attribute("data-severity") == "critical"
    expect(overlay.locator(".emergency__word")).to_have_text("紧急")
    assert overlay.locator("svg.emergency__icon").count() == 1, "severity must not rest on colour alone"
    expect(overlay.locator(".emergency__title")).to_have_text("大厅临时停止对外服务")
    expect(overlay.locator(".emergency__other")).to_contain_text("警示")
    expect(overlay).to_be_hidden(timeout=20_000)
    assert page.get_attribute("#wall", "data-layer") == "scheduled"
    wait_main_contains(page, notice_title(1))


def test_led_profile_shows_one_vacancy_per_page_in_big_text(harness: Harness, open_wall: Any,
                                                            artifacts: Any) -> None:
    harness.screen("wall", board_payload(page_size=8))
    page = open_wall("wall", width=768, height=384)
    line = page.locator(f"{MAIN} .vb--led .vb__line")
    expect(line).to_be_visible(timeout=10_000)
    assert page.evaluate("document.documentElement.classList.contains('led')")
    assert line.inner_text() == "仓储物流专员　4500-6000元　招5人"
    assert page.locator(f"{MAIN} table").count() == 0
    expect(page.locator(f"{MAIN} .vb__pager")).to_have_text("第 1/12 页")
    size = page.evaluate(f"parseFloat(getComputedStyle(document.querySelector('{MAIN} .vb__line')).fontSize)")
    assert size >= 30, f"LED line at {size}px is not big text"
    fits = page.evaluate("sel => { const l = document.querySelector(sel); return l.scrollWidth <= l.clientWidth + 1; }",
                         f"{MAIN} .vb__line")
    assert fits, "the LED line overflows its panel"


def test_low_resolution_screen_uses_the_led_profile(harness: Harness, open_wall: Any) -> None:
    harness.screen("wall", board_payload(), low_resolution=True)
    page = open_wall("wall")
    page.wait_for_function("document.documentElement.classList.contains('led')", timeout=10_000)
    expect(page.locator(f"{MAIN} .vb--led .vb__line")).to_be_visible(timeout=10_000)


def test_missing_media_is_skipped(harness: Harness, open_wall: Any) -> None:
    good = "a" * 64
    (harness.media / good).write_bytes(wm.png())
    items = wm.standard_items(**{
        "media:1": wm.media(1, good),
        "media:2": wm.media(2, "b" * 64),  # not on the server
        "media:3": wm.media(3, "c" * 64, media_type="video"),  # not on the server either
        "notice:2": wm.notice(2),
    })
    regions = wm.standard_regions([wm.entry("media:1", 2), wm.entry("media:2", 3), wm.entry("media:3", 3),
                                   wm.entry("notice:2", 2)])
    harness.screen("wall", wm.simple(regions, items))
    page = open_wall("wall")
    image = page.locator(f"{MAIN} img.media__img")
    expect(image).to_be_visible(timeout=10_000)
    assert page.evaluate(f"document.querySelector('{MAIN} img').naturalWidth") == 64
    # Well inside the 15 s fallback: a file that answers 404 is skipped at once.
    wait_main_contains(page, notice_title(2), timeout=10_000)
    shown = seen_main(page)
    first_notice = next(i for i, s in enumerate(shown) if notice_title(2) in s["text"])
    assert shown[first_notice - 1]["img"], "something other than the good image came between it and the notice"
    assert page.locator(f"{MAIN} video").count() == 0
    assert_no_blank_frames(page)


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
    assert hellos[0]["data"] == {"held": {"manifest": {"seq": 42, "version": first["version"]}}}
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
    assert beats[0]["data"] == {"showing": {"manifest": shown["version"]}, "seq": {"manifest": 42},
                                "segment": shown["manifest"]["segments"][0]["start"]}


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
    page.wait_for_function("""async (path) => {
        const cache = await caches.open('wall-v1-media');
        return (await cache.keys()).some(r => new URL(r.url).pathname === path);
    }""", arg=f"/media/{image}", timeout=15_000, polling=200)
    harness.stop()
    page.reload()
    page.wait_for_function("sel => { const img = document.querySelector(sel + ' img');"
                           " return img && img.naturalWidth === 64; }", arg=MAIN, timeout=20_000)


def test_none_layer_shows_hall_name_and_clock(harness: Harness, open_wall: Any) -> None:
    now = wm.utcnow()
    body = wm.manifest([wm.segment(now - timedelta(hours=1), now + timedelta(hours=48), layer="none", layout=None)],
                       {})
    harness.screen("wall", wm.payload(body, 42))
    page = open_wall("wall")
    idle = page.locator(".idle")
    expect(idle).to_be_visible(timeout=10_000)
    expect(page.locator(".idle__hall")).to_have_text("兰州市城关区人力资源市场", timeout=10_000)
    assert re.fullmatch(r"\d{2}:\d{2}", page.locator(".idle .clock__time").inner_text())
    assert re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日 星期[一二三四五六日]", page.locator(".idle .clock__date").inner_text())
    assert page.locator(".region").count() == 0


def test_long_notice_is_paged(harness: Harness, open_wall: Any) -> None:
    body = "".join(f"<p>第{i}条　参保单位应按时足额缴纳社会保险费，职工个人缴纳部分由单位代扣代缴。"
                   f"未按时缴纳的，由社会保险费征收机构责令限期缴纳或者补足。</p>" for i in range(1, 41))
    items = wm.standard_items(**{"notice:5": wm.notice(5, html=body)})
    harness.screen("wall", wm.simple(wm.standard_regions([wm.entry("notice:5", 2)]), items))
    page = open_wall("wall")
    pager = page.locator(f"{MAIN} .notice__pager")
    expect(pager).to_have_text(re.compile(r"第 1/\d+ 页"), timeout=10_000)
    pages = int(re.search(r"/(\d+)", pager.inner_text()).group(1))
    assert pages > 1
    expect(pager).to_have_text(f"第 2/{pages} 页", timeout=10_000)


def test_render_is_idempotent(harness: Harness, open_wall: Any) -> None:
    harness.screen("wall", board_payload())
    page = open_wall("wall")
    expect(page.locator(f"{MAIN} table")).to_be_visible(timeout=10_000)
    mutations = page.evaluate("""() => {
        const root = document.getElementById('wall');
        const observer = new MutationObserver(() => {});
        observer.observe(root, {subtree: true, childList: true, attributes: true, characterData: true});
        const before = root.innerHTML;
        window.__wall.render(); window.__wall.render(); window.__wall.render();
        const records = observer.takeRecords().length;
        observer.disconnect();
        return {records, same: before === root.innerHTML,
                regions: root.querySelectorAll('.region').length,
                tables: root.querySelectorAll('.region__view table').length};
    }""")
    assert mutations == {"records": 0, "same": True, "regions": 4, "tables": 1}
