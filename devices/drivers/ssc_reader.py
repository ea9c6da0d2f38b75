"""The social-security card reader driver: watches one PC/SC reader and emits events.

One thread per reader: establish a PC/SC context, find the reader (by name prefix), wait for card
state changes with a short timeout (so ``stop()`` is prompt), read an inserted card with
``devices.drivers.ssc_card`` and emit ``SocialSecurityCardRead``; ``CardRemoved`` when it leaves.

- A card that cannot be read (odd status words, malformed records, a bad ID number, a mute card in
  the slot) is a ``ReaderFault`` with ``reason="unreadable_card"`` and a ``hint`` for the citizen
  (``ssc_card.failure_hint``; ``reposition`` for a mute card); it is not re-read until it leaves.
- A card pulled mid-read (``SCARD_W_REMOVED_CARD``, ``SCARD_E_NOT_TRANSACTED`` and friends) is "card
  gone": the reader waits briefly for pcscd to see the slot empty and emits ``CardRemoved``, never a
  fault. If the card is still there it is read again, and called unreadable after ``MAX_ATTEMPTS``.
- A card swapped for another between two looks (pcsc-lite's insert/remove count moved while a card
  is present) ends the first card (``CardRemoved``) and reads the second.
When pcscd goes away (restart, crash) the thread reports ``ReaderDetached`` and reconnects with
backoff by itself. PIN checks asked from other threads (``verify_pin``) run in the reader thread.
Logs carry status words and masked ID numbers only.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, Final

from devices.drivers import pcsc
from devices.drivers._thread import ReaderThread
from devices.drivers.ssc_card import PinResult, SocialSecurityCard, failure_hint
from devices.errors import DeviceError
from devices.events import (
    HINT_REPOSITION,
    IO_ERROR,
    UNREADABLE_CARD,
    CardRemoved,
    DeviceEvent,
    ReaderAttached,
    ReaderDetached,
)

log = logging.getLogger(__name__)

SETTLE_SECONDS: Final = 1.0  # how long pcscd gets to notice that a card stopped answering because it left
MAX_ATTEMPTS: Final = 3  # reads in a row that lose a card still in the slot before it is called unreadable


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
        settle_timeout: float = SETTLE_SECONDS,
        context_factory: Callable[[], pcsc.PcscContext] = pcsc.PcscContext,
    ) -> None:
        self.reader_name = reader_name
        self._poll_timeout = poll_timeout
        self._backoff = reconnect_backoff
        self._settle_timeout = settle_timeout
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
        card_events = 0  # the reader's insert/remove count when that card was read or rejected
        attempts = 0  # reads of the card now in the slot that ended with the card out of reach
        try:
            while not stop.is_set():
                self._serve_requests()
                change = context.wait_for_change(reader, state, self._poll_timeout)
                if change is None:
                    continue
                state = change.raw_state
                if card != "none" and (_empty(change) or change.events != card_events):
                    # gone, or swapped for another card between two looks: the first card's session ends
                    self._drop_card(gone=True, announce=card == "read")
                    card = "none"
                if card != "none":
                    continue
                if change.mute:
                    self._fault(
                        "a card is in the reader but does not answer (upside down or badly placed?)",
                        reason=UNREADABLE_CARD,
                        hint=HINT_REPOSITION,
                    )
                    card, card_events = "rejected", change.events
                    continue
                if not change.card_present:
                    attempts = 0
                    continue
                outcome = self._read_card(context, reader)
                if outcome != "lost":
                    card, card_events, attempts = outcome, change.events, 0
                    continue
                # The card left, was reset or stopped answering mid-read: let pcscd see which.
                attempts += 1
                settled = self._settle(context, reader, state, change.events)
                if settled is not None:
                    state = settled.raw_state
                if settled is not None and _empty(settled):
                    log.info("reader %s: the card left before it was read", self.reader_id)
                    self._emit(CardRemoved(self.reader_id))  # card gone: no fault, nothing sticks
                    attempts = 0
                elif attempts >= MAX_ATTEMPTS:
                    self._fault(
                        f"the card stopped answering {attempts} times in a row",
                        reason=UNREADABLE_CARD,
                        hint=HINT_REPOSITION,
                    )
                    card, card_events = "rejected", (settled or change).events
                else:
                    state = pcsc.UNAWARE  # still there (or another card): look again and read again
        finally:
            if card == "read":
                # the session with that card is over (pcscd went away or we stop): say so
                self._emit(CardRemoved(self.reader_id))

    def _settle(self, context: pcsc.PcscContext, reader: str, state: int, events: int) -> pcsc.ReaderState | None:
        """Wait up to ``settle_timeout`` s for the card to leave or be replaced; the last state seen, if any.

        Some readers are polled (vpcd: every 0.4 s), so pcscd may still say "present" for a moment
        after a card was pulled; flag-only changes (our own disconnect) do not end the wait.
        """
        deadline = time.monotonic() + self._settle_timeout
        last: pcsc.ReaderState | None = None
        while (left := deadline - time.monotonic()) > 0:
            change = context.wait_for_change(reader, state, left)
            if change is None:
                break
            state, last = change.raw_state, change
            if not change.card_present or change.events != events:
                break
        return last

    def _read_card(self, context: pcsc.PcscContext, reader: str) -> str:
        """Read the card in the slot: ``"read"``, ``"rejected"`` (a fault went out) or ``"lost"``."""
        try:
            connection = context.connect(reader)
        except (pcsc.CardGone, pcsc.CardNotTalking) as err:
            log.debug("reader %s: connect: %s", self.reader_id, err)
            return "lost"
        self._connection = connection
        try:
            event = SocialSecurityCard(connection.transmit).read(self.reader_id)
        except (pcsc.CardGone, pcsc.CardNotTalking) as err:
            log.debug("reader %s: card out of reach mid-read: %s", self.reader_id, err)
            self._connection = None
            _close_quietly(connection)
            return "lost"
        except pcsc.PcscUnavailable:
            raise
        except pcsc.PcscError as err:
            self._fault(f"card not read: {err}", reason=IO_ERROR)
            return "rejected"
        except DeviceError as err:
            self._fault(f"card not read: {err}", reason=UNREADABLE_CARD, hint=failure_hint(err))
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


def _empty(state: pcsc.ReaderState) -> bool:
    """No card in the slot at all (a mute card is still in it)."""
    return not state.card_present and not state.mute


def _close_quietly(connection: pcsc.PcscConnection) -> None:
    try:
        connection.close(unpower=False)  # the card may be gone: do not unpower (see PcscConnection.close)
    except Exception:  # closing after the card or the service vanished can fail in any way
        log.debug("disconnect failed", exc_info=True)
