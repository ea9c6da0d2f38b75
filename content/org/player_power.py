"""The power schedule a wall's or counter strip's player follows: its off-intervals over the next hours.

A wall or a counter strip has no device agent to switch its panel; its player blanks the page
instead (black pixels draw almost nothing on an LED wall). The rule is not ported to the browser:
the server asks ``opening_hours.next_change`` for every change of the next ``HORIZON`` in the hall's
zone and sends the player the off-intervals as UTC instants, with the end of the horizon. Past the
horizon without news the player stays on (docs/protocol.md, "Power schedule on the player").

Kiosks are left out (``payload`` gives None): their agent switches the panel, and the player must
never blank a page a citizen may be using.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Final

from sqlalchemy.orm import Session

from content.org.opening_hours import PowerSchedule, next_change, panel_on
from content.org.power_schedules import effective
from content.org.screens import Screen, ScreenKind

HORIZON: Final = timedelta(hours=48)
# A change of the schedule is at most this many per day in practice (a few spans a day); this bounds
# the loop should a schedule ever be pathological, not the result.
_MAX_CHANGES: Final = 400

Interval = tuple[datetime, datetime]


def off_intervals(schedule: PowerSchedule, start: datetime, horizon: timedelta = HORIZON) -> list[Interval]:
    """The spans (UTC, sorted, merged, clipped to ``[start, start + horizon]``) when the panel is off."""
    if start.tzinfo is None:
        raise ValueError("expected an aware datetime")
    begin = start.astimezone(UTC)
    until = begin + horizon
    if schedule.hours is None:
        return []
    found: list[Interval] = []
    at = begin
    off_since = None if panel_on(schedule.hours, at, schedule.tz, schedule.margin) else at
    for _ in range(_MAX_CHANGES):
        change = next_change(schedule.hours, at, schedule.tz, schedule.margin)
        if change is None or change >= until:
            break
        if off_since is None:
            off_since = change  # it turns off here
        else:
            found.append((off_since, change))
            off_since = None
        at = change
    if off_since is not None:
        found.append((off_since, until))
    return _merged(found)


def _merged(spans: list[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for begin, end in sorted(spans):
        if end <= begin:
            continue
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((begin, end))
    return merged


def _iso(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def wire(schedule: PowerSchedule, now: datetime, horizon: timedelta = HORIZON) -> dict[str, Any]:
    """``{"off": [[from, to], …], "until": <end of the horizon>}``, instants in UTC ISO 8601 ("…Z")."""
    begin = now.astimezone(UTC).replace(microsecond=0)
    spans = off_intervals(schedule, begin, horizon)
    return {"off": [[_iso(on), _iso(off)] for on, off in spans], "until": _iso(begin + horizon)}


def payload(session: Session, screen: Screen, now: datetime) -> dict[str, Any] | None:
    """What ``screen``'s player follows from ``now`` (the welcome's and the event's ``power``), or None
    for a kiosk (its agent switches the panel) and a retired screen."""
    if screen.kind == ScreenKind.KIOSK.value or screen.retired_at is not None:
        return None
    return wire(effective(session, screen).schedule, now)


def until_of(sent: dict[str, Any] | None) -> datetime | None:
    """The end of the horizon of a payload ``payload`` gave (None for None)."""
    if sent is None:
        return None
    return datetime.fromisoformat(str(sent["until"]).replace("Z", "+00:00"))
