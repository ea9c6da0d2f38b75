"""Render the kiosk's udev rules from the table of known readers (pure text, no udev needed).

Provisioning writes the result to ``/etc/udev/rules.d/70-kiosk-readers.rules``. The number matters:
the rules read ``ID_SERIAL_SHORT`` and ``ID_PATH_TAG``, which systemd's ``60-serial.rules`` and
``60-input-id.rules`` import first. Every matched device is tagged ``ENV{ID_KIOSK_READER}=<kind>``;
ID card readers get a stable ``/dev/kiosk/idcard-<usb serial or port path>`` symlink; serial and input
nodes get a group and mode so the agent runs unprivileged (PC/SC readers are pcscd's business).
"""

from __future__ import annotations

from collections.abc import Iterable

from devices.drivers.known_readers import CCID_INTERFACE_CLASS, KNOWN_READERS, PROBE_SAM_STATUS, KnownReader, ReaderKind

RULES_FILE_NAME = "70-kiosk-readers.rules"
DEFAULT_SERIAL_GROUP = "dialout"
DEFAULT_INPUT_GROUP = "input"
DEFAULT_MODE = "0660"


def _ids(row: KnownReader) -> str:
    parts = []
    if row.vendor is not None:
        parts.append(f'ATTRS{{idVendor}}=="{row.vendor:04x}"')
    if row.product is not None:
        parts.append(f'ATTRS{{idProduct}}=="{row.product:04x}"')
    return ", ".join(parts)


def _rule(*parts: str) -> str:
    return ", ".join(part for part in parts if part)


def rule_for(
    row: KnownReader,
    *,
    serial_group: str = DEFAULT_SERIAL_GROUP,
    input_group: str = DEFAULT_INPUT_GROUP,
    mode: str = DEFAULT_MODE,
) -> str:
    """The comment line and the udev rule that tag the devices of one table row."""
    tag = f'ENV{{ID_KIOSK_READER}}="{row.kind.value}"'
    comment = f"# {row.name} [{row.usb_id}]"
    if row.kind is ReaderKind.IDCARD_SERIAL:
        probe = f'ENV{{ID_KIOSK_PROBE}}="{PROBE_SAM_STATUS}"' if row.needs_probe else ""
        rule = _rule(
            'SUBSYSTEM=="tty"', 'SUBSYSTEMS=="usb"', _ids(row), tag, probe, f'GROUP="{serial_group}"', f'MODE="{mode}"'
        )
    elif row.kind is ReaderKind.SCANNER_HID:
        rule = _rule(
            'SUBSYSTEM=="input"',
            'KERNEL=="event*"',
            'ENV{ID_INPUT_KEYBOARD}=="1"',
            'SUBSYSTEMS=="usb"',
            _ids(row),
            tag,
            f'GROUP="{input_group}"',
            f'MODE="{mode}"',
        )
    else:
        rule = _rule(
            'SUBSYSTEM=="usb"',
            'ENV{DEVTYPE}=="usb_interface"',
            f'ATTR{{bInterfaceClass}}=="{CCID_INTERFACE_CLASS:02x}"',
            _ids(row),
            tag,
        )
    return f"{comment}\n{rule}\n"


_IDCARD_SYMLINKS = (
    "# Stable names for ID card readers: the USB serial number if the bridge has one, else the port path.\n"
    'SUBSYSTEM=="tty", ENV{ID_KIOSK_READER}=="idcard_serial", ENV{ID_SERIAL_SHORT}=="?*", '
    'SYMLINK+="kiosk/idcard-$env{ID_SERIAL_SHORT}"\n'
    'SUBSYSTEM=="tty", ENV{ID_KIOSK_READER}=="idcard_serial", ENV{ID_SERIAL_SHORT}!="?*", '
    'SYMLINK+="kiosk/idcard-$env{ID_PATH_TAG}"\n'
)


def render_rules(
    readers: Iterable[KnownReader] = KNOWN_READERS,
    *,
    serial_group: str = DEFAULT_SERIAL_GROUP,
    input_group: str = DEFAULT_INPUT_GROUP,
    mode: str = DEFAULT_MODE,
) -> str:
    """The whole rules file for ``readers``: one rule per row, grouped by kind, then the symlink rules."""
    rows = list(readers)
    out = [
        f"# {RULES_FILE_NAME}: generated from devices/drivers/known_readers.py by devices.drivers.udev_rules; do not edit.\n",
        "# Add a reader as one row in KNOWN_READERS and render again.\n",
    ]
    for kind in ReaderKind:
        of_kind = [row for row in rows if row.kind is kind]
        if not of_kind:
            continue
        out.append(f"\n# --- {kind.value} ---\n")
        out.extend(rule_for(row, serial_group=serial_group, input_group=input_group, mode=mode) for row in of_kind)
    if any(row.kind is ReaderKind.IDCARD_SERIAL for row in rows):
        out.append("\n" + _IDCARD_SYMLINKS)
    return "".join(out)


def main() -> None:  # pragma: no cover - a thin CLI: python -m devices.drivers.udev_rules > 70-kiosk-readers.rules
    """Print the rules for the built-in table."""
    print(render_rules(), end="")


if __name__ == "__main__":  # pragma: no cover
    main()
