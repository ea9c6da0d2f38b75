"""Acceptance, end to end: emergencies by severity on a queue wall, a counter strip and a kiosk (issue 20, item 1).

A real ``kiosk serve`` with the test world and its queue (a wall with a queue region, counter 5
under a 640×64 strip, a portrait kiosk), ticket A001 called at counter 5. For each severity an
emergency is sent to the province, the three screens are checked and photographed
(``emergency-<severity>-<wall|strip|kiosk>.png``: test-artifacts/, or docs/screens/ with
KIOSK_DOC_SCREENS=1), and the emergency is ended by hand: every screen returns to normal.

- 提示 (info): a band across the top; the wall's regions move down under it, the current call
  stays uncovered; the kiosk accepts a tap.
- 警告 (warning): a panel beside the queue region; the current call stays uncovered; the kiosk
  shows a band and accepts a tap.
- 紧急 (critical): the whole wall; the kiosk's touch UI steps aside (a tap does nothing).
- The strip keeps its counter's number and current ticket uncovered and at a readable size at every severity.
- The same wall in its LED profile (768×384) is checked like the wall (test-artifacts/emergency-<severity>-led.png).
- Several at once: the highest decides the mode, the others are listed with their own word.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

import pytest
from sqlalchemy.orm import Session

from content import outbox
from content.org.screens import Screen
from content.queue.ticketing import call_next
from content.signage.emergencies import Emergency
from content.signage.targeting import Target
from kiosk_server.database import make_engine
from tests.support import migrated_schema
from tests.support.browser import chromium_missing, doc_screenshot, screenshot
from tests.support.queue_world import QueueHall, add_queue, take_tickets
from tests.support.server import ServerProcess
from tests.support.world import build_world

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
]

WORDS: Final = {"info": "提示", "warning": "警告", "critical": "紧急"}
TITLES: Final = {
    "info": "今日下午社保系统升级，部分业务暂停受理",
    "warning": "暴雨黄色预警：请勿离开大厅，留意工作人员指引",
    "critical": "紧急疏散：请立即按指示从最近的安全出口离开",
}
BODY: Final = "请听从工作人员指引，带好随身物品。取号与叫号照常进行，过号请重新取号。"
WAIT_MS: Final = 20_000
# The strip's line at 640×64 stays at least this large: legible from the waiting seats.
STRIP_MIN_FONT_PX: Final = 20


@dataclass
class Live:
    server: ServerProcess
    hall: QueueHall
    kiosk_key: str
    database_url: str


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    root = Path(tmp_path_factory.mktemp("emergency-severity"))
    url = f"sqlite:///{root / 'kiosk.sqlite3'}"
    engine = make_engine(url)
    migrated_schema.ready(engine)
    with Session(engine) as session:
        hall = add_queue(session, build_world(session, vacancies=8), counters=2, strips=1)
        kiosk = Screen(hall_id=hall.world.hall_id, name="大厅自助终端", kind="kiosk", width_px=1080, height_px=1920)
        session.add(kiosk)
        session.commit()
        kiosk_key = kiosk.key
        take_tickets(session, hall, "A", 4, datetime.now(UTC))
        called = call_next(session, hall.counter_ids[5], datetime.now(UTC))
        session.commit()
        assert called is not None and called.number == "A001"
    engine.dispose()
    server = ServerProcess(root / "server", url)
    server.start()
    yield Live(server, hall, kiosk_key, url)
    server.stop()


def send_emergency(live: Live, severity: str) -> int:
    engine = make_engine(live.database_url)
    try:
        with Session(engine) as session:
            now = datetime.now(UTC)
            emergency = Emergency(
                org_unit_id=live.hall.world.province_id,
                title=TITLES[severity],
                body=BODY,
                severity=severity,
                starts_at=now - timedelta(seconds=1),
                expires_at=now + timedelta(hours=1),
                created_by="test",
            )
            emergency.targets = [Target(mode="include", kind="org", ref=str(live.hall.world.province_id))]
            session.add(emergency)
            session.flush()
            outbox.add_event(session, "content", kind="emergency", id=emergency.id, action="created")
            session.commit()
            return emergency.id
    finally:
        engine.dispose()


def end_emergency(live: Live, emergency_id: int) -> None:
    """End it by hand, as the console does."""
    engine = make_engine(live.database_url)
    try:
        with Session(engine) as session:
            emergency = session.get(Emergency, emergency_id)
            assert emergency is not None
            emergency.ended_at = datetime.now(UTC)
            outbox.add_event(session, "content", kind="emergency", id=emergency_id, action="ended")
            session.commit()
    finally:
        engine.dispose()


def open_screen(browser: Any, live: Live, key: str, size: tuple[int, int], ready: str) -> Any:
    context = browser.new_context(
        viewport={"width": size[0], "height": size[1]}, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.page_errors = errors  # type: ignore[attr-defined]
    page.goto(f"{live.server.url}/screen/{key}")
    page.wait_for_selector(ready, timeout=WAIT_MS)
    return page


def wait_severity(page: Any, severity: str, mode: str) -> None:
    page.wait_for_function(
        "([s, m]) => document.documentElement.dataset.emergency === s"
        " && document.documentElement.dataset.emergencyMode === m",
        arg=[severity, mode],
        timeout=WAIT_MS,
    )
    page.wait_for_selector(f"#wall .emergency[data-mode={mode}]", state="visible", timeout=WAIT_MS)
    assert WORDS[severity] in page.inner_text("#wall .emergency .emergency__word"), "the severity in words"
    assert page.locator("#wall .emergency svg.emergency__icon").count() == 1, "severity must not rest on colour alone"


def wait_cleared(page: Any) -> None:
    page.wait_for_function("() => !('emergency' in document.documentElement.dataset)", timeout=WAIT_MS)
    assert page.locator("#wall .emergency").is_hidden()


# Whether the deepest element under `root` whose text holds `text` is on screen and not covered:
# the element drawn at the centre of its box belongs to `root`.
UNCOVERED = """([root, text]) => {
  const scope = document.querySelector(root);
  if (!scope) return null;
  const holders = [...scope.querySelectorAll('*')].filter(
    (el) => el.textContent.includes(text) && ![...el.children].some((c) => c.textContent.includes(text)));
  const el = holders.find((e) => e.getClientRects().length > 0);
  if (!el) return null;
  const box = el.getBoundingClientRect();
  const x = box.left + box.width / 2, y = box.top + box.height / 2;
  if (x < 0 || y < 0 || x > innerWidth || y > innerHeight) return null;
  const top = document.elementFromPoint(x, y);
  return { covered: !(top && scope.contains(top)), fontPx: parseFloat(getComputedStyle(el).fontSize),
           box: [box.left, box.top, box.width, box.height] };
}"""


def uncovered(page: Any, root: str, text: str) -> dict[str, Any]:
    found = page.evaluate(UNCOVERED, [root, text])
    assert found is not None, f"{text!r} is not on screen in {root}"
    return dict(found)


def box(page: Any, selector: str) -> dict[str, float]:
    found = page.locator(selector).first.bounding_box()
    assert found is not None, f"{selector} has no box"
    return dict(found)


def overlaps(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["x"] < b["x"] + b["width"] - 1
        and b["x"] < a["x"] + a["width"] - 1
        and a["y"] < b["y"] + b["height"] - 1
        and b["y"] < a["y"] + a["height"] - 1
    )


def check_wall(page: Any, severity: str) -> None:
    mode = {"info": "band", "warning": "panel", "critical": "full"}[severity]
    wait_severity(page, severity, mode)
    assert TITLES[severity] in page.inner_text("#wall .emergency")
    if severity == "critical":
        assert page.evaluate(
            "document.elementFromPoint(innerWidth * 0.8, innerHeight / 2).closest('.emergency') !== null"
        )
        return
    page.wait_for_function(
        "() => { const q = document.querySelector('.region--queue'); const e = document.querySelector('#wall .emergency');"
        " if (!q || !e) return false; const a = q.getBoundingClientRect(), b = e.getBoundingClientRect();"
        " return a.right <= b.left + 1 || b.right <= a.left + 1 || a.bottom <= b.top + 1 || b.bottom <= a.top + 1; }",
        timeout=WAIT_MS,
    )
    assert not overlaps(box(page, ".region--queue"), box(page, "#wall .emergency")), "the queue region is covered"
    call = uncovered(page, ".region--queue", "A001")
    assert not call["covered"], f"the current call A001 is covered under {severity}"
    if severity == "info":
        band = box(page, "#wall .emergency")
        assert band["y"] == 0 and band["width"] == page.viewport_size["width"], "a band across the top"
        assert box(page, ".stage")["y"] >= band["height"] - 1, "the regions moved down under the band"


def check_strip(page: Any, severity: str) -> None:
    wait_severity(page, severity, "strip")
    page.wait_for_selector(".strip[data-ticket=A001]", state="visible", timeout=WAIT_MS)
    # The strip refits once the emergency has narrowed it: wait for the line to fit.
    page.wait_for_function(
        "() => { const l = document.querySelector('.strip__line'); return l && l.scrollWidth <= l.clientWidth + 1; }",
        timeout=WAIT_MS,
    )
    for text in ("5号窗口", "A001"):
        seen = uncovered(page, ".strip", text)
        assert not seen["covered"], f"{text} is covered on the strip under {severity}"
        assert seen["fontPx"] >= STRIP_MIN_FONT_PX, f"{text} shrank to {seen['fontPx']} px under {severity}"
    assert not overlaps(box(page, ".strip"), box(page, "#wall .emergency")), "the strip's line is covered"


def kiosk_screen(page: Any) -> str:
    return str(page.get_attribute("#kiosk", "data-screen"))


def check_kiosk(page: Any, severity: str) -> None:
    width, height = page.viewport_size["width"], page.viewport_size["height"]
    if severity == "critical":
        wait_severity(page, severity, "full")
        page.wait_for_function("() => document.documentElement.classList.contains('kiosk-emergency')")
        assert page.is_hidden("#kiosk"), "the touch UI steps aside under 紧急"
        page.mouse.click(width / 2, height / 2)
        assert kiosk_screen(page) == "attract", "a tap under 紧急 opened the touch UI"
        return
    wait_severity(page, severity, "band")
    page.wait_for_function("() => document.documentElement.classList.contains('kiosk-emergency-band')")
    assert page.is_visible("#kiosk"), "the touch UI stays under 提示 and 警告"
    band = box(page, "#wall .emergency")
    assert band["y"] == 0 and band["height"] > 0
    page.mouse.click(width / 2, height / 2)
    page.wait_for_selector("#kiosk[data-screen=home]", state="attached", timeout=WAIT_MS)
    page.wait_for_selector("[data-tile=queue]", state="visible")
    assert box(page, "#kiosk")["y"] >= band["y"] + band["height"] - 1, "the touch UI starts below the band"
    assert page.is_visible("#wall .emergency"), "the band stays in view over the touch UI"
    tile = box(page, "[data-tile=queue]")
    # Under the finger (once the new screen has settled and takes taps): the 取号 tile, not the band.
    page.wait_for_function(
        "([x, y]) => document.elementFromPoint(x, y)?.closest('[data-tile]')?.dataset.tile === 'queue'",
        arg=[tile["x"] + tile["width"] / 2, tile["y"] + tile["height"] / 2],
        timeout=WAIT_MS,
    )


@pytest.mark.parametrize("severity", ["info", "warning", "critical"])
def test_each_severity_leaves_what_the_hall_needs(browser: Any, live: Live, severity: str) -> None:
    wall = open_screen(browser, live, live.hall.world.wall_keys[0], (1920, 1080), ".region--queue")
    strip = open_screen(browser, live, live.hall.strip_keys[5], (640, 64), ".strip[data-ticket=A001]")
    kiosk = open_screen(browser, live, live.kiosk_key, (1080, 1920), "#kiosk[data-screen=attract]")
    led = open_screen(browser, live, live.hall.world.led_key, (768, 384), ".region--queue")
    for queue_wall in (wall, led):
        queue_wall.wait_for_function("() => document.querySelector('.region--queue').textContent.includes('A001')")
    pages = [wall, strip, kiosk, led]
    emergency_id = send_emergency(live, severity)
    try:
        check_wall(wall, severity)
        doc_screenshot(wall, f"emergency-{severity}-wall")
        check_strip(strip, severity)
        doc_screenshot(strip, f"emergency-{severity}-strip")
        check_kiosk(kiosk, severity)
        doc_screenshot(kiosk, f"emergency-{severity}-kiosk")
        check_wall(led, severity)  # the LED profile of the same wall (html.led)
        screenshot(led, f"emergency-{severity}-led")
    finally:
        end_emergency(live, emergency_id)
    for page in pages:
        wait_cleared(page)
    assert not kiosk.evaluate("document.documentElement.classList.contains('kiosk-emergency-band')")
    assert box(wall, ".stage")["y"] == 0, "the regions return to the top"
    for page in pages:
        errors = page.page_errors
        page.context.close()
        assert not errors, f"uncaught errors: {errors}"


def test_with_several_emergencies_the_highest_decides_and_the_others_are_listed(browser: Any, live: Live) -> None:
    wall = open_screen(browser, live, live.hall.world.wall_keys[0], (1920, 1080), ".region--queue")
    kiosk = open_screen(browser, live, live.kiosk_key, (1080, 1920), "#kiosk[data-screen=attract]")
    sent = [send_emergency(live, "info"), send_emergency(live, "warning")]
    try:
        wait_severity(wall, "warning", "panel")
        wall.wait_for_selector("#wall .emergency__other--info", timeout=WAIT_MS)
        listed = wall.inner_text("#wall .emergency__also")
        assert WORDS["info"] in listed and TITLES["info"] in listed, "the notice is listed under the warning"
        assert TITLES["warning"] in wall.inner_text("#wall .emergency__title")
        assert not uncovered(wall, ".region--queue", "A001")["covered"]
        wait_severity(kiosk, "warning", "band")
        kiosk.wait_for_function(
            "ts => ts.every(t => document.querySelector('#wall .emergency__track').textContent.includes(t))",
            arg=[TITLES["warning"], TITLES["info"]],
            timeout=WAIT_MS,
        )
        assert WORDS["info"] in kiosk.inner_text("#wall .emergency__track"), "the lower one keeps its own word"
    finally:
        for emergency_id in sent:
            end_emergency(live, emergency_id)
    for page in (wall, kiosk):
        wait_cleared(page)
        errors = page.page_errors
        page.context.close()
        assert not errors, f"uncaught errors: {errors}"
