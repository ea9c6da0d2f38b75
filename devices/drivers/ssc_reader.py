"""The social-security card reader driver: watches one PC/SC reader and emits events.

One thread per reader: establish a PC/SC context, find the reader (by name prefix), wait for card
state changes with a short timeout (so ``stop()`` is prompt), read an inserted card with
``devices.drivers.ssc_card`` and emit ``SocialSecurityCardRead``; ``CardRemoved`` when it leaves; a
``ReaderFault`` on odd status words or malformed records (the card is not re-read until it leaves).
When pcscd goes away (restart, crash) the thread reports ``ReaderDetached`` and reconnects with
backoff by itself. PIN checks asked from other threads (``verify_pin``) run in the reader thread.
Logs carry status words and masked ID numbers only.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from devices.drivers import pcsc
from devices.drivers._thread import ReaderThread
from devices.drivers.ssc_card import PinResult, SocialSecurityCard
from devices.errors import DeviceError
from devices.events import CardRemoved, DeviceEvent, ReaderAttached, ReaderDetached

log = logging.getLogger(__name__)


class NoCard(DeviceError):
    """``verify_pin`` was asked while no readable card is in the reader."""


class SocialSecurityCardReader(ReaderThread):
    """Watches the first PC/SC reader whose name starts with ``reader_name`` (any reader if empty)."""

    def __init__(
        self,
        on_event: Callable[[DeviceEvent], Any],
        *,
        reader_name: str = "",
        reader_id: str | None = None,
        poll_timeout: float = 0.2,
        reconnect_backoff: tuple[float, float] = (0.2, 5.0),
        context_factory: Callable[[], pcsc.PcscContext] = pcsc.PcscContext,
    ) -> None:
        self.reader_name = reader_name
        self._poll_timeout = poll_timeout
        self._backoff = reconnect_backoff
        self._context_factory = context_factory
        self._requests: queue.Queue[tuple[str, Future[PinResult]]] = queue.Queue()
        self._connection: pcsc.PcscConnection | None = None
        rid = reader_id or reader_name or "pcsc"
        super().__init__(f"ssc-{rid}", rid, on_event)

    # public --------------------------------------------------------------------------------------

    def verify_pin(self, pin: str, timeout: float = 5.0) -> PinResult:
        """Verify ``pin`` on the card now in the reader (runs in the reader thread).

        Raises ``NoCard`` without a card, ``TimeoutError`` if the thread does not answer in time.
        """
        future: Future[PinResult] = Future()
        self._requests.put((pin, future))
        return future.result(timeout)

    # the supervisor loop -------------------------------------------------------------------------

    def _run(self, stop: threading.Event) -> None:
        delay, max_delay = self._backoff
        detached_reported = False
        while not stop.is_set():
            context: pcsc.PcscContext | None = None
            try:
                context = self._context_factory()
                reader = self._find_reader(context)
                if reader is None:
                    raise pcsc.PcscUnavailable("SCardListReaders", 0, f"no reader named {self.reader_name!r}*")
                detached_reported = False
                delay = self._backoff[0]
                self._emit(ReaderAttached(self.reader_id))
                self._session(context, reader, stop)
            except pcsc.PcscError as err:
                if not detached_reported:
                    log.info("reader %s: PC/SC unavailable: %s", self.reader_id, err)
                    self._emit(ReaderDetached(self.reader_id, str(err)))
                    detached_reported = True
            except Exception as err:  # outermost supervisor: report, back off, carry on
                log.exception("reader %s: unexpected error", self.reader_id)
                self._fault(f"unexpected error: {type(err).__name__}")
            finally:
                self._drop_card(gone=False)
                if context is not None:
                    context.close()
            self._fail_requests()
            stop.wait(delay)
            delay = min(delay * 2, max_delay)

    def _find_reader(self, context: pcsc.PcscContext) -> str | None:
        for name in context.list_readers():
            if name.startswith(self.reader_name):
                return name
        return None

    def _session(self, context: pcsc.PcscContext, reader: str, stop: threading.Event) -> None:
        state = pcsc.UNAWARE
        card = "none"  # "none", "read" (an event went out) or "rejected" (a fault went out)
        try:
            while not stop.is_set():
                self._serve_requests()
                change = context.wait_for_change(reader, state, self._poll_timeout)
                if change is None:
                    continue
                state = change.raw_state
                if change.card_present and card == "none":
                    card = self._read_card(context, reader)
                    if card == "retry":  # the card was not ready (powering up, vpcd catching up)
                        card, state = "none", pcsc.UNAWARE
                        stop.wait(0.05)
                elif not change.card_present and card != "none":
                    self._drop_card(gone=True, announce=card == "read")
                    card = "none"
        finally:
            if card == "read":
                # the session with that card is over (pcscd went away or we stop): say so
                self._emit(CardRemoved(self.reader_id))

    def _read_card(self, context: pcsc.PcscContext, reader: str) -> str:
        try:
            connection = context.connect(reader)
        except pcsc.CardGone as err:
            log.debug("reader %s: connect: %s", self.reader_id, err)
            return "retry"
        self._connection = connection
        try:
            event = SocialSecurityCard(connection.transmit).read(self.reader_id)
        except pcsc.CardGone as err:
            log.debug("reader %s: card left mid-read: %s", self.reader_id, err)
            connection.close(unpower=False)
            self._connection = None
            return "retry"
        except pcsc.PcscUnavailable:
            raise
        except DeviceError as err:
            self._fault(f"card not read: {err}")
            return "rejected"
        log.info("reader %s: card read: %r", self.reader_id, event)
        self._emit(event)
        return "read"

    def _drop_card(self, *, gone: bool, announce: bool = False) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.close(unpower=not gone)
            except Exception:  # closing after the service vanished can fail in any way
                log.debug("reader %s: disconnect failed", self.reader_id, exc_info=True)
        if announce:
            self._emit(CardRemoved(self.reader_id))

    def _serve_requests(self) -> None:
        while True:
            try:
                pin, future = self._requests.get_nowait()
            except queue.Empty:
                return
            if not future.set_running_or_notify_cancel():
                continue
            connection = self._connection
            if connection is None:
                future.set_exception(NoCard("no readable card in the reader"))
                continue
            try:
                future.set_result(SocialSecurityCard(connection.transmit).verify_pin(pin))
            except Exception as err:  # handed to the caller, who decides
                future.set_exception(err)

    def _fail_requests(self) -> None:
        while True:
            try:
                _pin, future = self._requests.get_nowait()
            except queue.Empty:
                return
            if future.set_running_or_notify_cancel():
                future.set_exception(NoCard("the reader is not connected"))
