"""The kiosk device agent: supervises the readers and sends what they see to the server.

Drivers call ``on_event`` from their own threads; the agent queues the event and one dispatcher
thread sends it over the ``ServerLink``, so reads go out in the order they happened and a slow
server never blocks a reader. Reader status (attached, reading, idle, fault, detached, with the last
good read time) is kept per reader and sent on change and in every ``agent_hello``, so the fleet view
is right after any outage; a good read clears a fault. Identical faults are rate-limited in the log
and to the server (``fault_throttle.py``: the first at once, then one count per
``fault_report_interval_seconds``). A fault that says a card could not be read also goes out as
``card_unreadable``, so the kiosk page can ask the citizen to put the card down again. A card read
that cannot be delivered within ``card_read_max_age_seconds`` is dropped: the citizen has walked
away, and a session opened minutes later would greet the wrong person. The agent writes nothing
to disk and logs only masked numbers.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from devices import __version__
from devices.agent.config import AgentConfig
from devices.agent.fault_throttle import FaultThrottle
from devices.agent.link import ServerLink
from devices.agent.power import ALWAYS_ON, POWER_SCHEDULE, PowerKeeper
from devices.agent.printing import Printing
from devices.agent.remote_care import DEVICE_COMMAND, RemoteCare
from devices.agent.wire import (
    CARD_READ,
    CARD_REMOVED,
    CARD_UNREADABLE,
    IDLE,
    READER_STATUS,
    READING,
    ReaderStatus,
    card_read_payload,
    card_removed_payload,
    card_unreadable_payload,
    describe,
    status_of,
    unreadable_source,
)
from devices.drivers.hotplug import DetectedReader, HotplugMonitor, ReaderDriver, default_factory
from devices.drivers.known_readers import KNOWN_READERS, ReaderKind
from devices.drivers.scan_events import BarcodeScanned, ECardScanned, MagstripeSwiped, UnrecognisedScan
from devices.events import (
    UNREADABLE_CARD,
    CardRemoved,
    IdCardRead,
    ReaderAttached,
    ReaderDetached,
    ReaderFault,
    SocialSecurityCardRead,
)

log = logging.getLogger(__name__)

HOTPLUG_ID = "hotplug"
_STOP = object()
_FLUSH = object()

FaultKey = tuple[str, str, str]  # reader id, reason, message: faults with the same key are identical


@dataclass(frozen=True)
class _Queued:
    event: Any
    at: float  # the agent's clock (time.monotonic) when the driver reported it
    wall: datetime  # UTC, for the last good read time


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Agent:
    """Runs the drivers a kiosk needs and forwards their events to the server.

    ``drivers`` are extra driver factories ``(on_event) -> driver`` with a reader kind (tests pass
    simulators through the same path); the configured serial readers, scanners, PC/SC and hotplug
    are added from ``config``. ``link`` defaults to a ``ServerLink`` built from ``config``. ``clock``
    (monotonic seconds) and ``wall_clock`` (UTC) are for tests; held-back faults are reported within
    ``flush_every`` seconds of their interval's end (or at ``flush_repeats()``).
    """

    def __init__(
        self,
        config: AgentConfig,
        *,
        link: ServerLink | None = None,
        drivers: tuple[tuple[ReaderKind, Callable[[Callable[[Any], None]], ReaderDriver]], ...] = (),
        hotplug_factory: Callable[[Callable[[Any], None]], HotplugMonitor] | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime] = _utc_now,
        flush_every: float = 1.0,
        care: RemoteCare | None = None,
        power: PowerKeeper | None = None,
        printing: Printing | None = None,
    ) -> None:
        self.config = config
        self._clock = clock
        self._wall_clock = wall_clock
        self._flush_every = flush_every
        self._throttle: FaultThrottle[FaultKey, ReaderFault] = FaultThrottle(config.fault_report_interval_seconds)
        self._last_good: dict[str, str] = {}  # reader id -> ISO time of its last good read
        self._queue: queue.Queue[Any] = queue.Queue()
        self._state = threading.Lock()
        self._statuses: dict[str, ReaderStatus] = {}
        self._kinds: dict[str, str] = {HOTPLUG_ID: HOTPLUG_ID}
        self._cards_present: set[str] = set()
        self._extra_drivers = drivers
        self._hotplug_factory = hotplug_factory
        self._drivers: list[ReaderDriver] = []
        self._dispatcher: threading.Thread | None = None
        self._running = False
        # Remote care and the power schedule (remote_care.py, power.py): commands and schedules come in
        # on the link's thread and are only queued there; the schedule also rides on the hello answer.
        self.care = care or RemoteCare()
        self.power = power or PowerKeeper()
        self.printing = printing or Printing(config.printers)  # printing.py: print commands, printer states
        self.link = link or ServerLink(
            config.server_url,
            config.device_key,
            config.credential,
            self.hello_payload,
            backoff=config.reconnect_backoff,
            ack_timeout=config.ack_timeout_seconds,
            on_hello_ack=self._hello_answer,
            handlers={DEVICE_COMMAND: self.care.handle, POWER_SCHEDULE: self.power.apply},
        )
        self.delivered: list[tuple[str, Any]] = []  # (event, ack) of the last sends, for the status line
        self.care.attach(self.link.send, before_exit=self.stop, print_job=self.printing.submit)
        self.printing.attach(self.link.send)

    # what drivers call -----------------------------------------------------------------------------

    def on_event(self, event: Any) -> None:
        """Queue a driver event (called on the driver's thread; returns at once)."""
        self._queue.put(_Queued(event, self._clock(), self._wall_clock()))

    def flush_repeats(self) -> None:
        """Report the faults held back in windows that have ended by now (the dispatcher also does this
        by itself every ``flush_every`` seconds)."""
        self._queue.put(_FLUSH)

    # lifecycle ------------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the link, the dispatcher and every driver; safe to call twice."""
        with self._state:
            if self._running:
                return
            self._running = True
        self._dispatcher = threading.Thread(target=self._dispatch, name="agent-dispatch", daemon=True)
        self._dispatcher.start()
        self.care.start()
        self.power.start()
        self.printing.start()  # before the link: the hello waits briefly for the first printer checks
        self.link.start()
        for driver in self._build_drivers():
            try:
                driver.start()
            except Exception as err:  # one broken reader must not keep the others down
                log.warning("agent: a driver failed to start: %s", err)
                continue
            self._drivers.append(driver)
        log.info("agent %s started with %d driver(s)", __version__, len(self._drivers))

    def stop(self) -> None:
        """Stop the drivers, the link and the dispatcher; safe to call twice."""
        with self._state:
            if not self._running:
                return
            self._running = False
        drivers, self._drivers = self._drivers, []
        for driver in reversed(drivers):
            try:
                driver.stop()
            except Exception:
                log.exception("agent: stopping a driver raised")
        self._queue.put(_STOP)
        if self._dispatcher is not None:
            self._dispatcher.join(5.0)
        self.care.stop()  # before the link: an answer on its way still gets its ack
        self.power.stop()
        self.printing.stop()
        self.link.stop()
        log.info("agent stopped")

    def _build_drivers(self) -> list[ReaderDriver]:
        config = self.config
        built: list[ReaderDriver] = []
        for kind, factory in self._extra_drivers:
            driver = factory(self.on_event)
            self._note_kind(getattr(driver, "reader_id", kind.value), kind)
            built.append(driver)
        for serial in config.serial_readers:
            from devices.drivers.idcard_reader import IdCardReader

            self._note_kind(serial.path, ReaderKind.IDCARD_SERIAL)
            built.append(IdCardReader(serial.path, self.on_event, baudrate=serial.baudrate))
        for vendor in config.vendor_readers:
            from devices.drivers.vendor_idcard import VendorIdCardReader

            # Reported as an ID card reader: the server knows reader kinds, not how they are driven.
            self._note_kind(vendor.reader_id, ReaderKind.IDCARD_SERIAL)
            built.append(VendorIdCardReader(vendor, self.on_event))
        for scanner in config.scanners:
            from devices.drivers.scan_classify import ClassifyRules
            from devices.drivers.scanner import KeyboardWedgeScanner

            self._note_kind(scanner.path, ReaderKind.SCANNER_HID)
            built.append(
                KeyboardWedgeScanner(scanner.path, self.on_event, rules=ClassifyRules(ecard_prefix=config.ecard_prefix))
            )
        if config.pcsc:
            from devices.drivers.ssc_reader import SocialSecurityCardReader

            reader = SocialSecurityCardReader(
                self.on_event, reader_name=config.pcsc_reader, reader_id=f"pcsc:{config.pcsc_reader or 'any'}"
            )
            self._note_kind(reader.reader_id, ReaderKind.SSC_PCSC)
            built.append(reader)
        if config.hotplug:
            built.append(self._hotplug())
        return built

    def _hotplug(self) -> HotplugMonitor:
        if self._hotplug_factory is not None:
            return self._hotplug_factory(self.on_event)
        build = default_factory(self.on_event)

        def factory(detected: DetectedReader) -> ReaderDriver | None:
            self._note_kind(detected.key, detected.kind)
            return build(detected)

        return HotplugMonitor(factory, self.on_event, readers=KNOWN_READERS + self.config.extra_readers)

    def _note_kind(self, reader_id: str, kind: ReaderKind) -> None:
        with self._state:
            self._kinds[reader_id] = kind.value

    # state the server asks for ---------------------------------------------------------------------

    @property
    def reader_statuses(self) -> dict[str, ReaderStatus]:
        with self._state:
            return dict(self._statuses)

    @property
    def cards_present(self) -> frozenset[str]:
        with self._state:
            return frozenset(self._cards_present)

    def hello_payload(self) -> dict[str, Any]:
        """What ``agent_hello`` carries: the version, every reader's status, the cards now in readers."""
        printers = self.printing.statuses()  # outside the lock: it may wait for the first checks
        with self._state:
            return {
                "agent_version": __version__,
                "readers": [s.payload() for s in sorted(self._statuses.values(), key=lambda s: s.reader_id)],
                "cards_present": sorted(self._cards_present),
                "power": self.power.status().payload(),
                "printers": printers,
            }

    def _hello_answer(self, ack: Any) -> None:
        # No schedule in the answer: nothing is set for this kiosk (any more), so the panel stays on.
        if isinstance(ack, dict):
            self.power.apply(ack.get("power_schedule") or ALWAYS_ON)

    # the dispatcher ---------------------------------------------------------------------------------

    def _dispatch(self) -> None:
        while True:
            try:
                item = self._queue.get(timeout=self._flush_every)
            except queue.Empty:
                item = _FLUSH
            if item is _STOP:
                return
            try:
                if item is _FLUSH:
                    self._report_held(self._throttle.due(self._clock()))
                else:
                    self._handle(item)
                    # By the event's own time, so a burst is cut into windows the same way every run.
                    self._report_held(self._throttle.due(item.at))
            except Exception:  # outermost loop of the dispatcher: log (no event contents) and go on
                log.exception("agent: handling a %s failed", type(getattr(item, "event", item)).__name__)

    def _handle(self, item: _Queued) -> None:
        event = item.event
        if isinstance(event, ReaderFault):
            self._fault(event, item.at)
        elif isinstance(event, ReaderAttached | ReaderDetached):
            self._status(event)
        elif isinstance(event, IdCardRead | SocialSecurityCardRead | ECardScanned):
            self._card_read(event, item.at)
            self._good_read(event.reader_id, item.wall, IDLE if isinstance(event, ECardScanned) else READING)
        elif isinstance(event, CardRemoved):
            self._card_removed(event)
            self._card_left(event.reader_id)
        elif isinstance(event, BarcodeScanned | MagstripeSwiped | UnrecognisedScan):
            log.info("agent: reader %s: ignored a %s scan", event.reader_id, type(event).__name__)
        else:
            log.warning("agent: unknown event type %s", type(event).__name__)

    def _status(self, event: ReaderAttached | ReaderDetached) -> None:
        with self._state:
            kind = self._kinds.get(event.reader_id, "unknown")
            status = status_of(event, kind, last_good_read_at=self._last_good.get(event.reader_id))
            if isinstance(event, ReaderDetached):
                self._cards_present.discard(event.reader_id)
        if self._store(status):
            log.info(
                "agent: reader %s (%s) is %s%s",
                status.reader_id,
                status.kind,
                status.state,
                f": {status.message}" if status.message else "",
            )
            self._send(READER_STATUS, status.payload())

    def _store(self, status: ReaderStatus) -> bool:
        """Keep ``status`` as the reader's; True when it differs from what the server last heard."""
        with self._state:
            changed = self._statuses.get(status.reader_id) != status
            self._statuses[status.reader_id] = status
        return changed

    def _fault(self, event: ReaderFault, at: float) -> None:
        if event.card_lost:
            with self._state:
                self._cards_present.discard(event.reader_id)
            # Never held back: the server ends the session of a card that can no longer be seen.
            repeated: int | None = 1
        else:
            repeated = self._throttle.admit((event.reader_id, event.reason, event.message), event, at)
        if repeated is not None:
            self._report_fault(event, repeated)
        if event.reason == UNREADABLE_CARD:
            self._card_unreadable(event)

    def _report_held(self, held: list[tuple[FaultKey, ReaderFault, int]]) -> None:
        for _key, event, count in held:
            self._report_fault(event, count)

    def _report_fault(self, event: ReaderFault, repeated: int) -> None:
        with self._state:
            kind = self._kinds.get(event.reader_id, "unknown")
            last_good = self._last_good.get(event.reader_id)
        status = status_of(event, kind, last_good_read_at=last_good, repeated=repeated)
        self._store(status)
        log.warning(
            "agent: reader %s (%s) fault%s: %s%s",
            status.reader_id,
            status.kind,
            f" [{status.reason}]" if status.reason else "",
            status.message,
            f" (repeated {repeated} times, reported once per {self._throttle.interval:g} s)" if repeated > 1 else "",
        )
        self._send(READER_STATUS, status.payload())

    def _card_unreadable(self, event: ReaderFault) -> None:
        with self._state:
            source = unreadable_source(self._kinds.get(event.reader_id, "unknown"))
        if source is None:
            return
        log.info("agent: reader %s: a card could not be read (hint %s)", event.reader_id, event.hint or "none")
        self._send(CARD_UNREADABLE, card_unreadable_payload(event, source))

    def _good_read(self, reader_id: str, wall: datetime, state: str) -> None:
        """A reader read a card: its fault (if any) is over, and its last good read time moves."""
        self._report_held(self._throttle.release([k for k in self._throttle.keys() if k[0] == reader_id]))
        with self._state:
            self._last_good[reader_id] = _iso(wall)
            kind = self._kinds.get(reader_id, "unknown")
        status = ReaderStatus(reader_id, kind, state, last_good_read_at=self._last_good[reader_id])
        if self._store(status):
            log.debug("agent: reader %s (%s) is %s", reader_id, kind, state)
            self._send(READER_STATUS, status.payload())

    def _card_left(self, reader_id: str) -> None:
        with self._state:
            current = self._statuses.get(reader_id)
        if current is not None and current.state == READING:
            status = replace(current, state=IDLE)
            if self._store(status):
                log.debug("agent: reader %s (%s) is %s", reader_id, status.kind, IDLE)
                self._send(READER_STATUS, status.payload())

    def _card_read(self, event: IdCardRead | SocialSecurityCardRead | ECardScanned, at: float) -> None:
        if not isinstance(event, ECardScanned):
            with self._state:
                self._cards_present.add(event.reader_id)
        age = time.monotonic() - at
        if age > self.config.card_read_max_age_seconds:
            log.warning(
                "agent: dropped a %s read %.1f s old: the server was not reachable in time", describe(event), age
            )
            return
        ack = self._send(CARD_READ, card_read_payload(event), wait_for_link=self.config.card_read_max_age_seconds - age)
        if ack is None:
            log.warning("agent: %s was not delivered (server unreachable)", describe(event))
        elif isinstance(ack, dict) and ack.get("ok"):
            log.info("agent: %s opened session %s", describe(event), (ack.get("session") or {}).get("id"))
        else:
            error = ack.get("error") if isinstance(ack, dict) else ack
            log.info("agent: %s refused by the server: %s", describe(event), error)

    def _card_removed(self, event: CardRemoved) -> None:
        with self._state:
            self._cards_present.discard(event.reader_id)
        self._send(CARD_REMOVED, card_removed_payload(event))

    def _send(self, name: str, payload: dict[str, Any], wait_for_link: float = 0.0) -> Any:
        if wait_for_link > 0 and not self.link.connected:
            self.link.wait_connected(wait_for_link)
        ack = self.link.send(name, payload)
        self.delivered = [*self.delivered[-19:], (name, ack)]
        return ack
