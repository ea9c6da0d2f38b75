"""A network receipt printer on 127.0.0.1: records what it is sent and answers DLE EOT like a real one.

Tests and the demo point the agent's ``escpos-network`` printer at it. It serves one connection at a
time (as port 9100 printers do), keeps every byte it receives (``received``) and what it printed
(``printed``: the job bytes without the status requests, up to where the paper ran out), and answers
``DLE EOT 1``, ``2`` and ``4`` from its state (``ready``, ``paper_low``, ``paper_out``,
``cover_open``), with the bits the Epson reference gives. It can run out of paper after ``paper_bytes``
printed bytes (the rest of the job is lost, the status says paper end), answer a byte that is not a
status (``garbage``), stay silent, and be stopped ("unplugged") and started again on the same port.
"""

from __future__ import annotations

import socket
import threading
from enum import StrEnum
from typing import Final

_DLE, _EOT = 0x10, 0x04
_BASE: Final = 0x12  # bits 1 and 4 are always set in a status answer


class SimPaper(StrEnum):
    READY = "ready"
    PAPER_LOW = "paper_low"
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"


class SimEscposPrinter:
    """The simulated printer; ``start()`` binds (port 0: a free one, kept across restarts)."""

    def __init__(self, port: int = 0, *, paper_bytes: int | None = None) -> None:
        self.port = port
        self.state = SimPaper.READY
        self.paper_bytes = paper_bytes  # printed bytes until the roll runs out; None: never
        self.garbage: int | None = None  # answer this byte to every status request
        self.silent = False  # answer no status request
        self.received = bytearray()
        self.printed = bytearray()
        self.connections = 0
        self._changed = threading.Condition()
        self._listener: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    # lifecycle --------------------------------------------------------------------------------------

    def start(self) -> None:
        """Listen (again); safe to call twice."""
        if self._thread is not None and self._thread.is_alive():
            return
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(4)
        listener.settimeout(0.1)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(listener, self._stop), daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Unplug: close the listener and any connection; connections are refused until ``start()``."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(5)
        if self._listener is not None:
            self._listener.close()
            self._listener = None

    def wait_printed(self, predicate: object, timeout: float = 10.0) -> bytes:
        """Wait until ``predicate(printed bytes)`` holds; the bytes, or AssertionError at the deadline."""
        with self._changed:
            if not self._changed.wait_for(lambda: predicate(bytes(self.printed)), timeout):  # type: ignore[operator]
                raise AssertionError(f"the printer got {len(self.printed)} bytes, not what was waited for")
            return bytes(self.printed)

    # status ----------------------------------------------------------------------------------------

    def answer(self, request: int) -> int | None:
        """The byte the printer answers to ``DLE EOT request``."""
        if self.silent:
            return None
        if self.garbage is not None:
            return self.garbage
        cover = self.state is SimPaper.COVER_OPEN
        out = self.state is SimPaper.PAPER_OUT
        if request == 1:
            return _BASE | (0x08 if cover or out else 0)
        if request == 2:
            return _BASE | (0x04 if cover else 0) | (0x20 if out else 0)
        if request == 4:
            low = self.state is SimPaper.PAPER_LOW
            return _BASE | (0x0C if low else 0) | (0x60 if out else 0)
        return _BASE  # DLE EOT 3 (error causes): none

    # serving --------------------------------------------------------------------------------------

    def _serve(self, listener: socket.socket, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            with conn:
                conn.settimeout(0.1)
                self._talk(conn, stop)

    def _talk(self, conn: socket.socket, stop: threading.Event) -> None:
        pending = bytearray()  # a DLE EOT split across two reads
        while not stop.is_set():
            try:
                chunk = conn.recv(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            if not chunk:
                return
            with self._changed:
                self.received += chunk
            pending += chunk
            pending = self._consume(conn, pending)

    def _consume(self, conn: socket.socket, data: bytearray) -> bytearray:
        start = 0
        i = 0
        while i < len(data):
            if data[i] == _DLE:
                if i + 2 >= len(data):  # maybe the start of a status request: wait for more
                    self._print(data[start:i])
                    return data[i:]
                if data[i + 1] == _EOT and data[i + 2] in (1, 2, 3, 4):
                    self._print(data[start:i])
                    answer = self.answer(data[i + 2])
                    if answer is not None:
                        conn.sendall(bytes((answer,)))
                    i += 3
                    start = i
                    continue
            i += 1
        self._print(data[start:])
        return bytearray()

    def _print(self, data: bytes | bytearray) -> None:
        if not data:
            return
        with self._changed:
            if self.state in (SimPaper.PAPER_OUT, SimPaper.COVER_OPEN):
                return  # a stopped printer prints nothing
            if self.paper_bytes is not None:
                room = max(0, self.paper_bytes - len(self.printed))
                if len(data) > room or room == 0:
                    self.printed += data[:room]
                    self.state = SimPaper.PAPER_OUT
                    self._changed.notify_all()
                    return
            self.printed += data
            self._changed.notify_all()
