"""``kiosk provision``: enrol the box (unless it is already), then install what the plan says, then the doctor.

Enrolment comes first and nothing is written before it succeeds, so an unreachable server or a
Ctrl-C while the code is shown leaves the box as it was.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, TextIO
from urllib.parse import urlparse

from provisioning import doctor
from provisioning.agent_config import read_identity
from provisioning.apply import Applier, Outcome, file_differs, under
from provisioning.banner import TerminalCodeDisplay
from provisioning.build import KINDS, BoxOptions, box_kind, build_plan, placeholder_enrolment
from provisioning.enrol import CodeDisplay, Enrolment, EnrolmentClient, enrol, profile_from
from provisioning.errors import Interrupted, KindMismatch, ProvisioningError
from provisioning.host import Host, SystemHost
from provisioning.layout import AGENT_CONFIG, DISPLAY_ENV, DISPLAY_UNIT
from provisioning.plan import FileStep, Plan, describe, plan_json
from provisioning.printers import PrinterOptionError, PrinterRequest, check_request, choose, configured
from provisioning.session import read_display_env

TTY1: Final = ("/dev/tty1", "/dev/console")


@dataclass(frozen=True)
class ProvisionOptions:
    server_url: str | None
    root: Path
    kind: str | None = None
    dry_run: bool = False
    uninstall: bool = False
    re_enrol: bool = False
    json: bool = False
    ntp_server: str | None = None
    python: str = sys.executable
    printers: PrinterRequest = PrinterRequest()  # --slip-printer, --slip-paper, --a4-printer, --a4-printer-uri

    @property
    def live(self) -> bool:
        return self.root.resolve() == Path("/")


def check_server_url(url: str | None) -> str:
    if not url:
        raise ProvisioningError("--server URL is required (the hall server, e.g. https://signage.example.gov.cn)")
    parsed = urlparse(url)
    if parsed.scheme not in {"http", "https"} or not parsed.hostname:
        raise ProvisioningError(f"--server {url!r}: expected an http:// or https:// address of the hall server")
    return url.rstrip("/")


def stored_enrolment(root: Path, server_url: str) -> Enrolment | None:
    """The enrolment this box already has, from its files; ``None`` if any part is missing.

    A box enrolled with another server counts as enrolled there: ``--re-enrol`` moves it.
    """
    stored = doctor.read_profile(root)
    if stored is None:
        return None
    if str(stored.get("server", "")).rstrip("/") != server_url:
        raise ProvisioningError(
            f"this box is enrolled with {stored.get('server')}; to enrol it with {server_url}, add --re-enrol"
        )
    try:
        url = read_display_env(under(root, DISPLAY_ENV).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None
    screen = profile_from({**stored["screen"], "key": ""})
    if url is None:
        return None
    if box_kind(screen.kind) != "kiosk":
        return Enrolment(screen, url)
    identity = read_identity(under(root, AGENT_CONFIG))
    if identity is None:
        return None  # a kiosk without its key and credential is not enrolled
    return Enrolment(profile_from({**stored["screen"], "key": identity.key}), url, identity.credential)


def _kind_of(enrolment: Enrolment, wanted: str | None) -> str:
    kind = box_kind(enrolment.screen.kind)
    if wanted is not None and wanted != kind:
        raise KindMismatch(
            f"the console enrolled this box as a {enrolment.screen.kind} screen ({enrolment.screen.name!r}), "
            f"but --kind {wanted} was given: enrol it again with the right kind, or drop --kind"
        )
    return kind


def _print_plan(plan: Plan, root: Path, out: TextIO) -> None:
    for step in plan.steps:
        state = ""
        if isinstance(step, FileStep):
            state = f"[{file_differs(root, step, None) or 'same'}] "
        out.write(f"  {state}{describe(step)}\n")


def run_provision(
    options: ProvisionOptions,
    out: TextIO = sys.stdout,
    *,
    host: Host | None = None,
    display: CodeDisplay | None = None,
) -> int:
    """The whole command; raises ``ProvisioningError`` with a one-line message."""
    live_host = host if host is not None else (SystemHost() if options.live else None)
    say = (lambda line: None) if options.json else _say(out)
    # Starting the display on the terminal we run on would hang it up and kill us: start it last.
    defer = frozenset({DISPLAY_UNIT}) if live_host is not None and _on_tty1() else frozenset()
    applier = Applier(options.root, live_host, say, defer=defer)
    if options.uninstall:
        if host is None and options.live and os.geteuid() != 0:
            raise ProvisioningError("run it as root (sudo kiosk provision --uninstall)")
        return _report(applier.uninstall(), None, options, out, verb="uninstalled")
    server_url = check_server_url(options.server_url)
    if host is None and options.live and not options.dry_run and os.geteuid() != 0:
        raise ProvisioningError("run it as root (sudo kiosk provision …): it adds a user, packages and services")
    if options.kind is not None and options.kind not in KINDS:
        raise ProvisioningError(f"--kind {options.kind!r}: expected one of {', '.join(KINDS)}")
    check_request(options.printers)
    asked = options.printers != PrinterRequest()
    if asked and options.kind == "wall":
        raise PrinterOptionError("printer options are for a kiosk: a wall has no device agent to print")
    previous = configured(_text(_agent_toml(options.root)))
    printers = choose(options.printers, previous)
    enrolment = None if options.re_enrol else stored_enrolment(options.root, server_url)
    chrony = (options.root / "usr/sbin/chronyd").exists()
    if options.dry_run:
        kind = _kind_of(enrolment, options.kind) if enrolment else (options.kind or "kiosk")
        box = BoxOptions(server_url, kind, options.python, options.ntp_server, chrony, printers, previous)
        plan = build_plan(box, enrolment or placeholder_enrolment(box), agent_toml=_agent_toml(options.root))
        if options.json:
            out.write(json.dumps({"dry_run": True, "enrolled": enrolment is not None, "plan": plan_json(plan)}) + "\n")
        else:
            out.write(f"kiosk provision --dry-run: the plan for this {kind} (nothing is changed)\n")
            if enrolment is None:
                out.write("  (not enrolled yet: a real run first shows a code to enter in the console)\n")
            _print_plan(plan, options.root, out)
        return 0
    fresh = enrolment is None
    if enrolment is None:
        client = EnrolmentClient(server_url, socket.gethostname())
        try:
            enrolment = enrol(client, display or TerminalCodeDisplay(sys.stderr if options.json else out))
        except KeyboardInterrupt:
            raise Interrupted("interrupted while waiting for the code: nothing was installed") from None
        if not options.json:
            out.write(f"enrolled as {enrolment.screen.name!r} in {enrolment.screen.hall}\n")
    kind = _kind_of(enrolment, options.kind)
    if asked and kind != "kiosk":
        say("printer options left out: the console enrolled this box as a display, which has no device agent")
    box = BoxOptions(server_url, kind, options.python, options.ntp_server, chrony, printers, previous)
    plan = build_plan(box, enrolment, agent_toml=_agent_toml(options.root))
    try:
        outcome = applier.apply(plan)
    except ProvisioningError as err:
        if not fresh:
            raise
        # The server gives its answer once; without the files it is gone, so say what the next run needs.
        raise ProvisioningError(f"{err}; the enrolment was not saved: run again and enter the new code") from err
    report = None
    if options.live:
        checkup = doctor.DoctorOptions(server_url, options.root, options.python, tuple(outcome.start_later))
        report = doctor.run_doctor(checkup)
    status = _report(outcome, report, options, out, verb="provisioned")
    if live_host is not None:
        for unit in outcome.start_later:
            say(f"starting {unit}: the display takes over this console (tty1) now; use tty2 (Alt-F2) or SSH")
            live_host.start_later(unit)
    return status


def _on_tty1() -> bool:
    for stream in (sys.stdin, sys.stdout, sys.stderr):
        try:
            if os.ttyname(stream.fileno()) in TTY1:
                return True
        except (OSError, ValueError):
            continue
    return False


def _say(out: TextIO) -> Callable[[str], None]:
    def say(line: str) -> None:
        out.write(line + "\n")
        out.flush()

    return say


def _agent_toml(root: Path) -> bytes | None:
    try:
        return under(root, AGENT_CONFIG).read_bytes()
    except OSError:
        return None


def _text(content: bytes | None) -> str | None:
    try:
        return None if content is None else content.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _report(
    outcome: Outcome, report: doctor.Report | None, options: ProvisionOptions, out: TextIO, *, verb: str
) -> int:
    if options.json:
        body: dict[str, Any] = {
            "changed": outcome.changed,
            "recorded": outcome.recorded,
            "unchanged": outcome.unchanged,
            "doctor": None if report is None else report.to_json(),
        }
        out.write(json.dumps(body, ensure_ascii=False) + "\n")
        return 0
    if outcome.changed:
        out.write(f"{verb}: {len(outcome.changed)} changes\n")
        out.writelines(f"  {line}\n" for line in outcome.changed)
    else:
        out.write(f"nothing to change: the box is already {verb} as planned ({outcome.unchanged} steps checked)\n")
    if outcome.recorded:
        out.write(f"recorded only (--root {options.root}: not run against this machine):\n")
        out.writelines(f"  {line}\n" for line in outcome.recorded)
    if report is not None:
        doctor.print_report(report, out)
    elif verb == "provisioned":
        out.write(f"doctor: not run under --root (kiosk doctor --root {options.root} checks the tree's files)\n")
    return 0
