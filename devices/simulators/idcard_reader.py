"""A simulated GA/T 467 ID card reader on a pseudo-terminal pair, for tests and the demo.

The driver opens ``sim.port`` (a symlink to the pty's slave, like a ``/dev/serial/by-id`` path) with
pyserial; the simulator answers on the master side with real frames. Tests ``present()`` and
``remove()`` virtual cards, ``inject()`` faults, and ``unplug()``/``replug()`` the reader. A ``silent``
simulator reads requests and answers nothing (a GPS mouse on the same USB-serial bridge); a wrong
``sam_id`` length plays a reader with a malformed SAM id.
"""

from __future__ import annotations

import os
import select
import tempfile
import threading
import time
import tty
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from devices.drivers.idcard_protocol import (
    APPENDED_ADDRESS_SIZE,
    FINGERPRINT_SIZE,
    PHOTO_SIZE,
    TEXT_SIZE,
    Command,
    Frame,
    FrameReader,
    Response,
    Status,
)

FAULTS: Final = frozenset({"bad_checksum", "truncated", "garbage", "status"})
GARBAGE: Final = bytes.fromhex("00FF13AA96695A5A")
_LONGEST_SHORT_ANSWER: Final = 1024  # every answer but a card read (1295+ bytes) is shorter


def _put(block: bytearray, offset: int, length: int, text: str) -> None:
    raw = text.encode("utf-16-le")
    if len(raw) > length:
        raise ValueError(f"field at offset {offset} holds {length // 2} characters, got {len(text)}")
    block[offset : offset + length] = raw + " ".encode("utf-16-le") * ((length - len(raw)) // 2)


@dataclass(frozen=True, repr=False)
class SimCard:
    """A virtual card. ``kind`` is ``""`` for a resident card or ``"J"`` for a HK/Macao/Taiwan permit."""

    name: str = "张三"
    sex_code: str = "1"
    nation_code: str = "01"
    birth_date: str = "19900307"
    address: str = "甘肃省兰州市城关区庆阳路1号"
    id_number: str = "62010219900307123X"
    issuing_authority: str = "兰州市公安局城关分局"
    valid_from: str = "20150101"
    valid_to: str = "20350101"
    kind: str = ""
    permit_number: str = ""
    issue_count: str = ""
    appended_address: str = ""

    def text_block(self) -> bytes:
        """The 256-byte UCS-2LE text block as a reader returns it."""
        block = bytearray(" ".encode("utf-16-le") * (TEXT_SIZE // 2))
        _put(block, 0, 30, self.name)
        _put(block, 30, 2, self.sex_code)
        _put(block, 36, 16, self.birth_date)
        _put(block, 52, 70, self.address)
        _put(block, 122, 36, self.id_number)
        _put(block, 158, 30, self.issuing_authority)
        _put(block, 188, 16, self.valid_from)
        _put(block, 204, 16, self.valid_to)
        if self.kind == "J":
            _put(block, 220, 18, self.permit_number)
            _put(block, 238, 4, self.issue_count)
            _put(block, 248, 2, "J")
        elif self.kind == "":
            _put(block, 32, 4, self.nation_code)
        else:
            raise ValueError(f"the simulator builds resident ('') and J cards, not {self.kind!r}")
        return bytes(block)


@dataclass(frozen=True)
class _Fault:
    kind: str
    on: Command | None
    sw3: int
    remove_card: bool = False


class SimIdCardReader:
    """A GA/T 467 reader with a SAM, speaking on the master side of a pseudo-terminal pair."""

    def __init__(self, sam_id: bytes = bytes(range(16)), *, silent: bool = False) -> None:
        self.sam_id = sam_id
        self.silent = silent  # read requests, answer nothing
        self._dir = Path(tempfile.mkdtemp(prefix="sim-idcard-"))
        self.port = str(self._dir / "ttyIDCARD")
        self._lock = threading.Lock()
        self._card: SimCard | None = None
        self._card_read = False
        self._faults: list[_Fault] = []
        self.requests: list[Command | None] = []
        self.read_answered_at: list[float] = []  # time.perf_counter() after each card read was written
        self._master = self._slave = -1
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    # lifecycle -------------------------------------------------------------------------------

    def start(self) -> SimIdCardReader:
        if self._thread is None:
            self._plug()
        return self

    def stop(self) -> None:
        self._unplug()
        try:
            os.unlink(self.port)
            self._dir.rmdir()
        except OSError:
            pass

    def __enter__(self) -> SimIdCardReader:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def unplug(self) -> None:
        """Pull the cable: close both ends of the pty so the driver's port fails."""
        self._unplug()
        try:
            os.unlink(self.port)
        except FileNotFoundError:
            pass

    def replug(self) -> None:
        """Plug the reader back in: a new pty pair behind the same ``port`` path."""
        self._unplug()
        self._plug()

    def _plug(self) -> None:
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)
        tmp = self.port + ".new"
        os.symlink(os.ttyname(self._slave), tmp)
        os.replace(tmp, self.port)
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._serve, args=(self._master, self._stop), daemon=True, name="sim-idcard"
        )
        self._thread.start()

    def _unplug(self) -> None:
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join(timeout=5)
        self._thread = None
        for fd in (self._master, self._slave):
            try:
                os.close(fd)
            except OSError:
                pass
        self._master = self._slave = -1

    # the test's hands ------------------------------------------------------------------------

    def present(self, card: SimCard) -> None:
        """Put a card on the reader."""
        with self._lock:
            self._card = card
            self._card_read = False

    def remove(self) -> None:
        """Take the card away."""
        with self._lock:
            self._card = None
            self._card_read = False

    def inject(
        self, fault: str, *, on: Command | None = None, sw3: int = Status.UNKNOWN_ERROR, remove_card: bool = False
    ) -> None:
        """Spoil the next answer (to ``on``, or to any command): ``bad_checksum``, ``truncated``,
        ``garbage`` (bytes before the frame) or ``status`` (answer ``sw3`` with no data).
        ``remove_card`` takes the card away as that answer goes out (a card pulled mid-read)."""
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; expected one of {sorted(FAULTS)}")
        with self._lock:
            self._faults.append(_Fault(fault, on, sw3, remove_card))

    def pending_faults(self) -> int:
        with self._lock:
            return len(self._faults)

    # the reader's side -----------------------------------------------------------------------

    def _serve(self, master: int, stop: threading.Event) -> None:
        frames = FrameReader()
        while not stop.is_set():
            ready, _, _ = select.select([master], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(master, 4096)
            except OSError:
                return
            for item in frames.feed(chunk):
                if isinstance(item, Frame) and self.silent:
                    with self._lock:
                        self.requests.append(Command.of(*item.payload[:2]) if len(item.payload) >= 2 else None)
                elif isinstance(item, Frame):
                    answer = self._answer(item)
                    try:
                        _write_all(master, answer)
                    except OSError:
                        return
                    if len(answer) > _LONGEST_SHORT_ANSWER:  # a card's text and photo went out
                        self.read_answered_at.append(time.perf_counter())

    def _answer(self, frame: Frame) -> bytes:
        command = Command.of(*frame.payload[:2]) if len(frame.payload) >= 2 else None
        with self._lock:
            self.requests.append(command)
            fault = next((f for f in self._faults if f.on is None or f.on is command), None)
            if fault is not None:
                self._faults.remove(fault)
                if fault.remove_card:
                    self._card, self._card_read = None, False
                if fault.kind == "status":
                    return Response(0, 0, fault.sw3).encode()
            response = self._respond(command, spoiled=fault is not None)
        raw = response.encode()
        if fault is None:
            return raw
        if fault.kind == "bad_checksum":
            return raw[:-1] + bytes([raw[-1] ^ 0x5A])
        if fault.kind == "truncated":
            return raw[: max(8, len(raw) // 2)]
        return GARBAGE + raw  # garbage

    def _respond(self, command: Command | None, *, spoiled: bool) -> Response:
        ok = Status.SUCCESS
        card = self._card
        if command in (Command.RESET_SAM, Command.SAM_STATUS):
            return Response(0, 0, ok)
        if command is Command.READ_SAM_ID:
            return Response(0, 0, ok, self.sam_id)
        if command is Command.FIND_CARD:
            # After a successful read the card must leave the field before find succeeds again.
            if card is None or self._card_read:
                return Response(0, 0, Status.FIND_FAILED)
            return Response(0, 0, Status.FIND_OK, bytes(4))
        if command is Command.SELECT_CARD:
            return Response(0, 0, ok, bytes(8)) if card else Response(0, 0, Status.SELECT_FAILED)
        if command in (Command.READ_TEXT_PHOTO, Command.READ_TEXT_PHOTO_FINGERPRINT):
            if card is None:
                return Response(0, 0, Status.READ_FAILED)
            self._card_read = not spoiled  # a spoiled answer lets the driver try again
            photo = bytes((i * 7) & 0xFF for i in range(PHOTO_SIZE))
            if command is Command.READ_TEXT_PHOTO:
                head = TEXT_SIZE.to_bytes(2, "big") + PHOTO_SIZE.to_bytes(2, "big")
                return Response(0, 0, ok, head + card.text_block() + photo)
            head = b"".join(n.to_bytes(2, "big") for n in (TEXT_SIZE, PHOTO_SIZE, FINGERPRINT_SIZE))
            return Response(0, 0, ok, head + card.text_block() + photo + bytes(FINGERPRINT_SIZE))
        if command is Command.READ_APPENDED_ADDRESS:
            if card is None or not card.appended_address:
                return Response(0, 0, Status.ITEM_EMPTY)
            raw = card.appended_address.encode("utf-16-le")[:APPENDED_ADDRESS_SIZE]
            return Response(0, 0, ok, raw + " ".encode("utf-16-le") * ((APPENDED_ADDRESS_SIZE - len(raw)) // 2))
        return Response(0, 0, Status.BAD_COMMAND)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]
