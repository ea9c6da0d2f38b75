"""What the panel shows now: the current mode and rotation, from ``wlr-randr`` (cage) or ``xrandr`` (Xorg).

The parsers are pure functions of the tools' text output (Debian 12's wlr-randr 0.2 has no JSON).
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import subprocess
from dataclasses import dataclass
from typing import Any, Final

from provisioning.layout import USER

_WLR_MODE: Final = re.compile(r"^\s+(\d+)x(\d+) px,.*\bcurrent\b")
_WLR_TRANSFORM: Final = re.compile(r"^\s+Transform:\s*(\S+)")
_X_CONNECTED: Final = re.compile(
    r"^\S+ connected (?:primary )?(\d+)x(\d+)\+\d+\+\d+ (?:(normal|left|right|inverted) )?"
)
_QUARTER_TURNS: Final = {"90", "270", "flipped-90", "flipped-270", "left", "right"}


@dataclass(frozen=True)
class Mode:
    """The picture as pages see it: width and height after rotation."""

    width: int
    height: int

    @property
    def orientation(self) -> str:
        return "portrait" if self.height > self.width else "landscape"

    def __str__(self) -> str:
        return f"{self.width}x{self.height}"

    def to_json(self) -> dict[str, Any]:
        return {"width_px": self.width, "height_px": self.height, "orientation": self.orientation}


def _rotated(width: int, height: int, transform: str | None) -> Mode:
    return Mode(height, width) if transform in _QUARTER_TURNS else Mode(width, height)


def parse_wlr_randr(text: str) -> Mode | None:
    """The first enabled output's current mode, rotated by its transform."""
    size: tuple[int, int] | None = None
    transform: str | None = None
    enabled = True
    for line in [*text.splitlines(), "END"]:
        if line and not line[0].isspace():  # a new output starts: finish the previous one
            if size is not None and enabled:
                return _rotated(*size, transform)
            size, transform, enabled = None, None, True
            continue
        if line.strip().startswith("Enabled:"):
            enabled = line.split(":", 1)[1].strip() == "yes"
        elif (mode := _WLR_MODE.match(line)) is not None:
            size = (int(mode.group(1)), int(mode.group(2)))
        elif (turn := _WLR_TRANSFORM.match(line)) is not None:
            transform = turn.group(1)
    return None


def parse_xrandr(text: str) -> Mode | None:
    """The first connected output with a mode (xrandr reports the size already rotated)."""
    for line in text.splitlines():
        found = _X_CONNECTED.match(line)
        if found is not None:
            return Mode(int(found.group(1)), int(found.group(2)))
    return None


def _session_env() -> dict[str, str]:
    """Reach the kiosk user's compositor from a root shell: its runtime directory and Wayland socket."""
    env = dict(os.environ)
    if "XDG_RUNTIME_DIR" not in env:
        try:
            env["XDG_RUNTIME_DIR"] = f"/run/user/{pwd.getpwnam(USER).pw_uid}"
        except KeyError:
            pass
    env.setdefault("WAYLAND_DISPLAY", "wayland-0")
    env.setdefault("DISPLAY", ":0")
    return env


def read_mode() -> Mode | str:
    """The current mode, or why it is unknown."""
    for tool, parse in (("wlr-randr", parse_wlr_randr), ("xrandr", parse_xrandr)):
        path = shutil.which(tool)
        if path is None:
            continue
        try:
            done = subprocess.run([path], capture_output=True, text=True, timeout=10, env=_session_env())
        except (OSError, subprocess.TimeoutExpired) as err:
            return f"{tool} did not answer: {err}"
        if done.returncode != 0:
            last = done.stderr.strip().splitlines()[-1:] or ["no message"]
            return f"{tool} failed (is the display session running?): {last[0]}"
        mode = parse(done.stdout)
        return mode if mode is not None else f"{tool} shows no active output"
    return "neither wlr-randr nor xrandr is installed"
