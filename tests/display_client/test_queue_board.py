"""Queue calling in the player: the wall's queue region, the announcer and the counter strip.

The stand-in server (wall_harness.py) speaks manifests only; the queue side of the server is played
by ``QueueLink`` on the page's own WebSocket (Playwright's WebSocket routing): it forwards every
frame, sends the queue snapshot before ``welcome`` as kiosk_server does, adds ``streams.queue`` and
the screen's kind to welcome, and pushes boards when a test asks. speechSynthesis is stubbed in the
page (a zh-CN voice that loads late, an engine that ends or never does); the chime is real Web Audio.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import wall_manifests as wm
from playwright.sync_api import expect
from wall_support import SEEN_SCRIPT, Harness

pytestmark = pytest.mark.browser

EVENT = "42/screen,"
QUEUE = "[data-region=queue]"
DOCS_SCREENS = Path(__file__).resolve().parents[2] / "docs" / "screens"

# Header and clock on top, the queue board in the middle, the ticker at the bottom.
QUEUE_LAYOUT: dict[str, Any] = {
    **wm.STANDARD_LAYOUT,
    "regions": [
        {"name": "header", "widget": "header", "x": 0.0, "y": 0.0, "w": 0.62, "h": 0.1, "z": 0},
        {"name": "clock", "widget": "clock", "x": 0.62, "y": 0.0, "w": 0.38, "h": 0.1, "z": 0},
        {"name": "queue", "widget": "queue", "x": 0.0, "y": 0.1, "w": 1.0, "h": 0.82, "z": 0},
        {"name": "ticker", "widget": "ticker", "x": 0.0, "y": 0.92, "w": 1.0, "h": 0.08, "z": 0},
    ],
}

SPEECH_STUB = """
(() => {
  // A speech engine whose voices show up late (as Chromium's do) and which ends each utterance
  // after 600 ms. window.name: "hang", it never ends one; "english", it has no Chinese voice.
  const hang = window.name === 'hang';
  const voices = [{ name: 'Test English', lang: 'en-US', localService: true, voiceURI: 'test-en' },
                  { name: 'Test Mandarin', lang: 'zh-CN', localService: true, voiceURI: 'test-zh' }]
    .filter((v) => window.name !== 'english' || v.lang === 'en-US');
  let loaded = false;
  const listeners = [];
  const fake = {
    spoken: [], cancelled: 0,
    getVoices() { return loaded ? voices : []; },
    addEventListener(name, fn) { if (name === 'voiceschanged') listeners.push(fn); },
    speak(u) {
      const entry = { text: u.text, lang: u.lang, voice: u.voice && u.voice.name, at: Date.now(), end: null };
      fake.spoken.push(entry);
      if (!hang) setTimeout(() => { entry.end = Date.now(); u.onend && u.onend({}); }, 600);
    },
    cancel() { fake.cancelled += 1; },
  };
  setTimeout(() => { loaded = true; listeners.forEach((fn) => fn(new Event('voiceschanged'))); }, 300);
  Object.defineProperty(window, 'speechSynthesis', { value: fake, configurable: true });
  window.SpeechSynthesisUtterance = class { constructor(text) { this.text = text; } };
})();
"""

# Chromium as provisioned without --autoplay-policy=no-user-gesture-required: audio stays suspended.
BLOCKED_AUDIO = """
window.AudioContext = class {
  constructor() { this.state = 'suspended'; this.currentTime = 0; }
  resume() { return new Promise(() => {}); }
};
"""


def encode(name: str, data: Any) -> str:
    return EVENT + json.dumps([name, data], ensure_ascii=False)


def decode(message: str | bytes) -> tuple[str, Any] | None:
    if not isinstance(message, str) or not message.startswith(EVENT):
        return None
    # An event that asks for an acknowledgement (hello does) carries its ack id before the array.
    name, data = json.loads(message[len(EVENT) :].lstrip("0123456789"))
    return name, data


class QueueLink:
    """The server's queue side on the page's socket: snapshot before welcome, pushes on demand."""

    def __init__(self, board: dict[str, Any] | None, kind: str = "wall") -> None:
        self.board = board
        self.kind = kind
        self.hellos: list[Any] = []
        self.sockets: list[Any] = []

    def route(self, ws: Any) -> None:
        server = ws.connect_to_server()
        self.sockets.append(ws)

        def from_page(message: str | bytes) -> None:
            event = decode(message)
            if event and event[0] == "hello":
                self.hellos.append(event[1])
            server.send(message)

        def from_server(message: str | bytes) -> None:
            event = decode(message)
            if event and event[0] == "welcome":
                welcome = event[1]
                welcome["screen"]["kind"] = self.kind
                held = (self.hellos[-1] or {}).get("held", {}).get("queue", {}).get("version") if self.hellos else None
                if self.board is not None:
                    if held != self.board["version"]:
                        ws.send(encode("queue_board", self.board))
                    welcome["streams"] = {"queue": {"version": self.board["version"]}}
                message = encode("welcome", welcome)
            ws.send(message)

        ws.on_message(from_page)
        server.on_message(from_server)

    def push(self, board: dict[str, Any], *, current: bool = True) -> None:
        """Emit ``board`` to the page; ``current=False`` for a late duplicate the server no longer holds."""
        if current:
            self.board = board
        self.sockets[-1].send(encode("queue_board", board))


def today() -> str:
    return datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()


def call(
    event_id: int, ticket: str, counter: int, *, recall: bool = False, service: str = "社保业务", ago: float = 0
) -> dict[str, Any]:
    at = datetime.now(UTC) - timedelta(seconds=ago)
    return {
        "id": event_id,
        "ticket": ticket,
        "counter": counter,
        "counter_name": f"{counter}号窗口",
        "service": service,
        "service_en": "Social insurance",
        "recall": recall,
        "at": at.isoformat(),
    }


def counter(number: int, screen_id: int | None, ticket: str | None = None, state: str | None = None) -> dict[str, Any]:
    return {
        "id": number + 100,
        "number": number,
        "name": f"{number}号窗口",
        "screen_id": screen_id,
        "services": ["A", "B"],
        "ticket": ticket,
        "state": state,
        "service": "社保业务" if ticket else None,
        "service_en": "Social insurance" if ticket else None,
        "since": datetime.now(UTC).isoformat() if ticket else None,
    }


SERVICES = [
    {
        "id": 1,
        "prefix": "A",
        "name": "社保业务",
        "name_en": "Social insurance",
        "active": True,
        "waiting": 12,
        "priority_waiting": 1,
        "wait_seconds": 900,
        "wait_minutes": 15,
    },
    {
        "id": 2,
        "prefix": "B",
        "name": "就业登记",
        "name_en": "Employment registration",
        "active": True,
        "waiting": 3,
        "priority_waiting": 0,
        "wait_seconds": 300,
        "wait_minutes": 5,
    },
    {
        "id": 3,
        "prefix": "C",
        "name": "医保业务",
        "name_en": "Medical insurance",
        "active": True,
        "waiting": 0,
        "priority_waiting": 0,
        "wait_seconds": 0,
        "wait_minutes": 0,
    },
]


def board(
    version: int,
    calls: list[dict[str, Any]],
    counters: list[dict[str, Any]] | None = None,
    services: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "stream": "queue",
        "hall_id": 1,
        "version": version,
        "day": today(),
        "timezone": "Asia/Shanghai",
        "generated_at": datetime.now(UTC).isoformat(),
        "calls": calls,
        "services": SERVICES if services is None else services,
        "counters": counters or [],
    }


# The same with vacancies on the left and the queue as a side column.
SIDE_LAYOUT: dict[str, Any] = {
    **QUEUE_LAYOUT,
    "regions": [
        *QUEUE_LAYOUT["regions"][:2],
        {"name": "main", "widget": "playlist", "x": 0.0, "y": 0.1, "w": 0.6, "h": 0.82, "z": 0},
        {"name": "queue", "widget": "queue", "x": 0.6, "y": 0.1, "w": 0.4, "h": 0.82, "z": 0},
        QUEUE_LAYOUT["regions"][3],
    ],
}


def queue_payload(seq: int = 42, layout: dict[str, Any] = QUEUE_LAYOUT) -> dict[str, Any]:
    found = wm.vacancies(8)
    return wm.simple(
        wm.standard_regions([wm.board(list(found), 8, 60)]), wm.standard_items(**found), seq=seq, layouts={"1": layout}
    )


@pytest.fixture
def open_queue(browser: Any, harness: Harness) -> Iterator[Callable[..., Any]]:
    """open_queue(key, link, width, height, speech="ends"|"hang"|"english", audio="real"|"blocked") → a page."""
    contexts: list[Any] = []
    errors: list[str] = []

    def _open(
        key: str,
        link: QueueLink,
        width: int = 1920,
        height: int = 1080,
        speech: str = "ends",
        audio: str = "real",
        clock: bool = False,
    ) -> Any:
        context = browser.new_context(
            viewport={"width": width, "height": height},
            service_workers="block",
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
        )
        contexts.append(context)
        if clock:
            context.clock.install()  # time still runs; a test may fast-forward it
        context.add_init_script(SEEN_SCRIPT)
        context.add_init_script(f"window.name = {json.dumps(speech)};" + SPEECH_STUB)
        if audio == "blocked":
            context.add_init_script(BLOCKED_AUDIO)
        context.route_web_socket(re.compile(r".*/socket\.io/.*"), link.route)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(harness.url(f"/screen/{key}"))
        return page

    yield _open
    for context in contexts:
        context.close()
    assert not errors, f"uncaught errors in the page: {errors}"


def wait_version(page: Any, selector: str, version: int) -> None:
    expect(page.locator(selector)).to_have_attribute("data-version", str(version), timeout=10_000)


def tickets(page: Any) -> list[str]:
    return page.eval_on_selector_all(f"{QUEUE} .qb__call", "rows => rows.map(r => r.dataset.ticket)")


def announcements(page: Any, count: int, timeout: float = 20_000) -> list[dict[str, Any]]:
    """The announcer's log once it holds `count` finished announcements."""
    page.wait_for_function(
        "n => window.__wall.announcer.log.filter(e => e.endedAt).length >= n", arg=count, timeout=timeout
    )
    return page.evaluate("window.__wall.announcer.log")


def assert_in_turn(log: list[dict[str, Any]]) -> None:
    for before, after in zip(log, log[1:], strict=False):
        assert before["endedAt"] is not None and before["endedAt"] <= after["startedAt"], (
            f"announcements overlap: {before} / {after}"
        )


def test_queue_region_shows_calls_newest_first_and_each_line(harness: Harness, open_queue: Any) -> None:
    harness.screen("wall", queue_payload())
    link = QueueLink(board(5, [call(13, "A023", 5), call(12, "B011", 3), call(11, "A022", 2, recall=True)]))
    page = open_queue("wall", link)
    wait_version(page, QUEUE, 5)
    assert tickets(page) == ["A023", "B011", "A022"]
    hero = page.locator(f"{QUEUE} .qb__call--newest")
    expect(hero).to_have_attribute("data-ticket", "A023")
    expect(hero.locator(".qb__sentence")).to_have_text("请A023号到5号窗口办理")
    older = page.locator(f"{QUEUE} .qb__list .qb__call")
    expect(older.nth(1)).to_have_attribute("data-recall", "true")
    expect(older.nth(1).locator(".qb__recall")).to_have_text("重呼")
    lines = page.locator(f"{QUEUE} .qb__line")
    expect(lines).to_have_count(3)
    assert lines.nth(0).inner_text().split() == ["A", "社保业务", "等候", "12", "人", "约", "15", "分钟"]
    expect(lines.nth(2).locator(".qb__wait")).to_have_text("无需等候")
    assert page.evaluate("window.__wall.queue.version") == 5


IDEMPOTENT = """() => {
    const root = document.getElementById('wall');
    const observer = new MutationObserver(() => {});
    observer.observe(root, {subtree: true, childList: true, attributes: true, characterData: true});
    const before = root.innerHTML;
    window.__wall.render(); window.__wall.render(); window.__wall.render();
    const records = observer.takeRecords().length;
    observer.disconnect();
    return {records, same: before === root.innerHTML};
}"""


def test_rendering_the_same_board_again_changes_nothing(harness: Harness, open_queue: Any) -> None:
    harness.screen("wall", queue_payload())
    page = open_queue("wall", QueueLink(board(5, [call(13, "A023", 5), call(12, "B011", 3, recall=True)])))
    wait_version(page, QUEUE, 5)
    assert page.evaluate(IDEMPOTENT) == {"records": 0, "same": True}
    harness.screen("strip", queue_payload(), id=42, low_resolution=True)
    strip = open_queue(
        "strip",
        QueueLink(strip_board(5, "A023", "called", [call(13, "A023", 5)]), kind="counter"),
        width=640,
        height=64,
    )
    wait_version(strip, ".strip", 5)
    assert strip.evaluate(IDEMPOTENT) == {"records": 0, "same": True}


def test_an_older_board_is_ignored(harness: Harness, open_queue: Any) -> None:
    harness.screen("wall", queue_payload())
    link = QueueLink(board(7, [call(20, "A030", 1)]))
    page = open_queue("wall", link)
    wait_version(page, QUEUE, 7)
    page.evaluate(
        "() => { window.__applied = []; window.__wall.store.subscribe((change, store) => {"
        " if (change === 'queue') window.__applied.push(store.queue.version); }); }"
    )
    link.push(board(6, [call(19, "Z999", 9)]), current=False)  # arrived late
    link.push(board(7, [call(18, "Z998", 9)]), current=False)  # a duplicate
    link.push(board(8, [call(21, "A031", 1), call(20, "A030", 1)]))
    wait_version(page, QUEUE, 8)
    assert page.evaluate("window.__applied") == [8]
    assert tickets(page) == ["A031", "A030"]


def test_first_board_after_load_is_not_announced(harness: Harness, open_queue: Any) -> None:
    harness.screen("wall", queue_payload())
    link = QueueLink(board(3, [call(31, "A005", 2), call(30, "A004", 1)]))
    page = open_queue("wall", link)
    wait_version(page, QUEUE, 3)
    link.push(board(4, [call(32, "A006", 1), call(31, "A005", 2), call(30, "A004", 1)]))
    log = announcements(page, 1)
    assert [e["id"] for e in log] == [32]
    assert log[0]["text"] == "请A006号到1号窗口办理" and log[0]["recall"] is False
    assert log[0]["voice"] == "Test Mandarin"
    assert log[0]["chime"] == "played", "the test browser runs with --autoplay-policy=no-user-gesture-required"
    spoken = page.evaluate("speechSynthesis.spoken")
    assert [s["text"] for s in spoken] == ["请A006号到1号窗口办理"] and spoken[0]["lang"] == "zh-CN"


def test_recall_is_marked_and_announced_as_a_recall(harness: Harness, open_queue: Any) -> None:
    harness.screen("wall", queue_payload())
    link = QueueLink(board(1, [call(40, "A023", 5, ago=20)]))
    page = open_queue("wall", link)
    wait_version(page, QUEUE, 1)
    link.push(board(2, [call(41, "A023", 5, recall=True), call(40, "A023", 5, ago=20)]))
    hero = page.locator(f"{QUEUE} .qb__call--newest")
    expect(hero).to_have_attribute("data-recall", "true")
    expect(hero.locator(".qb__recall")).to_have_text("重呼")
    expect(hero.locator(".qb__sentence")).to_have_text("重呼请A023号到5号窗口办理")
    log = announcements(page, 1)
    assert [(e["id"], e["text"], e["recall"]) for e in log] == [(41, "重呼：请A023号到5号窗口办理", True)]


def test_calls_in_quick_succession_are_announced_one_after_the_other(harness: Harness, open_queue: Any) -> None:
    harness.screen("wall", queue_payload())
    link = QueueLink(board(1, []))
    page = open_queue("wall", link)
    wait_version(page, QUEUE, 1)
    link.push(board(2, [call(51, "A010", 1)]))
    link.push(board(3, [call(52, "B004", 2), call(51, "A010", 1)]))
    log = announcements(page, 2)
    assert [e["id"] for e in log] == [51, 52]
    assert_in_turn(log)
    spoken = page.evaluate("speechSynthesis.spoken")
    assert [s["text"] for s in spoken] == ["请A010号到1号窗口办理", "请B004号到2号窗口办理"]
    assert spoken[0]["end"] <= spoken[1]["at"], "the second utterance started before the first ended"
    assert page.locator(f"{QUEUE} .qb__call--speaking").count() == 0, "nothing is marked once all is read"


def test_an_engine_that_never_ends_does_not_block_the_queue(harness: Harness, open_queue: Any) -> None:
    harness.screen("wall", queue_payload())
    link = QueueLink(board(1, []))
    page = open_queue("wall", link, speech="hang")
    wait_version(page, QUEUE, 1)
    page.evaluate("window.__wall.announcer.speechTimeoutMs = 1500")
    link.push(board(2, [call(61, "A011", 1)]))
    link.push(board(3, [call(62, "A012", 4), call(61, "A011", 1)]))
    log = announcements(page, 2)
    assert [(e["id"], e["speech"]) for e in log] == [(61, "timeout"), (62, "timeout")]
    assert_in_turn(log)
    assert page.evaluate("speechSynthesis.cancelled") >= 2


def test_without_a_chinese_voice_only_the_chime_sounds(harness: Harness, open_queue: Any) -> None:
    harness.screen("wall", queue_payload())
    link = QueueLink(board(1, []))
    page = open_queue("wall", link, speech="english")
    wait_version(page, QUEUE, 1)
    link.push(board(2, [call(65, "A013", 2)]))
    log = announcements(page, 1)
    assert [(e["chime"], e["voice"], e["speech"]) for e in log] == [("played", None, None)]
    assert page.evaluate("speechSynthesis.spoken") == []


def test_a_call_older_than_a_minute_is_not_read(harness: Harness, open_queue: Any) -> None:
    harness.screen("wall", queue_payload())
    link = QueueLink(board(1, []))
    page = open_queue("wall", link)
    wait_version(page, QUEUE, 1)
    link.push(board(2, [call(67, "A015", 2), call(66, "A014", 1, ago=90)]))  # back online after a gap
    log = announcements(page, 1)
    assert [e["id"] for e in log] == [67]


def test_blocked_audio_still_shows_the_call_and_logs_it(harness: Harness, open_queue: Any) -> None:
    harness.screen("wall", queue_payload())
    link = QueueLink(board(1, []))
    page = open_queue("wall", link, audio="blocked")
    wait_version(page, QUEUE, 1)
    link.push(board(2, [call(71, "A040", 3)]))
    expect(page.locator(f"{QUEUE} .qb__call--speaking")).to_have_attribute("data-ticket", "A040", timeout=10_000)
    log = announcements(page, 1)
    assert log[0]["chime"] == "blocked"
    assert page.evaluate("window.__wall.announcer.audioBlocked") is True


def test_reload_keeps_the_board_and_tells_the_server_its_version(harness: Harness, open_queue: Any) -> None:
    harness.screen("wall", queue_payload())
    link = QueueLink(board(9, [call(81, "A050", 2)]))
    page = open_queue("wall", link)
    wait_version(page, QUEUE, 9)
    assert "queue" not in link.hellos[0]["held"], "a player holding no board leaves the stream out"
    page.reload()
    wait_version(page, QUEUE, 9)
    page.wait_for_function("document.getElementById('wall').dataset.conn === 'online'", timeout=15_000)
    assert link.hellos[-1]["held"]["queue"] == {"version": 9}
    assert page.evaluate("window.__wall.announcer.log") == []


def test_board_is_marked_stale_after_two_minutes_offline_and_still_shown(harness: Harness, open_queue: Any) -> None:
    harness.screen("wall", queue_payload())
    page = open_queue("wall", QueueLink(board(4, [call(85, "A055", 2)])), clock=True)
    wait_version(page, QUEUE, 4)
    expect(page.locator(QUEUE)).to_have_attribute("data-stale", "false")
    harness.stop()
    page.wait_for_function("document.getElementById('wall').dataset.conn !== 'online'", timeout=15_000)
    page.clock.fast_forward("02:10")
    expect(page.locator(QUEUE)).to_have_attribute("data-stale", "true")
    expect(page.locator(f"{QUEUE} .qb__stale")).to_have_text("排队信息暂未更新")
    assert tickets(page) == ["A055"]


def test_a_restored_server_with_a_lower_version_is_followed(harness: Harness, open_queue: Any) -> None:
    harness.screen("wall", queue_payload())
    link = QueueLink(board(9, [call(91, "A060", 2)]))
    page = open_queue("wall", link)
    wait_version(page, QUEUE, 9)
    link.board = board(3, [call(11, "A002", 1)])  # the database came back from last night's backup
    page.reload()
    wait_version(page, QUEUE, 3)
    assert tickets(page) == ["A002"]
    link.push(board(4, [call(12, "A003", 1), call(11, "A002", 1)]))
    wait_version(page, QUEUE, 4)


def strip_board(version: int, ticket: str | None, state: str | None, calls: list[dict[str, Any]]) -> dict[str, Any]:
    return board(version, calls, counters=[counter(3, 41, "B002", "serving"), counter(5, 42, ticket, state)])


def assert_fits(page: Any, selector: str) -> dict[str, float]:
    """Check a one-line element is no wider than itself shows and no taller than its parent."""
    box = page.eval_on_selector(
        selector,
        "el => ({sw: el.scrollWidth, cw: el.clientWidth, sh: el.scrollHeight,"
        " ch: el.parentElement.clientHeight, font: parseFloat(getComputedStyle(el).fontSize)})",
    )
    assert box["sw"] <= box["cw"], f"{selector} overflows its width: {box}"
    assert box["sh"] <= box["ch"], f"{selector} is taller than its strip: {box}"
    return box


def test_counter_strip_shows_its_own_counter_and_follows_the_board(harness: Harness, open_queue: Any) -> None:
    harness.screen("strip", queue_payload(), id=42, low_resolution=True, width=640, height=64)
    link = QueueLink(strip_board(1, "A023", "called", [call(100, "A023", 5)]), kind="counter")
    page = open_queue("strip", link, width=640, height=64)
    strip = page.locator(".strip")
    wait_version(page, ".strip", 1)
    expect(strip).to_have_attribute("data-ticket", "A023")
    expect(strip).to_have_attribute("data-state", "called")
    expect(strip.locator(".strip__line")).to_have_text("5号窗口请A023号")
    assert page.evaluate("document.documentElement.classList.contains('led')")
    expect(page.locator(QUEUE)).to_have_count(0)
    box = assert_fits(page, ".strip__line")
    assert box["font"] >= 40, f"a 64 px strip should use most of its height: {box}"
    assert page.evaluate("(s => s.scrollWidth <= s.clientWidth)(document.querySelector('.strip'))")

    link.push(strip_board(2, "A023", "serving", [call(100, "A023", 5)]))
    expect(strip.locator(".strip__line")).to_have_text("5号窗口正在办理 A023")
    link.push(strip_board(3, "A023", "called", [call(101, "A023", 5, recall=True), call(100, "A023", 5)]))
    expect(strip).to_have_attribute("data-recall", "true")
    expect(strip.locator(".strip__recall")).to_have_text("重呼")
    expect(strip.locator(".strip__line--blink")).to_have_count(1)
    assert_fits(page, ".strip__line")
    link.push(strip_board(4, None, None, [call(101, "A023", 5, recall=True)]))
    expect(strip.locator(".strip__line")).to_have_text("5号窗口欢迎光临")
    assert page.evaluate("window.__wall.announcer.enabled") is False
    assert page.evaluate("window.__wall.announcer.log") == []


def test_counter_screen_without_a_counter_plays_signage(harness: Harness, open_queue: Any) -> None:
    items = wm.standard_items(**{"notice:1": wm.notice(1)})
    harness.screen("strip", wm.simple(wm.standard_regions([wm.entry("notice:1", 30)]), items), id=77)
    link = QueueLink(strip_board(1, "A023", "called", [call(100, "A023", 5)]), kind="counter")
    page = open_queue("strip", link, width=1920, height=200)
    page.wait_for_function("document.getElementById('wall').dataset.queueVersion === '1'", timeout=10_000)
    expect(page.locator("[data-region=main] .region__view")).to_contain_text("稳岗返还")
    expect(page.locator(".strip")).to_be_hidden()


def test_an_emergency_takes_over_a_counter_strip(harness: Harness, open_queue: Any) -> None:
    start, end = wm.utcnow() - timedelta(minutes=5), wm.utcnow() + timedelta(hours=2)
    body = wm.manifest(
        [wm.segment(start, end, wm.standard_regions([]), layer="emergency", emergencies=[wm.emergency(1, start, end)])],
        wm.standard_items(),
    )
    harness.screen("strip", wm.payload(body, 42), id=42, low_resolution=True)
    link = QueueLink(strip_board(1, "A023", "called", [call(100, "A023", 5)]), kind="counter")
    page = open_queue("strip", link, width=640, height=64)
    wait_version(page, ".strip", 1)
    expect(page.locator(".emergency")).to_be_visible()
    on_top = page.evaluate("document.elementFromPoint(320, 32).closest('.emergency') !== null")
    assert on_top, "the counter strip is drawn over the emergency"


def test_queue_screenshots(harness: Harness, open_queue: Any, artifacts: Path) -> None:
    """The wall's queue region at 1920×1080 and a counter strip as LED (640×64) and LCD (1920×200)."""
    calls = [
        call(13, "A023", 5),
        call(12, "B011", 3),
        call(11, "A022", 2, recall=True),
        call(10, "C003", 7, service="医保业务"),
        call(9, "A021", 1),
        call(8, "B010", 4),
        call(7, "A020", 6),
        call(6, "A019", 2),
    ]
    shots = []
    for key, layout, width, height in (
        ("wall", QUEUE_LAYOUT, 1920, 1080),
        ("wall-side", SIDE_LAYOUT, 1920, 1080),
        ("wall-led", QUEUE_LAYOUT, 768, 384),
    ):
        harness.screen(key, queue_payload(layout=layout))
        wall = open_queue(key, QueueLink(board(5, calls)), width=width, height=height)
        wait_version(wall, QUEUE, 5)
        wall.wait_for_function(
            "document.querySelector('.qb__call--newest').getAnimations().length === 0", timeout=10_000
        )  # the newest call's pulse is over
        shots.append((wall, f"queue-{key}-{width}x{height}"))
    harness.screen("strip", queue_payload(), id=42, low_resolution=True)
    states = {
        "called": strip_board(5, "A023", "called", [call(13, "A023", 5)]),
        "recall": strip_board(5, "A023", "called", [call(14, "A023", 5, recall=True)]),
        "serving": strip_board(5, "A023", "serving", [call(13, "A023", 5)]),
    }
    for name, state in states.items():
        for width, height, panel in ((640, 64, "led"), (1920, 200, "lcd")):
            page = open_queue("strip", QueueLink(state, kind="counter"), width=width, height=height)
            wait_version(page, ".strip", 5)
            # The picture shows the steady line, once the blink of a new call is over.
            page.wait_for_function("document.getAnimations().every(a => a.playState !== 'running')", timeout=10_000)
            assert_fits(page, ".strip__line")
            shots.append((page, f"queue-strip-{panel}-{name}-{width}x{height}"))
    for page, name in shots:
        page.evaluate("document.fonts.ready.then(() => true)")
        page.screenshot(path=str(artifacts / f"{name}.png"))
