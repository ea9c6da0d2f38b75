"""The wall player in Chromium: what it shows, and when it changes what it shows."""

from __future__ import annotations

import base64
import re
from datetime import timedelta
from typing import Any

import pytest
import wall_manifests as wm
from playwright.sync_api import expect
from wall_page import (
    MAIN,
    assert_no_blank_frames,
    board_payload,
    notice_title,
    notices_payload,
    seen_main,
    wait_conn,
    wait_main_contains,
)
from wall_support import Harness

pytestmark = pytest.mark.browser


def test_vacancies_render_as_a_table_in_chinese(harness: Harness, open_wall: Any) -> None:
    harness.screen("wall", board_payload())
    page = open_wall("wall")
    table = page.locator(f"{MAIN} table.vb__table")
    expect(table).to_be_visible(timeout=10_000)
    assert table.locator("th").all_inner_texts() == ["岗位名称", "用人单位", "人数", "薪资", "学历", "区域"]
    assert table.locator("tbody tr").count() == 8
    assert table.locator("tbody tr").first.locator("td").all_inner_texts() == [
        "仓储物流专员",
        "兰州某某物流有限公司",
        "5人",
        "4500-6000元",
        "高中/中专",
        "城关区",
    ]
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
        "the new manifest cut into the running pass instead of waiting for its end"
    )
    assert_no_blank_frames(page)


def test_emergency_overlay_appears_and_leaves_at_its_segment_end(harness: Harness, open_wall: Any) -> None:
    now = wm.utcnow()
    end = now + timedelta(seconds=8)
    regions = wm.standard_regions([wm.entry("notice:1", 5)])
    emergencies = [
        wm.emergency(1, now - timedelta(minutes=1), end),
        wm.emergency(2, now - timedelta(minutes=1), end, severity="warning", title="暴雨黄色预警"),
    ]
    body = wm.manifest(
        [
            wm.segment(now - timedelta(minutes=1), end, regions, layer="emergency", emergencies=emergencies),
            wm.segment(end, now + timedelta(hours=48), regions),
        ],
        wm.standard_items(**{"notice:1": wm.notice(1)}),
    )
    harness.screen("wall", wm.payload(body, 42))
    page = open_wall("wall")
    overlay = page.locator(".emergency")
    expect(overlay).to_be_visible(timeout=10_000)
    assert overlay.get_attribute("data-severity") == "critical"
    expect(overlay.locator(".emergency__word")).to_have_text("紧急")
    assert overlay.locator("svg.emergency__icon").count() == 1, "severity must not rest on colour alone"
    expect(overlay.locator(".emergency__title")).to_have_text("大厅临时停止对外服务")
    expect(overlay.locator(".emergency__other")).to_contain_text("警告")
    expect(overlay).to_be_hidden(timeout=20_000)
    assert page.get_attribute("#wall", "data-layer") == "scheduled"
    wait_main_contains(page, notice_title(1))


def test_led_profile_shows_one_vacancy_per_page_in_big_text(harness: Harness, open_wall: Any) -> None:
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
    fits = page.evaluate(
        "sel => { const l = document.querySelector(sel); return l.scrollWidth <= l.clientWidth + 1; }",
        f"{MAIN} .vb__line",
    )
    assert fits, "the LED line overflows its panel"


def test_low_resolution_screen_uses_the_led_profile(harness: Harness, open_wall: Any) -> None:
    harness.screen("wall", board_payload(), low_resolution=True)
    page = open_wall("wall")
    page.wait_for_function("document.documentElement.classList.contains('led')", timeout=10_000)
    expect(page.locator(f"{MAIN} .vb--led .vb__line")).to_be_visible(timeout=10_000)


def test_missing_media_is_skipped(harness: Harness, open_wall: Any) -> None:
    good = "a" * 64
    (harness.media / good).write_bytes(wm.png())
    items = wm.standard_items(
        **{
            "media:1": wm.media(1, good),
            "media:2": wm.media(2, "b" * 64),  # not on the server
            "media:3": wm.media(3, "c" * 64, media_type="video"),  # not on the server either
            "notice:2": wm.notice(2),
        }
    )
    regions = wm.standard_regions(
        [wm.entry("media:1", 2), wm.entry("media:2", 3), wm.entry("media:3", 3), wm.entry("notice:2", 2)]
    )
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


RECORD_VIDEO = """async (ms) => {
    // A short WebM drawn on a canvas and recorded by Chromium itself: no video tools needed here.
    const canvas = Object.assign(document.createElement('canvas'), { width: 160, height: 90 });
    const ctx = canvas.getContext('2d');
    const recorder = new MediaRecorder(canvas.captureStream(25), { mimeType: 'video/webm' });
    const chunks = [];
    recorder.ondataavailable = (e) => chunks.push(e.data);
    const done = new Promise((resolve) => { recorder.onstop = resolve; });
    recorder.start();
    const started = performance.now();
    await new Promise((resolve) => {
      const draw = () => {
        const t = performance.now() - started;
        ctx.fillStyle = `hsl(${(t / 5) % 360}, 70%, 50%)`;
        ctx.fillRect(0, 0, 160, 90);
        if (t < ms) requestAnimationFrame(draw); else resolve();
      };
      draw();
    });
    recorder.stop();
    await done;
    const bytes = new Uint8Array(await new Blob(chunks).arrayBuffer());
    let text = '';
    for (const b of bytes) text += String.fromCharCode(b);
    return btoa(text);
}"""


def test_video_without_duration_plays_to_its_end_then_moves_on(
    harness: Harness, open_wall: Any, module_page: Any
) -> None:
    clip = "e" * 64
    (harness.media / clip).write_bytes(base64.b64decode(module_page.evaluate(RECORD_VIDEO, 2500)))
    (harness.media / f"{clip}.mime").write_text("video/webm")
    items = wm.standard_items(
        **{"media:1": wm.media(1, clip, media_type="video", mime="video/webm"), "notice:2": wm.notice(2)}
    )
    harness.screen("wall", wm.simple(wm.standard_regions([wm.entry("media:1", None), wm.entry("notice:2", 3)]), items))
    page = open_wall("wall")
    page.wait_for_function(
        "sel => { const v = document.querySelector(sel + ' video'); return v && v.currentTime > 0.3; }",
        arg=MAIN,
        timeout=15_000,
    )
    started = page.evaluate("Date.now()")
    wait_main_contains(page, notice_title(2), timeout=15_000)
    played = page.evaluate("Date.now()") - started
    assert page.locator(f"{MAIN} video").count() == 0
    assert played >= 1000, "the video was cut short instead of playing to its end"


def test_none_layer_shows_hall_name_and_clock(harness: Harness, open_wall: Any) -> None:
    now = wm.utcnow()
    body = wm.manifest([wm.segment(now - timedelta(hours=1), now + timedelta(hours=48), layer="none", layout=None)], {})
    harness.screen("wall", wm.payload(body, 42))
    page = open_wall("wall")
    idle = page.locator(".idle")
    expect(idle).to_be_visible(timeout=10_000)
    expect(page.locator(".idle__hall")).to_have_text("兰州市城关区人力资源市场", timeout=10_000)
    assert re.fullmatch(r"\d{2}:\d{2}", page.locator(".idle .clock__time").inner_text())
    assert re.fullmatch(
        r"\d{4}年\d{1,2}月\d{1,2}日 星期[一二三四五六日]", page.locator(".idle .clock__date").inner_text()
    )
    assert page.locator(".region").count() == 0


def test_long_notice_is_paged(harness: Harness, open_wall: Any) -> None:
    body = "".join(
        f"<p>第{i}条　参保单位应按时足额缴纳社会保险费，职工个人缴纳部分由单位代扣代缴。"
        f"未按时缴纳的，由社会保险费征收机构责令限期缴纳或者补足。</p>"
        for i in range(1, 41)
    )
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
