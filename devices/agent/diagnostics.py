"""Diagnostics a technician runs on the kiosk: which readers are there, and does one read a card.

``list_readers`` names every serial, PC/SC, HID and evdev candidate with its USB ids and the driver
that would take it, or why none would. The verdicts come from the agent's own rules (the
known-readers table through ``hotplug.recognise``, pcscd's reader list through
``devices.drivers.pcsc``, the configuration's fixed readers and vendor libraries), never from a
second table; the configured printers follow, each with the state it reports now. ``read_once``
starts the configured drivers without a server, waits for one card or scan and returns what it was
with masked fields only (``mask_id_number``, the screen form) and how long the read took. Both give plain data; ``devices.agent.cli`` prints them as text or JSON.
"""

from __future__ import annotations

import os
import queue
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any, Final

from content.citizens.idnumbers import mask_id_number
from devices.agent.config import AgentConfig
from devices.drivers.hotplug import capabilities, hex_attr
from devices.drivers.known_readers import (
    CCID_INTERFACE_CLASS,
    KNOWN_READERS,
    KnownReader,
    ReaderKind,
    Subsystem,
)
from devices.drivers.scan_events import BarcodeScanned, ECardScanned, MagstripeSwiped, UnrecognisedScan
from devices.events import IdCardRead, ReaderAttached, ReaderDetached, ReaderFault, SocialSecurityCardRead

VENDOR_DRIVER: Final = "idcard_vendor"
PROBE_TIMEOUT: Final = 1.0
_INTERFACE_CLASSES: Final = {0x03: "HID", 0x0B: "CCID smart card", 0xFF: "vendor-specific"}


@dataclass(frozen=True)
class Candidate:
    """One device, reader or library, and the driver that would take it (``""``: none) and why."""

    bus: str  # serial, pcsc, hid, evdev, usb, library, printer
    node: str  # device node, PC/SC reader name or library path
    source: str  # udev, pcscd or config
    vendor: str = ""  # USB idVendor as 4 hex digits, when known
    product: str = ""
    driver: str = ""
    why: str = ""


@dataclass
class Listing:
    """What ``list_readers`` found, plus notes on what it could not look at."""

    candidates: list[Candidate] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def payload(self) -> dict[str, Any]:
        return {"readers": [asdict(c) for c in self.candidates], "notes": list(self.notes)}


# --- udev ------------------------------------------------------------------------------------


def _udev_context() -> Any:
    import pyudev

    return pyudev.Context()


def _why_not(vendor: int, product: int, subsystem: str, caps: set[str], readers: Iterable[KnownReader]) -> str:
    usb_id = f"{vendor:04x}:{product:04x}"
    rows = tuple(readers)
    for row in rows:
        if row.vendor == vendor and row.product in (None, product) and row.subsystem.value == subsystem:
            missing = ", ".join(sorted(row.requires - caps))
            return f"{usb_id} is {row.name}, but this node lacks {missing}"
    same_vendor = [row for row in rows if row.vendor == vendor]
    if same_vendor:
        kinds = ", ".join(sorted({f"{r.kind.value} ({r.subsystem.value})" for r in same_vendor}))
        return f"{usb_id}: the table knows this vendor as {kinds}, not on a {subsystem} node"
    return f"{usb_id} is not in the known-readers table (docs/devices.md, 'Adding a vendor or product id')"


def _udev_candidate(device: Any, readers: tuple[KnownReader, ...]) -> Candidate | None:
    from devices.drivers.hotplug import recognise

    subsystem = device.subsystem
    node = device.device_node or ""
    usb = device.find_parent("usb", "usb_device")
    if subsystem == Subsystem.USB.value:
        if device.properties.get("DEVTYPE") != "usb_interface":
            return None
        interface_class = hex_attr(device, "bInterfaceClass")
        if interface_class not in _INTERFACE_CLASSES:
            return None
        bus = "hid" if interface_class == 0x03 else "usb"
        node = device.sys_name
    elif subsystem == Subsystem.INPUT.value:
        if not node.startswith("/dev/input/event"):
            return None
        bus = "evdev"
    elif subsystem == Subsystem.TTY.value:
        if not node or usb is None:
            return None  # built-in UARTs and consoles: a reader there is configured in [[readers]]
        bus = "serial"
    elif subsystem == "hidraw":
        bus = "hid"
    else:
        return None
    if usb is None:
        return Candidate(bus, node, "udev", why="not a USB device (built in or virtual)")
    vendor, product = hex_attr(usb, "idVendor"), hex_attr(usb, "idProduct")
    if vendor is None or product is None:
        return Candidate(bus, node, "udev", why="its USB parent shows no idVendor/idProduct")
    ids = {"vendor": f"{vendor:04x}", "product": f"{product:04x}"}
    if (
        subsystem == Subsystem.USB.value
        and hex_attr(device, "bInterfaceClass") != CCID_INTERFACE_CLASS
        or subsystem == "hidraw"
    ):
        kind = _INTERFACE_CLASSES.get(hex_attr(device, "bInterfaceClass") or 0x03, "HID")
        why = (
            f"{kind} interface: no built-in driver; an ID card reader of this kind works through its "
            "vendor library ([[idcard_vendor]])"
        )
        if kind == "HID":
            why += "; a scanner's typing node is listed as evdev"
        return Candidate(bus, node, "udev", driver="", why=why, **ids)
    detected = recognise(device, readers)
    if detected is None:
        why = _why_not(vendor, product, subsystem, set(capabilities(device)), readers)
        return Candidate(bus, node, "udev", why=why, **ids)
    why = f"{detected.reader.name} ({detected.reader.usb_id}); key {detected.key}"
    if detected.needs_probe:
        why += "; a generic bridge: counts once its SAM answers"
    if detected.kind is ReaderKind.SSC_PCSC:
        why += "; pcscd drives it and the agent follows pcscd's reader list"
    return Candidate(bus, node, "udev", driver=detected.kind.value, why=why, **ids)


def udev_candidates(context: Any, readers: tuple[KnownReader, ...] = KNOWN_READERS) -> list[Candidate]:
    """Every serial, USB interface, hidraw and evdev device udev knows, with its verdict."""
    found: list[Candidate] = []
    for subsystem in (Subsystem.TTY.value, Subsystem.USB.value, "hidraw", Subsystem.INPUT.value):
        for device in context.list_devices(subsystem=subsystem):
            try:
                candidate = _udev_candidate(device, readers)
            except Exception as err:  # a device that vanished while we read its attributes
                candidate = Candidate(subsystem, getattr(device, "device_node", "") or "?", "udev", why=f"{err}")
            if candidate is not None:
                found.append(candidate)
    return found


# --- PC/SC, configuration --------------------------------------------------------------------


def pcsc_candidates(config: AgentConfig | None, names: list[str]) -> list[Candidate]:
    """pcscd's readers, and which one the agent's PC/SC driver watches."""
    enabled = config.pcsc if config is not None else True  # the agent's defaults without a file
    prefix = config.pcsc_reader if config is not None else ""
    watched = next((name for name in names if name.startswith(prefix)), None) if enabled else None
    found = []
    for name in names:
        if not enabled:
            found.append(Candidate("pcsc", name, "pcscd", why="agent.pcsc is off"))
        elif name == watched:
            why = f"watched (agent.pcsc_reader = {prefix!r}: the first reader whose name starts so)"
            found.append(Candidate("pcsc", name, "pcscd", driver=ReaderKind.SSC_PCSC.value, why=why))
        else:
            found.append(Candidate("pcsc", name, "pcscd", why=f"not watched: the agent takes {watched!r}"))
    return found


def probe_serial(path: str, baudrate: int, timeout: float = PROBE_TIMEOUT) -> str:
    """Ask a GA/T 467 reader for its SAM status and id; a one-line verdict (never raises)."""
    from devices.drivers.idcard_protocol import Command, Frame, FrameReader, Response, Status
    from devices.drivers.idcard_reader import open_serial

    try:
        port = open_serial(path, baudrate)
    except OSError as err:
        return f"cannot open: {err.strerror or err}"
    try:
        answers: dict[Command, Response] = {}
        for command in (Command.SAM_STATUS, Command.READ_SAM_ID):
            port.reset_input_buffer()
            port.write(command.frame)
            frames, deadline = FrameReader(), time.monotonic() + timeout
            while command not in answers and time.monotonic() < deadline:
                for item in frames.feed(port.read(max(1, port.in_waiting))):
                    if isinstance(item, Frame):
                        answers[command] = Response.from_frame(item)
            if command not in answers:
                return f"no GA/T 467 answer to {command.name} within {timeout:g} s"
            if answers[command].sw3 != Status.SUCCESS:
                return f"{command.name}: {Status.describe(answers[command].sw3)}"
        return f"SAM answered, id {answers[Command.READ_SAM_ID].data.hex().upper()}"
    except Exception as err:  # a probe reports; it never takes the listing down
        return f"probe failed: {type(err).__name__}: {err}"
    finally:
        port.close()


def config_candidates(config: AgentConfig, *, probe: bool) -> list[Candidate]:
    """The fixed readers and vendor libraries of the configuration."""
    from devices.drivers.vendor_idcard import VendorLibraryError, check_library

    found = []
    for serial in config.serial_readers:
        why = "configured in [[readers]]"
        if not os.path.exists(serial.path):
            why += "; the path does not exist now (unplugged?)"
        elif probe:
            why += "; " + probe_serial(serial.path, serial.baudrate)
        found.append(Candidate("serial", serial.path, "config", driver=ReaderKind.IDCARD_SERIAL.value, why=why))
    for scanner in config.scanners:
        why = "configured in [[readers]]"
        if not os.path.exists(scanner.path):
            why += "; the path does not exist now (unplugged?)"
        found.append(Candidate("evdev", scanner.path, "config", driver=ReaderKind.SCANNER_HID.value, why=why))
    for settings in config.vendor_readers:
        try:
            verdict = check_library(settings, probe=probe)
        except VendorLibraryError as err:
            found.append(Candidate("library", settings.library, "config", why=f"[[idcard_vendor]] {err}"))
            continue
        why = f"[[idcard_vendor]] reader {settings.reader_id}, port {settings.port}, {settings.output} style: {verdict}"
        found.append(Candidate("library", settings.library, "config", driver=VENDOR_DRIVER, why=why))
    return found


def printer_candidates(config: AgentConfig) -> list[Candidate]:
    """The configured printers, each with the state it reports now (a status request, no printing)."""
    from devices.agent.printing import driver_for

    found = []
    for printer in config.printers:
        report = driver_for(printer).check()
        why = f"[[printers]] {printer.role.value} printer: {report.state.value}"
        if report.message:
            why += f" ({report.message})"
        if printer.paper_mm is not None:
            why += f", {printer.paper_mm} mm paper"
        found.append(Candidate("printer", printer.address, "config", driver=printer.kind.value, why=why))
    return found


def list_readers(
    config: AgentConfig | None,
    *,
    probe: bool = False,
    udev_context: Callable[[], Any] = _udev_context,
    pcsc_names: Callable[[], list[str]] | None = None,
) -> Listing:
    """Everything a technician wants to see before asking why a card is not read."""
    listing = Listing()
    readers = KNOWN_READERS + (config.extra_readers if config else ())
    try:
        context = udev_context()
    except ImportError:
        listing.notes.append("pyudev is not installed: USB serial, HID and evdev devices are not listed")
    except Exception as err:
        listing.notes.append(f"udev is not available here ({err}): USB devices are not listed")
    else:
        listing.candidates.extend(udev_candidates(context, readers))
    from devices.drivers import pcsc

    try:
        names = pcsc_names() if pcsc_names is not None else pcsc.list_readers()
    except pcsc.PcscError as err:
        listing.notes.append(f"pcscd is not reachable, PC/SC readers are not listed: {err}")
    else:
        listing.candidates.extend(pcsc_candidates(config, names))
        if not names:
            listing.notes.append("pcscd lists no readers")
    if config is not None:
        listing.candidates.extend(config_candidates(config, probe=probe))
        listing.candidates.extend(printer_candidates(config))
    return listing


# --- one test read ---------------------------------------------------------------------------


def _masked_name(name: str) -> str:
    return name[:1] + "*" * (len(name) - 1) if name else ""


@dataclass(frozen=True)
class ReadReport:
    """What ``read_once`` saw: the kind, masked fields, timings, and the reader status events before it."""

    kind: str  # idcard, ssc, ecard, barcode, magstripe, unrecognised_scan
    reader_id: str
    fields: dict[str, Any]
    read_ms: float | None  # from the card answering to the decoded event, where the driver shows it
    waited_ms: float
    statuses: tuple[str, ...] = ()

    def payload(self) -> dict[str, Any]:
        return asdict(self)


def describe_read(event: Any) -> tuple[str, dict[str, Any]] | None:
    """The kind and masked fields of a card or scan event; None for anything else."""
    if isinstance(event, IdCardRead):
        return "idcard", {
            "document": event.kind.name.lower(),
            "name": _masked_name(event.name),
            "id_number": event.masked_id_number,
            "sex": event.sex or event.sex_code,
            "valid_to": event.valid_to,
        }
    if isinstance(event, SocialSecurityCardRead):
        return "ssc", {
            "generation": event.generation,
            "region_code": event.region_code,
            "card_number": mask_id_number(event.card_number),
            "id_number": event.masked_id_number if event.id_number else "",
            "name": _masked_name(event.name),
            "personal_fields_available": event.personal_fields_available,
            "message": event.message,
        }
    if isinstance(event, ECardScanned):
        return "ecard", {"length": len(event.token)}
    if isinstance(event, BarcodeScanned):
        return "barcode", {"symbology": event.symbology, "length": len(event.data)}
    if isinstance(event, MagstripeSwiped):
        return "magstripe", {"tracks": list(event.track_numbers)}
    if isinstance(event, UnrecognisedScan):
        return "unrecognised_scan", {"length": event.length, "hint": event.hint}
    return None


def _status_line(event: Any) -> str:
    if isinstance(event, ReaderAttached):
        return f"{event.reader_id}: attached" + (f" (SAM {event.sam_id})" if event.sam_id else "")
    if isinstance(event, ReaderDetached):
        return f"{event.reader_id}: detached: {event.reason}"
    return f"{event.reader_id}: fault: {event.message}"


class _Marks:
    """When each reader last started reading a card (perf_counter), set from the drivers' seams."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._at: dict[str, float] = {}

    def mark(self, reader_id: str) -> None:
        with self._lock:
            self._at[reader_id] = time.perf_counter()

    def since(self, reader_id: str, now: float) -> float | None:
        with self._lock:
            started = self._at.get(reader_id)
        return None if started is None else (now - started) * 1000


def _drivers(config: AgentConfig, on_event: Callable[[Any], None], marks: _Marks) -> list[Any]:
    """The configured drivers, with seams that mark when a read starts."""
    from devices.drivers.idcard_protocol import Command
    from devices.drivers.idcard_reader import IdCardReader, SerialPort, open_serial
    from devices.drivers.vendor_idcard import VendorIdCardReader

    drivers: list[Any] = []
    for serial in config.serial_readers:

        def opener(path: str, baudrate: int, reader_id: str = serial.path) -> SerialPort:
            port = open_serial(path, baudrate)
            write = port.write

            def timed_write(data: bytes) -> int | None:
                if data == Command.SELECT_CARD.frame:  # sent right after find-card saw a card
                    marks.mark(reader_id)
                return write(data)

            port.write = timed_write  # type: ignore[method-assign]
            return port

        drivers.append(IdCardReader(serial.path, on_event, baudrate=serial.baudrate, opener=opener))
    for settings in config.vendor_readers:
        drivers.append(VendorIdCardReader(settings, on_event))
    if config.pcsc:
        from devices.drivers import pcsc
        from devices.drivers.ssc_reader import SocialSecurityCardReader

        reader_id = f"pcsc:{config.pcsc_reader or 'any'}"

        class TimedContext(pcsc.PcscContext):
            def connect(self, reader: str) -> pcsc.PcscConnection:
                marks.mark(reader_id)  # pcscd saw a card: the driver connects to read it
                return super().connect(reader)

        drivers.append(
            SocialSecurityCardReader(
                on_event, reader_name=config.pcsc_reader, reader_id=reader_id, context_factory=TimedContext
            )
        )
    for scanner in config.scanners:
        from devices.drivers.scan_classify import ClassifyRules
        from devices.drivers.scanner import KeyboardWedgeScanner

        rules = ClassifyRules(ecard_prefix=config.ecard_prefix)
        drivers.append(KeyboardWedgeScanner(scanner.path, on_event, rules=rules))
    if config.hotplug:
        from devices.drivers.hotplug import HotplugMonitor, default_factory

        drivers.append(
            HotplugMonitor(default_factory(on_event), on_event, readers=KNOWN_READERS + config.extra_readers)
        )
    return drivers


def read_once(
    config: AgentConfig,
    timeout: float,
    *,
    on_status: Callable[[str], None] = lambda line: None,
    drivers: Callable[[AgentConfig, Callable[[Any], None], Any], list[Any]] = _drivers,
) -> ReadReport | None:
    """Start the configured readers, wait up to ``timeout`` s for one card or scan; None if none came."""
    events: queue.Queue[tuple[Any, float]] = queue.Queue()
    marks = _Marks()
    running = drivers(config, lambda event: events.put((event, time.perf_counter())), marks)
    statuses: list[str] = []
    started = time.perf_counter()
    try:
        for driver in running:
            driver.start()
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                event, at = events.get(timeout=left)
            except queue.Empty:
                break
            if isinstance(event, ReaderAttached | ReaderDetached | ReaderFault):
                line = _status_line(event)
                statuses.append(line)
                on_status(line)
                continue
            described = describe_read(event)
            if described is None:
                continue
            kind, fields = described
            read_ms = marks.since(event.reader_id, at)
            vendor_seconds = getattr(_driver_of(running, event.reader_id), "last_read_seconds", None)
            if read_ms is None and vendor_seconds is not None:
                read_ms = vendor_seconds * 1000
            return ReadReport(kind, event.reader_id, fields, read_ms, (at - started) * 1000, tuple(statuses))
        return None
    finally:
        for driver in running:
            driver.stop()


def _driver_of(drivers: list[Any], reader_id: str) -> Any:
    return next((d for d in drivers if getattr(d, "reader_id", None) == reader_id), None)
