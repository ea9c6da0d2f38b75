"""Screenshots of the wall at the panel sizes halls use, with the layout checks a person would make.

The PNGs land in test-artifacts/ (gitignored) for a human to look at: Chinese must render, nothing
may overlap, text must be readable.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import wall_manifests as wm
from playwright.sync_api import expect
from wall_support import Harness

pytestmark = pytest.mark.browser

VIEWPORTS = [(1920, 1080), (3840, 1080), (768, 384)]
MAIN = "[data-region=main] .region__view"

LONG_NOTICE = "".join(
    f"<p>{i}. 参保单位应按时足额缴纳社会保险费，职工个人缴纳部分由单位代扣代缴；"
    f"未按时缴纳的，由社会保险费征收机构责令限期缴纳或者补足。</p>"
    for i in range(1, 7)
)


def _states() -> dict[str, tuple[dict[str, Any], str]]:
    """Screen key → (payload, selector that shows the state is on screen)."""
    now = wm.utcnow()
    found = wm.vacancies(12)
    very_long = LONG_NOTICE * 6
    items = wm.standard_items(
        **found, **{"notice:3": wm.notice(3, html=LONG_NOTICE), "notice:4": wm.notice(4, html=very_long)}
    )
    board = wm.simple(wm.standard_regions([wm.board(list(found), 8, 60)]), items)
    notice = wm.simple(wm.standard_regions([wm.entry("notice:3", 60)]), items)
    paged = wm.simple(wm.standard_regions([wm.entry("notice:4", 60)]), items)
    emergency = wm.payload(
        wm.manifest(
            [
                wm.segment(
                    now - timedelta(minutes=5),
                    now + timedelta(hours=2),
                    wm.standard_regions([wm.entry("notice:3", 60)]),
                    layer="emergency",
                    emergencies=[
                        wm.emergency(1, now - timedelta(minutes=5), now + timedelta(hours=2)),
                        wm.emergency(
                            2,
                            now - timedelta(minutes=5),
                            now + timedelta(hours=2),
                            severity="warning",
                            title="暴雨黄色预警：请勿前往低洼地带",
                        ),
                    ],
                )
            ],
            items,
        ),
        42,
    )
    idle = wm.payload(
        wm.manifest([wm.segment(now - timedelta(hours=1), now + timedelta(hours=48), layer="none", layout=None)], {}),
        42,
    )
    return {
        "vacancies": (board, f"{MAIN} .vb"),
        "notice": (notice, f"{MAIN} .notice, {MAIN} .notice-led"),
        "notice-paged": (paged, f"{MAIN} .notice, {MAIN} .notice-led"),
        "emergency": (emergency, ".emergency:not([hidden])"),
        "idle": (idle, ".idle:not([hidden])"),
    }


def _overlaps(boxes: list[dict[str, float]]) -> list[tuple[int, int]]:
    found = []
    for i, a in enumerate(boxes):
        for j, b in enumerate(boxes[i + 1 :], start=i + 1):
            w = min(a["x"] + a["width"], b["x"] + b["width"]) - max(a["x"], b["x"])
            h = min(a["y"] + a["height"], b["y"] + b["height"]) - max(a["y"], b["y"])
            if w > 0.5 and h > 0.5:
                found.append((i, j))
    return found


@pytest.mark.parametrize(("width", "height"), VIEWPORTS, ids=[f"{w}x{h}" for w, h in VIEWPORTS])
def test_wall_screenshots(harness: Harness, open_wall: Any, artifacts: Path, width: int, height: int) -> None:
    for key, (payload, ready) in _states().items():
        harness.screen(key, payload)
        page = open_wall(key, width=width, height=height)
        expect(page.locator(ready).first).to_be_visible(timeout=10_000)
        page.wait_for_function("document.getElementById('wall').dataset.conn === 'online'", timeout=10_000)
        page.evaluate("document.fonts.ready.then(() => true)")
        if page.locator(f"{MAIN} .marquee").count():
            # Catch the scrolling line once it has come well into view, not while it enters.
            page.wait_for_function(
                "sel => document.querySelector(sel).getBoundingClientRect().left < window.innerWidth * 0.1",
                arg=f"{MAIN} .marquee__track",
                timeout=20_000,
            )
        page.screenshot(path=str(artifacts / f"wall-{key}-{width}x{height}.png"))

        regions = page.eval_on_selector_all(".region", "els => els.map(e => e.getBoundingClientRect().toJSON())")
        assert not _overlaps(regions), f"{key}: regions overlap at {width}×{height}"
        spill = page.evaluate("""() => [...document.querySelectorAll('.region__view > *')].filter(el => {
            const inner = el.getBoundingClientRect(), outer = el.closest('.region').getBoundingClientRect();
            return inner.bottom > outer.bottom + 1 || inner.right > outer.right + 1;
        }).length""")
        assert spill == 0, f"{key}: content spills out of its region at {width}×{height}"
        if key == "vacancies":
            low = page.evaluate(f"""() => {{
                const table = document.querySelector('{MAIN} .vb__table');
                const region = document.querySelector('[data-region=main]').getBoundingClientRect();
                return table ? table.getBoundingClientRect().bottom <= region.bottom : true; }}""")
            assert low, f"the vacancy table runs past the bottom of its region at {width}×{height}"
            if height == 1080:
                size = page.evaluate(f"parseFloat(getComputedStyle(document.querySelector('{MAIN} td')).fontSize)")
                assert size >= 28
        page.context.close()
