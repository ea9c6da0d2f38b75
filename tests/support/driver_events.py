"""A driver's event sink for tests: collects what a reader emits and waits, with a deadline, for a kind."""

from __future__ import annotations

import queue
import time
from typing import Any

from devices.events import DeviceEvent

DEADLINE = 10.0  # generous for a loaded 2-core CI machine; passing runs take a fraction of it


class Events:
    """Collects a driver's events; ``next`` waits (with a deadline) for the next one of a type."""

    def __init__(self) -> None:
        self.queue: queue.Queue[DeviceEvent] = queue.Queue()
        self.seen: list[DeviceEvent] = []

    def __call__(self, event: DeviceEvent) -> None:
        self.queue.put(event)

    def next(self, kind: type, timeout: float = DEADLINE) -> Any:
        """The next event of ``kind`` (skipping, but keeping in ``seen``, any other)."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no {kind.__name__} within {timeout} s; saw {self.seen}")
            try:
                event = self.queue.get(timeout=remaining)
            except queue.Empty:
                continue
            self.seen.append(event)
            if isinstance(event, kind):
                return event

    def drain(self) -> list[DeviceEvent]:
        """Everything seen so far, including what is queued and not yet waited for."""
        while True:
            try:
                self.seen.append(self.queue.get_nowait())
            except queue.Empty:
                return self.seen
