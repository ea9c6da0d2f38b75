"""Where everything lives on a provisioned box: paths, the user, the groups, the units (one place, no drift)."""

from __future__ import annotations

from typing import Final

USER: Final = "kiosk"
HOME: Final = "/var/lib/kiosk"
NO_LOGIN_SHELL: Final = "/usr/sbin/nologin"
READERS_GROUP: Final = "kiosk-readers"  # the udev rules hand readers to this group instead of mode 0666
# Device access through groups only: serial bridges (dialout), evdev scanners (input), libusb vendor
# readers (plugdev); the display needs video/render for the GPU and audio for the speaker.
DEVICE_GROUPS: Final = ("dialout", "input", "plugdev")
DISPLAY_GROUPS: Final = ("video", "render", "audio")

CONFIG_DIR: Final = "/etc/kiosk"
AGENT_CONFIG: Final = "/etc/kiosk/agent.toml"
SCREEN_PROFILE: Final = "/etc/kiosk/screen.json"
DISPLAY_ENV: Final = "/etc/kiosk/display.env"
UNIT_DIR: Final = "/etc/systemd/system"
DISPLAY_UNIT: Final = "kiosk-display.service"
AGENT_UNIT: Final = "kiosk-agent.service"
UDEV_RULES: Final = "/etc/udev/rules.d/70-kiosk-readers.rules"
PRINTER_RULES: Final = "/etc/udev/rules.d/70-kiosk-printers.rules"  # only with a USB slip printer
LP_GROUP: Final = "lp"  # the usblp nodes (/dev/usb/lpN) belong to it on Debian
POLKIT_RULE: Final = "/etc/polkit-1/rules.d/50-kiosk.rules"
TIMESYNC_CONF: Final = "/etc/systemd/timesyncd.conf.d/50-kiosk.conf"
STATE_FILE: Final = "/var/lib/kiosk-provision/state.json"

DEVTOOLS_PORT: Final = 9222  # remote screenshots: the agent asks Chromium through it, on 127.0.0.1 only

# Debian 12 packages. chrony replaces systemd-timesyncd when it is installed already.
KIOSK_PACKAGES: Final = ("pcscd", "libccid")
CUPS_PACKAGES: Final = ("cups", "cups-client")  # an A4 printer: cupsd, lpadmin, and the agent's lp and lpstat
DISPLAY_PACKAGES: Final = (
    "cage",
    "chromium",
    "fonts-noto-cjk",
    "wlr-randr",
    "alsa-utils",
    "speech-dispatcher",
    "espeak-ng",
    "polkitd",
    "systemd-timesyncd",
)


def unit_path(unit: str) -> str:
    return f"{UNIT_DIR}/{unit}"
