"""The market board (供求分析) in Chromium: its three chart pages at 1920×1080 and on the LED panel.

Charts are SVG with SVG text (never an image of text), numbers at least 40 px on the 1920×1080 wall
(5 m, the rule in queue.css) and at least the 16-dot floor on the LED panel; no seekers shows "—";
an entry with no groups shows one 暂无数据 page.
"""

from __future__ import annotations

from typing import Any

import pytest
import wall_manifests as wm
from playwright.sync_api import expect
from wall_page import MAIN
from wall_support import Harness

from tests.support.browser import doc_screenshot

pytestmark = pytest.mark.browser

QUARTERS = ["2026Q1", "2026Q2", "2026Q3", "2026Q4"]
# (code, demand, seekers, pay_min, pay_max) per quarter; ratios worked out by hand below.
GROUPS = [
    ("4", [820, 910, 1040, 760], [640, 700, 650, 580], [4200, 4300, 4500, 4500], [6200, 6300, 6500, 6600]),
    ("6", [430, 520, 610, 480], [380, 360, 400, 300], [4000, 4100, 4300, 4400], [6000, 6200, 6500, 6800]),
    ("2", [150, 160, 180, 140], [210, 230, 240, 200], [6000, 6500, 6500, 7000], [10000, 11000, 12000, 12000]),
    ("3", [90, 80, 110, 70], [160, 150, 170, 120], [3800, 3900, 4000, 4000], [5000, 5200, 5200, 5500]),
    ("5", [40, 60, 30, 12], [25, 30, 20, 0], [3000, 3200, 3000, None], [4500, 4800, 4600, None]),
    ("1", [10, 8, 12, 6], [30, 25, 28, 20], [8000, 8000, 9000, 8500], [15000, 15000, 16000, 15000]),
]


def ratio(demand: int, seekers: int) -> float | None:
    return None if seekers == 0 else round(demand / seekers + 1e-9, 2)


def market_entry(groups: list[tuple[Any, ...]] = GROUPS, duration: int = 60) -> dict[str, Any]:
    series = [
        {
            "code": code,
            "demand": demand,
            "seekers": seekers,
            "ratio": [ratio(d, s) for d, s in zip(demand, seekers, strict=True)],
            "pay_min": low,
            "pay_max": high,
        }
        for code, demand, seekers, low, high in groups
    ]
    demand = [sum(g[1][i] for g in groups) for i in range(4)]
    seekers = [sum(g[2][i] for g in groups) for i in range(4)]
    return {
        "kind": "market_board",
        "area": {"name": "兰州市", "level": "city"},
        "quarters": QUARTERS,
        "groups": series,
        "totals": {
            "demand": demand,
            "seekers": seekers,
            "ratio": [ratio(d, s) for d, s in zip(demand, seekers, strict=True)],
        },
        "duration": duration,
    }


def payload(entry: dict[str, Any], seq: int = 42) -> dict[str, Any]:
    return wm.simple(wm.standard_regions([entry]), wm.standard_items(), seq)


def shown_page(page: Any, kind: str) -> Any:
    section = page.locator(f"{MAIN} section.mb[data-page={kind}]")
    expect(section).to_be_visible(timeout=20_000)
    return section


def texts(section: Any, selector: str) -> list[str]:
    return [t.strip() for t in section.locator(selector).all_text_contents()]


def smallest_number_px(section: Any) -> float:
    """The smallest rendered height (px) of a number's font in the chart: values and ratios."""
    return float(
        section.evaluate(
            """(el) => Math.min(...[...el.querySelectorAll('.mb__value, .mb__ratio')]
                .map((t) => parseFloat(getComputedStyle(t).fontSize) || parseFloat(t.getAttribute('font-size'))))"""
        )
    )


def inside_region(section: Any) -> bool:
    return bool(
        section.evaluate(
            """(el) => { const r = el.closest('[data-region]').getBoundingClientRect();
                return [...el.querySelectorAll('text')].every((t) => { const b = t.getBoundingClientRect();
                  return b.left >= r.left - 1 && b.right <= r.right + 1 && b.top >= r.top - 1 && b.bottom <= r.bottom + 1; }); }"""
        )
    )


def test_three_chart_pages_at_1080p(harness: Harness, open_wall: Any) -> None:
    harness.screen("wall", payload(market_entry(duration=4)))
    page = open_wall("wall")
    demand = shown_page(page, "demand")
    assert demand.locator("svg").count() == 1 and demand.locator("img, canvas, image").count() == 0
    assert texts(demand, ".mb__name") == [
        "生产生活服务",
        "生产制造",
        "专业技术人员",
        "办事人员",
        "农林牧渔业",
        "单位负责人",
    ]
    # 2026Q4 by hand: 760/580 = 1.31, 480/300 = 1.60, 140/200 = 0.70, 70/120 = 0.58, 12/0 → —, 6/20 = 0.30
    assert texts(demand, ".mb__ratio") == ["1.31", "1.60", "0.70", "0.58", "—", "0.30"]
    assert texts(demand, ".mb__value--demand")[:2] == ["760", "480"]
    assert demand.locator("rect.mb__bar.mb__bar--demand").count() == 6
    assert "2026年第4季度" in demand.locator(".mb__period").inner_text()
    size = smallest_number_px(demand)
    assert size >= 40, f"numbers at {size}px cannot be read from 5 m"
    assert inside_region(demand), "a chart text runs out of its region"
    doc_screenshot(page, "wall-market-1920x1080")

    pay = shown_page(page, "pay")
    assert texts(pay, ".mb__value--pay") == ["4500–6600", "4400–6800", "7000–12000", "4000–5500", "面议", "8500–15000"]
    assert smallest_number_px(pay) >= 40 and inside_region(pay)
    doc_screenshot(page, "wall-market-pay-1920x1080")

    trend = shown_page(page, "trend")
    # all groups: (1540/1445, 1738/1495, 1982/1508, 1468/1220) = 1.07, 1.16, 1.31, 1.20
    assert texts(trend, ".mb__ratio") == ["1.07", "1.16", "1.31", "1.20"]
    assert trend.locator("path.mb__line").count() == 1
    assert smallest_number_px(trend) >= 40 and inside_region(trend)
    doc_screenshot(page, "wall-market-trend-1920x1080")


def test_the_led_panel_shows_the_first_three_groups_large(harness: Harness, open_wall: Any) -> None:
    harness.screen("led", payload(market_entry(duration=4)))
    page = open_wall("led", width=768, height=384)
    demand = shown_page(page, "demand")
    assert texts(demand, ".mb__ratio") == ["1.31", "1.60", "0.70"]
    size = smallest_number_px(demand)
    assert size >= 16, f"numbers at {size}px are below the LED's 16-dot floor"
    assert inside_region(demand)
    doc_screenshot(page, "wall-market-768x384")
    pay = shown_page(page, "pay")
    assert smallest_number_px(pay) >= 16 and inside_region(pay)
    doc_screenshot(page, "wall-market-pay-768x384")
    trend = shown_page(page, "trend")
    assert smallest_number_px(trend) >= 16 and inside_region(trend)
    doc_screenshot(page, "wall-market-trend-768x384")


def test_no_groups_shows_no_data_and_one_group_still_charts(harness: Harness, open_wall: Any) -> None:
    empty = market_entry(groups=[], duration=3)
    harness.screen("wall", payload(empty))
    page = open_wall("wall")
    section = shown_page(page, "empty")
    expect(section.locator(".mb__empty")).to_have_text("暂无数据")
    assert section.locator("svg").count() == 0

    harness.screen("wall", payload(market_entry(groups=[GROUPS[4]], duration=30), 43), push=True)
    one = shown_page(page, "demand")
    assert texts(one, ".mb__ratio") == ["—"]  # 12 wanted, no seekers: never a division by zero
    assert one.locator("rect.mb__bar.mb__bar--demand").count() == 1
