"""The queue board read from across the hall: a real ``kiosk serve``, the wall player in Chromium.

One world, seeded straight into SQLite before the server starts: five counters in every state
(办理中, 呼叫中, 暂停服务 with its reason written into the columns, 空闲, 未开放), nine calls of
today, a full-screen queue layout on the first wall and the LED panel, and the usual vacancy board
(with a long employer name) beside a queue column on the second wall.

Each size is also photographed at device_scale_factor 0.5, the same CSS layout in a picture half as
wide, which is what the board looks like from twice as far (docs/screens/queue-board-*-50.png with
KIOSK_DOC_SCREENS=1; test-artifacts/ otherwise).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from content import outbox
from content.library.items import Employer
from content.org.screens import Screen
from content.queue.models import Counter
from content.queue.ticketing import call_next, finish, recall, start_service
from content.signage.layouts import Layout, LayoutRegion
from content.signage.schedules import Schedule
from content.signage.targeting import Target
from kiosk_server.database import make_engine
from tests.support import migrated_schema
from tests.support.browser import chromium_missing, doc_screenshot
from tests.support.queue_world import QueueHall, add_queue, earlier_today, take_tickets
from tests.support.server import ServerProcess
from tests.support.world import add_vacancy, build_world

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
]

# docs/queue.md, "Reading from across the hall": character height ≥ viewing distance / 200.
LCD_GLYPH_PX: Final = 5000 / 200 / 0.63  # 5 m on a 55-inch 1080p panel: 39.7 px
LED_GLYPH_PX: Final = 16.0  # the 16-dot matrix (the rule asks for 8 px at 8 m on a 5 mm pitch)
LONG_EMPLOYER: Final = "甘肃省兰州新区现代农业科技发展集团有限责任公司"
PAUSE_REASON: Final = "业务培训"
SIZES: Final = [(1920, 1080), (1080, 1920), (768, 384), (3840, 1080), (2560, 720)]


@dataclass
class Room:
    server: ServerProcess
    hall: QueueHall
    queue_wall: str
    led: str
    vacancy_wall: str
    portrait_wall: str


def _queue_wall_layout(session: Session, hall: QueueHall) -> None:
    """A hall's 叫号屏: the header and clock, then the queue board over the whole screen."""
    layout = Layout(org_unit_id=hall.world.province_id, name="叫号大屏")
    layout.regions = [
        LayoutRegion(name="header", widget="header", x=0, y=0, w=0.75, h=0.08),
        LayoutRegion(name="clock", widget="clock", x=0.75, y=0, w=0.25, h=0.08),
        LayoutRegion(name="queue", widget="queue", x=0, y=0.08, w=1, h=0.92),
    ]
    session.add(layout)
    session.flush()
    schedule = Schedule(
        org_unit_id=hall.world.province_id,
        name="叫号屏",
        layer="default",
        priority=10,
        layout_id=layout.id,
        region_playlists={},
    )
    session.add(schedule)
    session.flush()
    schedule.targets = [
        Target(mode="include", kind="screen", ref=str(screen_id)) for screen_id in _screen_ids(session, hall)
    ]
    outbox.add_event(session, "content", kind="queue-wall", action="created")
    session.commit()


def _portrait_layout(session: Session, hall: QueueHall) -> None:
    """The other hall's wall turned portrait: header, the vacancy board over the width, the ticker."""
    world = hall.world
    landscape = session.get(Layout, world.layout_id)
    assert landscape is not None
    main = next(r for r in landscape.regions if r.name == "main")
    layout = Layout(org_unit_id=world.province_id, name="大厅竖屏")
    layout.regions = [
        LayoutRegion(name="header", widget="header", x=0, y=0, w=0.7, h=0.06),
        LayoutRegion(name="clock", widget="clock", x=0.7, y=0, w=0.3, h=0.06),
        LayoutRegion(name="main", widget="playlist", x=0, y=0.06, w=1, h=0.88, playlist_id=main.playlist_id),
    ]
    session.add(layout)
    session.flush()
    schedule = Schedule(
        org_unit_id=world.province_id,
        name="竖屏",
        layer="default",
        priority=10,
        layout_id=layout.id,
        region_playlists={},
    )
    session.add(schedule)
    session.flush()
    schedule.targets = [Target(mode="include", kind="hall", ref=str(world.other_hall_id))]
    outbox.add_event(session, "content", kind="portrait", action="created")
    session.commit()


def _screen_ids(session: Session, hall: QueueHall) -> list[int]:
    keys = [hall.world.wall_keys[0], hall.world.led_key]
    return list(session.scalars(select(Screen.id).where(Screen.key.in_(keys))))


def _calls(session: Session, hall: QueueHall, now: datetime) -> None:
    """Ten calls of today (so nine on the board), leaving 5 serving, 6 calling, 7 paused, 8 idle, 9 closed."""
    c = hall.counter_ids
    at = earlier_today(now, 40, span=60)
    step = timedelta(minutes=3)
    for _ in range(5):
        call_next(session, c[8], at)
        finish(session, c[8], at + step / 2)
        at += step
    call_next(session, c[5], at)
    finish(session, c[5], at + step / 2)
    call_next(session, c[5], at + step)
    start_service(session, c[5], at + step * 1.2)
    call_next(session, c[7], at + step * 1.5)
    call_next(session, c[6], at + step * 2)
    recall(session, c[6], at + step * 2.5)
    counter = session.get(Counter, c[7])
    assert counter is not None
    counter.paused_since, counter.pause_reason = at + step * 3, PAUSE_REASON  # set as the pause API would
    session.commit()


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Room]:
    data = tmp_path_factory.mktemp("room")
    url = f"sqlite:///{data / 'kiosk.sqlite3'}"
    engine = make_engine(url)
    migrated_schema.ready(engine)
    now = datetime.now(UTC)
    with Session(engine) as session:
        world = build_world(session, vacancies=4)
        long = Employer(name=LONG_EMPLOYER, industry="农、林、牧、渔业")
        session.add(long)
        session.flush()
        for n in range(3):
            add_vacancy(session, world, f"农业技术员{n + 1}", employer_id=long.id, org_unit_id=world.province_id)
        hall = add_queue(session, world, counters=5, strips=1)
        take_tickets(session, hall, "A", 12, now - timedelta(hours=1))
        take_tickets(session, hall, "B", 4, now - timedelta(minutes=50))
        _calls(session, hall, now)
        _queue_wall_layout(session, hall)
        _portrait_layout(session, hall)
    engine.dispose()
    server = ServerProcess(data / "server", url)
    server.start()
    yield Room(server, hall, world.wall_keys[0], world.led_key, world.wall_keys[1], world.other_wall_key)
    server.stop()


def open_screen(browser: Any, room: Room, key: str, size: tuple[int, int], scale: float, ready: str) -> Any:
    context = browser.new_context(
        viewport={"width": size[0], "height": size[1]},
        device_scale_factor=scale,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        service_workers="block",
    )
    page = context.new_page()
    page.goto(f"{room.server.url}/screen/{key}")
    page.wait_for_selector(ready, timeout=20_000)
    page.evaluate("document.fonts.ready.then(() => true)")
    return page


# The ink height of a Chinese character and of the ticket's digits at an element's font, measured
# on a canvas (what a reader sees, not the line box).
GLYPHS = """(el) => {
  const style = getComputedStyle(el);
  const ctx = document.createElement('canvas').getContext('2d');
  ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  const ink = (text) => { const m = ctx.measureText(text); return m.actualBoundingBoxAscent + m.actualBoundingBoxDescent; };
  return { han: ink('请'), digits: ink('0123456789') };
}"""

# Every piece of text shown on the board: its smallest Chinese glyph, and whether it lies inside the screen.
SMALLEST_TEXT = """() => {
  const ctx = document.createElement('canvas').getContext('2d');
  let smallest = Infinity, what = '';
  const walker = document.createTreeWalker(document.querySelector('.region--queue .qb'), NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!node.textContent.trim() || !el.getClientRects().length) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden') continue;
    ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const m = ctx.measureText('窗');
    const ink = m.actualBoundingBoxAscent + m.actualBoundingBoxDescent;
    if (ink < smallest) { smallest = ink; what = node.textContent.trim(); }
  }
  return { smallest, what };
}"""

INSIDE = """(selector) => [...document.querySelectorAll(selector)].filter((el) => {
  if (el.hidden || !el.getClientRects().length) return false;
  const r = el.getBoundingClientRect(), region = el.closest('.region').getBoundingClientRect();
  return r.top >= region.top - 1 && r.bottom <= region.bottom + 1 && r.left >= region.left - 1 && r.right <= region.right + 1;
}).length"""


def _board_ready(page: Any) -> None:
    # The newest call's pulse is over, so the picture shows the steady board.
    page.wait_for_function(
        "() => { const n = document.querySelector('.qb__call--newest'); return n && n.getAnimations().length === 0; }",
        timeout=10_000,
    )


@pytest.mark.parametrize("scale", [1.0, 0.5], ids=["100", "50"])
@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_queue_board_is_readable_from_across_the_hall(
    browser: Any, room: Room, size: tuple[int, int], scale: float
) -> None:
    led = size == (768, 384)
    key = room.led if led else room.queue_wall
    page = open_screen(browser, room, key, size, scale, ".region--queue .qb__call--newest[data-ticket]")
    try:
        _board_ready(page)
        suffix = "" if scale == 1.0 else "-50"
        doc_screenshot(page, f"queue-board-{size[0]}x{size[1]}{suffix}")
        rule = LED_GLYPH_PX if led else LCD_GLYPH_PX
        assert page.evaluate("document.documentElement.classList.contains('led')") == led
        hero = page.locator(".qb__call--newest .qb__sentence")
        assert hero.inner_text() == "重呼请A009号到6号窗口办理"  # the recall of counter 6 is the newest call
        glyphs = hero.evaluate(GLYPHS)
        ticket = page.locator(".qb__call--newest .qb__sentence-ticket").evaluate(GLYPHS)
        assert glyphs["han"] >= rule, (
            f"the newest call's characters are {glyphs['han']:.1f} px, the rule asks {rule:.1f}"
        )
        assert ticket["digits"] >= rule, f"the ticket's digits are {ticket['digits']:.1f} px high"
        smallest = page.evaluate(SMALLEST_TEXT)
        assert smallest["smallest"] >= rule - 0.5, f"{smallest['what']!r} is drawn below the rule: {smallest}"

        # The nine calls of the day: the newest and the eight before it, all on the screen.
        assert page.locator(".qb__list .qb__call").count() == 8
        assert page.evaluate(INSIDE, ".qb__list .qb__call") == 8, "a recent call is hidden or off the screen"
        assert page.locator(".qb__list .qb__call[data-recall=true]").count() == 0
        assert page.get_attribute(".qb__call--newest", "data-recall") == "true"
        assert "重呼" in page.inner_text(".qb__call--newest")

        # 窗口 · 状态 · 当前号, with the paused counter's reason.
        rows = page.locator(".qb__grid-row")
        assert rows.count() == 5
        statuses = page.eval_on_selector_all(
            ".qb__grid-row", "rows => rows.map(r => [r.dataset.counter, r.dataset.status])"
        )
        assert statuses == [["5", "serving"], ["6", "calling"], ["7", "paused"], ["8", "idle"], ["9", "closed"]]
        paused = page.locator(".qb__grid-row[data-status=paused]")
        assert page.evaluate(INSIDE, ".qb__grid-row[data-status=paused]") == 1, (
            "the paused counter is not on the screen"
        )
        assert paused.locator(".qb__grid-word").inner_text() == "暂停服务"
        assert paused.locator(".qb__grid-reason").inner_text() == PAUSE_REASON
        words = page.eval_on_selector_all(".qb__grid-word", "els => els.map(e => e.textContent)")
        assert words == ["办理中", "呼叫中", "暂停服务", "空闲", "未开放"]
        assert page.locator(".qb__grid-row[data-status=serving] .qb__grid-ticket").inner_text() == "A007"
        if not led:
            assert page.evaluate(INSIDE, ".qb__line") >= 1, "no line's wait is on the screen"
    finally:
        page.context.close()


TRUNCATED = """() => [...document.querySelectorAll('.vb td.vb__col-employer, .vb .vb__title-employer')]
  .filter((el) => el.getClientRects().length)
  .map((el) => {
    const style = getComputedStyle(el);
    return { text: el.textContent, cut: el.scrollWidth > el.clientWidth + 1 && style.overflowX !== 'visible',
             ellipsis: style.textOverflow === 'ellipsis', nowrap: style.whiteSpace === 'nowrap',
             inside: el.getBoundingClientRect().bottom <= el.closest('.region').getBoundingClientRect().bottom + 1 };
  })"""


@pytest.mark.parametrize(
    "size", [(1920, 1080), (1080, 1920), (3840, 1080), (2560, 720)], ids=lambda s: f"{s[0]}x{s[1]}"
)
def test_vacancy_board_never_cuts_an_employer(browser: Any, room: Room, size: tuple[int, int]) -> None:
    key = room.portrait_wall if size[0] < size[1] else room.vacancy_wall
    page = open_screen(browser, room, key, size, 1.0, ".vb__table tbody tr")
    try:
        seen: set[str] = set()
        # Page through the board: every employer cell on every page is whole.
        for _ in range(4):
            page.wait_for_selector(".region__view .vb__table tbody tr", timeout=20_000)
            cells = page.evaluate(TRUNCATED)
            assert cells, "no employer is shown at all"
            for cell in cells:
                assert not cell["ellipsis"] and not cell["cut"], f"employer cut: {cell}"
                assert cell["inside"], f"employer below the region's edge: {cell}"
            seen |= {cell["text"] for cell in cells}
            if LONG_EMPLOYER in seen:
                break
            page.wait_for_function(
                "(before) => document.querySelector('.region__view .vb__pager')?.textContent !== before",
                arg=page.inner_text(".region__view .vb__pager"),
                timeout=90_000,
            )
        assert LONG_EMPLOYER in seen
        doc_screenshot(page, f"vacancy-board-{size[0]}x{size[1]}")
    finally:
        page.context.close()
