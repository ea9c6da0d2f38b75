"""A4 printers through CUPS: ``lpstat`` for the queue's state, ``lp`` for a PDF job.

No pycups: the command-line tools are on every box that has CUPS, speak to whichever cupsd the
environment names (``CUPS_SERVER``), and a hung scheduler costs one timed-out subprocess, never a
stuck agent thread. Their output is read in the C locale so it parses the same on a Chinese box.

States: a queue that is disabled (``cupsdisable``) or rejects jobs (``cupsreject``) is ``paused``;
an unknown queue, or cupsd not running, is ``offline``; otherwise ``ready`` (CUPS does not know
about paper in a generic A4 printer; its own ``Paused`` on a backend error shows as disabled).
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from devices.drivers.printer_states import PrinterState, StateReport

LPSTAT_TIMEOUT: Final = 5.0
LP_TIMEOUT: Final = 15.0  # the server fails a print not answered within 20 s
_C_LOCALE: Final = {"LANG": "C", "LC_ALL": "C"}
_JOB_ID: Final = re.compile(r"request id is (\S+)")
QUEUE_NAME: Final = re.compile(r"[^\s/#\\'\"]{1,127}")  # what lpadmin accepts as a printer name


@dataclass(frozen=True)
class Ran:
    """A finished command: its exit status and its output."""

    returncode: int
    stdout: str = ""
    stderr: str = ""


Run = Callable[[Sequence[str], bytes | None, float], Ran]


def run_command(argv: Sequence[str], stdin: bytes | None, timeout: float) -> Ran:
    """Run ``argv`` in the C locale with ``stdin``; a missing program or a timeout is an exit status, not an error."""
    try:
        done = subprocess.run(  # noqa: S603 (argv built here, no shell)
            list(argv),
            input=stdin if stdin is not None else b"",
            capture_output=True,
            timeout=timeout,
            env={**os.environ, **_C_LOCALE},
            check=False,
        )
    except FileNotFoundError:
        return Ran(127, stderr=f"{argv[0]}: not installed (the cups-client package)")
    except subprocess.TimeoutExpired:
        return Ran(124, stderr=f"{argv[0]}: no answer within {timeout:g} s")
    except OSError as err:
        return Ran(126, stderr=f"{argv[0]}: {err.strerror or err}")
    return Ran(done.returncode, done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace"))


@dataclass(frozen=True)
class CupsJob:
    """What ``lp`` said: the job id on success, else the error code and message."""

    report: StateReport
    job: str = ""
    error: str = ""
    message: str = ""


class CupsPrinter:
    """One CUPS queue."""

    def __init__(self, queue: str, *, run: Run = run_command) -> None:
        if not QUEUE_NAME.fullmatch(queue):
            raise ValueError(f"not a CUPS queue name: {queue!r}")
        self.queue = queue
        self._run = run

    def __str__(self) -> str:
        return f"CUPS queue {self.queue}"

    def check(self) -> StateReport:
        """The queue's state from ``lpstat -p`` and ``-a``; never raises."""
        ran = self._run(("lpstat", "-p", self.queue, "-a", self.queue), None, LPSTAT_TIMEOUT)
        text = f"{ran.stdout}\n{ran.stderr}"
        if ran.returncode != 0 or f"printer {self.queue} " not in ran.stdout:
            return StateReport(PrinterState.OFFLINE, f"{self}: {self._offline_reason(ran)}")
        if f"printer {self.queue} disabled" in text:
            return StateReport(
                PrinterState.PAUSED, f"{self} is disabled{_detail(ran.stdout)} (cupsenable {self.queue})"
            )
        if f"{self.queue} not accepting requests" in text:
            return StateReport(PrinterState.PAUSED, f"{self} rejects jobs (cupsaccept {self.queue})")
        return StateReport(PrinterState.READY)

    def _offline_reason(self, ran: Ran) -> str:
        if ran.returncode in (124, 126, 127):  # lpstat hung, missing or not runnable
            return _last_line(ran)
        # lpstat says "Invalid destination name" for every queue when it cannot reach cupsd, too.
        scheduler = self._run(("lpstat", "-r"), None, LPSTAT_TIMEOUT)
        if "scheduler is running" not in scheduler.stdout:
            return f"cupsd does not answer ({_last_line(scheduler)})"
        text = f"{ran.stdout}\n{ran.stderr}"
        if "Invalid destination name" in text or "does not exist" in text:
            return "no such queue (lpstat -p lists the queues)"
        return _last_line(ran)

    def print_pdf(self, pdf: bytes, title: str) -> CupsJob:
        """Hand ``pdf`` to the queue if it can print; the job id when ``lp`` took it. Never raises."""
        before = self.check()
        if not before.state.can_print:
            return CupsJob(before, error=before.state.value, message=f"not printed: {before.message}")
        ran = self._run(("lp", "-d", self.queue, "-t", title, "-o", "media=A4", "-"), pdf, LP_TIMEOUT)
        found = _JOB_ID.search(ran.stdout)
        after = self.check()
        if ran.returncode != 0 or found is None:
            code = after.state.value if not after.state.can_print else "print_failed"
            return CupsJob(after, error=code, message=f"lp refused the job: {_last_line(ran)}")
        return CupsJob(after, job=found.group(1))


def _last_line(ran: Ran) -> str:
    lines = [line.strip() for line in (ran.stderr or ran.stdout).splitlines() if line.strip()]
    return lines[-1][:200] if lines else f"exit status {ran.returncode}"


def _detail(stdout: str) -> str:
    """The reason line lpstat prints under a disabled printer (``Paused``, a backend's error)."""
    lines = [line.strip() for line in stdout.splitlines() if line.startswith(("\t", " ")) and line.strip()]
    return f": {lines[0][:120]}" if lines else ""
