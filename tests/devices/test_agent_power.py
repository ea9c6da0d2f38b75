"""The agent's power schedule: a week of switching with a fake clock, the panel tools, and bad schedules."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from devices.agent.power import BadSchedule, PowerKeeper, schedule_from_payload
from devices.agent.runner import RunResult
from tests.support.recording_runner import RecordingRunner

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
HALL = "Mon-Fri 08:30-12:00,14:00-17:30; Sat 09:00-12:00"
OK = RunResult(0)
XSET = {("xset", "dpms", "force", "off"): OK, ("xset", "dpms", "force", "on"): OK}
ENV = {"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0", "XDG_RUNTIME_DIR": "/run/user/1000"}


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start.astimezone(UTC)

    def __call__(self) -> datetime:
        return self.now


class TimedRunner(RecordingRunner):
    """Also notes the fake clock's time of every command."""

    def __init__(self, clock: Clock, installed: Sequence[str], answers: dict[tuple[str, ...], RunResult]) -> None:
        super().__init__(installed, answers)
        self.clock = clock
        self.at: list[datetime] = []

    def run(self, argv: Sequence[str], *, timeout: float, env: Mapping[str, str] | None = None) -> RunResult:
        result = super().run(argv, timeout=timeout, env=env)
        self.at.append(self.clock.now)
        return result


def keeper_for(runner: RecordingRunner, clock: Clock, until: datetime | None = None) -> PowerKeeper:
    """A keeper on the fake clock; its wait moves the clock on, and stops the keeper at ``until``."""

    def wait(seconds: float) -> None:
        assert 0 <= seconds <= 300
        clock.now += timedelta(seconds=seconds)
        if until is not None and clock.now >= until:
            keeper.stop()

    keeper = PowerKeeper(runner, clock=clock, wait=wait, env=ENV)
    return keeper


def test_a_week_in_shanghai_switches_the_panel_at_every_change() -> None:
    clock = Clock(datetime(2026, 6, 1, 0, 0, tzinfo=SHANGHAI))  # a Monday
    runner = TimedRunner(clock, ["xset"], XSET)
    keeper = keeper_for(runner, clock, until=datetime(2026, 6, 8, 0, 0, tzinfo=SHANGHAI))
    assert keeper.apply({"hours": HALL, "tz": "Asia/Shanghai", "margin_minutes": 15})
    keeper.run()
    switches = [
        (at.astimezone(SHANGHAI).strftime("%a %H:%M"), argv[-1]) for at, argv in zip(runner.at, runner.ran, strict=True)
    ]
    assert switches[0] == ("Mon 00:00", "off")  # off at once: the hall is closed at midnight
    assert switches[1:5] == [("Mon 08:15", "on"), ("Mon 12:15", "off"), ("Mon 13:45", "on"), ("Mon 17:45", "off")]
    assert switches[-2:] == [("Sat 08:45", "on"), ("Sat 12:15", "off")]
    assert len(switches) == 1 + 5 * 4 + 2
    assert runner.envs[0] == ENV
    status = keeper.status()
    assert (status.scheduled, status.panel, status.tool, status.problem) == (True, "off", "xset", "")
    assert status.next_change == "2026-06-08T00:15:00Z"  # Monday 08:15 in Shanghai


def test_berlin_switches_at_the_same_wall_time_across_the_spring_change() -> None:
    clock = Clock(datetime(2026, 3, 26, 0, 0, tzinfo=BERLIN))
    runner = TimedRunner(clock, ["xset"], XSET)
    keeper = keeper_for(runner, clock, until=datetime(2026, 4, 1, 0, 0, tzinfo=BERLIN))
    keeper.apply({"hours": "Mon-Sun 08:30-17:30", "tz": "Europe/Berlin", "margin_minutes": 15})
    keeper.run()
    ons = [at.astimezone(BERLIN) for at, argv in zip(runner.at, runner.ran, strict=True) if argv[-1] == "on"]
    assert [on.strftime("%H:%M") for on in ons] == ["08:15"] * 6
    assert [on.utcoffset() for on in ons] == [timedelta(hours=1)] * 3 + [timedelta(hours=2)] * 3


def test_wlr_randr_switches_every_output_it_lists() -> None:
    listing = (
        'HDMI-A-1 "Dell Inc. P2419H"\n  Enabled: yes\n  Modes:\n    1920x1080 px\nDP-2 "Goodview"\n  Enabled: yes\n'
    )
    answers = {
        ("wlr-randr",): RunResult(0, listing),
        ("wlr-randr", "--output", "HDMI-A-1", "--off"): OK,
        ("wlr-randr", "--output", "DP-2", "--off"): OK,
    }
    clock = Clock(datetime(2026, 6, 1, 3, 0, tzinfo=SHANGHAI))
    runner = RecordingRunner(["wlr-randr", "xset"], answers)
    keeper = keeper_for(runner, clock)
    keeper.apply({"hours": HALL, "tz": "Asia/Shanghai", "margin_minutes": 15})
    keeper.tick()
    assert runner.ran == list(answers)
    assert keeper.status().tool == "wlr-randr"


def test_a_tool_that_fails_gives_way_to_the_next_one() -> None:
    answers = {
        ("wlr-randr",): RunResult(1, stderr="failed to connect to display\n"),
        **XSET,
    }
    clock = Clock(datetime(2026, 6, 1, 3, 0, tzinfo=SHANGHAI))
    runner = RecordingRunner(["wlr-randr", "xset"], answers)
    keeper = keeper_for(runner, clock)
    keeper.apply({"hours": HALL, "tz": "Asia/Shanghai", "margin_minutes": 15})
    keeper.tick()
    assert runner.ran == [("wlr-randr",), ("xset", "dpms", "force", "off")]
    clock.now = datetime(2026, 6, 1, 9, 0, tzinfo=SHANGHAI)
    keeper.tick()  # xset worked last time: it goes first now
    assert runner.ran[-1] == ("xset", "dpms", "force", "on")
    assert len(runner.ran) == 3


def test_hdmi_cec_when_it_is_the_only_tool() -> None:
    answers = {
        ("cec-ctl", "--playback", "--to", "0", "--standby"): OK,
        ("cec-ctl", "--playback", "--to", "0", "--image-view-on"): OK,
    }
    clock = Clock(datetime(2026, 6, 1, 3, 0, tzinfo=SHANGHAI))
    runner = RecordingRunner(["cec-ctl"], answers)
    keeper = keeper_for(runner, clock)
    keeper.apply({"hours": HALL, "tz": "Asia/Shanghai", "margin_minutes": 15})
    keeper.tick()
    clock.now = datetime(2026, 6, 1, 9, 0, tzinfo=SHANGHAI)
    keeper.tick()
    assert runner.ran == list(answers)


def test_no_tool_is_logged_once_and_reported_in_the_status(caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock(datetime(2026, 6, 1, 3, 0, tzinfo=SHANGHAI))
    runner = RecordingRunner([], {})
    keeper = keeper_for(runner, clock)
    keeper.apply({"hours": HALL, "tz": "Asia/Shanghai", "margin_minutes": 15})
    with caplog.at_level(logging.WARNING, logger="devices.agent.power"):
        for _ in range(5):
            keeper.tick()
            clock.now += timedelta(minutes=5)
    assert len([r for r in caplog.records if "no panel tool" in r.getMessage()]) == 1
    status = keeper.status().payload()
    assert status["panel"] == "unknown" and status["tool"] is None
    assert "no panel tool found (wlr-randr, xset, cec-ctl)" in status["problem"]
    assert runner.ran == []


def test_always_on_turns_a_panel_that_was_switched_off_back_on() -> None:
    clock = Clock(datetime(2026, 6, 1, 3, 0, tzinfo=SHANGHAI))
    runner = RecordingRunner(["xset"], XSET)
    keeper = keeper_for(runner, clock)
    keeper.apply({"hours": HALL, "tz": "Asia/Shanghai", "margin_minutes": 15})
    keeper.tick()
    keeper.apply({"hours": None, "tz": "Asia/Shanghai", "margin_minutes": 15})
    assert keeper.tick() is None
    assert [argv[-1] for argv in runner.ran] == ["off", "on"]
    assert keeper.status().scheduled is False


def test_without_any_schedule_the_panel_is_left_alone() -> None:
    clock = Clock(datetime(2026, 6, 1, 3, 0, tzinfo=SHANGHAI))
    runner = RecordingRunner(["xset"], {})
    keeper = keeper_for(runner, clock)
    assert keeper.tick() is None
    keeper.apply({"hours": "", "tz": "Asia/Shanghai"})  # always on: a panel nobody switched stays as it is
    assert keeper.tick() is None
    assert runner.ran == []
    assert keeper.pause(None) == 300


@pytest.mark.parametrize(
    ("payload", "names"),
    [
        ("Mon 08:00-12:00", "expected an object"),
        ({"hours": HALL}, "power_schedule.tz"),
        ({"hours": HALL, "tz": "Mars/Olympus"}, "unknown time zone 'Mars/Olympus'"),
        ({"hours": "Mun 08:00-12:00", "tz": "Asia/Shanghai"}, "'Mun' is not a day"),
        ({"hours": 7, "tz": "Asia/Shanghai"}, "power_schedule.hours"),
        ({"hours": HALL, "tz": "Asia/Shanghai", "margin_minutes": 600}, "margin_minutes"),
    ],
)
def test_a_bad_schedule_is_refused_and_the_old_one_kept(payload: object, names: str) -> None:
    with pytest.raises(BadSchedule, match=names.replace("(", r"\(")):
        schedule_from_payload(payload)
    clock = Clock(datetime(2026, 6, 1, 3, 0, tzinfo=SHANGHAI))
    runner = RecordingRunner(["xset"], XSET)
    keeper = keeper_for(runner, clock)
    keeper.apply({"hours": HALL, "tz": "Asia/Shanghai", "margin_minutes": 15})
    assert keeper.apply(payload) is False
    keeper.tick()
    assert runner.ran == [("xset", "dpms", "force", "off")]  # still the old schedule


def test_the_thread_wakes_for_a_new_schedule() -> None:
    clock = Clock(datetime(2026, 6, 1, 3, 0, tzinfo=SHANGHAI))
    runner = RecordingRunner(["xset"], XSET)
    keeper = PowerKeeper(runner, clock=clock, env=ENV)  # the real wait: an event with a timeout
    keeper.start()
    try:
        keeper.apply({"hours": HALL, "tz": "Asia/Shanghai", "margin_minutes": 15})
        assert runner.wait_for(1) == [("xset", "dpms", "force", "off")]
        keeper.apply({"hours": None, "tz": "Asia/Shanghai", "margin_minutes": 15})
        assert runner.wait_for(2)[-1] == ("xset", "dpms", "force", "on")
    finally:
        keeper.stop()
    keeper.stop()  # twice is fine
