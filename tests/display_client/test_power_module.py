"""The player's power module (static/js/power.js) on its own, in real Chromium, with a clock the test moves.

tests/e2e/test_wall_power.py follows a real schedule end to end; this checks the rules it cannot
reach in a minute: a call while off wakes the screen for a while, an emergency wakes it, the
horizon ends the schedule, a broken payload means "on".
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

pytestmark = pytest.mark.browser

STATIC = "/display-static/js"


def run(page: Any, body: str) -> Any:
    return page.evaluate(f"async () => {{ const m = await import('{STATIC}/power.js'); {body} }}")


def test_a_call_while_off_wakes_the_screen_for_five_minutes_and_an_emergency_always(module_page: Any) -> None:
    states = run(
        module_page,
        """
        const T = Date.parse('2026-12-07T12:00:00Z');
        let now = T;
        const blank = new m.PowerBlank({ now: () => now });
        blank.start();
        const seen = {};
        blank.apply({ off: [['2026-12-07T10:15:00Z', '2026-12-08T00:15:00Z']], until: '2026-12-09T04:00:00Z' });
        seen.off = blank.blanked;
        seen.onTop = document.elementFromPoint(10, 10)?.dataset.powerOff === '1';
        seen.cursorOff = getComputedStyle(blank.layer).cursor;
        blank.noteBoard({ calls: [{ id: 1 }] }); // the first board: old news, no wake
        seen.firstBoard = blank.blanked;
        blank.noteBoard({ calls: [{ id: 1 }, { id: 2 }] });
        seen.newCall = blank.blanked;
        now = T + m.WAKE_AFTER_CALL_MS + 1;
        blank.refresh();
        seen.afterWake = blank.blanked;
        seen.emergency = blank.cover({ emergency: true });
        seen.emergencyOver = blank.cover({ emergency: false });
        now = Date.parse('2026-12-08T00:15:00Z');
        blank.refresh();
        seen.end = blank.blanked;
        clearTimeout(blank.timer);
        return seen;
        """,
    )
    assert states == {
        "off": True,
        "onTop": True,
        "cursorOff": "none",
        "firstBoard": True,
        "newCall": False,
        "afterWake": True,
        "emergency": False,
        "emergencyOver": True,
        "end": False,
    }


def test_past_the_horizon_or_without_a_schedule_the_screen_stays_on(module_page: Any) -> None:
    result = run(
        module_page,
        """
        const schedule = m.parseSchedule({ off: [['2026-12-07T10:00:00Z', '2026-12-10T00:00:00Z']],
                                           until: '2026-12-08T10:00:00Z' });
        return {
          inside: m.offAt(schedule, Date.parse('2026-12-08T09:59:59Z')),
          past: m.offAt(schedule, Date.parse('2026-12-08T10:00:00Z')),
          next: m.nextChangeAfter(schedule, Date.parse('2026-12-07T11:00:00Z')),
          broken: [null, {}, { off: 'x', until: 'y' }, { off: [['a', 'b']], until: '2026-12-08T10:00:00Z' },
                   { off: [], until: 'never' }].map(m.parseSchedule),
          none: m.offAt(null, Date.now()),
        };
        """,
    )
    assert result["inside"] is True
    assert result["past"] is False, "past the horizon without news: on"
    horizon = datetime(2026, 12, 8, 10, 0, tzinfo=UTC).timestamp() * 1000
    assert result["next"] == horizon, "the interval was clipped to the horizon: the next change is its end"
    assert result["broken"] == [None] * 5
    assert result["none"] is False
