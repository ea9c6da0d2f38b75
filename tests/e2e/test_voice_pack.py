"""Acceptance, end to end: a wall with no speech engine reads a whole call from its voice pack.

A real `kiosk serve` with a synthetic voice pack (one sine WAV of its own length per segment) as the
default pack, the real counter page and wall player in Chromium, with ``speechSynthesis`` removed
before the page's scripts run. The test reads what the player scheduled on the Web Audio clock
(``window.__voiceLog``) and checks the segments' order and that each starts where the previous ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.org import screen_voice
from content.org.screens import Screen
from content.signage import voice_packs
from kiosk_server.database import make_engine
from kiosk_server.voice_store import store_pack
from tests.support import migrated_schema
from tests.support.browser import chromium_missing
from tests.support.queue_world import STAFF_PASSWORD, STAFF_USER, QueueHall, add_queue, take_tickets
from tests.support.server import ServerProcess
from tests.support.voice_pack_files import segment_seconds, synthetic_pack_files
from tests.support.world import build_world

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
]

DEADLINE_MS = 15_000
NO_SPEECH_ENGINE = """
  Object.defineProperty(window, "speechSynthesis", { value: undefined, configurable: true });
  Object.defineProperty(window, "SpeechSynthesisUtterance", { value: undefined, configurable: true });
"""
SECONDS = {name: segment_seconds(i) for i, name in enumerate(voice_packs.SEGMENTS)}


@dataclass
class Live:
    server: ServerProcess
    hall: QueueHall


@pytest.fixture
def live(database_url: str, tmp_path: Path) -> Iterator[Live]:
    engine = make_engine(database_url)
    migrated_schema.ready(engine)
    data_dir = tmp_path / "server"
    with Session(engine) as session:
        hall = add_queue(session, build_world(session, vacancies=3), counters=2, strips=0)
        take_tickets(session, hall, "A", 3, datetime.now(UTC))
        segments = voice_packs.check_segments(synthetic_pack_files())
        store_pack(session, data_dir, None, segments, "upload", "synthetic")
        # The hall's second wall: quiet (silent) from an hour ago to an hour from now, at volume 35.
        local = datetime.now(ZoneInfo("Asia/Shanghai"))
        quiet = [(local + timedelta(hours=h)).strftime("%H:%M") for h in (-1, 1)]
        second = session.scalars(select(Screen.id).where(Screen.key == hall.world.wall_keys[1])).one()
        screen_voice.save(session, second, screen_voice.validate(35, quiet[0], quiet[1], "silent"))
        session.commit()
    engine.dispose()
    server = ServerProcess(data_dir, database_url)
    server.start()
    yield Live(server, hall)
    server.stop()


def counter_page(browser: Any, live: Live) -> Any:
    page = browser.new_page(viewport={"width": 800, "height": 480})
    page.goto(f"{live.server.url}/counter/login")
    page.fill("#username", STAFF_USER)
    page.fill("#password", STAFF_PASSWORD)
    page.click("button[type=submit]")
    page.click(f"[data-counter='{live.hall.counter_ids[5]}']")
    page.wait_for_selector("[data-action=call]:not([disabled])")
    return page


def press(counter: Any, action: str, key: str) -> None:
    counter.wait_for_selector(f"[data-action={action}]:not([disabled])", timeout=DEADLINE_MS)
    counter.keyboard.press(key)


def wall_without_speech(browser: Any, live: Live, number: int = 0) -> Any:
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    context.add_init_script(NO_SPEECH_ENGINE)
    page = context.new_page()
    page.goto(f"{live.server.url}/screen/{live.hall.world.wall_keys[number]}")
    page.wait_for_selector(".region--queue .qb__line", timeout=DEADLINE_MS)
    assert page.evaluate("() => window.speechSynthesis === undefined && !window.SpeechSynthesisUtterance")
    page.wait_for_function(
        "() => window.__wall.store.manifest && window.__wall.store.manifest.voice", timeout=DEADLINE_MS
    )
    return page


def announced(wall: Any, ticket: str, recall: bool) -> dict[str, Any]:
    """The announcer's log entry for the call, once it has ended."""
    found: dict[str, Any] = wall.evaluate_handle(
        """([ticket, recall]) => new Promise((resolve) => {
             const look = () => {
               const entry = window.__wall.announcer.log.find(
                 (e) => e.text.includes(ticket) && e.recall === recall && e.endedAt !== null);
               if (entry) resolve(entry); else setTimeout(look, 50);
             };
             look();
           })""",
        [ticket, recall],
    ).json_value()
    return found


def check_back_to_back(segments: list[dict[str, Any]], names: list[str]) -> None:
    assert [s["name"] for s in segments] == names
    for segment in segments:
        # The decoded buffer is the pack's file: each synthetic segment has its own length.
        assert segment["duration"] == pytest.approx(SECONDS[segment["name"]], abs=0.002), segment
    for earlier, later in zip(segments, segments[1:], strict=False):
        assert later["when"] == pytest.approx(earlier["when"] + earlier["duration"], abs=1e-6), (earlier, later)


def test_a_whole_call_and_its_recall_are_read_from_the_voice_pack_with_no_speech_engine(
    browser: Any, live: Live
) -> None:
    wall = wall_without_speech(browser, live)
    counter = counter_page(browser, live)

    press(counter, "call", "n")
    wall.wait_for_selector(".qb__call--newest[data-ticket=A001]", timeout=DEADLINE_MS)
    wall.wait_for_function(
        "() => window.__wall.announcer.log.some(e => e.text.includes('A001') && e.endedAt !== null)",
        timeout=DEADLINE_MS,
    )
    entry = announced(wall, "A001", False)
    assert entry["chime"] == "played" and entry["engine"] == "pack" and entry["voice"] is None
    # 请A001号到5号窗口办理: 请 A 零 零 一 号 到 五 号窗口办理
    call = ["qing", "A", "0", "0", "1", "hao", "dao", "5", "haochuangkoubanli"]
    check_back_to_back(entry["segments"], call)

    press(counter, "recall", "r")
    wall.wait_for_function(
        "() => window.__wall.announcer.log.some(e => e.recall && e.endedAt !== null)", timeout=DEADLINE_MS
    )
    again = announced(wall, "A001", True)
    assert again["engine"] == "pack"
    check_back_to_back(again["segments"], ["chonghu", *call])
    log = wall.evaluate("() => window.__voiceLog")
    assert [s["name"] for s in log] == [*call, "chonghu", *call]  # what the audio clock was given, in order
    assert log[len(call)]["when"] > log[len(call) - 1]["when"] + log[len(call) - 1]["duration"]  # a new call, later


def test_a_wall_in_its_quiet_hours_marks_the_call_and_plays_nothing(browser: Any, live: Live) -> None:
    quiet_wall = wall_without_speech(browser, live, number=1)
    assert quiet_wall.evaluate("() => window.__wall.announcer.volume") == 35
    loud_wall = wall_without_speech(browser, live, number=0)
    assert loud_wall.evaluate("() => window.__wall.announcer.volume") == 100
    counter = counter_page(browser, live)
    press(counter, "call", "n")
    quiet = announced(quiet_wall, "A001", False)
    assert quiet["quiet"] == "silent" and quiet["chime"] == "quiet" and quiet["engine"] is None
    assert quiet["segments"] == [] and quiet_wall.evaluate("() => window.__voiceLog.length") == 0
    loud = announced(loud_wall, "A001", False)  # the same call, read on the other wall
    assert loud["quiet"] is None and loud["engine"] == "pack" and len(loud["segments"]) == 9


def test_segments_and_quiet_hours_as_the_player_reads_them(browser: Any, live: Live) -> None:
    wall = wall_without_speech(browser, live)
    result = wall.evaluate(
        """async () => {
             const { callSegments, quietMode } = await import("/display-static/js/voice-pack.js");
             const night = [{ from: "20:00", to: "08:30", mode: "chime" }];
             const at = (iso) => Date.parse(iso);
             return {
               segments: callSegments({ ticket: "A023", counter: "12", recall: true }),
               early: quietMode(night, "Asia/Shanghai", at("2026-12-07T00:10:00Z")),
               open: quietMode(night, "Asia/Shanghai", at("2026-12-07T00:40:00Z")),
               late: quietMode(night, "Asia/Shanghai", at("2026-12-07T13:00:00Z")),
               silent: quietMode([{ from: "12:00", to: "13:30", mode: "silent" }], "Asia/Shanghai",
                                 at("2026-12-07T04:30:00Z")),
               none: quietMode([], "Asia/Shanghai", at("2026-12-07T04:30:00Z")),
             };
           }"""
    )
    assert result["segments"] == ["chonghu", "qing", "A", "0", "2", "3", "hao", "dao", "1", "2", "haochuangkoubanli"]
    assert result["early"] == "chime"  # 08:10 in Lanzhou, before 08:30
    assert result["open"] is None  # 08:40
    assert result["late"] == "chime"  # 21:00
    assert result["silent"] == "silent"  # 12:30
    assert result["none"] is None
