"""Build the plan for one box from the enrolment answer: which files, units, users and packages it gets."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Final

from devices.drivers.udev_rules import render_rules
from provisioning.agent_config import AgentIdentity, identity_of, render_agent_config, with_printers
from provisioning.enrol import Enrolment, ScreenProfile
from provisioning.layout import (
    AGENT_CONFIG,
    AGENT_UNIT,
    CONFIG_DIR,
    CUPS_PACKAGES,
    DEVICE_GROUPS,
    DISPLAY_ENV,
    DISPLAY_GROUPS,
    DISPLAY_PACKAGES,
    DISPLAY_UNIT,
    HOME,
    KIOSK_PACKAGES,
    LP_GROUP,
    NO_LOGIN_SHELL,
    POLKIT_RULE,
    PRINTER_RULES,
    READERS_GROUP,
    SCREEN_PROFILE,
    TIMESYNC_CONF,
    UDEV_RULES,
    USER,
    unit_path,
)
from provisioning.plan import (
    CommandStep,
    DirectoryStep,
    FileStep,
    GroupStep,
    MembershipStep,
    PackagesStep,
    Plan,
    QueueStep,
    RemovedFileStep,
    ServiceStep,
    Step,
    UserStep,
)
from provisioning.polkit import polkit_rule
from provisioning.printers import Printers, udev_rule
from provisioning.session import display_env
from provisioning.units import units_for

KINDS: Final = ("kiosk", "wall")
PLACEHOLDER: Final = "<from enrolment>"


@dataclass(frozen=True)
class BoxOptions:
    """What the technician chose and what the box has."""

    server_url: str
    kind: str  # "kiosk" (touch UI, readers, agent) or "wall" (a display only)
    python: str  # the interpreter that has this package: the agent's ExecStart
    ntp_server: str | None = None
    chrony: bool = False  # chrony installed already: keep it instead of systemd-timesyncd
    printers: Printers = Printers()  # a kiosk's, after this run (printers.choose)
    previous_printers: Printers = Printers()  # as the last run configured them: what a change takes back


def box_kind(screen_kind: str) -> str:
    """A kiosk screen gets the agent; walls and counter strips are displays only."""
    return "kiosk" if screen_kind == "kiosk" else "wall"


def placeholder_enrolment(options: BoxOptions) -> Enrolment:
    """Stands in for the answer in a dry run, which must not ask the server for a code."""
    profile = ScreenProfile(0, PLACEHOLDER, PLACEHOLDER, options.kind, 0, PLACEHOLDER, 0, 0, PLACEHOLDER, PLACEHOLDER)
    credential = PLACEHOLDER if options.kind == "kiosk" else None
    return Enrolment(profile, f"{options.server_url}/screen/{PLACEHOLDER}", credential)


def screen_profile_json(enrolment: Enrolment, server_url: str) -> bytes:
    """``/etc/kiosk/screen.json``: the profile without the key, for the doctor."""
    body = {"server": server_url, "screen": enrolment.screen.public()}
    return (json.dumps(body, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


def build_plan(options: BoxOptions, enrolment: Enrolment, *, agent_toml: bytes | None = None) -> Plan:
    """The plan for this box. ``agent_toml``: the file already on the box, kept as is when it has this identity."""
    kiosk = options.kind == "kiosk"
    printers = options.printers if kiosk else Printers()
    steps: list[Step] = []
    packages = [*DISPLAY_PACKAGES, *(KIOSK_PACKAGES if kiosk else ())]
    if options.chrony:
        packages.remove("systemd-timesyncd")
    steps.append(PackagesStep(tuple(packages), "the compositor, browser, fonts, voice, polkit, time sync, pcscd"))
    if printers.a4 is not None:
        steps.append(PackagesStep(CUPS_PACKAGES, "CUPS for the A4 printer: the queue, and lp and lpstat for the agent"))
    groups = (READERS_GROUP, *DEVICE_GROUPS, *DISPLAY_GROUPS) if kiosk else DISPLAY_GROUPS
    if kiosk:
        steps.append(GroupStep(READERS_GROUP, "the udev rules give the card readers and scanners to this group"))
    steps.append(UserStep(USER, HOME, NO_LOGIN_SHELL, groups, "runs the display and the agent; no login shell"))
    steps.extend(_printer_steps(printers, options.previous_printers if kiosk else Printers()))
    steps.append(DirectoryStep(CONFIG_DIR, 0o755, "root", "root", "the box's configuration"))
    steps.append(
        FileStep(
            SCREEN_PROFILE,
            screen_profile_json(enrolment, options.server_url),
            0o644,
            "root",
            "root",
            "the screen's profile from the console, for kiosk doctor",
        )
    )
    steps.append(
        FileStep(
            DISPLAY_ENV,
            display_env(enrolment.screen_url).encode(),
            0o600,
            "root",
            "root",
            "the screen URL (holds the screen key)",
            secret=True,
        )
    )
    if kiosk:
        identity = AgentIdentity(options.server_url, enrolment.screen.key, enrolment.agent_credential or "")
        content = render_agent_config(identity).encode()
        if agent_toml is not None:
            if identity_of(agent_toml) == identity:
                content = agent_toml  # keep the technician's [agent] and [[readers]] additions
        content = with_printers(content, printers)
        steps.append(
            FileStep(AGENT_CONFIG, content, 0o600, USER, USER, "the agent's server, key and credential", secret=True)
        )
    usb_printer = printers.usb_slip is not None
    for unit, text in units_for(options.kind, options.python, usb_printer=usb_printer).items():
        steps.append(FileStep(unit_path(unit), text.encode(), 0o644, "root", "root", "systemd unit"))
    if kiosk:
        rules = render_rules(serial_group=READERS_GROUP, input_group=READERS_GROUP, mode="0660")
        steps.append(FileStep(UDEV_RULES, rules.encode(), 0o644, "root", "root", "readers for the kiosk-readers group"))
    if printers.usb_slip is not None:
        rule = udev_rule(printers.usb_slip).encode()
        steps.append(FileStep(PRINTER_RULES, rule, 0o644, "root", "root", "the USB slip printer's node for group lp"))
    elif options.previous_printers.usb_slip is not None:
        steps.append(RemovedFileStep(PRINTER_RULES, "no USB slip printer any more"))
    steps.append(
        FileStep(
            POLKIT_RULE,
            polkit_rule(options.kind).encode(),
            0o644,
            "root",
            "root",
            "the kiosk user may reboot, power off and restart its services, nothing else",
        )
    )
    if options.ntp_server and not options.chrony:
        conf = f"# Written by kiosk provision.\n[Time]\nNTP={options.ntp_server}\n"
        steps.append(FileStep(TIMESYNC_CONF, conf.encode(), 0o644, "root", "root", "time from the hall's NTP server"))
    steps.append(CommandStep(("systemctl", "daemon-reload"), "load the changed units"))
    if kiosk:
        steps.append(CommandStep(("udevadm", "control", "--reload"), "load the changed udev rules"))
        steps.append(
            CommandStep(
                (
                    "udevadm",
                    "trigger",
                    "--subsystem-match=tty",
                    "--subsystem-match=input",
                    "--subsystem-match=usb",
                    *(("--subsystem-match=usbmisc",) if usb_printer else ()),
                ),
                "apply them to readers already plugged in",
            )
        )
    steps.append(ServiceStep("chrony.service" if options.chrony else "systemd-timesyncd.service", "time sync"))
    if kiosk:
        steps.append(ServiceStep("pcscd.socket", "social-security card readers (PC/SC)"))
        steps.append(ServiceStep(AGENT_UNIT, "the device agent"))
    steps.append(ServiceStep(DISPLAY_UNIT, "the display session on tty1"))
    return Plan(options.kind, options.server_url, tuple(steps))


def _printer_steps(printers: Printers, previous: Printers) -> list[Step]:
    """The lp group for a USB slip printer, and the A4 printer's CUPS queue; a change takes back what it replaces."""
    steps: list[Step] = []
    if printers.usb_slip is not None:
        steps.append(MembershipStep(USER, LP_GROUP, "the USB slip printer's /dev/usb/lpN belongs to group lp"))
    elif previous.usb_slip is not None:
        steps.append(MembershipStep(USER, LP_GROUP, "no USB slip printer any more", present=False))
    a4, before = printers.a4, previous.a4
    if before is not None and (a4 is None or a4.queue != before.queue):
        steps.append(QueueStep(before.queue, None, "", "the A4 printer changed: delete the queue provisioning made"))
    if a4 is not None and a4.uri is not None:
        steps.append(QueueStep(a4.queue, a4.uri, a4.model, "the A4 printer's queue (--a4-printer-uri)"))
    return steps
