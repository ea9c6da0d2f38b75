"""Sign-in attempts per client address in a sliding window, kept in this server process."""

from __future__ import annotations

import threading
from collections import deque
from typing import Final

WINDOW_SECONDS: Final = 300.0
MAX_ATTEMPTS: Final = 20


class SignInThrottle:
    """At most ``limit`` attempts per address in ``window`` seconds; the account lockout covers names."""

    def __init__(self, limit: int = MAX_ATTEMPTS, window: float = WINDOW_SECONDS) -> None:
        self._limit = limit
        self._window = window
        self._lock = threading.Lock()
        self._attempts: dict[str, deque[float]] = {}

    def attempt(self, address: str, now: float) -> float:
        """Count an attempt; 0 if it may go ahead, else the seconds until the next one may."""
        with self._lock:
            times = self._attempts.setdefault(address, deque())
            while times and times[0] <= now - self._window:
                times.popleft()
            if len(times) >= self._limit:
                return times[0] + self._window - now
            times.append(now)
            if len(self._attempts) > 10_000:  # forget quiet addresses rather than grow without end
                for key in [k for k, v in self._attempts.items() if not v or v[-1] <= now - self._window]:
                    del self._attempts[key]
            return 0.0
