"""Hotplug: watch udev, recognise readers by the known-readers table, start and stop their drivers.

The monitor listens first and enumerates second, so nothing plugged in between is lost; the
duplicates this can cause are absorbed because starting is idempotent per device key. Each device
is known by a stable key (its ``/dev/serial/by-id`` or ``/dev/input/by-id`` link when the USB device
has a serial number, else its ``by-path`` link, else the USB port path), never by ``ttyUSBn`` or
``eventN`` order. A driver that fails to start becomes a ``ReaderFault``; the monitor carries on.

pyudev is imported only in ``open_udev``; everything else works on pyudev-like objects, which is the
boundary tests fake.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from devices.drivers._thread import ReaderThread
from devices.drivers.known_readers import (
    CAP_CCID,
    CAP_KEYBOARD,
    CCID_INTERFACE_CLASS,
    KNOWN_READERS,
    KnownReader,
    ReaderKind,
    Subsystem,
    match,
)
from devices.events import ReaderDetached, ReaderFault

log = logging.getLogger(__name__)

WATCHED_SUBSYSTEMS = tuple(s.value for s in Subsystem)


class ReaderDriver(Protocol):
    """What the monitor needs of a driver: start and stop, both safe to call twice."""

    def start(self) -> None: ...
    def stop(self) -> None: ...


@dataclass(frozen=True)
class DetectedReader:
    """A device the table recognised: what it is, its stable key, and the node the driver should open."""

    key: str  # stable: by-id link, by-path link, or usb:<port path>; also the driver's reader_id
    kind: ReaderKind
    node: str  # by-id/by-path link when there is one, so a reopen after re-enumeration finds it
    reader: KnownReader
    vendor: int
    product: int
    sys_path: str

    @property
    def needs_probe(self) -> bool:
        """True for a generic serial bridge: only a SAM status answer confirms it is an ID card reader."""
        return self.reader.needs_probe


ReaderFactory = Callable[[DetectedReader], "ReaderDriver | None"]
"""Builds the driver for a detected reader, or returns None when another component owns it (PC/SC)."""


def default_factory(on_event: Callable[[Any], Any]) -> ReaderFactory:
    """The production factory: ID card readers on serial, scanners on evdev; PC/SC is left to pcscd."""

    def build(detected: DetectedReader) -> ReaderDriver | None:
        if detected.kind is ReaderKind.IDCARD_SERIAL:
            from devices.drivers.idcard_reader import IdCardReader

            return IdCardReader(detected.node, on_event, reader_id=detected.key)
        if detected.kind is ReaderKind.SCANNER_HID:
            from devices.drivers.scanner import KeyboardWedgeScanner

            return KeyboardWedgeScanner(detected.node, on_event, reader_id=detected.key)
        # CCID readers appear in pcscd's reader list; the PC/SC driver watches that list itself.
        return None

    return build


def open_udev() -> tuple[Any, Any]:
    """A pyudev context and a netlink monitor filtered to the subsystems readers live in."""
    import pyudev

    context = pyudev.Context()
    monitor = pyudev.Monitor.from_netlink(context)
    for subsystem in WATCHED_SUBSYSTEMS:
        monitor.filter_by(subsystem)
    return context, monitor


# --- reading pyudev-like devices -------------------------------------------------------------


def hex_attr(device: Any, name: str) -> int | None:
    """A udev attribute written in hexadecimal (``idVendor``, ``bInterfaceClass``), or None."""
    raw = device.attributes.get(name)
    if raw is None:
        return None
    text = raw.decode("ascii", "replace") if isinstance(raw, bytes) else str(raw)
    try:
        return int(text.strip(), 16)
    except ValueError:
        return None


def _text_attr(device: Any, name: str) -> str:
    raw = device.attributes.get(name)
    if raw is None:
        return ""
    return (raw.decode("ascii", "replace") if isinstance(raw, bytes) else str(raw)).strip()


def _link(device: Any, kind: str) -> str | None:
    links: list[str] = sorted(device.device_links)
    for link in links:
        if f"/by-{kind}/" in link:
            return link
    return None


def capabilities(device: Any) -> frozenset[str]:
    """What a udev device offers that the known-readers table matches on (keyboard keys, CCID)."""
    caps = set()
    if device.subsystem == Subsystem.INPUT.value and device.properties.get("ID_INPUT_KEYBOARD") == "1":
        caps.add(CAP_KEYBOARD)
    if device.subsystem == Subsystem.USB.value and hex_attr(device, "bInterfaceClass") == CCID_INTERFACE_CLASS:
        caps.add(CAP_CCID)
    return frozenset(caps)


def _is_candidate_node(device: Any) -> bool:
    subsystem = device.subsystem
    if subsystem == Subsystem.TTY.value:
        return bool(device.device_node)
    if subsystem == Subsystem.INPUT.value:
        # Only evdev nodes (eventN); the parent inputN device and jsN/mouseN nodes are not readers.
        node = device.device_node or ""
        return node.startswith("/dev/input/event")
    if subsystem == Subsystem.USB.value:
        return bool(device.properties.get("DEVTYPE") == "usb_interface")
    return False


def recognise(device: Any, readers: Iterable[KnownReader] = KNOWN_READERS) -> DetectedReader | None:
    """The reader a pyudev-like device is, by its USB parent's ids and its capabilities, or None."""
    if not _is_candidate_node(device):
        return None
    usb = device.find_parent("usb", "usb_device")
    if usb is None:  # a built-in UART or a virtual keyboard: not a USB reader
        return None
    vendor, product = hex_attr(usb, "idVendor"), hex_attr(usb, "idProduct")
    if vendor is None or product is None:
        return None
    row = match(vendor, product, device.subsystem, capabilities(device), readers=readers)
    if row is None:
        return None
    serial = _text_attr(usb, "serial")
    by_id, by_path = _link(device, "id"), _link(device, "path")
    if row.kind is ReaderKind.SSC_PCSC:
        key = f"usb:{vendor:04x}:{product:04x}:{serial}" if serial else f"usb:{device.sys_name}"
        node = ""
    else:
        # Without a USB serial number two identical bridges share one by-id link: use the port path.
        key = (by_id if serial and by_id else None) or by_path or f"usb:{device.sys_name}"
        node = (by_id if serial and by_id else None) or by_path or device.device_node
    return DetectedReader(key, row.kind, node, row, vendor, product, device.sys_path)


# --- the monitor -----------------------------------------------------------------------------


class HotplugMonitor(ReaderThread):
    """Starts one driver per recognised device and stops it when the device goes away.

    ``context`` and ``monitor`` are pyudev-like (``open_udev()`` when both are None). ``on_event``
    receives ``ReaderFault`` (a driver failed to start) and ``ReaderDetached`` (a running driver's
    device was removed); drivers send their own events through whatever the factory gave them.
    """

    def __init__(
        self,
        factory: ReaderFactory,
        on_event: Callable[[Any], Any],
        *,
        context: Any = None,
        monitor: Any = None,
        readers: Iterable[KnownReader] = KNOWN_READERS,
        poll_timeout: float = 0.2,
    ) -> None:
        super().__init__("hotplug", "hotplug", on_event)
        if (context is None) != (monitor is None):
            raise ValueError("pass both a context and a monitor, or neither")
        self._context = context
        self._monitor = monitor
        self._factory = factory
        self._readers = tuple(readers)
        self._poll_timeout = poll_timeout
        self._drivers: dict[str, ReaderDriver] = {}
        self._keys_by_sys_path: dict[str, str] = {}
        self._state = threading.Lock()

    @property
    def active_keys(self) -> frozenset[str]:
        """The device keys whose drivers are running."""
        with self._state:
            return frozenset(self._drivers)

    # the thread ------------------------------------------------------------------------------

    def _run(self, stop: threading.Event) -> None:
        try:
            if self._monitor is None:
                self._context, self._monitor = open_udev()
            self._monitor.start()  # listen before enumerating so no plug falls in between
            self.scan()
            while not stop.is_set():
                device = self._monitor.poll(timeout=self._poll_timeout)
                if device is not None:
                    self.handle(device)
        except Exception as err:
            log.exception("hotplug: udev monitor failed")
            self._emit(ReaderFault("hotplug", f"udev monitor failed: {err}"))
        finally:
            self._stop_all()

    def scan(self) -> None:
        """Start drivers for the readers already present."""
        for subsystem in WATCHED_SUBSYSTEMS:
            for device in self._context.list_devices(subsystem=subsystem):
                self._add(device)

    def handle(self, device: Any) -> None:
        """React to one udev event: ``add`` starts a driver, ``remove`` stops it, anything else is ignored."""
        action = device.action
        if action == "add":
            self._add(device)
        elif action == "remove":
            self._remove(device)

    def _add(self, device: Any) -> None:
        try:
            detected = recognise(device, self._readers)
        except Exception as err:  # a device that vanished while we read its sysfs attributes
            log.warning("hotplug: could not inspect %s: %s", getattr(device, "sys_path", "?"), err)
            return
        if detected is None:
            return
        with self._state:
            # A replug that re-enumerated before its remove arrived: forget the old node, so that
            # late remove cannot stop the driver now serving the new one.
            for sys_path in [p for p, k in self._keys_by_sys_path.items() if k == detected.key]:
                del self._keys_by_sys_path[sys_path]
            self._keys_by_sys_path[detected.sys_path] = detected.key
            if detected.key in self._drivers:
                return
        try:
            driver = self._factory(detected)
            if driver is None:
                log.info("hotplug: %s %s is handled elsewhere", detected.kind.value, detected.key)
                return
            driver.start()
        except Exception as err:
            log.warning("hotplug: could not start %s driver for %s: %s", detected.kind.value, detected.key, err)
            self._emit(ReaderFault(detected.key, f"could not start {detected.kind.value} driver: {err}"))
            return
        with self._state:
            self._drivers[detected.key] = driver
        log.info(
            "hotplug: started %s driver for %s (%s)%s",
            detected.kind.value,
            detected.key,
            detected.reader.name,
            " as a candidate awaiting SAM status" if detected.needs_probe else "",
        )

    def _remove(self, device: Any) -> None:
        with self._state:
            key = self._keys_by_sys_path.pop(device.sys_path, None)
            driver = self._drivers.pop(key, None) if key is not None else None
        if key is None or driver is None:
            return
        self._stop_driver(key, driver)
        self._emit(ReaderDetached(key, "unplugged"))

    def stop(self, timeout: float = 5.0) -> None:
        """Stop watching udev and stop every driver this monitor started; safe to call twice."""
        super().stop(timeout)
        self._stop_all()

    def _stop_driver(self, key: str, driver: ReaderDriver) -> None:
        try:
            driver.stop()
        except Exception:
            log.exception("hotplug: stopping the driver for %s raised", key)
        log.info("hotplug: stopped driver for %s", key)

    def _stop_all(self) -> None:
        with self._state:
            drivers, self._drivers = self._drivers, {}
            self._keys_by_sys_path.clear()
        for key, driver in drivers.items():
            self._stop_driver(key, driver)
