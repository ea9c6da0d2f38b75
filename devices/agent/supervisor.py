"""The kiosk device agent: supervises the readers and sends what they see to the server.

Drivers call ``on_event`` from their own threads; the agent queues the event and one dispatcher
thread sends it over the ``ServerLink``, so reads go out in the order they happened and a slow
server never blocks a reader. Reader status (attached, detached, fault) is kept per reader and sent
on change and in every ``agent_hello``, so the fleet view is right after any outage. A card read
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
from dataclasses import dataclass
from typing import Any

from devices import __version__
from devices.agent.config import AgentConfig
from devices.agent.link import ServerLink
from devices.agent.wire import (
    CARD_READ,
    CARD_REMOVED,
    READER_STATUS,
    ReaderStatus,
    card_read_payload,
    card_removed_payload,
    describe,
    status_of,
)
from devices.drivers.hotplug import DetectedReader, HotplugMonitor, ReaderDriver, default_factory
from devices.drivers.known_readers import KNOWN_READERS, ReaderKind
from devices.drivers.scan_events import BarcodeScanned, ECardScanned, MagstripeSwiped, UnrecognisedScan
from devices.events import (
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


@dataclass(frozen=True)
class _Queued:
    event: Any
    at: float  # time.monotonic() when the driver reported it


class Agent:
    """Runs the drivers a kiosk needs and forwards their events to the server.

    ``drivers`` are extra driver factories ``(on_event) -> driver`` with a reader kind (tests pass
    simulators through the same path); the configured serial readers, scanners, PC/SC and hotplug
    are added from ``config``. ``link`` defaults to a ``ServerLink`` built from ``config``.
    """

    def __init__(
        self,
        config: AgentConfig,
        *,
        link: ServerLink | None = None,
        drivers: tuple[tuple[ReaderKind, Callable[[Callable[[Any], None]], ReaderDriver]], ...] = (),
        hotplug_factory: Callable[[Callable[[Any], None]], HotplugMonitor] | None = None,
    ) -> None:
        self.config = config
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
        self.link = link or ServerLink(
            config.server_url,
            config.device_key,
            config.credential,
            self.hello_payload,
            backoff=config.reconnect_backoff,
            ack_timeout=config.ack_timeout_seconds,
        )
        self.delivered: list[tuple[str, Any]] = []  # (event, ack) of the last sends, for the status line

    # what drivers call -----------------------------------------------------------------------------

    def on_event(self, event: Any) -> None:
        """Queue a driver event (called on the driver's thread; returns at once)."""
        self._queue.put(_Queued(event, time.monotonic()))

    # lifecycle ------------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the link, the dispatcher and every driver; safe to call twice."""
        with self._state:
            if self._running:
                return
            self._running = True
        self._dispatcher = threading.Thread(target=self._dispatch, name="agent-dispatch", daemon=True)
        self._dispatcher.start()
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
        with self._state:
            return {
                "agent_version": __version__,
                "readers": [s.payload() for s in sorted(self._statuses.values(), key=lambda s: s.reader_id)],
                "cards_present": sorted(self._cards_present),
            }

    # the dispatcher ---------------------------------------------------------------------------------

    def _dispatch(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            try:
                self._handle(item)
            except Exception:  # outermost loop of the dispatcher: log (no event contents) and go on
                log.exception("agent: handling a %s failed", type(item.event).__name__)

    def _handle(self, item: _Queued) -> None:
        event = item.event
        if isinstance(event, ReaderAttached | ReaderDetached | ReaderFault):
            self._status(event)
        elif isinstance(event, IdCardRead | SocialSecurityCardRead | ECardScanned):
            self._card_read(event, item.at)
        elif isinstance(event, CardRemoved):
            self._card_removed(event)
        elif isinstance(event, BarcodeScanned | MagstripeSwiped | UnrecognisedScan):
            log.info("agent: reader %s: ignored a %s scan", event.reader_id, type(event).__name__)
        else:
            log.warning("agent: unknown event type %s", type(event).__name__)

    def _status(self, event: ReaderAttached | ReaderDetached | ReaderFault) -> None:
        with self._state:
            kind = self._kinds.get(event.reader_id, "unknown")
            status = status_of(event, kind)
            if isinstance(event, ReaderDetached):
                self._cards_present.discard(event.reader_id)
            changed = self._statuses.get(event.reader_id) != status
            self._statuses[event.reader_id] = status
        if changed:
            log.info(
                "agent: reader %s (%s) is %s%s",
                status.reader_id,
                status.kind,
                status.state,
                f": {status.message}" if status.message else "",
            )
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
