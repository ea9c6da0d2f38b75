"""The systemd unit files: the display session on tty1 and the kiosk device agent."""

from __future__ import annotations

from typing import Final

from provisioning.layout import (
    AGENT_CONFIG,
    AGENT_UNIT,
    DEVICE_GROUPS,
    DISPLAY_ENV,
    DISPLAY_UNIT,
    READERS_GROUP,
    USER,
)
from provisioning.session import CAGE, CHROMIUM, exec_start

HEADER: Final = "# Written by kiosk provision (docs/provisioning.md); changes are overwritten by the next run.\n"
NOFILE: Final = 4096  # the agent holds a socket, a few readers and udev: far below, but no surprise at 1024
# Character-device classes (names from /proc/devices) of the readers: USB-serial ID card readers
# (ttyUSB, ttyACM), keyboard-wedge scanners (input), vendor libraries that talk libusb (usb_device).
READER_DEVICE_CLASSES: Final = ("char-ttyUSB", "char-ttyACM", "char-input", "char-usb_device")
USB_PRINTER_CLASS: Final = "char-usb"  # usblp's /dev/usb/lpN (major 180, "usb" in /proc/devices)


def display_unit(*, cage: str = CAGE, chromium: str = CHROMIUM) -> str:
    """``kiosk-display.service``: cage and Chromium on tty1 as the kiosk user, with no display manager.

    ``PAMName=login`` opens a logind session on the seat, which grants the user the GPU and input
    devices; it replaces the getty on tty1 (``Conflicts=``), so autologin needs no display manager.
    """
    return (
        HEADER + "[Unit]\n"
        "Description=Kiosk display: Chromium in kiosk mode under cage on tty1\n"
        "After=systemd-user-sessions.service getty@tty1.service network-online.target\n"
        "After=dbus.socket systemd-logind.service\n"
        "Wants=network-online.target dbus.socket systemd-logind.service\n"
        "Conflicts=getty@tty1.service\n"
        "ConditionPathExists=/dev/tty0\n"
        "StartLimitIntervalSec=0\n"
        "\n"
        "[Service]\n"
        "Type=simple\n"
        f"User={USER}\n"
        "PAMName=login\n"
        "TTYPath=/dev/tty1\n"
        "TTYReset=yes\n"
        "TTYVHangup=yes\n"
        "TTYVTDisallocate=yes\n"
        "StandardInput=tty-fail\n"
        "StandardOutput=journal\n"
        "StandardError=journal\n"
        "UtmpIdentifier=tty1\n"
        "UtmpMode=user\n"
        f"EnvironmentFile={DISPLAY_ENV}\n"
        f"ExecStart={exec_start(cage, chromium)}\n"
        "Restart=always\n"
        "RestartSec=3\n"
        "\n"
        "[Install]\n"
        "WantedBy=multi-user.target\n"
    )


def agent_unit(python: str, *, usb_printer: bool = False) -> str:
    """``kiosk-agent.service``: the device agent, unprivileged, with the readers (and a USB slip printer) as its only devices."""
    groups = " ".join((READERS_GROUP, *DEVICE_GROUPS))
    classes = (*READER_DEVICE_CLASSES, *((USB_PRINTER_CLASS,) if usb_printer else ()))
    allows = "".join(f"DeviceAllow={device} rw\n" for device in classes)
    return (
        HEADER + "[Unit]\n"
        "Description=Kiosk device agent: ID card readers, social-security cards, scanners\n"
        "After=network-online.target pcscd.socket\n"
        "Wants=network-online.target pcscd.socket\n"
        "StartLimitIntervalSec=0\n"
        "\n"
        "[Service]\n"
        "Type=simple\n"
        f"User={USER}\n"
        f"Group={USER}\n"
        f"SupplementaryGroups={groups}\n"
        f"ExecStart={python} -m devices.agent --config {AGENT_CONFIG}\n"
        "Restart=always\n"
        "RestartSec=5\n"
        f"LimitNOFILE={NOFILE}\n"
        "NoNewPrivileges=yes\n"
        "ProtectSystem=strict\n"
        "ProtectHome=yes\n"
        "PrivateTmp=yes\n"
        "DevicePolicy=closed\n"
        f"{allows}"
        "\n"
        "[Install]\n"
        "WantedBy=multi-user.target\n"
    )


def units_for(kind: str, python: str, *, usb_printer: bool = False) -> dict[str, str]:
    """Unit name to text for a box of ``kind`` (a kiosk runs the agent too)."""
    units = {DISPLAY_UNIT: display_unit()}
    if kind == "kiosk":
        units[AGENT_UNIT] = agent_unit(python, usb_printer=usb_printer)
    return units
