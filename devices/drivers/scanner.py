"""The keyboard-wedge scanner reader: grabs an evdev device, decodes scans, emits events.

python-evdev is imported only inside ``_open_evdev_device`` and ``find_scanners`` so this module
imports on machines without it; tests pass their own ``open_device``.
"""

from __future__ import annotations

import errno
import logging
import select
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from devices.drivers._thread import ReaderThread
from devices.drivers.keymap import ENTER_KEYS, EV_KEY, KEY_0, KEY_1, KEY_A, KEY_Z
from devices.drivers.scan_classify import ClassifyRules, classify
from devices.drivers.scan_decoder import DecoderConfig, IncompleteScan, Scan, ScanDecoder
from devices.drivers.scan_events import ScanEvent
from devices.events import ReaderAttached, ReaderDetached, ReaderFault

log = logging.getLogger(__name__)

ScannerEvent = ScanEvent | ReaderAttached | ReaderDetached | ReaderFault


class InputEventLike(Protocol):
    """What the reader uses of ``evdev.InputEvent``."""

    sec: int
    usec: int
    type: int
    code: int
    value: int


class InputDeviceLike(Protocol):
    """What the reader uses of ``evdev.InputDevice``: nothing else may be called on it."""

    def fileno(self) -> int: ...
    def read(self) -> Iterator[InputEventLike]: ...
    def grab(self) -> None: ...
    def ungrab(self) -> None: ...
    def close(self) -> None: ...


def _open_evdev_device(path: str) -> InputDeviceLike:
    from evdev import InputDevice

    return InputDevice(path)


class KeyboardWedgeScanner(ReaderThread):
    """One scanner on one evdev node: a thread reads, decodes and calls ``on_event`` for each event.

    ``on_event`` runs on the reader thread and must be quick (put the event on a queue). The device is
    grabbed exclusively so scans never type into the kiosk browser, and always released in ``finally``.
    After an unplug the reader emits ``ReaderDetached`` and reopens the path with backoff until stopped.
    """

    def __init__(
        self,
        path: str,
        on_event: Callable[[ScannerEvent], None],
        *,
        reader_id: str | None = None,
        decoder_config: DecoderConfig | None = None,
        rules: ClassifyRules | None = None,
        open_device: Callable[[str], InputDeviceLike] = _open_evdev_device,
        idle_poll_s: float = 0.05,
        backoff_s: tuple[float, float] = (0.5, 10.0),
        clock: Callable[[], float] = time.time,  # evdev timestamps are CLOCK_REALTIME by default
    ) -> None:
        self.path = path
        super().__init__(f"scanner {reader_id or path}", reader_id or path, on_event)
        self._decoder_config = decoder_config or DecoderConfig()
        self._rules = rules or ClassifyRules()
        self._open_device = open_device
        self._idle_poll_s = idle_poll_s
        self._backoff_s = backoff_s
        self._clock = clock
        self._attached = False

    def make_decoder(self) -> ScanDecoder:
        """The decoder for one opening of the device (tests override it)."""
        return ScanDecoder(self._decoder_config)

    def _emit(self, event: ScannerEvent) -> None:
        # Unguarded here: inside a session a failing consumer ends the session (see _safe_emit).
        self._on_event(event)

    def _run(self, stop: threading.Event) -> None:
        delay = self._backoff_s[0]
        absent_reported = False  # one ReaderDetached per absence, not one per retry
        while not stop.is_set():
            try:
                device = self._open_device(self.path)
            except OSError as err:
                log.info(
                    "scanner %s: cannot open %s (%s); retrying in %.1f s",
                    self.reader_id,
                    self.path,
                    errno.errorcode.get(err.errno or 0, err.errno),
                    delay,
                )
                if not absent_reported:
                    absent_reported = True
                    self._safe_emit(ReaderDetached(self.reader_id, f"cannot open: {err.strerror or err}"))
                stop.wait(delay)
                delay = min(delay * 2, self._backoff_s[1])
                continue
            absent_reported = False
            self._attached = False
            try:
                self._session(device, stop)
                continue  # stopped
            except OSError as err:
                if err.errno in (errno.ENODEV, errno.ENOENT, errno.EIO):
                    log.warning("scanner %s: unplugged (%s)", self.reader_id, errno.errorcode.get(err.errno))
                    absent_reported = True
                    self._safe_emit(ReaderDetached(self.reader_id, "unplugged"))
                elif err.errno == errno.EBUSY:
                    log.warning("scanner %s: grabbed by another process", self.reader_id)
                    self._safe_emit(ReaderFault(self.reader_id, "device is grabbed by another process"))
                else:
                    log.warning("scanner %s: device error %s", self.reader_id, err)
                    self._safe_emit(ReaderFault(self.reader_id, f"device error: {err.strerror or err}"))
            except Exception as err:  # noqa: BLE001 - the reader's supervisor loop: log, fault, back off
                # No exception text: it could quote what was scanned.
                log.error("scanner %s: reader failed with %s", self.reader_id, type(err).__name__)
                self._safe_emit(ReaderFault(self.reader_id, f"reader failed: {type(err).__name__}"))
            if self._attached:
                delay = self._backoff_s[0]  # it worked for a while: start the backoff over
            stop.wait(delay)
            delay = min(delay * 2, self._backoff_s[1])

    def _safe_emit(self, event: ScannerEvent) -> None:
        try:
            self._emit(event)
        except Exception as err:  # noqa: BLE001 - a failing consumer must not kill the reader loop
            log.error("scanner %s: event callback failed with %s", self.reader_id, type(err).__name__)

    def _session(self, device: InputDeviceLike, stop: threading.Event) -> None:
        """Grab, read until stopped or unplugged, and always ungrab and close."""
        grabbed = False
        try:
            device.grab()
            grabbed = True
            self._attached = True
            self._emit(ReaderAttached(self.reader_id))
            self._read_loop(device, stop, self.make_decoder())
        finally:
            if grabbed:
                try:
                    device.ungrab()
                except OSError as err:  # already gone when unplugged
                    log.debug("scanner %s: ungrab failed: %s", self.reader_id, err)
            try:
                device.close()
            except OSError as err:
                log.debug("scanner %s: close failed: %s", self.reader_id, err)

    def _read_loop(self, device: InputDeviceLike, stop: threading.Event, decoder: ScanDecoder) -> None:
        fd = device.fileno()
        while not stop.is_set():
            readable, _, _ = select.select([fd], [], [], self._idle_poll_s)
            if not readable:
                self._handle(decoder.poll(self._clock()))
                continue
            try:
                for event in device.read():
                    self._handle(decoder.feed(event.sec + event.usec / 1_000_000, event.type, event.code, event.value))
            except BlockingIOError:
                continue

    def _handle(self, results: Iterable[Scan | IncompleteScan]) -> None:
        for result in results:
            if isinstance(result, IncompleteScan):
                log.warning("scanner %s: %s", self.reader_id, result.message)
                self._emit(ReaderFault(self.reader_id, result.message))
            else:
                event = classify(self.reader_id, result.text, self._rules)
                log.info("scanner %s: %s of %d characters", self.reader_id, type(event).__name__, len(result.text))
                self._emit(event)


@dataclass(frozen=True)
class ScannerCandidate:
    """An evdev node that looks like a keyboard-wedge scanner we know."""

    path: str
    vendor: int
    product: int
    name: str
    phys: str


_TYPING_KEYS = frozenset({*range(KEY_A, KEY_Z + 1), *range(KEY_1, KEY_0 + 1)})


def _types_text(capabilities: dict[int, Any]) -> bool:
    keys = set(capabilities.get(EV_KEY, ()))
    # The keyboard node of a scanner has Enter and letters/digits; its sibling nodes (HID POS,
    # consumer control, mouse) do not, so they are skipped whatever their node number.
    return bool(keys & ENTER_KEYS) and len(keys & _TYPING_KEYS) >= 10


def find_scanners(
    vendor_product_ids: Collection[tuple[int, int]],
    *,
    list_devices: Callable[[], Iterable[str]] | None = None,
    open_device: Callable[[str], Any] | None = None,
) -> list[ScannerCandidate]:
    """The evdev nodes whose (vendor, product) is listed and which type text, sorted by physical path.

    ``list_devices`` and ``open_device`` default to ``evdev.list_devices`` and ``evdev.InputDevice``.
    """
    if list_devices is None or open_device is None:
        import evdev

        list_devices = list_devices or evdev.list_devices
        open_device = open_device or evdev.InputDevice
    wanted = {(int(v), int(p)) for v, p in vendor_product_ids}
    found = []
    for path in list_devices():
        try:
            device = open_device(path)
        except OSError as err:
            log.debug("skipping %s: %s", path, err)
            continue
        try:
            info = device.info
            if (info.vendor, info.product) in wanted and _types_text(device.capabilities()):
                found.append(ScannerCandidate(path, info.vendor, info.product, device.name, device.phys))
        finally:
            device.close()
    return sorted(found, key=lambda c: (c.phys, c.path))
