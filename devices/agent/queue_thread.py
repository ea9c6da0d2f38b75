"""One worker thread fed by a queue: start() and stop() safe to call twice, stop after the item in hand.

The agent's remote care and its printing each run their jobs in order on a thread of their own, so a
screenshot never waits behind a print and the link's handlers return at once.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any, Final

STOP: Final = object()  # put by stop(): the worker returns when it takes it


class QueueThread:
    """A named daemon thread running ``work``, which takes items from ``queue`` until it takes ``STOP``."""

    def __init__(self, name: str, work: Callable[[], None]) -> None:
        self.queue: queue.Queue[Any] = queue.Queue()
        self._name = name
        self._work = work
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the worker; a second call while running does nothing."""
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._thread = threading.Thread(target=self._work, name=self._name, daemon=True)
            self._thread.start()

    def stop(self, timeout: float) -> None:
        """Ask the worker to return after the item in hand and wait up to ``timeout``; safe to call twice."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is None:
            return
        self.queue.put(STOP)
        if thread is not threading.current_thread():
            thread.join(timeout)
