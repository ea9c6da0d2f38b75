"""The doctor's checks, one function each; every one answers ok / warn / fail / skipped with a one-line reason.

Nothing here raises for a missing tool or file: what cannot be checked is ``skipped`` and says why.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import ssl
import subprocess
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlparse

from provisioning import http
from provisioning.display_modes import Mode, read_mode
from provisioning.errors import ServerUnreachable
from provisioning.layout import AGENT_CONFIG, AGENT_UNIT, DISPLAY_UNIT

OK: Final = "ok"
WARN: Final = "warn"
FAIL: Final = "fail"
SKIPPED: Final = "skipped"

CLOCK_OK_SECONDS: Final = 10.0  # the Date header has whole seconds; schedules change on minutes
CLOCK_FAIL_SECONDS: Final = 120.0
CERT_WARN_DAYS: Final = 14
DISK_WARN_BYTES: Final = 1 << 30
DISK_FAIL_BYTES: Final = 256 << 20
MEMORY_WARN_BYTES: Final = 300 << 20  # Chromium with a video wall page needs a few hundred MB
MEMORY_FAIL_BYTES: Final = 100 << 20
COMMAND_TIMEOUT: Final = 60.0


@dataclass(frozen=True)
class Check:
    """One line of the doctor's report; ``data`` holds the measured values (documented in docs/provisioning.md)."""

    name: str
    status: str
    reason: str
    data: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status, "reason": self.reason, "data": self.data}


@dataclass(frozen=True)
class ServerAnswer:
    """``/healthz`` and when it was asked, for the clock check."""

    response: http.Response | None
    error: str
    asked_at: float  # local wall clock, midway through the request


def ask_server(server_url: str) -> ServerAnswer:
    before = time.time()
    try:
        response = http.request("GET", server_url.rstrip("/") + "/healthz")
    except ServerUnreachable as err:
        return ServerAnswer(None, err.problem, before)
    return ServerAnswer(response, "", (before + time.time()) / 2)


def check_server(server_url: str | None, answer: ServerAnswer | None) -> Check:
    if server_url is None or answer is None:
        return Check("server", SKIPPED, "no server: pass --server URL, or provision the box first")
    data: dict[str, Any] = {"url": server_url}
    response = answer.response
    if response is None:
        return Check("server", FAIL, f"cannot reach {server_url}: {answer.error}", data)
    body = response.body if isinstance(response.body, dict) else {}
    data.update(http_status=response.status, server_status=body.get("status"), version=body.get("version"))
    if response.status == 200 and body.get("status") == "ok":
        return Check("server", OK, f"{server_url} answers (version {body.get('version', '?')})", data)
    if response.status == 200 and body.get("status") == "degraded":
        return Check("server", WARN, f"{server_url} answers but is degraded (its message queue is down)", data)
    if response.status == 404:
        return Check("server", FAIL, f"{server_url} answers but has no /healthz: is this the signage server?", data)
    return Check("server", FAIL, f"{server_url} answers HTTP {response.status}: it is not ready", data)


def check_clock(answer: ServerAnswer | None) -> Check:
    if answer is None or answer.response is None:
        return Check("clock", SKIPPED, "the server did not answer, so there is no time to compare with")
    date = answer.response.header("Date")
    if date is None:
        return Check("clock", SKIPPED, "the server's answer has no Date header")
    try:
        server_time = parsedate_to_datetime(date).timestamp()
    except (TypeError, ValueError):
        return Check("clock", SKIPPED, f"the server's Date header is unreadable: {date!r}")
    skew = round(answer.asked_at - server_time, 1)
    data = {"skew_seconds": skew, "server_date": date}
    if abs(skew) <= CLOCK_OK_SECONDS:
        return Check("clock", OK, f"within {CLOCK_OK_SECONDS:g} s of the server ({skew:+g} s)", data)
    side = "ahead of" if skew > 0 else "behind"
    status = WARN if abs(skew) <= CLOCK_FAIL_SECONDS else FAIL
    return Check("clock", status, f"{abs(skew):g} s {side} the server: is time sync running?", data)


def check_tls(server_url: str | None, *, now: datetime | None = None) -> Check:
    if server_url is None:
        return Check("tls", SKIPPED, "no server to check")
    parsed = urlparse(server_url)
    if parsed.scheme != "https":
        return Check("tls", SKIPPED, "the server is http://: no certificate to check")
    host, port = parsed.hostname or "", parsed.port or 443
    context = ssl.create_default_context()
    try:
        with socket.create_connection((host, port), timeout=http.TIMEOUT_SECONDS) as sock:
            with context.wrap_socket(sock, server_hostname=host) as tls:
                cert = tls.getpeercert() or {}
    except ssl.SSLCertVerificationError as err:
        return Check("tls", FAIL, f"the certificate of {host} is not valid: {err.verify_message}", {"host": host})
    except (OSError, ssl.SSLError) as err:
        return Check("tls", FAIL, f"no TLS connection to {host}:{port}: {err}", {"host": host})
    expires = datetime.fromtimestamp(ssl.cert_time_to_seconds(str(cert["notAfter"])), UTC)
    days = ((expires - (now or datetime.now(UTC))).total_seconds()) // 86400
    data = {"host": host, "expires_at": expires.isoformat(), "days_left": int(days)}
    if days < CERT_WARN_DAYS:
        return Check("tls", WARN, f"the certificate of {host} expires in {int(days)} days: renew it", data)
    return Check("tls", OK, f"the certificate of {host} is valid for {int(days)} more days", data)


def check_display(profile: dict[str, Any] | None, *, live: bool) -> Check:
    if profile is None:
        return Check("display", SKIPPED, "not enrolled: no screen profile to compare with")
    if not live:
        return Check("display", SKIPPED, "--root: a tree has no display")
    want = Mode(int(profile["width_px"]), int(profile["height_px"]))
    data: dict[str, Any] = {"expected": want.to_json(), "expected_orientation": profile.get("orientation")}
    found = read_mode()
    if isinstance(found, str):
        return Check("display", SKIPPED, f"display mode unknown: {found}", data)
    data["actual"] = found.to_json()
    if found.orientation != profile.get("orientation"):
        return Check(
            "display",
            FAIL,
            f"the panel is {found.orientation} ({found}) but the screen's profile is {profile.get('orientation')}",
            data,
        )
    if (found.width, found.height) != (want.width, want.height):
        return Check("display", WARN, f"the panel shows {found}, the screen's profile says {want}: pages scale", data)
    return Check("display", OK, f"{found}, {found.orientation}, as the profile says", data)


def check_readers(python: str, root: Path, kind: str | None, *, live: bool) -> Check:
    if kind == "wall":
        return Check("readers", SKIPPED, "a wall has no card readers")
    if not live:
        return Check("readers", SKIPPED, "--root: the readers are this machine's, not the tree's")
    argv = [python, "-m", "devices.agent", "--list-readers", "--json", "--config", str(root / AGENT_CONFIG.lstrip("/"))]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=COMMAND_TIMEOUT, check=False)
        listing = json.loads(done.stdout)
    except (OSError, subprocess.TimeoutExpired, ValueError) as err:
        return Check("readers", FAIL, f"kiosk agent --list-readers did not answer: {err}")
    readers = [r for r in listing.get("readers", []) if r.get("driver")]
    data = {"readers": readers, "notes": listing.get("notes", [])}
    if not readers:
        notes = f" ({len(data['notes'])} notes in data.notes)" if data["notes"] else ""
        return Check("readers", WARN, f"no card reader or scanner found: check the cables{notes}", data)
    names = ", ".join(f"{r['driver']} at {r['node']}" for r in readers)
    return Check("readers", OK, f"{len(readers)} found: {names}", data)


def check_speaker(*, live: bool, cards_file: Path = Path("/proc/asound/cards")) -> Check:
    if not live:
        return Check("speaker", SKIPPED, "--root: the sound cards are this machine's, not the tree's")
    try:
        text = cards_file.read_text()
    except OSError:
        return Check("speaker", WARN, f"no sound support ({cards_file} missing): calls are shown but not heard")
    cards = [line.split("]:", 1)[1].strip() for line in text.splitlines() if "]:" in line]
    if not cards:
        return Check("speaker", WARN, "no sound card: calls are shown but not heard", {"cards": []})
    return Check("speaker", OK, f"sound card: {cards[0]}", {"cards": cards})


def check_voice(*, live: bool) -> Check:
    if not live:
        return Check("voice", SKIPPED, "--root: the voices are this machine's, not the tree's")
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        return Check("voice", WARN, "espeak-ng is not installed: calls chime but are not spoken")
    try:
        done = subprocess.run([espeak, "--voices=cmn"], capture_output=True, text=True, timeout=COMMAND_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as err:
        return Check("voice", WARN, f"espeak-ng did not answer: {err}")
    voices = [line.split()[3] for line in done.stdout.splitlines()[1:] if len(line.split()) > 3]
    data = {"voices": voices, "speech_dispatcher": shutil.which("speech-dispatcher") is not None}
    if not voices:
        return Check("voice", WARN, "espeak-ng has no Chinese (cmn) voice: calls chime but are not spoken", data)
    if not data["speech_dispatcher"]:
        return Check("voice", WARN, "a Chinese voice but no speech-dispatcher: Chromium cannot use it", data)
    return Check("voice", OK, f"Chinese voice: {voices[0]} (espeak-ng through speech-dispatcher)", data)


def check_disk(root: Path) -> Check:
    usage = shutil.disk_usage(root)
    data = {"path": str(root), "free_bytes": usage.free, "total_bytes": usage.total}
    free = f"{usage.free / (1 << 30):.1f} GiB free of {usage.total / (1 << 30):.1f} GiB"
    if usage.free < DISK_FAIL_BYTES:
        return Check("disk", FAIL, f"{free}: the browser cache and logs will fail", data)
    if usage.free < DISK_WARN_BYTES:
        return Check("disk", WARN, f"{free}: clean up (journalctl --vacuum-size=100M)", data)
    return Check("disk", OK, free, data)


def check_memory(*, meminfo: Path = Path("/proc/meminfo")) -> Check:
    try:
        fields = dict(line.split(":", 1) for line in meminfo.read_text().splitlines() if ":" in line)
        available = int(fields["MemAvailable"].split()[0]) * 1024
        total = int(fields["MemTotal"].split()[0]) * 1024
    except (OSError, KeyError, ValueError) as err:
        return Check("memory", SKIPPED, f"cannot read {meminfo}: {err}")
    data = {"available_bytes": available, "total_bytes": total}
    text = f"{available / (1 << 20):.0f} MiB available of {total / (1 << 20):.0f} MiB"
    if available < MEMORY_FAIL_BYTES:
        return Check("memory", FAIL, f"{text}: Chromium will be killed", data)
    if available < MEMORY_WARN_BYTES:
        return Check("memory", WARN, f"{text}: tight for Chromium", data)
    return Check("memory", OK, text, data)


def check_services(kind: str | None, *, live: bool, chrony: bool, starting: tuple[str, ...] = ()) -> Check:
    """``starting``: units provision starts after this report (the display, when it runs on tty1)."""
    if not live:
        return Check("services", SKIPPED, "--root: a tree runs no services")
    if kind is None:
        return Check("services", SKIPPED, "not provisioned: no services to look at")
    if not os.path.isdir("/run/systemd/system") or shutil.which("systemctl") is None:
        return Check("services", SKIPPED, "systemd is not running on this machine")
    essential = [DISPLAY_UNIT, *((AGENT_UNIT,) if kind == "kiosk" else ())]
    helpers = [
        "chrony.service" if chrony else "systemd-timesyncd.service",
        *(("pcscd.socket",) if kind == "kiosk" else ()),
    ]
    states = {}
    for unit in (*essential, *helpers):
        done = subprocess.run(["systemctl", "is-active", unit], capture_output=True, text=True, check=False)
        states[unit] = done.stdout.strip() or "unknown"
    down = [unit for unit, active in states.items() if active != "active" and unit not in starting]
    if not down:
        later = [unit for unit in starting if states.get(unit) != "active"]
        note = f" ({', '.join(later)} starts when provision ends)" if later else ""
        return Check(
            "services", OK, "all active: " + ", ".join(u for u in states if u not in later) + note, {"units": states}
        )
    status = FAIL if any(unit in essential for unit in down) else WARN
    listed = ", ".join(f"{unit} {states[unit]}" for unit in down)
    return Check("services", status, f"not active: {listed} (journalctl -u <unit> says why)", {"units": states})
