"""One accepted websocket: writes that never block the caller, with a bounded backlog, and reads of whole messages.

A write goes straight to the socket's descriptor; only what the kernel does not take waits in the
connection's backlog, drained by a task started for that moment, so a slow screen never holds up
the fan-out to the others (kiosk_server/direct_websocket.py). One whose backlog passes
``MAX_BACKLOG`` is dropped: it reconnects and its hello brings it up to date. Reads parse the
client's frames with kiosk_server/websocket_frames.py, answering pings and closes on the way.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from typing import Any, Final

from kiosk_server import websocket_frames as frames

log = logging.getLogger(__name__)

# Bytes a connection may have waiting for the kernel before it is dropped: a dozen large plain
# manifests. A screen that far behind is better served by reconnecting: its hello gets only the newest.
MAX_BACKLOG: Final = 2 * 1024 * 1024
_RECEIVE_BYTES: Final = 16 * 1024


def section_lock() -> threading.Lock:
    """A lock for sections that never wait or switch tasks: the operating system's, under gevent as well.

    gevent's monkey-patched ``threading.Lock`` costs three times as much to take (a greenlet-aware
    semaphore in Python), and a connection takes its lock for every frame it writes. The sections
    it guards only write to a non-blocking descriptor, move bytes between lists and start a task,
    so no other task can run while one holds it; with real threads it is a real lock as ever.
    """
    try:
        from gevent import monkey
    except ImportError:  # pragma: no cover - gevent is a dependency; without it threading's lock is the OS's
        return threading.Lock()
    allocate: type[threading.Lock] = monkey.get_original("_thread", "allocate_lock")
    return allocate()


class Connection:
    """One accepted websocket: non-blocking writes with a bounded backlog, and blocking reads of whole messages."""

    def __init__(self, sock: Any, spawn: Callable[..., Any], max_message: int, max_backlog: int = MAX_BACKLOG) -> None:
        self._sock = sock
        # Writes go straight to the descriptor (non-blocking: gevent's sockets always are, and a socket
        # with a timeout is too). A TLS socket must encrypt: its writes all go through the drain task.
        self._fd: int | None = None if hasattr(sock, "do_handshake") else sock.fileno()
        self._spawn = spawn
        self._reader = frames.FrameReader(max_message)
        # Lists, not deques: an empty deque takes 770 bytes, and these are empty nearly always.
        self._received: list[frames.Message] = []
        self._lock = section_lock()
        self._backlog: list[bytes | memoryview] = []
        self._backlog_bytes = 0
        self._max_backlog = max_backlog
        self._draining = False
        self._close_when_drained = False
        self.closed = False

    # -- writing ---------------------------------------------------------------------------------

    def write(self, data: bytes) -> bool:
        """Queue ``data`` (whole frames) for the client without ever blocking; False once the connection is gone."""
        with self._lock:
            if self.closed:
                return False
            sent = 0
            if not self._draining and self._fd is not None:
                try:
                    sent = os.write(self._fd, data)
                except BlockingIOError:
                    sent = 0
                except OSError:
                    self._shut()
                    return False
                if sent == len(data):
                    return True
            if self._add_to_backlog(data, sent):
                return True
        log.info("websocket dropped: more than %d bytes waiting for a slow client", self._max_backlog)
        return False

    def send(self, message: str | bytes) -> None:
        """python-engineio's transport interface: one message as one frame; OSError once closed."""
        if not self.write(frames.frame(message)):
            raise OSError("websocket closed")

    def _add_to_backlog(self, data: bytes, sent: int) -> bool:
        if self._backlog_bytes + len(data) - sent > self._max_backlog:
            self._shut()
            return False
        self._backlog.append(memoryview(data)[sent:] if sent else data)
        self._backlog_bytes += len(data) - sent
        if not self._draining:
            self._draining = True
            self._spawn(self._drain)
        return True

    def _drain(self) -> None:
        while True:
            with self._lock:
                if self.closed or not self._backlog:
                    self._draining = False
                    if self._close_when_drained:
                        self._shut()
                    return
                chunk = b"".join(self._backlog)
                self._backlog.clear()
                self._backlog_bytes = 0
            try:
                self._sock.sendall(chunk)  # blocks this task only (gevent), or this thread up to the socket's timeout
            except OSError:
                with self._lock:
                    self._draining = False
                    self._shut()
                return

    # -- reading ---------------------------------------------------------------------------------

    def wait(self) -> str | bytes | None:
        """The next text or binary message; None once the connection has ended (answers pings meanwhile)."""
        while True:
            while self._received:
                message = self._received.pop(0)
                if message.opcode == frames.TEXT:
                    return message.text
                if message.opcode == frames.BINARY:
                    return message.data
                if message.opcode == frames.PING:
                    self.write(frames.frame(message.data, frames.PONG))
                elif message.opcode == frames.CLOSE:
                    code = message.close_code or frames.NORMAL
                    self.close(frames.NORMAL if code == frames.NORMAL else code)
                    return None
            if self.closed:
                return None
            try:
                data = self._sock.recv(_RECEIVE_BYTES)
            except OSError:  # a timeout (no pong for too long), a reset, or this side shut it
                self._abort()
                return None
            if not data:
                self._abort()
                return None
            try:
                self._received.extend(self._reader.feed(data))
            except frames.ProtocolViolation as err:
                log.info("websocket closed: %s", err)
                self.close(err.code, str(err))
                return None

    # -- ending ----------------------------------------------------------------------------------

    def close(self, code: int = frames.NORMAL, reason: str = "") -> None:
        """Say goodbye with a close frame after what is already queued, then end the connection."""
        if self.closed:
            return
        self.write(frames.close_frame(code, reason))
        with self._lock:
            if self._draining:
                self._close_when_drained = True
            else:
                self._shut()

    def _abort(self) -> None:
        with self._lock:
            self._shut()

    def _shut(self) -> None:
        """End the connection now (the lock held); the WSGI server that lent the socket closes it."""
        self.closed = True
        self._backlog.clear()
        self._backlog_bytes = 0
        try:
            self._sock.shutdown(socket.SHUT_RDWR)  # wakes the reader, whichever task it is
        except OSError:
            pass
