"""The resident ID card reader driver: polls a GA/T 467 reader over a serial port and emits events.

One thread per reader probes the SAM (a device that never answers is not announced as a reader),
runs find → select → read, notices when the card leaves, survives unplug by reopening the port with
backoff, and turns anything malformed into a ``ReaderFault`` event with a reason code. A card that
cannot be read is a fault with reason ``unreadable_card`` and a hint for the citizen, reported once
per placement. Fault messages are stable texts (no byte counts or checksum values), so the agent can
rate-limit a noisy line's identical faults. Logs carry command names, status bytes and masked ID
numbers only.
"""

from __future__ import annotations

import logging
import termios
import threading
import time
from collections.abc import Callable
from typing import Any, Final, Protocol

from devices.drivers._thread import ReaderThread
from devices.drivers.idcard_protocol import (
    CARD_READ_FAILURES,
    SAM_FAILURES,
    SAM_ID_SIZE,
    Command,
    Frame,
    FrameReader,
    GarbageSkipped,
    Response,
    Status,
    split_read_data,
)
from devices.drivers.idcard_text import decode_text_block
from devices.errors import DeviceError, FrameError, InvalidIdNumber, ReaderStatusError, TextBlockError
from devices.events import (
    DRIVER_ERROR,
    HINT_REMOVED_TOO_EARLY,
    HINT_REPOSITION,
    HINT_UNSUPPORTED_CARD,
    IO_ERROR,
    PROBE_FAILED,
    PROTOCOL_ERROR,
    SAM_FAULT,
    UNREADABLE_CARD,
    CardRemoved,
    DeviceEvent,
    ReaderAttached,
    ReaderDetached,
)

log = logging.getLogger(__name__)

# A vanished tty fails in termios calls (tcflush under reset_input_buffer) with termios.error, which
# is not an OSError: both mean the port is gone.
PORT_ERRORS: Final = (OSError, termios.error)
# Tries at one placement of a card that fails to read before the driver waits for it to leave.
MAX_READ_ATTEMPTS: Final = 3
# Stable texts for frame problems: the details (byte counts, checksums) vary on a noisy line and
# would make every fault look new to the agent's rate limit; they go to the DEBUG log instead.
_FRAME_PROBLEMS: Final = {
    "garbage": "skipped bytes that were not part of a frame",
    "bad_checksum": "frame checksum mismatch",
    "bad_length": "impossible frame length",
    "truncated": "frame truncated",
    "bad_preamble": "frame without its preamble",
}


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


class _ProbeFailed(DeviceError):
    """The device did not show itself to be a working GA/T 467 reader; ``reason`` is the fault code."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def _describe(err: BaseException) -> str:
    if isinstance(err, OSError):
        return str(err.strerror or err)
    args: tuple[Any, ...] = err.args
    if len(args) == 2 and isinstance(args[1], str):  # termios.error(errno, text)
        return args[1]
    return type(err).__name__


class IdCardReader(ReaderThread):
    """Polls one GA/T 467 reader on ``port`` and passes events to ``on_event`` (called from its thread).

    The card state is ``none``, ``read`` (an ``IdCardRead`` went out: a ``CardRemoved`` follows when it
    leaves, also when the reader is unplugged under it), ``rejected`` (read, but its text was refused)
    or ``failed`` (it would not read ``MAX_READ_ATTEMPTS`` times: wait until it leaves).
    """

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
        self._card = "none"
        self._failures = 0  # failed reads at the current placement
        self._attached = False  # the SAM answered in the current session
        super().__init__(f"idcard-{reader_id or port}", reader_id or port, on_event)

    # the supervisor loop ---------------------------------------------------------------------

    def _run(self, stop: threading.Event) -> None:
        min_delay, max_delay = self._backoff
        delay = min_delay
        detached_reported = False  # one ReaderDetached per absence, again after every reopen
        probe_problem = ""  # the probe fault last reported, so a silent device is reported once
        while not stop.is_set():
            try:
                port = self._opener(self.port, self._baudrate)
            except PORT_ERRORS as err:  # serial.SerialException is an OSError
                if not detached_reported:
                    self._emit(ReaderDetached(self.reader_id, f"cannot open {self.port}: {_describe(err)}"))
                    detached_reported = True
                stop.wait(delay)
                delay = min(delay * 2, max_delay)
                continue
            detached_reported = False
            self._attached = False
            try:
                self._session(port, stop)
                probe_problem = ""
            except _ProbeFailed as err:
                if str(err) != probe_problem:
                    log.info("reader %s: %s", self.reader_id, err)
                    self._fault(str(err), reason=err.reason)
                    probe_problem = str(err)
            except PORT_ERRORS as err:
                log.info("reader %s: port lost: %s", self.reader_id, _describe(err))
                self._port_lost(f"port {self.port} lost: {_describe(err)}")
                detached_reported = True
            except Exception as err:  # outermost supervisor: report, back off, carry on
                log.exception("reader %s: unexpected error", self.reader_id)
                self._fault(f"unexpected error: {type(err).__name__}", reason=DRIVER_ERROR)
            finally:
                try:
                    port.close()
                except PORT_ERRORS:
                    pass
            if stop.is_set():
                break
            # A session that got as far as the SAM starts the backoff over (a replug is found fast);
            # one that did not (a silent device, a port failing at once) keeps backing off.
            delay = min_delay if self._attached else min(delay * 2, max_delay)
            stop.wait(delay)

    def _port_lost(self, reason: str) -> None:
        # The detach is the news: the agent forgets the reader's card and the server ends the session
        # that card opened with reason reader_detached, so the kiosk says the reader went rather than
        # that the card left (docs/devices.md, "Unplug, replug and faults").
        self._card = "none"
        self._failures = 0
        self._emit(ReaderDetached(self.reader_id, reason))

    def _session(self, port: SerialPort, stop: threading.Event) -> None:
        sam_id = self._probe(port, stop)
        if stop.is_set():
            return
        self._attached = True
        if sam_id is not None:
            self._emit(ReaderAttached(self.reader_id, sam_id))
        while not stop.is_set():
            self._poll_once(port, stop)
            stop.wait(self._poll_interval)

    def _probe(self, port: SerialPort, stop: threading.Event) -> str | None:
        """Ask the SAM for its status and id: the SAM id, or None when the id was malformed (reported).

        Raises ``_ProbeFailed`` when the device does not answer SAM status (a GPS mouse or console
        cable on the same USB-serial bridge) or answers that its SAM is broken.
        """
        status = self._transact(port, Command.SAM_STATUS, stop, report=False)
        if stop.is_set():
            return None
        if status is None:
            raise _ProbeFailed(
                PROBE_FAILED,
                f"no answer to SAM status within {self._response_timeout:g} s: "
                "not a GA/T 467 ID card reader, or its SAM is not ready",
            )
        if status.sw3 != Status.SUCCESS:
            reason = SAM_FAULT if status.sw3 in SAM_FAILURES else PROBE_FAILED
            raise _ProbeFailed(reason, f"SAM status: {Status.describe(status.sw3)}")
        answer = self._transact(port, Command.READ_SAM_ID, stop, report=False)
        if answer is None or answer.sw3 != Status.SUCCESS:
            got = "no answer" if answer is None else Status.describe(answer.sw3)
            self._fault(f"READ_SAM_ID: {got}", reason=SAM_FAULT)
            return None
        if len(answer.data) != SAM_ID_SIZE:
            self._fault(
                f"READ_SAM_ID: a SAM id has {SAM_ID_SIZE} bytes, the reader sent {len(answer.data)}",
                reason=PROTOCOL_ERROR,
            )
            return None
        return answer.data.hex().upper()

    # one poll ----------------------------------------------------------------------------------

    def _poll_once(self, port: SerialPort, stop: threading.Event) -> None:
        if self._card != "none":
            there = self._card_present(port, stop) if self._card == "failed" else self._card_still_there(port, stop)
            if not there:
                if self._card == "read":
                    self._emit(CardRemoved(self.reader_id))
                self._card = "none"
                self._failures = 0
            return
        found = self._transact(port, Command.FIND_CARD, stop)
        if found is None:
            return
        if found.sw3 == Status.FIND_FAILED:
            self._failures = 0  # no card: the next one is a new placement
            return
        if found.sw3 != Status.FIND_OK:
            self._status_fault(ReaderStatusError(Command.FIND_CARD.name, found.sw3, Status.describe(found.sw3)))
            return
        self._read_card(port, stop)

    def _read_card(self, port: SerialPort, stop: threading.Event) -> None:
        try:
            self._expect(self._transact(port, Command.SELECT_CARD, stop), Command.SELECT_CARD, Status.SUCCESS)
            answer = self._expect(
                self._transact(port, Command.READ_TEXT_PHOTO, stop), Command.READ_TEXT_PHOTO, Status.SUCCESS
            )
            data = split_read_data(answer.data)
            event = decode_text_block(data.text, reader_id=self.reader_id)
            del data, answer  # the photo is opaque and never kept
        except _NoAnswer:
            return  # the transaction reported it; try again at the next poll
        except ReaderStatusError as err:
            if err.sw3 in CARD_READ_FAILURES:
                self._failed_read(port, stop, err, HINT_REPOSITION)
            elif err.sw3 == Status.UNKNOWN_CARD_TYPE:
                self._failed_read(port, stop, err, HINT_UNSUPPORTED_CARD)
            else:
                self._status_fault(err)
            return
        except FrameError as err:  # the answer's frame was whole but its read data inconsistent
            self._failed_read(port, stop, err, HINT_REPOSITION)
            return
        except TextBlockError as err:
            # A card whose own text is wrong stays wrong: refuse it until it leaves. Garbled text may
            # be a bad read (put the card down again); a failed ID number check is the card itself.
            self._card = "rejected"
            hint = "" if isinstance(err, InvalidIdNumber) else HINT_REPOSITION
            self._fault(f"card not read: {err}", reason=UNREADABLE_CARD, hint=hint)
            return
        self._card = "read"
        self._failures = 0
        self._emit(event)

    def _failed_read(self, port: SerialPort, stop: threading.Event, err: DeviceError, hint: str) -> None:
        """A card did not read: report it once per placement, or at once when the card left mid-read."""
        if not self._card_present(port, stop):
            self._failures = 0
            self._fault(
                f"card not read: {err}; the card left during the read",
                reason=UNREADABLE_CARD,
                hint=HINT_REMOVED_TOO_EARLY,
                card_lost=True,
            )
            return
        self._failures += 1
        if self._failures == 1:
            self._fault(f"card not read: {err}", reason=UNREADABLE_CARD, hint=hint)
        else:
            log.debug("reader %s: card not read again (%d): %s", self.reader_id, self._failures, err)
        if self._failures >= MAX_READ_ATTEMPTS:
            self._card = "failed"  # stop hammering it: wait until it is taken away

    def _status_fault(self, err: ReaderStatusError) -> None:
        reason = SAM_FAULT if err.sw3 in SAM_FAILURES else PROTOCOL_ERROR
        self._fault(str(err), reason=reason)

    def _card_still_there(self, port: SerialPort, stop: threading.Event) -> bool:
        # After a read, find answers "no card" until the card has left the field (docs/cards.md §2), so
        # presence is asked with select, which succeeds while the card is in the field (uncertain:
        # keep this rule in one place).
        found = self._transact(port, Command.FIND_CARD, stop)
        if found is not None and found.sw3 == Status.FIND_OK:
            return False  # a card was put back: treat as a new one
        selected = self._transact(port, Command.SELECT_CARD, stop)
        if selected is None or selected.sw3 not in (Status.SUCCESS, Status.SELECT_FAILED):
            # No answer (fault already reported), or one that is not select's: the late answer to the
            # find before it ("no card", 80) must not end a citizen's session. Do not guess.
            return True
        return selected.sw3 == Status.SUCCESS

    def _card_present(self, port: SerialPort, stop: threading.Event) -> bool:
        # A card that did not finish a read still answers find; one that did answers select.
        found = self._transact(port, Command.FIND_CARD, stop)
        if found is None or found.sw3 == Status.FIND_OK:
            return True  # no answer: do not guess that it left
        selected = self._transact(port, Command.SELECT_CARD, stop)
        return selected is None or selected.sw3 == Status.SUCCESS

    @staticmethod
    def _expect(answer: Response | None, command: Command, sw3: int) -> Response:
        if answer is None:
            raise _NoAnswer()
        if answer.sw3 != sw3:
            raise ReaderStatusError(command.name, answer.sw3, Status.describe(answer.sw3))
        return answer

    def _transact(
        self, port: SerialPort, command: Command, stop: threading.Event, *, report: bool = True
    ) -> Response | None:
        """Send ``command`` and wait for one answer; None when there is none (reported as one fault
        when ``report``). Port errors (``PORT_ERRORS``) propagate: they mean the reader is gone."""
        port.reset_input_buffer()
        port.write(command.frame)
        frames = FrameReader()
        problem: FrameError | None = None  # the first thing wrong on the line: one fault per transaction
        answer: Response | None = None
        done = False
        deadline = time.monotonic() + self._response_timeout
        while not done and time.monotonic() < deadline and not stop.is_set():
            chunk = port.read(max(1, port.in_waiting))
            for item in frames.feed(chunk) if chunk else ():
                if isinstance(item, Frame):
                    answer, done = self._response(command, item), True
                    break
                problem = problem or item
                if not isinstance(item, GarbageSkipped):  # a broken frame: this answer is lost
                    done = True
                    break
        if not done:
            if stop.is_set():
                return None
            for item in frames.flush():
                done = True
                if isinstance(item, Frame):
                    answer = self._response(command, item)
                    break
                problem = problem or item
        if problem is not None:
            self._line_fault(command, problem, report)
        elif not done and report:
            self._fault(f"{command.name}: no answer within {self._response_timeout:g} s", reason=IO_ERROR)
        return answer

    def _line_fault(self, command: Command, problem: FrameError, report: bool) -> None:
        log.debug("reader %s: %s: %s", self.reader_id, command.name, problem)
        if report:
            self._fault(f"{command.name}: {_FRAME_PROBLEMS.get(problem.reason, problem.reason)}", reason=PROTOCOL_ERROR)

    def _response(self, command: Command, frame: Frame) -> Response | None:
        try:
            answer = Response.from_frame(frame)
        except FrameError as err:
            log.debug("reader %s: %s: %s", self.reader_id, command.name, err)
            self._fault(f"{command.name}: a response too short for its status bytes", reason=PROTOCOL_ERROR)
            return None
        log.debug("reader %s: %s -> %s", self.reader_id, command.name, Status.describe(answer.sw3))
        return answer
