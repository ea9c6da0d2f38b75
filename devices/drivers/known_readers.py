"""The one table of supported readers, used by hotplug to pick a driver and by provisioning for udev rules.

Adding a reader is one row in ``KNOWN_READERS``; ``devices.drivers.udev_rules.render_rules`` then writes the
matching udev rule and ``docs/devices.md`` lists it (a test keeps the doc in step with the table).

Three ways a device can match:

* by vendor and product id (``product`` set),
* by vendor alone (``product=None``: every product of a scanner maker),
* by capability alone (``vendor=None``): any USB interface of class 0x0B is a CCID smart-card
  reader, whoever made it; pcscd drives it, we only need to know it is there.

Generic USB-serial bridges (CH340, CP210x, PL2303, FTDI) sit inside many resident ID card readers
but also inside GPS mice, label printers and console cables, so a match on their id only makes a
*candidate*: ``needs_probe`` says the driver must see the SAM answer a status command
(GA/T 467 ``SAM_STATUS``) before the device counts as an ID card reader.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field


class ReaderKind(str, enum.Enum):
    """Which driver a device needs."""

    IDCARD_SERIAL = "idcard_serial"  # GA/T 467 resident ID card reader behind a USB-serial bridge
    SSC_PCSC = "ssc_pcsc"  # social-security card in a PC/SC (CCID) reader
    SCANNER_HID = "scanner_hid"  # keyboard-wedge QR/barcode/stripe scanner (evdev)


class Subsystem(str, enum.Enum):
    """The udev subsystem whose device node a driver of each kind opens."""

    TTY = "tty"
    USB = "usb"
    INPUT = "input"


SUBSYSTEM_OF_KIND: dict[ReaderKind, Subsystem] = {
    ReaderKind.IDCARD_SERIAL: Subsystem.TTY,
    ReaderKind.SSC_PCSC: Subsystem.USB,
    ReaderKind.SCANNER_HID: Subsystem.INPUT,
}

# Capabilities a udev device can show; hotplug derives them from udev properties and sysfs attributes.
CAP_KEYBOARD = "ev_key_keyboard"  # an input node with EV_KEY and typing keys (udev ID_INPUT_KEYBOARD=1)
CAP_CCID = "usb_interface_class_0b"  # a USB interface of class 0x0B (smart card, CCID)

CCID_INTERFACE_CLASS = 0x0B
PROBE_SAM_STATUS = "sam_status"


@dataclass(frozen=True)
class KnownReader:
    """One row of the table: what to match, which driver it needs, and what a technician should know."""

    kind: ReaderKind
    vendor: int | None  # USB idVendor; None only for capability rows
    product: int | None  # USB idProduct; None means every product of ``vendor``
    name: str
    notes: str = ""
    needs_probe: bool = False  # a generic bridge: confirm with a SAM status answer before trusting it
    requires: frozenset[str] = field(default_factory=frozenset)  # capabilities the device must show

    def __post_init__(self) -> None:
        for label, value in (("vendor", self.vendor), ("product", self.product)):
            if value is not None and not 0 <= value <= 0xFFFF:
                raise ValueError(f"{self.name}: {label} id {value!r} is not a 16-bit USB id")
        if self.vendor is None and self.product is not None:
            raise ValueError(f"{self.name}: a product id needs a vendor id")
        if self.vendor is None and not self.requires:
            raise ValueError(f"{self.name}: a row without a vendor id must require a capability")

    @property
    def subsystem(self) -> Subsystem:
        """The udev subsystem of the node the driver opens."""
        return SUBSYSTEM_OF_KIND[self.kind]

    @property
    def usb_id(self) -> str:
        """``vvvv:pppp``, ``vvvv:*`` for a vendor-wide row, ``*:*`` for a capability row."""
        vendor = "*" if self.vendor is None else f"{self.vendor:04x}"
        product = "*" if self.product is None else f"{self.product:04x}"
        return f"{vendor}:{product}"

    @property
    def specificity(self) -> int:
        """2 for vendor+product, 1 for vendor-wide, 0 for capability-only; the most specific row wins."""
        return (self.vendor is not None) + (self.product is not None)

    def matches(self, vendor: int | None, product: int | None, subsystem: str, capabilities: Collection[str]) -> bool:
        """True if a device with these ids, subsystem and capabilities is this reader."""
        if subsystem != self.subsystem.value:
            return False
        if self.vendor is not None and vendor != self.vendor:
            return False
        if self.product is not None and product != self.product:
            return False
        return self.requires.issubset(capabilities)


_BRIDGE_NOTE = "generic USB-serial bridge: started as a candidate, confirmed by a SAM status answer"
_SCANNER = frozenset({CAP_KEYBOARD})
_CCID = frozenset({CAP_CCID})


def _bridge(vendor: int, product: int, name: str, notes: str = "") -> KnownReader:
    text = f"{_BRIDGE_NOTE}; {notes}" if notes else _BRIDGE_NOTE
    return KnownReader(ReaderKind.IDCARD_SERIAL, vendor, product, name, text, needs_probe=True)


def _scanner_vendor(vendor: int, name: str, notes: str = "") -> KnownReader:
    text = "any product of this vendor; only the node that types text (EV_KEY keyboard) is used"
    return KnownReader(
        ReaderKind.SCANNER_HID, vendor, None, name, f"{text}; {notes}" if notes else text, requires=_SCANNER
    )


def _ccid_vendor(vendor: int, name: str) -> KnownReader:
    return KnownReader(
        ReaderKind.SSC_PCSC,
        vendor,
        None,
        name,
        "matched by CCID capability like any smart-card reader; the row only names it",
        requires=_CCID,
    )


KNOWN_READERS: tuple[KnownReader, ...] = (
    # Resident ID card readers (GA/T 467 over serial). Most Chinese desktop readers (华视, 神思, 新中新,
    # 精伦 …) put one of these bridges in front of the SAM module.
    _bridge(0x1A86, 0x7523, "WCH CH340 USB-serial bridge"),
    _bridge(0x1A86, 0x5523, "WCH CH341 USB-serial bridge (serial mode)"),
    _bridge(0x10C4, 0xEA60, "Silicon Labs CP210x USB-serial bridge", "CP2102/CP2102N/CP2104"),
    _bridge(0x067B, 0x2303, "Prolific PL2303 USB-serial bridge"),
    _bridge(0x0403, 0x6001, "FTDI FT232R USB-serial bridge"),
    _bridge(0x0403, 0x6015, "FTDI FT-X series USB-serial bridge", "FT230X/FT231X"),
    # Social-security cards: any CCID reader works through pcscd; vendor rows only give a name.
    KnownReader(
        ReaderKind.SSC_PCSC,
        None,
        None,
        "Any USB CCID smart-card reader",
        "matched by capability: a USB interface of class 0x0B; pcscd's ccid driver owns it",
        requires=_CCID,
    ),
    _ccid_vendor(0x072F, "ACS (Advanced Card Systems) CCID reader"),
    _ccid_vendor(0x076B, "HID Global OMNIKEY CCID reader"),
    _ccid_vendor(0x04E6, "Identiv (SCM Microsystems) CCID reader"),
    _ccid_vendor(0x08E6, "Thales (Gemalto) IDBridge CCID reader"),
    # Keyboard-wedge scanners: set them to USB HID keyboard mode with Enter as the suffix.
    _scanner_vendor(0x0C2E, "Honeywell (Metrologic) barcode/QR scanner"),
    _scanner_vendor(0x05E0, "Zebra (Symbol) barcode/QR scanner"),
    _scanner_vendor(0x1EAB, "Newland barcode/QR scanner", "common in Chinese hall kiosks"),
    _scanner_vendor(0x05F9, "Datalogic barcode/QR scanner"),
)


def match(
    vendor: int | None,
    product: int | None,
    subsystem: str,
    capabilities: Collection[str] = (),
    *,
    readers: Iterable[KnownReader] = KNOWN_READERS,
) -> KnownReader | None:
    """The most specific row a device matches (vendor+product, then vendor-wide, then capability), or None."""
    best: KnownReader | None = None
    for row in readers:
        if row.matches(vendor, product, subsystem, capabilities) and (
            best is None or row.specificity > best.specificity
        ):
            best = row
    return best


def rows_of_kind(kind: ReaderKind, readers: Iterable[KnownReader] = KNOWN_READERS) -> tuple[KnownReader, ...]:
    """The rows that need the driver ``kind``, in table order."""
    return tuple(row for row in readers if row.kind is kind)


def markdown_table(readers: Iterable[KnownReader] = KNOWN_READERS) -> str:
    """The table as Markdown, as pasted into ``docs/devices.md`` (a test keeps the two identical)."""
    lines = ["| kind | USB id | name | probe | notes |", "|---|---|---|---|---|"]
    for row in readers:
        probe = PROBE_SAM_STATUS if row.needs_probe else ""
        lines.append(f"| `{row.kind.value}` | `{row.usb_id}` | {row.name} | {probe} | {row.notes} |")
    return "\n".join(lines) + "\n"
