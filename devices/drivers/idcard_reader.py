"""The resident ID card reader driver: polls a GA/T 467 reader over a serial port and emits events.

One thread per reader runs find → select → read, notices when the card leaves, survives unplug by
reopening the port with backoff, and turns anything malformed into a ``ReaderFault`` event. Logs carry
command names, status bytes and masked ID numbers only.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from devices.drivers._thread import ReaderThread
from devices.drivers.idcard_protocol import (
    Command,
    Frame,
    FrameReader,
    GarbageSkipped,
    Response,
    Status,
    split_read_data,
)
from devices.drivers.idcard_text import decode_text_block
from devices.errors import DeviceError, FrameError, ReaderStatusError
from devices.events import CardRemoved, DeviceEvent, ReaderAttached, ReaderDetached

log = logging.getLogger(__name__)


class SerialPort(Protocol):
    """The part of ``serial.Serial`` the driver uses."""

    def write(self, data: bytes) -> int | None: ...
    def read(self, size: int = 1) -> bytes: ...
    def reset_input_buffer(self) -> None: ...
    def close(self) -> None: ...

    @property
    def in_waiting(self) -> int: ...


def open_serial(path: str, baudrate: int) -> SerialPort:
    """Open ``path`` 8N1 with a short read timeout (pyserial is imported here, not at package import)."""
    import serial

    return serial.Serial(path, baudrate=baudrate, timeout=0.02, write_timeout=1)


class _NoAnswer(DeviceError):
    pass


class IdCardReader(ReaderThread):
    """Polls one GA/T 467 reader on ``port`` and passes events to ``on_event`` (called from its thread)."""

    def __init__(
        self,
        port: str,
        on_event: Callable[[DeviceEvent], Any],
        *,
        reader_id: str | None = None,
        baudrate: int = 115200,
        poll_interval: float = 0.1,
        response_timeout: float = 1.0,
        reopen_backoff: tuple[float, float] = (0.2, 5.0),
        opener: Callable[[str, int], SerialPort] = open_serial,
    ) -> None:
        self.port = port
        self._baudrate = baudrate
        self._poll_interval = poll_interval
        self._response_timeout = response_timeout
        self._backoff = reopen_backoff
        self._opener = opener
        self._card = "none"  # "none", "read" (an IdCardRead was emitted) or "rejected"
        super().__init__(f"idcard-{reader_id or port}", reader_id or port, on_event)

    # the supervisor loop ---------------------------------------------------------------------

    def _run(self, stop: threading.Event) -> None:
        delay, max_delay = self._backoff
        detached_reported = False
        while not stop.is_set():
            try:
                port = self._opener(self.port, self._baudrate)
            except OSError as err:  # serial.SerialException is an OSError
                if not detached_reported:
                    self._emit(ReaderDetached(self.reader_id, f"cannot open {self.port}: {err.strerror or err}"))
                    detached_reported = True
                stop.wait(delay)
                delay = min(delay * 2, max_delay)
                continue
            try:
                self._session(port, stop)
            except OSError as err:
                log.info("reader %s: port lost: %s", self.reader_id, err)
                self._emit(ReaderDetached(self.reader_id, f"port {self.port} lost: {err}"))
                detached_reported = True
                self._card = "none"
            except Exception as err:  # outermost supervisor: report, back off, carry on
                log.exception("reader %s: unexpected error", self.reader_id)
                self._fault(f"unexpected error: {type(err).__name__}")
            else:
                continue  # stopped
            finally:
                try:
                    port.close()
                except OSError:
                    pass
            delay = self._backoff[0]
            stop.wait(delay)

    def _session(self, port: SerialPort, stop: threading.Event) -> None:
        status = self._transact(port, Command.SAM_STATUS, stop)
        sam_id = ""
        if status is not None and status.sw3 == Status.SUCCESS:
            answer = self._transact(port, Command.READ_SAM_ID, stop)
            if answer is not None and answer.sw3 == Status.SUCCESS:
                sam_id = answer.data.hex().upper()
        elif status is not None:
            self._fault(f"SAM status: {Status.describe(status.sw3)}")
        if stop.is_set():
            return
        self._emit(ReaderAttached(self.reader_id, sam_id))
        while not stop.is_set():
            self._poll_once(port, stop)
            stop.wait(self._poll_interval)

    # one poll ----------------------------------------------------------------------------------

    def _poll_once(self, port: SerialPort, stop: threading.Event) -> None:
        if self._card != "none":
            if not self._card_still_there(port, stop):
                if self._card == "read":
                    self._emit(CardRemoved(self.reader_id))
                self._card = "none"
            return
        found = self._transact(port, Command.FIND_CARD, stop)
        if found is None or found.sw3 == Status.FIND_FAILED:
            return
        try:
            self._expect(found, Command.FIND_CARD, Status.FIND_OK)
            self._expect(self._transact(port, Command.SELECT_CARD, stop), Command.SELECT_CARD, Status.SUCCESS)
            answer = self._expect(
                self._transact(port, Command.READ_TEXT_PHOTO, stop), Command.READ_TEXT_PHOTO, Status.SUCCESS
            )
            data = split_read_data(answer.data)
            event = decode_text_block(data.text, reader_id=self.reader_id)
            del data, answer  # the photo is opaque and never kept
        except _NoAnswer:
            return
        except DeviceError as err:
            self._fault(f"card not read: {err}")
            if not isinstance(err, (ReaderStatusError, FrameError)):
                self._card = "rejected"  # a bad card stays bad: do not re-read it until it leaves
            return
        self._card = "read"
        self._emit(event)

    def _card_still_there(self, port: SerialPort, stop: threading.Event) -> bool:
        # After a read, find answers "no card" until the card has left the field (docs/cards.md §2), so
        # presence is asked with select, which succeeds while the card is in the field (uncertain:
        # keep this rule in one place).
        found = self._transact(port, Command.FIND_CARD, stop)
        if found is not None and found.sw3 == Status.FIND_OK:
            return False  # a card was put back: treat as a new one
        selected = self._transact(port, Command.SELECT_CARD, stop)
        if selected is None:
            return True  # no answer (fault already reported): do not guess
        return selected.sw3 == Status.SUCCESS

    @staticmethod
    def _expect(answer: Response | None, command: Command, sw3: int) -> Response:
        if answer is None:
            raise _NoAnswer()
        if answer.sw3 != sw3:
            raise ReaderStatusError(command.name, answer.sw3, Status.describe(answer.sw3))
        return answer

    def _transact(self, port: SerialPort, command: Command, stop: threading.Event) -> Response | None:
        """Send ``command`` and wait for one answer; report faults and return None when there is none."""
        port.reset_input_buffer()
        port.write(command.frame)
        frames = FrameReader()
        deadline = time.monotonic() + self._response_timeout
        while time.monotonic() < deadline and not stop.is_set():
            chunk = port.read(max(1, port.in_waiting))
            if not chunk:
                continue
            for item in frames.feed(chunk):
                if isinstance(item, GarbageSkipped):
                    self._fault(f"{command.name}: {item}")
                elif isinstance(item, FrameError):
                    self._fault(f"{command.name}: {item}")
                    return None
                else:
                    return self._response(command, item)
        if stop.is_set():
            return None
        for item in frames.flush():
            if isinstance(item, Frame):
                return self._response(command, item)
            self._fault(f"{command.name}: {item}")
            return None
        self._fault(f"{command.name}: no answer within {self._response_timeout:g} s")
        return None

    def _response(self, command: Command, frame: Frame) -> Response | None:
        try:
            answer = Response.from_frame(frame)
        except FrameError as err:
            self._fault(f"{command.name}: {err}")
            return None
        log.debug("reader %s: %s -> %s", self.reader_id, command.name, Status.describe(answer.sw3))
        return answer
