"""The alert rules with a fake clock: raise delay, clear delay, urgent faults, flapping over a synthetic hour."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from content.signage.alert_rules import (
    ABSENT,
    AlertKind,
    AlertPolicy,
    Change,
    Observation,
    Shown,
    Track,
    lag,
    reader_trouble,
    resumed,
    silence,
    step,
)

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
EVERY = timedelta(seconds=30)  # the watcher's round
OFFLINE = timedelta(seconds=112.5)  # 2.5 heartbeat periods of 45 s
POLICY = AlertPolicy(
    raise_after={
        AlertKind.SILENT: OFFLINE,
        AlertKind.BEHIND: timedelta(minutes=10),
        AlertKind.READER_FAULT: timedelta(minutes=5),
        AlertKind.PRINTER_FAULT: timedelta(minutes=5),
    },
    clear_after=timedelta(minutes=5),
    flap_limit=3,
)
PRESENT = Observation(present=True)


def run(
    seen: Callable[[timedelta], Observation],
    minutes: float,
    kind: AlertKind = AlertKind.BEHIND,
    track: Track | None = None,
    start: datetime = T0,
) -> tuple[list[tuple[float, Change]], Track]:
    """Step a track every 30 s for ``minutes``; returns (minute offset, change) for each change, and the track."""
    track = track or Track()
    changes = []
    offset = timedelta(0)
    while offset <= timedelta(minutes=minutes):
        result = step(track, seen(offset), start + offset, kind, POLICY)
        track = result.track
        if result.change is not None:
            changes.append((offset.total_seconds() / 60, result.change))
        offset += EVERY
    return changes, track


def test_a_condition_shorter_than_the_raise_delay_raises_nothing() -> None:
    changes, track = run(lambda t: PRESENT if t < timedelta(minutes=9, seconds=30) else ABSENT, 30)
    assert changes == []
    assert track.idle, "nothing left to remember: the watcher forgets the track"


def test_a_condition_raises_once_when_it_has_held_for_the_raise_delay() -> None:
    changes, track = run(lambda t: PRESENT, 30)
    assert changes == [(10.0, Change.RAISED)]
    assert track.shown is Shown.ALERT


def test_silence_counts_from_the_last_beat_not_from_the_first_look() -> None:
    last_heard = T0 - timedelta(seconds=100)
    seen = Observation(present=True, since=last_heard)
    first = step(Track(), seen, T0, AlertKind.SILENT, POLICY)
    assert first.change is None, "100 s of silence is below 2.5 periods"
    second = step(first.track, seen, T0 + EVERY, AlertKind.SILENT, POLICY)
    assert second.change is Change.RAISED


def test_a_repeating_reader_fault_raises_at_once() -> None:
    urgent = step(Track(), Observation(present=True, urgent=True), T0, AlertKind.READER_FAULT, POLICY)
    assert urgent.change is Change.RAISED


def test_a_short_recovery_keeps_the_alert_open_and_a_long_one_clears_it_once() -> None:
    def seen(t: timedelta) -> Observation:
        if t < timedelta(minutes=12):
            return PRESENT  # raised at 10 min
        if t < timedelta(minutes=16):
            return ABSENT  # 4 min: below the clear delay
        if t < timedelta(minutes=16, seconds=30):
            return PRESENT  # back for one look: the clear delay starts again
        return ABSENT

    changes, track = run(seen, 40)
    assert changes == [(10.0, Change.RAISED), (21.5, Change.CLEARED)]  # 16.5 + 5 min
    assert track.shown is Shown.NONE


def flapping_link(t: timedelta) -> Observation:
    """Silent for 3 minutes in every 9 until minute 60, then steady; last heard when each silence began."""
    if t >= timedelta(minutes=60):
        return ABSENT
    cycle = t % timedelta(minutes=9)
    if cycle < timedelta(minutes=3):
        return Observation(present=True, since=T0 + t - cycle)
    return ABSENT


def test_a_flapping_screen_becomes_one_flapping_alert_with_one_change() -> None:
    changes, _ = run(flapping_link, 60, kind=AlertKind.SILENT)
    raised = [at for at, change in changes if change is Change.RAISED]
    flapping = [at for at, change in changes if change is Change.FLAPPING]
    assert len(raised) == POLICY.flap_limit, "the first episodes are ordinary alerts"
    assert len(flapping) == 1, "then one flapping alert, however often it drops"
    assert changes[-1][1] is Change.FLAPPING, "nothing after it while the link keeps flapping"
    assert [change for _, change in changes].count(Change.CLEARED) == POLICY.flap_limit


def test_a_flapping_alert_clears_once_stable_and_no_longer_flapping() -> None:
    changes, track = run(flapping_link, 180, kind=AlertKind.SILENT)
    assert changes[-1][1] is Change.CLEARED
    # Episodes begin 2 min into each 9-min cycle (112.5 s of silence, at the next 30 s look). The
    # flapping alert is raised at the 4th (minute 29); it takes the later ones in, the last at 56. It
    # clears when at most 3 episodes remain in the past hour: the 4th-latest, at 29, leaves it at 89.
    cleared_at = changes[-1][0]
    assert cleared_at == pytest.approx(89.0, abs=0.5)
    assert track.shown is Shown.NONE


def test_a_resumed_track_carries_on_as_the_original() -> None:
    track = resumed(Shown.ALERT, T0, (), POLICY)
    assert step(track, PRESENT, T0 + EVERY, AlertKind.BEHIND, POLICY).change is None, "not raised a second time"
    changes, _ = run(lambda t: ABSENT, 10, track=track, start=T0 + EVERY)
    assert changes == [(5.0, Change.CLEARED)]


def test_a_resumed_flapping_alert_stays_until_its_raise_leaves_the_window() -> None:
    track = resumed(Shown.FLAPPING, T0, (), POLICY)
    changes, _ = run(lambda t: ABSENT, 90, kind=AlertKind.SILENT, track=track, start=T0 + EVERY)
    assert [change for _, change in changes] == [Change.CLEARED]
    assert changes[0][0] == pytest.approx(59.5, abs=0.5)


def test_a_policy_needs_a_raise_delay_for_every_kind() -> None:
    with pytest.raises(ValueError, match="reader_fault"):
        AlertPolicy(raise_after={AlertKind.SILENT: OFFLINE, AlertKind.BEHIND: OFFLINE}, clear_after=OFFLINE)


def test_silence_observations() -> None:
    assert silence(None, False, T0, OFFLINE) is ABSENT, "never heard: not installed yet"
    assert silence(T0 - timedelta(seconds=50), True, T0, OFFLINE) is ABSENT
    gone = silence(T0 - timedelta(seconds=5), False, T0, OFFLINE)
    assert gone.present and gone.since == T0 - timedelta(seconds=5)
    mute = silence(T0 - timedelta(seconds=200), True, T0, OFFLINE)
    assert mute.present and mute.since == T0 - timedelta(seconds=200)


def test_lag_observations() -> None:
    recent = T0 - timedelta(seconds=10)
    assert lag(recent, True, "aaaa", "bbbb", T0, OFFLINE).present
    assert lag(recent, True, None, "bbbb", T0, OFFLINE).present, "nothing shown yet counts as behind"
    assert not lag(recent, True, "bbbb", "bbbb", T0, OFFLINE).present
    assert not lag(recent, True, "aaaa", None, T0, OFFLINE).present, "an unknown group is the server's business"
    assert not lag(recent, False, "aaaa", "bbbb", T0, OFFLINE).present, "offline is silent, not behind"


def test_reader_trouble_observations() -> None:
    assert reader_trouble([]) is ABSENT
    one = reader_trouble([(T0, 1), (T0 - timedelta(minutes=2), 1)])
    assert one.present and one.since == T0 - timedelta(minutes=2) and not one.urgent
    assert reader_trouble([(T0, 3)]).urgent
