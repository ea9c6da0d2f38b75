"""Hotplug: drivers started and stopped per stable device key, with udev faked only at the pyudev boundary."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from devices.drivers.hotplug import DetectedReader, HotplugMonitor, default_factory, recognise
from devices.drivers.known_readers import ReaderKind
from devices.events import ReaderDetached, ReaderFault

# --- fakes at the pyudev boundary ------------------------------------------------------------


class Strict:
    """Any attribute the code reads that the fake does not define fails the test loudly."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"{type(self).__name__}.{name} is not faked")


class FakeMapping(Strict):
    """pyudev's ``properties`` / ``attributes``: only ``get`` is used."""

    def __init__(self, values: dict[str, Any]) -> None:
        self._values = values

    def get(self, key: str, default: Any = None) -> Any:
        return self._values.get(key, default)


class FakeUsbDevice(Strict):
    def __init__(self, vendor: str, product: str, serial: str | None) -> None:
        values = {"idVendor": vendor.encode(), "idProduct": product.encode()}
        if serial is not None:
            values["serial"] = serial.encode()
        self.attributes = FakeMapping(values)


class FakeDevice(Strict):
    def __init__(
        self,
        *,
        subsystem: str,
        sys_name: str,
        device_node: str | None,
        usb: FakeUsbDevice | None,
        links: tuple[str, ...] = (),
        properties: dict[str, str] | None = None,
        attributes: dict[str, bytes] | None = None,
        action: str | None = None,
    ) -> None:
        self.subsystem = subsystem
        self.sys_name = sys_name
        self.sys_path = f"/sys/devices/pci0000:00/fake/{sys_name}"
        self.device_node = device_node
        self.device_links = list(links)
        self.properties = FakeMapping(properties or {})
        self.attributes = FakeMapping(attributes or {})
        self.action = action
        self._usb = usb

    def find_parent(self, subsystem: str, device_type: str | None = None) -> FakeUsbDevice | None:
        if (subsystem, device_type) != ("usb", "usb_device"):
            raise AssertionError(f"find_parent({subsystem!r}, {device_type!r}) is not faked")
        return self._usb

    def as_event(self, action: str) -> FakeDevice:
        event = FakeDevice(
            subsystem=self.subsystem,
            sys_name=self.sys_name,
            device_node=self.device_node,
            usb=self._usb,
            links=tuple(self.device_links),
            action=action,
        )
        event.properties = self.properties
        event.attributes = self.attributes
        return event


class FakeContext(Strict):
    def __init__(self, devices: list[FakeDevice]) -> None:
        self.devices = devices

    def list_devices(self, *, subsystem: str) -> list[FakeDevice]:
        return [d for d in self.devices if d.subsystem == subsystem]


class FakeMonitor(Strict):
    def __init__(self) -> None:
        self.events: queue.Queue[FakeDevice | Exception] = queue.Queue()
        self.started = 0

    def start(self) -> None:
        self.started += 1

    def poll(self, timeout: float | None = None) -> FakeDevice | None:
        try:
            item = self.events.get(timeout=timeout)
        except queue.Empty:
            return None
        if isinstance(item, Exception):
            raise item
        return item

    def plug(self, device: FakeDevice) -> None:
        self.events.put(device.as_event("add"))

    def unplug(self, device: FakeDevice) -> None:
        self.events.put(device.as_event("remove"))


def ch340(n: int, *, serial: str | None = "A1B2", port: str = "1.2") -> FakeDevice:
    by_id = (
        f"/dev/serial/by-id/usb-1a86_USB_Serial_{serial}-if00-port0"
        if serial
        else "/dev/serial/by-id/usb-1a86_USB_Serial-if00-port0"
    )
    return FakeDevice(
        subsystem="tty",
        sys_name=f"ttyUSB{n}",
        device_node=f"/dev/ttyUSB{n}",
        usb=FakeUsbDevice("1a86", "7523", serial),
        links=(by_id, f"/dev/serial/by-path/pci-0000:00:14.0-usb-0:{port}:1.0-port0"),
    )


def honeywell_keyboard(n: int, *, keyboard: bool = True) -> FakeDevice:
    props = {"ID_INPUT_KEY": "1"} | ({"ID_INPUT_KEYBOARD": "1"} if keyboard else {})
    kind = "kbd" if keyboard else "if01-event-kbd"
    return FakeDevice(
        subsystem="input",
        sys_name=f"event{n}",
        device_node=f"/dev/input/event{n}",
        usb=FakeUsbDevice("0c2e", "0b61", "17012B4F"),
        properties=props,
        links=(
            f"/dev/input/by-id/usb-Honeywell_Imaging_17012B4F-event-{kind}",
            f"/dev/input/by-path/pci-0000:00:14.0-usb-0:3:1.{0 if keyboard else 1}-event-kbd",
        ),
    )


def logitech_keyboard(n: int) -> FakeDevice:
    return FakeDevice(
        subsystem="input",
        sys_name=f"event{n}",
        device_node=f"/dev/input/event{n}",
        usb=FakeUsbDevice("046d", "c52b", None),
        properties={"ID_INPUT_KEYBOARD": "1"},
        links=("/dev/input/by-path/pci-0000:00:14.0-usb-0:4:1.0-event-kbd",),
    )


def ccid_interface(vendor: str = "beef") -> FakeDevice:
    return FakeDevice(
        subsystem="usb",
        sys_name="1-5:1.0",
        device_node=None,
        usb=FakeUsbDevice(vendor, "0001", "X9"),
        properties={"DEVTYPE": "usb_interface"},
        attributes={"bInterfaceClass": b"0b"},
    )


# --- the driver side ------------------------------------------------------------------------


class FakeDriver(Strict):
    def __init__(self, detected: DetectedReader, fail: bool) -> None:
        self.detected = detected
        self.fail = fail
        self.starts = 0
        self.stops = 0

    def start(self) -> None:
        if self.fail:
            raise OSError("permission denied")
        self.starts += 1

    def stop(self) -> None:
        self.stops += 1


class RecordingFactory:
    def __init__(self, failing_keys: frozenset[str] = frozenset()) -> None:
        self.drivers: list[FakeDriver] = []
        self.failing_keys = failing_keys
        self._lock = threading.Lock()

    def __call__(self, detected: DetectedReader) -> FakeDriver:
        driver = FakeDriver(detected, detected.key in self.failing_keys)
        with self._lock:
            self.drivers.append(driver)
        return driver

    def started(self) -> list[FakeDriver]:
        with self._lock:
            return [d for d in self.drivers if d.starts]

    def keys(self) -> list[str]:
        return [d.detected.key for d in self.started()]


def wait_until(condition: Callable[[], bool], deadline_s: float = 3.0) -> None:
    end = time.monotonic() + deadline_s
    while not condition():
        if time.monotonic() > end:
            raise AssertionError("condition not met before the deadline")
        time.sleep(0.002)


@pytest.fixture
def rig():
    """A running monitor over fake udev; yields (hotplug, udev monitor, factory, events, context)."""
    made: list[HotplugMonitor] = []

    def build(present: list[FakeDevice] = (), failing_keys: frozenset[str] = frozenset()):
        context, udev = FakeContext(list(present)), FakeMonitor()
        factory, events = RecordingFactory(failing_keys), []
        hotplug = HotplugMonitor(factory, events.append, context=context, monitor=udev, poll_timeout=0.01)
        made.append(hotplug)
        hotplug.start()
        return hotplug, udev, factory, events

    yield build
    for hotplug in made:
        hotplug.stop()


CH340_KEY = "/dev/serial/by-id/usb-1a86_USB_Serial_A1B2-if00-port0"
SCANNER_KEY = "/dev/input/by-id/usb-Honeywell_Imaging_17012B4F-event-kbd"


# --- tests ----------------------------------------------------------------------------------


def test_reader_present_at_start_is_started(rig):
    hotplug, udev, factory, _ = rig([ch340(0)])

    wait_until(lambda: factory.keys() == [CH340_KEY])
    assert udev.started == 1


def test_plugged_reader_driver_started_once_on_its_stable_node(rig):
    hotplug, udev, factory, _ = rig()

    udev.plug(ch340(3))
    wait_until(lambda: len(factory.started()) == 1)

    (driver,) = factory.started()
    assert driver.starts == 1
    assert driver.detected.key == CH340_KEY
    assert driver.detected.node == CH340_KEY  # never /dev/ttyUSB3
    assert hotplug.active_keys == {CH340_KEY}


def test_replug_of_the_same_device_key_does_not_start_a_duplicate(rig):
    hotplug, udev, factory, _ = rig([ch340(0)])

    udev.plug(ch340(0))  # the add that raced the enumeration
    udev.plug(ch340(1))  # re-enumerated as ttyUSB1 before its remove arrived
    udev.plug(honeywell_keyboard(5))  # a marker: once it is started, the events before it were handled
    wait_until(lambda: SCANNER_KEY in factory.keys())

    assert factory.keys().count(CH340_KEY) == 1
    assert len(factory.drivers) == 2


def test_late_remove_of_the_old_node_does_not_stop_the_replugged_driver(rig):
    hotplug, udev, factory, events = rig([ch340(0)])

    udev.plug(ch340(1))
    udev.unplug(ch340(0))
    udev.plug(honeywell_keyboard(5))
    wait_until(lambda: SCANNER_KEY in factory.keys())

    (driver,) = [d for d in factory.drivers if d.detected.key == CH340_KEY]
    assert driver.stops == 0
    assert events == []


def test_unplug_stops_exactly_that_driver(rig):
    hotplug, udev, factory, events = rig([ch340(0), honeywell_keyboard(4)])
    wait_until(lambda: len(factory.started()) == 2)

    udev.unplug(honeywell_keyboard(4))
    wait_until(lambda: events != [])

    stopped = {d.detected.key: d.stops for d in factory.drivers}
    assert stopped == {SCANNER_KEY: 1, CH340_KEY: 0}
    assert events == [ReaderDetached(SCANNER_KEY, "unplugged")]
    assert hotplug.active_keys == {CH340_KEY}


def test_replug_after_unplug_starts_a_fresh_driver(rig):
    hotplug, udev, factory, events = rig([ch340(0)])
    wait_until(lambda: len(factory.started()) == 1)

    udev.unplug(ch340(0))
    udev.plug(ch340(2))
    wait_until(lambda: len(factory.started()) == 2)

    first, second = factory.started()
    assert (first.stops, second.stops) == (1, 0)
    assert second.detected.key == first.detected.key == CH340_KEY


def test_unknown_devices_are_ignored(rig):
    unknown_tty = FakeDevice(
        subsystem="tty",
        sys_name="ttyACM0",
        device_node="/dev/ttyACM0",
        usb=FakeUsbDevice("2341", "0043", "ARDUINO"),
        links=("/dev/serial/by-id/usb-Arduino-if00",),
    )
    builtin_uart = FakeDevice(subsystem="tty", sys_name="ttyS0", device_node="/dev/ttyS0", usb=None)
    hotplug, udev, factory, events = rig([unknown_tty, builtin_uart, logitech_keyboard(2)])

    udev.plug(honeywell_keyboard(7, keyboard=False))  # the scanner's non-typing sibling node
    udev.plug(logitech_keyboard(3))
    udev.plug(ch340(0))  # the marker
    wait_until(lambda: CH340_KEY in factory.keys())

    assert factory.keys() == [CH340_KEY]
    assert events == []


def test_generic_serial_bridge_is_started_as_an_id_reader_candidate(rig):
    hotplug, udev, factory, _ = rig()

    udev.plug(ch340(0))
    wait_until(lambda: len(factory.started()) == 1)

    detected = factory.started()[0].detected
    assert detected.kind is ReaderKind.IDCARD_SERIAL
    assert detected.needs_probe
    assert (detected.vendor, detected.product) == (0x1A86, 0x7523)


def test_identical_bridges_without_serial_numbers_are_keyed_by_port(rig):
    hotplug, udev, factory, _ = rig([ch340(0, serial=None, port="1.2"), ch340(1, serial=None, port="1.3")])

    wait_until(lambda: len(factory.started()) == 2)

    assert sorted(factory.keys()) == [
        "/dev/serial/by-path/pci-0000:00:14.0-usb-0:1.2:1.0-port0",
        "/dev/serial/by-path/pci-0000:00:14.0-usb-0:1.3:1.0-port0",
    ]


def test_failing_driver_start_becomes_a_fault_and_the_monitor_continues(rig):
    hotplug, udev, factory, events = rig(failing_keys=frozenset({CH340_KEY}))

    udev.plug(ch340(0))
    udev.plug(honeywell_keyboard(4))
    wait_until(lambda: SCANNER_KEY in factory.keys())

    assert events == [ReaderFault(CH340_KEY, "could not start idcard_serial driver: permission denied")]
    assert hotplug.running
    assert hotplug.active_keys == {SCANNER_KEY}


def test_reader_whose_start_failed_is_retried_on_the_next_plug(rig):
    hotplug, udev, factory, events = rig([ch340(0)], failing_keys=frozenset({CH340_KEY}))
    wait_until(lambda: len(events) == 1)

    factory.failing_keys = frozenset()
    udev.plug(ch340(0))
    wait_until(lambda: factory.keys() == [CH340_KEY])


def test_start_and_stop_twice_are_harmless(rig):
    hotplug, udev, factory, _ = rig([ch340(0)])
    hotplug.start()
    wait_until(lambda: len(factory.started()) == 1)

    hotplug.stop()
    hotplug.stop()

    assert not hotplug.running
    assert udev.started == 1
    assert [(d.starts, d.stops) for d in factory.drivers] == [(1, 1)]
    assert hotplug.active_keys == frozenset()


def test_udev_failure_becomes_a_fault_and_stops_the_drivers(rig):
    hotplug, udev, factory, events = rig([ch340(0)])
    wait_until(lambda: len(factory.started()) == 1)

    udev.events.put(OSError("netlink socket closed"))
    wait_until(lambda: not hotplug.running)

    assert events == [ReaderFault("hotplug", "udev monitor failed: netlink socket closed")]
    assert factory.drivers[0].stops == 1


def test_ccid_reader_is_recognised_by_capability():
    detected = recognise(ccid_interface("beef"))

    assert detected is not None
    assert detected.kind is ReaderKind.SSC_PCSC
    assert detected.key == "usb:beef:0001:X9"


def test_default_factory_leaves_pcsc_readers_to_the_pcsc_driver():
    detected = recognise(ccid_interface("072f"))

    assert detected is not None
    assert default_factory(lambda event: None)(detected) is None


def test_default_factory_builds_an_id_reader_on_the_stable_node():
    from devices.drivers.idcard_reader import IdCardReader

    detected = recognise(ch340(0))
    driver = default_factory(lambda event: None)(detected)

    assert isinstance(driver, IdCardReader)
    assert (driver.port, driver.reader_id) == (CH340_KEY, CH340_KEY)
    assert not driver.running


def test_default_factory_builds_a_scanner_on_the_keyboard_node():
    from devices.drivers.scanner import KeyboardWedgeScanner

    detected = recognise(honeywell_keyboard(9))
    driver = default_factory(lambda event: None)(detected)

    assert isinstance(driver, KeyboardWedgeScanner)
    assert (driver.path, driver.reader_id) == (SCANNER_KEY, SCANNER_KEY)


def test_a_context_without_a_monitor_is_refused():
    with pytest.raises(ValueError):
        HotplugMonitor(RecordingFactory(), print, context=FakeContext([]))


def _bridge_on(sim_port: str, tmp_path: Any) -> FakeDevice:
    """A CH340 whose by-id link leads to a simulated reader's pseudo-terminal."""
    by_id = tmp_path / "serial" / "by-id" / "usb-1a86_USB_Serial_A1B2-if00-port0"
    by_id.parent.mkdir(parents=True)
    by_id.symlink_to(sim_port)
    return FakeDevice(
        subsystem="tty",
        sys_name="ttyUSB0",
        device_node="/dev/ttyUSB0",
        usb=FakeUsbDevice("1a86", "7523", "A1B2"),
        links=(str(by_id),),
    )


@pytest.mark.parametrize("silent", [True, False], ids=["silent-device", "id-reader"])
def test_a_bridge_candidate_is_announced_only_when_its_sam_answers(tmp_path, silent):
    from devices.events import ReaderAttached
    from devices.simulators.idcard_reader import SimIdCardReader

    events: queue.Queue[Any] = queue.Queue()
    with SimIdCardReader(silent=silent) as sim:
        device = _bridge_on(sim.port, tmp_path)
        assert recognise(device).needs_probe
        hotplug = HotplugMonitor(
            default_factory(events.put), events.put, context=FakeContext([device]), monitor=FakeMonitor()
        )
        hotplug.start()
        try:
            first = events.get(timeout=10)
        finally:
            hotplug.stop()
    if silent:
        assert isinstance(first, ReaderFault) and first.reason == "probe_failed"
        assert "not a GA/T 467 ID card reader" in first.message
    else:
        assert isinstance(first, ReaderAttached) and first.sam_id == bytes(range(16)).hex().upper()
    later = []
    while not events.empty():
        later.append(events.get_nowait())
    if silent:
        assert not [e for e in later if isinstance(e, ReaderAttached)], "a silent device is never attached"
