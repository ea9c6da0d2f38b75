"""``kiosk doctor``: is this box fit to run unattended? Every check, a verdict, and JSON for the console.

The JSON (``--json``) is a stable contract, version 1, documented in docs/provisioning.md
("The doctor's JSON"): ``{"version", "ok", "counts", "checks": [{"name", "status", "reason", "data"}]}``
with the checks always in the order of ``CHECK_NAMES``.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, TextIO

from provisioning import checks, printer_checks
from provisioning.build import box_kind
from provisioning.checks import FAIL, OK, SKIPPED, WARN, Check
from provisioning.layout import SCREEN_PROFILE

REPORT_VERSION: Final = 1
CHECK_NAMES: Final = ("server", "clock", "tls", "display", "readers", "speaker", "voice", "disk", "memory", "services")
MARKS: Final = {OK: "ok  ", WARN: "WARN", FAIL: "FAIL", SKIPPED: "skip"}


@dataclass(frozen=True)
class DoctorOptions:
    server_url: str | None
    root: Path
    python: str = sys.executable
    starting: tuple[str, ...] = ()  # units provision starts after the report

    @property
    def live(self) -> bool:
        """Checking the machine it runs on (not a tree under ``--root``)."""
        return self.root.resolve() == Path("/")


@dataclass(frozen=True)
class Report:
    checks: tuple[Check, ...]
    checked_at: str

    @property
    def ok(self) -> bool:
        return all(check.status != FAIL for check in self.checks)

    def to_json(self) -> dict[str, Any]:
        counts = {status: sum(1 for c in self.checks if c.status == status) for status in (OK, WARN, FAIL, SKIPPED)}
        return {
            "version": REPORT_VERSION,
            "ok": self.ok,
            "checked_at": self.checked_at,
            "counts": counts,
            "checks": [check.to_json() for check in self.checks],
        }


def read_profile(root: Path) -> dict[str, Any] | None:
    """``/etc/kiosk/screen.json`` as written at enrolment, or ``None`` (not enrolled, or unreadable)."""
    try:
        data = json.loads((root / SCREEN_PROFILE.lstrip("/")).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("screen"), dict) else None


def run_doctor(options: DoctorOptions) -> Report:
    stored = read_profile(options.root)
    profile = stored["screen"] if stored else None
    server_url = options.server_url or (str(stored["server"]) if stored and stored.get("server") else None)
    kind = box_kind(str(profile.get("kind"))) if profile else None
    chrony = (options.root / "usr/sbin/chronyd").exists()
    answer = checks.ask_server(server_url) if server_url else None
    found = (
        checks.check_server(server_url, answer),
        checks.check_clock(answer),
        checks.check_tls(server_url),
        checks.check_display(profile, live=options.live),
        checks.check_readers(options.python, options.root, kind, live=options.live),
        checks.check_speaker(live=options.live),
        checks.check_voice(live=options.live),
        checks.check_disk(options.root),
        checks.check_memory(),
        checks.check_services(kind, live=options.live, chrony=chrony, starting=options.starting),
        *printer_checks.check_printers(options.root, kind, live=options.live),  # after the ten: one per printer
    )
    return Report(found, datetime.now(UTC).isoformat(timespec="seconds"))


def print_report(report: Report, out: TextIO) -> None:
    for check in report.checks:
        zh = check.data.get("reason_zh")
        out.write(f"{MARKS[check.status]}  {check.name:<8}  {check.reason}{f' / {zh}' if zh else ''}\n")
    counts = report.to_json()["counts"]
    verdict = "fit to run" if report.ok else "NOT fit to run: fix the FAIL lines"
    out.write(
        f"doctor: {verdict} ({counts[OK]} ok, {counts[WARN]} warn, {counts[FAIL]} fail, {counts[SKIPPED]} skipped)\n"
    )
