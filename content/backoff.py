"""Exponential backoff with jitter: how long to wait before retry number ``attempt``.

One home for every retry loop's rule: the kiosk agent's link to the server, the server's publishers
and session sweeper after a failed round, and (with the same numbers, checked by a test) the browser
socket of display_client/static/js/socket.js, following docs/protocol.md §6. The jitter spreads the
reconnects of a whole hall's screens and kiosks after a server restart over time instead of
bringing them all back in the same second. Standard library only: the device agent imports it.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class Backoff:
    """``min(cap, base × factor^attempt)`` seconds, times a random factor in [1 − jitter, 1 + jitter]."""

    base: float = 1.0
    cap: float = 60.0
    factor: float = 2.0
    jitter: float = 0.5

    def __post_init__(self) -> None:
        if not 0 < self.base <= self.cap:
            raise ValueError(f"expected 0 < base <= cap, got base {self.base} and cap {self.cap}")
        if self.factor < 1:
            raise ValueError(f"expected a factor of at least 1, got {self.factor}")
        if not 0 <= self.jitter < 1:
            raise ValueError(f"expected a jitter in [0, 1), got {self.jitter}")

    def ceiling(self, attempt: int) -> float:
        """The delay before retry number ``attempt`` (0 for the first) without jitter."""
        delay = self.base
        if self.factor == 1:
            return delay
        for _ in range(max(0, attempt)):
            delay *= self.factor
            if delay >= self.cap:  # also stops the loop early for a huge attempt number
                return self.cap
        return min(delay, self.cap)

    def delay(self, attempt: int, random_unit: Callable[[], float] = random.random) -> float:
        """The jittered delay before retry number ``attempt``; ``random_unit`` returns a number in [0, 1)."""
        return self.ceiling(attempt) * (1 - self.jitter + 2 * self.jitter * random_unit())

    def delays(self, random_unit: Callable[[], float] = random.random) -> Iterator[float]:
        """The delays before retries 0, 1, 2, … without end; start a new iterator after a success."""
        attempt = 0
        while True:
            yield self.delay(attempt, random_unit)
            attempt += 1


# Reconnecting clients (the agent's link, the browser socket): docs/protocol.md §6. A connection
# that stayed up this long starts the next outage's backoff from the beginning again.
RECONNECT: Final = Backoff()
RECONNECT_STABLE_SECONDS: Final = 30.0
# A server's background loop (publishers, session sweeper) retrying a failed round: one process
# per loop, nothing to spread, so no jitter.
SERVER_RETRY: Final = Backoff(base=1.0, cap=30.0, jitter=0.0)
