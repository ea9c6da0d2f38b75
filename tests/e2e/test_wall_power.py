"""Acceptance, end to end: a wall follows its hall's power schedule by going black, online and offline.

A real ``kiosk serve``, the real wall player in Chromium. The hall's hours leave one minute off
(opening hours are whole minutes, the margin 0): the wall goes black at its start, shows an
emergency posted during it, goes black again when the emergency expires, and comes back at the end
of the minute with the server stopped, by its own clock and the intervals it kept.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
from sqlalchemy.orm import Session

from content.org import power_schedules as power
from content.org.tree import Hall
from kiosk_server.database import make_engine
from tests.support import migrated_schema
from tests.support.browser import chromium_missing, doc_screenshot, screenshot
from tests.support.server import ServerProcess
from tests.support.world import World, build_world

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
]

AUTH = {"Authorization": "Bearer test-token"}
VACANCY = "仓储管理员"
HALL = "城关区公共就业服务中心"  # in the header of every page the wall shows
LAYER_SHOWN = "() => { const el = document.querySelector('[data-power-off]'); return !!el && !el.hidden; }"
LAYER_HIDDEN = "() => { const el = document.querySelector('[data-power-off]'); return !!el && el.hidden; }"
# The layer is what the middle of the screen shows (nothing of the wall shows through).
LAYER_ON_TOP = "() => document.elementFromPoint(innerWidth / 2, innerHeight / 2)?.dataset.powerOff === '1'"


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[ServerProcess, World, str]]:
    # SQLite only: the browser part waits out a real minute (about 100 s); the intervals it follows
    # are checked on both databases in tests/kiosk_server/test_player_power.py.
    database_url = f"sqlite:///{tmp_path / 'kiosk.sqlite3'}"
    engine = make_engine(database_url)
    migrated_schema.ready(engine)
    with Session(engine) as session:
        world = build_world(session, vacancies=3)
        session.commit()
    engine.dispose()
    server = ServerProcess(tmp_path / "server", database_url)
    server.start()
    yield server, world, database_url
    server.stop()


def one_minute_off(database_url: str, world: World) -> datetime:
    """Give the hall hours that leave the minute from the next boundary at least 12 s away off; its start."""
    soon = datetime.now(UTC) + timedelta(seconds=12)
    start = soon.replace(second=0, microsecond=0) + timedelta(minutes=1)
    zone_name = "Asia/Shanghai"
    local = start.astimezone(ZoneInfo(zone_name))
    if not 5 <= local.hour * 60 + local.minute <= 24 * 60 - 5:
        zone_name = "Asia/Urumqi"  # two hours behind Beijing: the minute and the next are on one day there
        local = start.astimezone(ZoneInfo(zone_name))
    close, reopen = local.strftime("%H:%M"), (local + timedelta(minutes=1)).strftime("%H:%M")
    engine = make_engine(database_url)
    with Session(engine) as session:
        hall = session.get(Hall, world.hall_id)
        assert hall is not None
        hall.timezone = zone_name
        power.set_hall_hours(session, hall, f"Mon-Sun 00:00-{close},{reopen}-24:00", 0, by="test")
        session.commit()
    engine.dispose()
    return start


def wait_ms(until: datetime, slack_s: float = 10) -> int:
    return int(max(0.0, (until - datetime.now(UTC)).total_seconds() + slack_s) * 1000)


def test_a_wall_goes_black_in_off_hours_wakes_for_an_emergency_and_follows_offline(browser: Any, live) -> None:
    server, world, database_url = live
    key = world.wall_keys[0]
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    try:
        page.goto(f"{server.url}/screen/{key}")
        page.wait_for_function("t => document.body.innerText.includes(t)", arg=VACANCY, timeout=15_000)
        page.wait_for_function("() => window.__wall && window.__wall.power.schedule !== null", timeout=15_000)
        assert page.evaluate("window.__wall.power.schedule.off.length") == 0, "no hours anywhere: always on"
        assert page.evaluate(LAYER_HIDDEN)

        off_at = one_minute_off(database_url, world)
        on_at = off_at + timedelta(minutes=1)
        page.reload()  # the next welcome carries the new intervals
        page.wait_for_function("t => document.body.innerText.includes(t)", arg=VACANCY, timeout=15_000)
        page.wait_for_function("() => window.__wall.power.schedule?.off.length > 0", timeout=15_000)
        assert page.evaluate(LAYER_HIDDEN), "before the off minute the wall plays"

        page.wait_for_function(LAYER_SHOWN, timeout=wait_ms(off_at))
        assert datetime.now(UTC) >= off_at - timedelta(seconds=1), "black no earlier than the schedule says"
        assert page.evaluate(LAYER_ON_TOP)
        assert page.evaluate("getComputedStyle(document.querySelector('[data-power-off]')).cursor") == "none"

        # An emergency during off hours is shown, and the wall goes black again when it expires.
        title = "闭馆期间消防演练"
        expires = datetime.now(UTC) + timedelta(seconds=12)
        response = requests.post(
            f"{server.url}/api/v1/emergencies",
            headers=AUTH,
            timeout=10,
            json={
                "org_unit_id": world.province_id,
                "title": title,
                "body": "请值班人员按预案组织疏散。",
                "severity": "critical",
                "expires_at": expires.isoformat(),
                "targets": [{"mode": "include", "kind": "org", "ref": world.province_id}],
            },
        )
        assert response.status_code == 201, response.text
        page.wait_for_function("t => document.body.innerText.includes(t)", arg=title, timeout=5_000)
        page.wait_for_function(LAYER_HIDDEN, timeout=2_000)
        assert not page.evaluate(LAYER_ON_TOP)
        doc_screenshot(page, "wall-power-off")
        page.wait_for_function(LAYER_SHOWN, timeout=wait_ms(expires))
        assert datetime.now(UTC) < on_at, "the test's minute ran out: the machine is too slow for this test"

        # Offline: the server is gone; the wall comes back at the end of the minute by itself.
        server.stop()
        page.wait_for_function("() => document.querySelector('#wall').dataset.conn !== 'online'", timeout=10_000)
        kept = json.loads(page.evaluate(f"localStorage.getItem('wall:{key}:power')"))
        assert [off_at.strftime("%Y-%m-%dT%H:%M:%SZ"), on_at.strftime("%Y-%m-%dT%H:%M:%SZ")] in kept["off"]
        page.wait_for_function(LAYER_HIDDEN, timeout=wait_ms(on_at))
        assert datetime.now(UTC) >= on_at - timedelta(seconds=1), "on no earlier than the schedule says"
        page.wait_for_function("t => document.body.innerText.includes(t)", arg=HALL, timeout=5_000)

        # After a restart the kept intervals are followed before the server says anything.
        restarted = page.evaluate(
            """async ([off, on, slot]) => {
                const url = `${document.querySelector('#wall').dataset.staticUrl}/js/power.js`;
                const { PowerBlank, offAt, parseSchedule } = await import(url);
                const states = [];
                for (const at of [off + 30_000, on + 1_000]) {
                    const blank = new PowerBlank({ storage: localStorage, slot, now: () => at });
                    blank.start(document.createElement('div'));
                    states.push(blank.blanked);
                    clearTimeout(blank.timer);
                    document.removeEventListener('play', blank.onPlay, true);
                }
                const kept = parseSchedule(JSON.parse(localStorage.getItem(slot)));
                states.push(offAt(kept, kept.until + 1_000)); // past the horizon without news: on
                return states;
            }""",
            [off_at.timestamp() * 1000, on_at.timestamp() * 1000, f"wall:{key}:power"],
        )
        assert restarted == [True, False, False]
    except Exception:
        screenshot(page, "e2e-wall-power-failed")
        raise
    finally:
        page.close()
