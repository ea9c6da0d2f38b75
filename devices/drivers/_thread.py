"""A reader's supervised thread: start() and stop() that are safe to call twice, and ``running``."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from devices.events import ReaderFault

log = logging.getLogger(__name__)


class ReaderThread:
    """Base for readers whose work runs in one thread until a stop event is set.

    Subclasses implement ``_run(stop)``; it must return promptly once ``stop`` is set and release
    its device in ``finally``. Events go out through ``_emit``; a failing consumer never stops the
    reader.
    """

    def __init__(self, thread_name: str, reader_id: str, on_event: Callable[[Any], None]) -> None:
        self.reader_id = reader_id
        self._on_event = on_event
        self._thread_name = thread_name
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        """True while the reader thread is alive."""
        thread = self._thread
        return thread is not None and thread.is_alive()

    def start(self) -> None:
        """Start the reader thread; a second call while running does nothing."""
        with self._lock:
            if self.running:
                return
            self._stop = threading.Event()
            self._thread = threading.Thread(target=self._run, args=(self._stop,), daemon=True, name=self._thread_name)
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the thread and wait for it (device released); safe to call twice or before start."""
        with self._lock:
            thread, self._thread = self._thread, None
            self._stop.set()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
            if thread.is_alive():
                log.error("%s: reader thread did not stop within %.1f s", self._thread_name, timeout)

    def _emit(self, event: Any) -> None:
        log.debug("reader %s: %r", self.reader_id, event)  # event reprs mask personal data
        try:
            self._on_event(event)
        except Exception:  # a broken consumer must not kill the reader
            log.exception("reader %s: event callback failed", self.reader_id)

    def _fault(self, message: str, *, reason: str = "", hint: str = "", card_lost: bool = False) -> None:
        # DEBUG, not WARNING: a noisy line faults many times a second, and the agent logs each
        # reader's faults itself, rate-limited (devices/agent/fault_throttle.py).
        log.debug("reader %s: fault %s: %s", self.reader_id, reason or "-", message)
        self._emit(ReaderFault(self.reader_id, message, reason=reason, hint=hint, card_lost=card_lost))

    def _run(self, stop: threading.Event) -> None:
        raise NotImplementedError
