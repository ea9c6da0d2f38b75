"""The panel's power schedule on the box: off outside opening hours, on again before the hall opens.

The server sends the schedule (``power_schedule`` event or the hello answer: the hall's opening hours
or the screen's override, the hall's zone and the margin); the agent keeps it and decides by itself
with ``content.org.opening_hours``, so panels keep switching while the link is down. At each change
it switches the panel with the first tool that works here:

- ``wlr-randr --output <name> --off|--on`` for every output (Wayland compositors such as cage),
- ``xset dpms force off|on`` (Xorg),
- ``cec-ctl --to 0 --standby`` / ``--image-view-on`` (a TV over HDMI-CEC).

With none of them the agent logs it once and reports it in its status (``agent_hello``'s ``power``).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from content.org.opening_hours import (
    DEFAULT_MARGIN_MINUTES,
    BadMargin,
    OpeningHoursError,
    PowerSchedule,
    check_margin,
    next_change,
    panel_on,
    parse_hours,
)
from devices.agent.runner import Runner, SystemRunner

log = logging.getLogger(__name__)

POWER_SCHEDULE: Final = "power_schedule"  # server → agent event (kiosk_server/events.py has the same name)
RECHECK_SECONDS: Final = 300.0  # look again at least this often: the wall clock may be stepped by NTP
TOOL_TIMEOUT: Final = 10.0
TOOLS: Final = ("wlr-randr", "xset", "cec-ctl")
ALWAYS_ON: Final = {"hours": None, "tz": "UTC", "margin_minutes": 0}  # what no schedule means


class BadSchedule(ValueError):
    """A ``power_schedule`` payload the agent cannot follow; it keeps the schedule it had."""


@dataclass(frozen=True)
class PowerStatus:
    """What the agent says about the panel: whether a schedule is followed, the panel's state, the tool, trouble."""

    scheduled: bool
    panel: str  # "on", "off" or "unknown" (never switched by the agent)
    tool: str | None
    problem: str = ""
    next_change: str | None = None  # ISO 8601 UTC

    def payload(self) -> dict[str, Any]:
        return {
            "scheduled": self.scheduled,
            "panel": self.panel,
            "tool": self.tool,
            "problem": self.problem,
            "next_change": self.next_change,
        }


def schedule_from_payload(data: Any) -> PowerSchedule | None:
    """The schedule in a ``power_schedule`` payload; None means always on. Raise ``BadSchedule``."""
    if not isinstance(data, Mapping):
        raise BadSchedule("power_schedule: expected an object")
    hours_text = data.get("hours")
    tz_name = data.get("tz")
    if not isinstance(tz_name, str) or not tz_name:
        raise BadSchedule("power_schedule.tz: expected a time zone name")
    try:
        tz = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise BadSchedule(f"power_schedule.tz: unknown time zone {tz_name!r}") from err
    try:
        margin = check_margin(data.get("margin_minutes", DEFAULT_MARGIN_MINUTES))
        if hours_text is None or hours_text == "":
            return None
        if not isinstance(hours_text, str):
            raise BadSchedule("power_schedule.hours: expected text or null")
        return PowerSchedule(parse_hours(hours_text), tz, margin)
    except (BadMargin, OpeningHoursError) as err:
        raise BadSchedule(f"power_schedule: {err}") from err


def _display_env() -> dict[str, str]:
    """Where the session's display is, for tools run from a system service that has no session variables."""
    env = {"DISPLAY": os.environ.get("DISPLAY", ":0")}
    env["WAYLAND_DISPLAY"] = os.environ.get("WAYLAND_DISPLAY", "wayland-0")
    env["XDG_RUNTIME_DIR"] = os.environ.get("XDG_RUNTIME_DIR", f"/run/user/{os.getuid()}")
    return env


class PanelSwitch:
    """Turns the panel on or off with the first tool in ``TOOLS`` that is installed and works."""

    def __init__(self, runner: Runner, env: Mapping[str, str] | None = None) -> None:
        self._runner = runner
        self._env = dict(env) if env is not None else _display_env()
        self.tool: str | None = None  # the one that worked last

    def switch(self, on: bool) -> str:
        """Switch; return "" on success, else what went wrong (for the log and the status)."""
        present = [tool for tool in TOOLS if self._runner.which(tool)]
        if not present:
            self.tool = None
            return f"no panel tool found ({', '.join(TOOLS)}): the panel stays as it is"
        if self.tool in present:  # the one that worked before goes first
            present.remove(self.tool)
            present.insert(0, self.tool)
        problems = []
        for tool in present:
            problem = getattr(self, "_" + tool.replace("-", "_"))(on)
            if not problem:
                self.tool = tool
                return ""
            problems.append(f"{tool}: {problem}")
        return "; ".join(problems)

    def _run(self, *argv: str) -> str:
        result = self._runner.run(argv, timeout=TOOL_TIMEOUT, env=self._env)
        return "" if result.ok else (result.stderr.strip().splitlines() or [f"exit status {result.returncode}"])[-1]

    def _wlr_randr(self, on: bool) -> str:
        listing = self._runner.run(("wlr-randr",), timeout=TOOL_TIMEOUT, env=self._env)
        if not listing.ok:
            return (listing.stderr.strip().splitlines() or [f"exit status {listing.returncode}"])[-1]
        outputs = [line.split()[0] for line in listing.stdout.splitlines() if line.strip() and not line[0].isspace()]
        if not outputs:
            return "no outputs listed"
        for output in outputs:
            problem = self._run("wlr-randr", "--output", output, "--on" if on else "--off")
            if problem:
                return problem
        return ""

    def _xset(self, on: bool) -> str:
        return self._run("xset", "dpms", "force", "on" if on else "off")

    def _cec_ctl(self, on: bool) -> str:
        return self._run("cec-ctl", "--playback", "--to", "0", "--image-view-on" if on else "--standby")


def _utc_now() -> datetime:
    return datetime.now(UTC)


class PowerKeeper:
    """Follows the schedule it was last given: switches the panel at each change, on its own thread.

    ``clock`` (aware UTC) and ``wait`` (seconds; returns early when woken) are for tests: with them,
    ``run`` is a loop the test drives to the end of a week in no time.
    """

    def __init__(
        self,
        runner: Runner | None = None,
        *,
        clock: Callable[[], datetime] = _utc_now,
        wait: Callable[[float], None] | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self._switch = PanelSwitch(runner or SystemRunner(), env)
        self._clock = clock
        self._wake = threading.Event()
        self._wait = wait or self._wait_for_wake
        self._lock = threading.Lock()
        self._schedule: PowerSchedule | None = None
        self._scheduled = False  # a schedule (even "always on") was received
        self._panel: bool | None = None  # what the agent last switched the panel to
        self._problem = ""
        self._next: datetime | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # what the link calls --------------------------------------------------------------------------

    def apply(self, data: Any) -> bool:
        """Take the schedule in a ``power_schedule`` payload; False (and the old one kept) if it is bad."""
        try:
            schedule = schedule_from_payload(data)
        except BadSchedule as err:
            log.warning("power: schedule refused, keeping the previous one: %s", err)
            return False
        with self._lock:
            changed = not self._scheduled or schedule != self._schedule
            self._schedule = schedule
            self._scheduled = True
        if changed:
            log.info(
                "power: following %s",
                "no schedule (always on)" if schedule is None else f"opening hours in {schedule.tz.key}",
            )
        self._wake.set()
        return True

    def status(self) -> PowerStatus:
        with self._lock:
            panel = "unknown" if self._panel is None else ("on" if self._panel else "off")
            following = self._scheduled and self._schedule is not None
            next_iso = self._next.isoformat().replace("+00:00", "Z") if self._next else None
            return PowerStatus(following, panel, self._switch.tool, self._problem, next_iso)

    # the decisions --------------------------------------------------------------------------------

    def tick(self) -> datetime | None:
        """Switch the panel to what the schedule says now; return the next change (None: none due)."""
        now = self._clock()
        with self._lock:
            schedule, scheduled, panel = self._schedule, self._scheduled, self._panel
        if not scheduled:
            return None
        if schedule is None:
            want, upcoming = True, None
        else:
            want = panel_on(schedule.hours, now, schedule.tz, schedule.margin)
            upcoming = next_change(schedule.hours, now, schedule.tz, schedule.margin)
        # Nothing to do when the panel is where it should be, or was never switched and should be on.
        if want != panel and not (panel is None and want):
            problem = self._switch.switch(want)
            with self._lock:
                if not problem:
                    self._panel = want
                if problem != self._problem and problem:
                    log.warning("power: cannot turn the panel %s: %s", "on" if want else "off", problem)
                elif not problem:
                    log.info("power: panel turned %s with %s", "on" if want else "off", self._switch.tool)
                self._problem = problem
        with self._lock:
            self._next = upcoming
        return upcoming

    def pause(self, upcoming: datetime | None) -> float:
        """How long to sleep after a tick: until the next change, at most ``RECHECK_SECONDS``."""
        if upcoming is None:
            return RECHECK_SECONDS
        return min(max((upcoming - self._clock()).total_seconds(), 0.0), RECHECK_SECONDS)

    # the thread -------------------------------------------------------------------------------------

    def start(self) -> None:
        """Start following on a thread; a second call while running does nothing."""
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._stop = threading.Event()
            self._thread = threading.Thread(target=self.run, name="agent-power", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the thread (the panel stays as it is); safe to call twice."""
        with self._lock:
            thread, self._thread = self._thread, None
        self._stop.set()
        self._wake.set()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def run(self) -> None:
        while not self._stop.is_set():
            try:
                upcoming = self.tick()
            except Exception:  # the outermost loop of this thread: log, wait, try again
                log.exception("power: deciding the panel's state failed")
                upcoming = None
            self._wait(self.pause(upcoming))

    def _wait_for_wake(self, seconds: float) -> None:
        # Woken early by a new schedule or stop; a change due "now" still gets a tiny pause.
        self._wake.wait(max(seconds, 0.01))
        self._wake.clear()
