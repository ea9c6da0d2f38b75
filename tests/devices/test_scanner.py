"""The keyboard-wedge reader thread against a fake evdev device; device selection by vendor/product."""

from __future__ import annotations

import errno
import logging
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest

from devices.drivers.keymap import EV_KEY, EV_SYN, KEY_1, KEY_A, KEY_ENTER, KEY_LEFTSHIFT, KEY_Q
from devices.drivers.scan_decoder import DecoderConfig, ScanDecoder
from devices.drivers.scan_events import BarcodeScanned, ECardScanned
from devices.drivers.scanner import KeyboardWedgeScanner, ScannerCandidate, find_scanners
from devices.events import ReaderAttached, ReaderDetached, ReaderFault
from devices.simulators.scan_replay import RecordedEvent, load_recording, record_from_text

RECORDINGS = Path(__file__).parent / "recordings"
TOKEN = "HRSS-ESSC:c7gwq2U4TYewQ4D9k1aN1NWyckMPtzChuaPILGtxBC8BAgNleHBpcmVzLTE3NjM3NzUwMDA"
DEADLINE_S = 5.0


@dataclass(frozen=True)
class FakeInputEvent:
    """The fields of evdev.InputEvent the reader uses; anything else is an AttributeError."""

    sec: int
    usec: int
    type: int
    code: int
    value: int


def as_input_events(events: list[RecordedEvent]) -> list[FakeInputEvent]:
    out = []
    for e in events:
        usec_total = round(e.t * 1_000_000)
        out.append(FakeInputEvent(usec_total // 1_000_000, usec_total % 1_000_000, e.type, e.code, e.value))
    return out


class FakeDevice:
    """evdev.InputDevice faked at its boundary: fileno/read/grab/ungrab/close over a real pipe.

    Any other attribute raises, so the reader cannot quietly depend on more of evdev than this.
    """

    def __init__(self, *, read_error: OSError | None = None, grab_error: OSError | None = None) -> None:
        self.calls: list[str] = []
        self._read_fd, self._write_fd = os.pipe()
        os.set_blocking(self._read_fd, False)
        self._queue: list[FakeInputEvent] = []
        self._lock = threading.Lock()
        self._read_error = read_error
        self._grab_error = grab_error
        self.closed = threading.Event()

    def __getattr__(self, name: str):
        raise NotImplementedError(f"FakeDevice does not implement {name!r}")

    def push(self, events: list[FakeInputEvent]) -> None:
        with self._lock:
            self._queue.extend(events)
        os.write(self._write_fd, b"x")

    def fail_reads(self, error: OSError) -> None:
        self._read_error = error
        os.write(self._write_fd, b"x")

    def fileno(self) -> int:
        self.calls.append("fileno")
        return self._read_fd

    def read(self) -> Iterator[FakeInputEvent]:
        self.calls.append("read")
        try:
            os.read(self._read_fd, 4096)
        except BlockingIOError:
            pass
        if self._read_error is not None:
            raise self._read_error
        with self._lock:
            events, self._queue = self._queue, []
        if not events:
            raise BlockingIOError(errno.EAGAIN, "no events")
        return iter(events)

    def grab(self) -> None:
        self.calls.append("grab")
        if self._grab_error is not None:
            raise self._grab_error

    def ungrab(self) -> None:
        self.calls.append("ungrab")

    def close(self) -> None:
        self.calls.append("close")
        os.close(self._read_fd)
        os.close(self._write_fd)
        self.closed.set()


class Collector:
    """Receives the reader's events; tests wait on conditions with a deadline."""

    def __init__(self) -> None:
        self.events: list[object] = []
        self._cond = threading.Condition()

    def __call__(self, event: object) -> None:
        with self._cond:
            self.events.append(event)
            self._cond.notify_all()

    def wait_for(self, predicate: Callable[[list[object]], bool], what: str) -> list[object]:
        with self._cond:
            if not self._cond.wait_for(lambda: predicate(self.events), timeout=DEADLINE_S):
                pytest.fail(f"timed out waiting for {what}; got {self.events!r}")
            return list(self.events)

    def poke(self) -> None:
        """Re-check waiters' predicates after a change outside the event list."""
        with self._cond:
            self._cond.notify_all()

    def of_type(self, kind: type) -> list[object]:
        with self._cond:
            return [e for e in self.events if isinstance(e, kind)]


def count(kind: type, n: int = 1) -> Callable[[list[object]], bool]:
    return lambda events: sum(isinstance(e, kind) for e in events) >= n


class Devices:
    """open_device for the reader: hands out prepared fakes, then raises ENOENT (unplugged)."""

    def __init__(self, *devices: FakeDevice, watcher: Collector | None = None) -> None:
        self.watcher = watcher
        self.pending = list(devices)
        self.opened: list[FakeDevice] = []
        self.attempts = 0
        self._lock = threading.Lock()

    def plug(self, device: FakeDevice) -> None:
        with self._lock:
            self.pending.append(device)

    def __call__(self, path: str) -> FakeDevice:
        with self._lock:
            self.attempts += 1
            device = self.pending.pop(0) if self.pending else None
            if device is not None:
                self.opened.append(device)
        if self.watcher is not None:
            self.watcher.poke()
        if device is None:
            raise FileNotFoundError(errno.ENOENT, "No such file or directory", path)
        return device


@pytest.fixture
def make_scanner():
    scanners: list[KeyboardWedgeScanner] = []

    def make(open_device, collector, **overrides) -> KeyboardWedgeScanner:
        options = dict(
            reader_id="wedge-1", open_device=open_device, idle_poll_s=0.01, backoff_s=(0.01, 0.02), clock=lambda: 0.0
        )
        options.update(overrides)
        scanner = KeyboardWedgeScanner("/dev/input/by-id/usb-scanner-event-kbd", collector, **options)
        scanners.append(scanner)
        return scanner

    yield make
    for scanner in scanners:
        scanner.stop()


def test_replayed_token_becomes_an_ecard_event_and_stop_ungrabs_and_closes(make_scanner):
    device, collector = FakeDevice(), Collector()
    scanner = make_scanner(Devices(device), collector)
    scanner.start()
    collector.wait_for(count(ReaderAttached), "attach")
    device.push(as_input_events(load_recording(RECORDINGS / "ecard_token.txt")))
    events = collector.wait_for(count(ECardScanned), "the e-card scan")
    assert events == [ReaderAttached("wedge-1"), ECardScanned("wedge-1", TOKEN)]

    scanner.stop()
    assert not scanner.running
    assert device.calls[0] == "grab"
    assert device.calls[-2:] == ["ungrab", "close"]


def test_two_scans_in_a_row_are_two_events(make_scanner):
    device, collector = FakeDevice(), Collector()
    make_scanner(Devices(device), collector).start()
    collector.wait_for(count(ReaderAttached), "attach")
    device.push(as_input_events(load_recording(RECORDINGS / "ean13.txt")))
    device.push(as_input_events(record_from_text("Q1", start=1763774001.0)))
    events = collector.wait_for(count(BarcodeScanned, 2), "two barcodes")
    assert [(e.symbology, e.data) for e in events if isinstance(e, BarcodeScanned)] == [
        ("ean13", "6901234567892"),
        ("code128", "Q1"),
    ]


def test_gap_noticed_while_idle_is_a_reader_fault(make_scanner):
    device, collector = FakeDevice(), Collector()
    make_scanner(Devices(device), collector, clock=lambda: 2e9).start()
    collector.wait_for(count(ReaderAttached), "attach")
    device.push(as_input_events(record_from_text("HRSS-ESSC:c7", start=1763774100.0, terminator=None)))
    events = collector.wait_for(count(ReaderFault), "the incomplete-scan fault")
    (fault,) = [e for e in events if isinstance(e, ReaderFault)]
    assert "interrupted after 12 characters" in fault.message


def test_grab_is_released_and_device_closed_when_decoding_raises(make_scanner):
    class ExplodingDecoder(ScanDecoder):
        def feed(self, timestamp, ev_type, code, value):
            raise RuntimeError("decoder bug")

    class Scanner(KeyboardWedgeScanner):
        def make_decoder(self) -> ScanDecoder:
            return ExplodingDecoder()

    first, second, collector = FakeDevice(), FakeDevice(), Collector()
    devices = Devices(first, second)
    scanner = Scanner(
        "/dev/input/by-id/x",
        collector,
        reader_id="wedge-1",
        open_device=devices,
        idle_poll_s=0.01,
        backoff_s=(0.01, 0.02),
        clock=lambda: 0.0,
    )
    try:
        scanner.start()
        collector.wait_for(count(ReaderAttached), "attach")
        first.push(as_input_events([RecordedEvent(1.0, EV_KEY, KEY_A, 1)]))
        collector.wait_for(count(ReaderAttached, 2), "the reader to reopen after the failure")
        assert first.closed.is_set()
        assert first.calls[-2:] == ["ungrab", "close"]
        assert ReaderFault("wedge-1", "reader failed: RuntimeError") in collector.events
    finally:
        scanner.stop()
    assert second.calls[-2:] == ["ungrab", "close"]


def test_start_and_stop_twice_are_harmless(make_scanner):
    device, collector = FakeDevice(), Collector()
    devices = Devices(device)
    scanner = make_scanner(devices, collector)
    scanner.stop()  # before start
    scanner.start()
    scanner.start()
    collector.wait_for(count(ReaderAttached), "attach")
    scanner.stop()
    scanner.stop()
    assert devices.attempts == 1
    assert device.calls.count("grab") == 1
    assert device.calls.count("ungrab") == 1 and device.calls.count("close") == 1
    assert collector.events == [ReaderAttached("wedge-1")]


def test_scanner_can_be_restarted_after_stop(make_scanner):
    collector = Collector()
    devices = Devices(FakeDevice(), FakeDevice())
    scanner = make_scanner(devices, collector)
    scanner.start()
    collector.wait_for(count(ReaderAttached), "first attach")
    scanner.stop()
    scanner.start()
    collector.wait_for(count(ReaderAttached, 2), "second attach")
    scanner.stop()
    assert all(d.closed.is_set() for d in devices.opened)


def test_unplug_during_read_is_a_detach_and_the_reader_keeps_retrying_until_stopped(make_scanner):
    device, replugged, collector = FakeDevice(), FakeDevice(), Collector()
    devices = Devices(device, watcher=collector)
    scanner = make_scanner(devices, collector)
    scanner.start()
    collector.wait_for(count(ReaderAttached), "attach")
    device.fail_reads(OSError(errno.ENODEV, "No such device"))
    collector.wait_for(count(ReaderDetached), "detach")
    assert device.calls[-2:] == ["ungrab", "close"]

    deadline_attempts = devices.attempts + 3
    collector.wait_for(lambda _: devices.attempts >= deadline_attempts, "three reopen attempts")
    assert collector.of_type(ReaderDetached) == [ReaderDetached("wedge-1", "unplugged")]  # one per absence

    devices.plug(replugged)
    collector.wait_for(count(ReaderAttached, 2), "re-attach")
    replugged.push(as_input_events(load_recording(RECORDINGS / "ean13.txt")))
    collector.wait_for(count(BarcodeScanned), "a scan after replug")
    scanner.stop()
    assert not scanner.running
    assert replugged.calls[-2:] == ["ungrab", "close"]


def test_device_absent_at_start_is_reported_once_and_retried(make_scanner):
    collector = Collector()
    devices = Devices(watcher=collector)
    scanner = make_scanner(devices, collector)
    scanner.start()
    collector.wait_for(lambda _: devices.attempts >= 3, "retries")
    scanner.stop()
    assert [type(e) for e in collector.events] == [ReaderDetached]
    assert collector.events[0].reason.startswith("cannot open")


def test_device_grabbed_by_another_process_is_a_fault_and_is_closed_without_ungrab(make_scanner):
    busy, collector = FakeDevice(grab_error=OSError(errno.EBUSY, "Device or resource busy")), Collector()
    make_scanner(Devices(busy), collector).start()
    collector.wait_for(count(ReaderFault), "the busy fault")
    assert collector.of_type(ReaderFault)[0].message == "device is grabbed by another process"
    assert busy.calls == ["grab", "close"]


def test_scanned_content_never_appears_in_logs(make_scanner, caplog):
    caplog.set_level(logging.DEBUG)
    device, collector = FakeDevice(), Collector()
    make_scanner(Devices(device), collector, clock=lambda: 2e9, decoder_config=DecoderConfig(max_length=100)).start()
    collector.wait_for(count(ReaderAttached), "attach")
    device.push(as_input_events(load_recording(RECORDINGS / "ecard_token.txt")))
    collector.wait_for(count(ECardScanned), "the token")
    device.push(as_input_events(load_recording(RECORDINGS / "magstripe_track2.txt")))
    device.push(as_input_events(record_from_text(TOKEN[:30], start=1763774200.0, terminator=None)))
    device.push(
        as_input_events(
            [RecordedEvent(1763774300.0, EV_KEY, KEY_LEFTSHIFT, 1), RecordedEvent(1763774300.0, EV_SYN, 0, 0)]
        )
    )
    collector.wait_for(count(ReaderFault), "the interrupted scan")
    logged = caplog.text + "".join(repr(e) for e in collector.events)
    assert "ECardScanned of 81 characters" in caplog.text  # the reader did log, just not the content
    for secret in (TOKEN, TOKEN[10:30], "6222021234567890123"):
        assert secret not in logged


# --- find_scanners --------------------------------------------------------------------------------


class FakeProbe:
    """The part of evdev.InputDevice that find_scanners reads; anything else raises."""

    def __init__(self, path: str, vendor: int, product: int, keys: list[int], closed: list[str]) -> None:
        self.path = path
        self.name = f"scanner at {path}"
        self.phys = f"usb-0000:00:14.0-{path[-1]}/input0"
        self.info = SimpleNamespace(vendor=vendor, product=product)
        self._keys = keys
        self._closed = closed

    def __getattr__(self, name: str):
        raise NotImplementedError(f"FakeProbe does not implement {name!r}")

    def capabilities(self) -> dict[int, list[int]]:
        return {EV_SYN: [0], EV_KEY: self._keys}

    def close(self) -> None:
        self._closed.append(self.path)


def test_find_scanners_selects_by_vendor_product_and_key_capability_not_node_number():
    typing_keys = [KEY_ENTER, KEY_LEFTSHIFT, *range(KEY_1, KEY_1 + 10), *range(KEY_Q, KEY_Q + 10)]
    closed: list[str] = []
    probes = {
        "/dev/input/event3": FakeProbe("/dev/input/event3", 0x0C2E, 0x0B61, [KEY_ENTER], closed),  # POS node
        "/dev/input/event7": FakeProbe("/dev/input/event7", 0x0C2E, 0x0B61, typing_keys, closed),  # keyboard node
        "/dev/input/event1": FakeProbe("/dev/input/event1", 0x046D, 0xC31C, typing_keys, closed),  # real keyboard
    }

    def open_device(path: str) -> FakeProbe:
        if path == "/dev/input/event9":
            raise PermissionError(errno.EACCES, "Permission denied", path)
        return probes[path]

    found = find_scanners(
        [(0x0C2E, 0x0B61)],
        list_devices=lambda: ["/dev/input/event1", "/dev/input/event3", "/dev/input/event7", "/dev/input/event9"],
        open_device=open_device,
    )
    assert found == [
        ScannerCandidate(
            "/dev/input/event7", 0x0C2E, 0x0B61, "scanner at /dev/input/event7", "usb-0000:00:14.0-7/input0"
        )
    ]
    assert sorted(closed) == sorted(probes)
