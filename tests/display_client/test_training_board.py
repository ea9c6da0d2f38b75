"""The training board (培训信息) on the wall in Chromium: the table at 1920×1080, one line on the LED panel."""

from __future__ import annotations

from typing import Any

import pytest
import wall_manifests as wm
from playwright.sync_api import expect
from wall_page import MAIN
from wall_support import Harness

from tests.support.browser import doc_screenshot

pytestmark = pytest.mark.browser

_COURSES = [
    (
        "养老护理员（初级）",
        "兰州市职业技能培训中心",
        "2026-12-07",
        "2026-12-26",
        12,
        0,
        "就业困难人员、失业人员可享补贴1500元/人",
    ),
    ("中式面点师", "兰州新东方烹饪职业培训学校", "2026-12-10", "2027-01-08", 18, 0, "补贴1200元/人"),
    ("电工（低压）特种作业", "甘肃省安全生产培训中心", "2026-12-14", "2026-12-25", 6, 600, "取证后补贴1000元/人"),
    ("叉车司机", "兰州市职业技能培训中心", "2026-12-15", "2026-12-22", 0, 800, ""),
    (
        "电子商务直播带货",
        "兰州市电子商务公共服务中心",
        "2026-12-18",
        "2026-12-28",
        25,
        0,
        "离校未就业高校毕业生全额补贴",
    ),
    ("家政服务员", "城关区家政服务培训学校", "2026-12-21", "2027-01-05", 30, 0, "农村转移劳动力补贴1000元/人"),
    ("挖掘机操作", "兰州某某工程机械职业培训学校", "2027-01-04", "2027-01-29", 9, 1200, "脱贫劳动力补贴2000元/人"),
]


def course(index: int) -> dict[str, Any]:
    title, provider, starts, ends, left, fee, subsidy = _COURSES[index]
    return {
        "kind": "training",
        "id": 300 + index,
        "title": title,
        "provider": provider,
        "subsidy_groups": ["失业人员"],
        "subsidy": subsidy,
        "starts_on": starts,
        "ends_on": ends,
        "places_total": 30,
        "places_left": left,
        "fee_yuan": fee,
        "fee": "免费" if not fee else f"{fee}元",
        "district": "城关区",
    }


def training_payload(page_size: int = 7) -> dict[str, Any]:
    items = {f"training:{300 + i}": course(i) for i in range(len(_COURSES))}
    entry = {"kind": "training_board", "items": list(items), "page_size": page_size, "duration": 30}
    return wm.simple(wm.standard_regions([entry]), wm.standard_items(**items))


def test_training_board_table_at_1080p(harness: Harness, open_wall: Any) -> None:
    harness.screen("wall", training_payload())
    page = open_wall("wall")
    table = page.locator(f"{MAIN} table.tb__table")
    expect(table).to_be_visible(timeout=10_000)
    assert table.locator("th").all_inner_texts() == ["培训课程 / 培训机构", "培训时间", "剩余名额", "补贴政策", "费用"]
    first = table.locator("tbody tr").first.locator("td").all_inner_texts()
    assert first[0].split("\n") == ["养老护理员（初级）", "兰州市职业技能培训中心"]
    assert first[1:] == ["12月7日–12月26日", "余12人", "就业困难人员、失业人员可享补贴1500元/人", "免费"]
    assert table.locator("tbody tr").nth(3).locator("td.tb__col-places").inner_text() == "已满"
    size = page.evaluate(f"parseFloat(getComputedStyle(document.querySelector('{MAIN} td')).fontSize)")
    assert size >= 28, f"course rows at {size}px are too small to read from three metres"
    inside = page.evaluate(f"""() => {{
        const t = document.querySelector('{MAIN} .tb__table').getBoundingClientRect();
        const r = document.querySelector('[data-region=main]').getBoundingClientRect();
        return t.bottom <= r.bottom + 1 && t.right <= r.right + 1; }}""")
    assert inside, "the course table runs out of its region"
    doc_screenshot(page, "wall-training-board-1920x1080")


def test_training_board_on_the_led_panel_is_one_big_line(harness: Harness, open_wall: Any) -> None:
    harness.screen("led", training_payload())
    page = open_wall("led", width=768, height=384)
    line = page.locator(f"{MAIN} .tb .vb__line")
    expect(line).to_be_visible(timeout=10_000)
    assert line.inner_text().startswith("养老护理员（初级）")
    assert "余12人" in line.inner_text() and "免费" in line.inner_text()
    expect(page.locator(f"{MAIN} .vb__pager")).to_have_text("第 1/7 页")
    size = page.evaluate(f"parseFloat(getComputedStyle(document.querySelector('{MAIN} .tb .vb__line')).fontSize)")
    assert size >= 23, f"the LED line at {size}px is below the panel's smallest legible character"
    doc_screenshot(page, "wall-training-board-768x384")
