"""When a screen's trouble becomes an alert, and when the alert ends: pure rules with hysteresis.

Each (screen, kind) has a ``Track``; the watcher (``kiosk_server/alert_watch.py``) observes every
live screen every 30 s and calls ``step`` with what it saw. Nothing here reads a clock or a
database: the instant is passed in, so the rules are tested over a synthetic hour.

- A condition must hold for the kind's **raise delay** before an alert is raised (at once when the
  observation is ``urgent``: a reader fault that repeats). An observation may say since when the
  condition holds (a silent screen: since it was last heard), so a watcher that starts late does
  not wait a second delay.
- It must be absent for the **clear delay** before the alert clears; a short recovery keeps it open.
- Every raise is an **episode**. A screen with more than ``flap_limit`` episodes within
  ``flap_window`` flaps: the next episode raises one *flapping* alert (one notification), and
  further episodes add nothing. It clears once the condition has been absent for the clear delay
  *and* the screen no longer flaps (at most ``flap_limit`` episodes in the window), so a link that
  keeps dropping stays one alert instead of one per drop.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

DEFAULT_FLAP_LIMIT: Final = 3
FLAP_WINDOW: Final = timedelta(hours=1)


class AlertKind(StrEnum):
    SILENT = "silent"  # no heartbeat for 2.5 periods (the fleet's "offline")
    BEHIND = "behind"  # online, showing another version than its manifest group's
    READER_FAULT = "reader_fault"  # a kiosk reader in fault (or unplugged)
    PRINTER_FAULT = "printer_fault"  # a kiosk's slip or A4 printer out of paper, offline, paused, open or in error


class Shown(StrEnum):
    """What the console shows for a track."""

    NONE = "none"
    ALERT = "alert"
    FLAPPING = "flapping"


class Change(StrEnum):
    """What one step did to the alert the console shows."""

    RAISED = "raised"
    FLAPPING = "flapping"  # raised as a flapping alert
    CLEARED = "cleared"


@dataclass(frozen=True)
class AlertPolicy:
    """The delays: ``raise_after`` per kind, one ``clear_after``, and what counts as flapping."""

    raise_after: Mapping[AlertKind, timedelta]
    clear_after: timedelta
    flap_limit: int = DEFAULT_FLAP_LIMIT
    flap_window: timedelta = FLAP_WINDOW

    def __post_init__(self) -> None:
        missing = set(AlertKind) - set(self.raise_after)
        if missing:
            raise ValueError(f"no raise delay for {', '.join(sorted(missing))}")
        if self.flap_limit < 1:
            raise ValueError(f"flap_limit {self.flap_limit} is below 1")


@dataclass(frozen=True)
class Observation:
    """One look at one condition of one screen."""

    present: bool
    since: datetime | None = None  # when the condition began, if the data knows (last heard, fault changed)
    urgent: bool = False  # raise without waiting for the delay (a reader fault that repeats)


ABSENT: Final = Observation(present=False)


@dataclass(frozen=True)
class Track:
    """The hysteresis state of one (screen, kind)."""

    present_since: datetime | None = None  # the condition holds, continuously since then
    absent_since: datetime | None = None  # the condition is absent, continuously since then
    episode: bool = False  # the condition, filtered by the delays, is on
    shown: Shown = Shown.NONE
    onsets: tuple[datetime, ...] = field(default=())  # when the episodes in the flap window began

    @property
    def idle(self) -> bool:
        """Nothing to remember: no alert, no episode, no flap history (the watcher may forget it)."""
        return self.shown is Shown.NONE and not self.episode and not self.onsets and self.present_since is None


@dataclass(frozen=True)
class Step:
    track: Track
    change: Change | None = None


def step(track: Track, seen: Observation, now: datetime, kind: AlertKind, policy: AlertPolicy) -> Step:
    """Apply one observation taken at ``now``; returns the new track and what changed for the console."""
    onsets = tuple(at for at in track.onsets if now - at < policy.flap_window)
    track = replace(track, onsets=onsets)
    if seen.present:
        return _present(track, seen, now, kind, policy)
    return _absent(track, now, policy)


def _present(track: Track, seen: Observation, now: datetime, kind: AlertKind, policy: AlertPolicy) -> Step:
    since = min(seen.since if seen.since is not None else (track.present_since or now), now)
    track = replace(track, present_since=since, absent_since=None)
    if track.episode or not (seen.urgent or now - since >= policy.raise_after[kind]):
        return Step(track)
    onsets = (*track.onsets, now)
    track = replace(track, episode=True, onsets=onsets)
    if track.shown is not Shown.NONE:  # a flapping alert still open takes the new episode in
        return Step(track)
    if len(onsets) > policy.flap_limit:
        return Step(replace(track, shown=Shown.FLAPPING), Change.FLAPPING)
    return Step(replace(track, shown=Shown.ALERT), Change.RAISED)


def _absent(track: Track, now: datetime, policy: AlertPolicy) -> Step:
    since = track.absent_since or now
    track = replace(track, present_since=None, absent_since=since)
    if now - since < policy.clear_after:
        return Step(track)
    track = replace(track, episode=False)
    if track.shown is Shown.ALERT or (track.shown is Shown.FLAPPING and len(track.onsets) <= policy.flap_limit):
        return Step(replace(track, shown=Shown.NONE), Change.CLEARED)
    return Step(track)


def resumed(shown: Shown, raised_at: datetime, earlier_onsets: tuple[datetime, ...], policy: AlertPolicy) -> Track:
    """The track of an alert still open in the database, for a watcher that starts (or takes over).

    The episode onsets are the raises kept in the database; a flapping alert counts as flapping
    from its raise (its single episodes were not written down), so it clears at the latest an
    hour after it was raised once the screen is stable.
    """
    onsets = earlier_onsets + ((raised_at,) * (policy.flap_limit + 1) if shown is Shown.FLAPPING else (raised_at,))
    return Track(present_since=raised_at, episode=True, shown=shown, onsets=tuple(sorted(onsets)))


# -- what the watcher saw, as observations -------------------------------------------------------------


def silence(seen_at: datetime | None, connected: bool, now: datetime, offline_after: timedelta) -> Observation:
    """Silent: heard once, and now disconnected or unheard for ``offline_after`` (the fleet's ``offline``).

    Since the last beat, so with ``raise_after[SILENT] == offline_after`` a disconnected screen
    raises once it has been gone that long, not at the first look. Never heard: not installed yet.
    """
    if seen_at is None or (connected and now - seen_at <= offline_after):
        return ABSENT
    return Observation(True, since=seen_at)


def lag(
    seen_at: datetime | None,
    connected: bool,
    shown: str | None,
    expected: str | None,
    now: datetime,
    offline_after: timedelta,
) -> Observation:
    """Behind: online and showing another version than its manifest group's (or none yet).

    A screen whose group the server does not know yet has no expected version: that is the
    server's business, not the screen's, so it raises nothing.
    """
    online = seen_at is not None and connected and now - seen_at <= offline_after
    if not online or expected is None or shown == expected:
        return ABSENT
    return Observation(True)


def printer_trouble(changed: list[datetime]) -> Observation:
    """A kiosk's printers that cannot print (when each got so): since the oldest; never urgent (paper runs out)."""
    if not changed:
        return ABSENT
    return Observation(True, since=min(changed))


def reader_trouble(faults: list[tuple[datetime, int]]) -> Observation:
    """A kiosk's faulty readers as (changed_at, repeated): since the oldest, urgent when one repeats."""
    if not faults:
        return ABSENT
    return Observation(True, since=min(at for at, _ in faults), urgent=any(repeated > 1 for _, repeated in faults))
