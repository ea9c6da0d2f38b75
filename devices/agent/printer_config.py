"""The ``[[printers]]`` tables of the agent's file: at most one printer per role, checked key by key.

```toml
[[printers]]
role = "slip"             # "slip": queue slips on a receipt printer; "a4": certificates on A4
kind = "escpos-network"   # "escpos-network", "escpos-usb" (slip) or "cups" (a4)
host = "192.168.10.31"    # escpos-network
port = 9100               # escpos-network, optional
usb = "0416:5011"         # escpos-usb: vendor:product (hex)
queue = "hall-a4"         # cups: the queue name
paper_mm = 80             # slip: 80 or 58
```

A slip is ESC/POS bytes and a certificate is a PDF, so a slip printer speaks ESC/POS and an A4
printer is a CUPS queue; any other pairing is refused here rather than failing at the first job.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from devices.drivers.cups_printer import QUEUE_NAME
from devices.drivers.printer_states import PrinterKind, PrinterRole
from devices.errors import DeviceError

PAPER_WIDTHS: Final = (80, 58)
DEFAULT_PORT: Final = 9100
_USB_ID: Final = re.compile(r"([0-9a-fA-F]{4}):([0-9a-fA-F]{4})")
_HOST: Final = re.compile(r"[A-Za-z0-9.:\-\[\]]{1,253}")
_KEYS: Final = {
    PrinterKind.ESCPOS_NETWORK: {"role", "kind", "host", "port", "paper_mm"},
    PrinterKind.ESCPOS_USB: {"role", "kind", "usb", "paper_mm"},
    PrinterKind.CUPS: {"role", "kind", "queue"},
}
_KINDS_FOR: Final = {
    PrinterRole.SLIP: (PrinterKind.ESCPOS_NETWORK, PrinterKind.ESCPOS_USB),
    PrinterRole.A4: (PrinterKind.CUPS,),
}


class PrinterConfigError(DeviceError):
    """A ``[[printers]]`` entry is malformed; ``key`` is its dotted name (``printers[0].host``)."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key}: {problem}")
        self.key = key


@dataclass(frozen=True)
class PrinterConfig:
    """One configured printer; the fields its kind does not use keep their defaults."""

    role: PrinterRole
    kind: PrinterKind
    host: str = ""
    port: int = DEFAULT_PORT
    usb_vendor: int = 0
    usb_product: int = 0
    queue: str = ""
    paper_mm: int | None = None  # slip printers only

    @property
    def address(self) -> str:
        """Where the printer is, for logs and diagnostics."""
        if self.kind is PrinterKind.ESCPOS_NETWORK:
            return f"{self.host}:{self.port}"
        if self.kind is PrinterKind.ESCPOS_USB:
            return f"usb {self.usb_vendor:04x}:{self.usb_product:04x}"
        return f"cups {self.queue}"


def printer_name(role: PrinterRole) -> str:
    """``a slip printer`` or ``an a4 printer``, for messages."""
    return f"{'an' if role is PrinterRole.A4 else 'a'} {role.value} printer"


def _choice(entry: Mapping[str, Any], where: str, key: str, choices: tuple[str, ...]) -> str:
    value = entry.get(key)
    if value is None:
        raise PrinterConfigError(f"{where}.{key}", "missing")
    if value not in choices:
        raise PrinterConfigError(f"{where}.{key}", f"expected one of {', '.join(choices)}, got {value!r}")
    return str(value)


def _text(entry: Mapping[str, Any], where: str, key: str) -> str:
    value = entry.get(key)
    if value is None:
        raise PrinterConfigError(f"{where}.{key}", "missing")
    if not isinstance(value, str) or not value:
        raise PrinterConfigError(f"{where}.{key}", f"expected a non-empty string, got {value!r}")
    return value


def _printer(entry: Any, where: str) -> PrinterConfig:
    if not isinstance(entry, Mapping):
        raise PrinterConfigError(where, "expected a table")
    role = PrinterRole(_choice(entry, where, "role", tuple(r.value for r in PrinterRole)))
    kind = PrinterKind(_choice(entry, where, "kind", tuple(k.value for k in PrinterKind)))
    if kind not in _KINDS_FOR[role]:
        allowed = " or ".join(k.value for k in _KINDS_FOR[role])
        raise PrinterConfigError(f"{where}.kind", f"{printer_name(role)} must be {allowed}, got {kind.value!r}")
    unknown = sorted(set(entry) - _KEYS[kind])
    if unknown:
        raise PrinterConfigError(f"{where}.{unknown[0]}", f"not a key of a {kind.value} printer")
    paper_mm: int | None = None
    if role is PrinterRole.SLIP:
        paper_mm = entry.get("paper_mm", PAPER_WIDTHS[0])
        if isinstance(paper_mm, bool) or paper_mm not in PAPER_WIDTHS:
            raise PrinterConfigError(f"{where}.paper_mm", f"expected 80 or 58, got {paper_mm!r}")
    if kind is PrinterKind.ESCPOS_NETWORK:
        host = _text(entry, where, "host")
        if "://" in host or not _HOST.fullmatch(host):
            raise PrinterConfigError(
                f"{where}.host", f"expected a host name or IP address such as 192.168.10.31, got {host!r}"
            )
        port = entry.get("port", DEFAULT_PORT)
        if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
            raise PrinterConfigError(f"{where}.port", f"expected a TCP port 1-65535, got {port!r}")
        return PrinterConfig(role, kind, host=host, port=port, paper_mm=paper_mm)
    if kind is PrinterKind.ESCPOS_USB:
        usb = _text(entry, where, "usb")
        found = _USB_ID.fullmatch(usb)
        if found is None:
            raise PrinterConfigError(f"{where}.usb", f"expected vendor:product in hex such as 0416:5011, got {usb!r}")
        return PrinterConfig(
            role, kind, usb_vendor=int(found.group(1), 16), usb_product=int(found.group(2), 16), paper_mm=paper_mm
        )
    queue = _text(entry, where, "queue")
    if not QUEUE_NAME.fullmatch(queue):
        raise PrinterConfigError(
            f"{where}.queue", f"expected a CUPS queue name (no spaces, /, # or quotes), got {queue!r}"
        )
    return PrinterConfig(role, kind, queue=queue)


def parse_printers(entries: Any) -> tuple[PrinterConfig, ...]:
    """Check ``[[printers]]`` (absent: no printers)."""
    if not isinstance(entries, list):
        raise PrinterConfigError("printers", "expected an array of tables ([[printers]])")
    printers: list[PrinterConfig] = []
    for index, entry in enumerate(entries):
        printer = _printer(entry, f"printers[{index}]")
        if any(p.role is printer.role for p in printers):
            raise PrinterConfigError(f"printers[{index}].role", f"a second {printer.role.value} printer: one per role")
        printers.append(printer)
    return tuple(printers)
