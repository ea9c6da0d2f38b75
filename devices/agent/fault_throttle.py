"""Rate limit for identical reader faults: the first goes out at once, then one count per interval.

A noisy serial line faults ten times a second; reported one by one that is hundreds of thousands of
log lines and server messages a day per kiosk. Faults are identical when they have the same key
(the agent uses reader, reason and message). The first of a key is reported at once and opens a
window of ``interval`` seconds; identical faults inside it are only counted. The first one after the
window, or the window's end (``due``) when faults were held back, reports the count and opens the
next window. Time is whatever the caller passes (the agent's clock), so tests drive it by hand.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


@dataclass
class _Window(Generic[V]):
    opened_at: float
    latest: V
    held: int = 0  # identical faults counted but not reported


class FaultThrottle(Generic[K, V]):
    """Decides which of a stream of keyed faults to report, and with what ``repeated`` count."""

    def __init__(self, interval: float) -> None:
        if interval <= 0:
            raise ValueError(f"interval must be positive, got {interval}")
        self.interval = interval
        self._windows: dict[K, _Window[V]] = {}

    def admit(self, key: K, fault: V, now: float) -> int | None:
        """The count to report ``fault`` with now (itself plus those held back), or None to hold it."""
        window = self._windows.get(key)
        if window is not None and now < window.opened_at + self.interval:
            window.held += 1
            window.latest = fault
            return None
        repeated = 1 + (window.held if window is not None else 0)
        self._windows[key] = _Window(now, fault)
        return repeated

    def due(self, now: float) -> list[tuple[K, V, int]]:
        """Faults held back in windows that have ended: ``(key, latest fault, count)``, each reported once."""
        out: list[tuple[K, V, int]] = []
        for key, window in list(self._windows.items()):
            if now < window.opened_at + self.interval:
                continue
            if window.held:
                out.append((key, window.latest, window.held))
                self._windows[key] = _Window(now, window.latest)
            else:
                del self._windows[key]
        return out

    def release(self, keys: list[K]) -> list[tuple[K, V, int]]:
        """Close the windows of ``keys`` now (the reader read a card): what they held back, to report."""
        out: list[tuple[K, V, int]] = []
        for key in keys:
            window = self._windows.pop(key, None)
            if window is not None and window.held:
                out.append((key, window.latest, window.held))
        return out

    def keys(self) -> list[K]:
        return list(self._windows)
