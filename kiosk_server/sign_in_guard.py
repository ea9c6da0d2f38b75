"""The sign-in guard: wrong passwords counted per client address and per name, shared by every server process.

Both the console and the counter page sign in through ``SignInGuard.sign_in``. Only failures
count; a successful sign-in costs nothing, so a busy hall behind one address is not held up by
its own staff.

- **Per address**: ``ADDRESS_FAILURES`` wrong passwords in ``ADDRESS_WINDOW`` (a sliding window),
  whatever names they try; then every attempt from there is refused until the window slides.
  Behind a reverse proxy the address is the proxy's unless ``KIOSK_TRUSTED_PROXIES`` says how many
  hops to trust (docs/security.md, "What to put in front of the server").
- **Per name**: after a few failures in a row a name waits before its next check, growing to a cap
  (``content.accounts.staff.failure_delay``). Attempts while it waits are refused unchecked and do
  not count, so a stranger slows guessing but cannot keep the owner out once the wait is over.
  Accounts keep their count in the database, where the console and ``kiosk accounts unlock`` clear
  it (``clear_sign_in_failures``); names without an account keep theirs here, with the same rule,
  so a delayed name tells nobody whether it exists.

The counters live in Redis when ``KIOSK_MESSAGE_QUEUE_URL`` is a redis:// URL (every process sees
the same ones), in this process's memory otherwise. When Redis does not answer, sign-in goes on with
this process's own counters (logged, and Redis tried again after ``SHARED_RETRY``): a throttle that
is per process for a while is better than nobody signing in. Accounts' delays live in the database
and hold throughout. Time is the clock passed in, never the wall's.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections.abc import Callable
from datetime import datetime
from typing import Final, TypeVar

from flask import Flask
from limits.errors import StorageError
from limits.storage import MemoryStorage, RedisStorage, Storage
from sqlalchemy.orm import Session

from content.accounts.staff import SignInDelayed, SignInRefused, StaffAccount, failure_delay, sign_in

ADDRESS_FAILURES: Final = 20
ADDRESS_WINDOW: Final = 300.0  # seconds
NAME_MEMORY: Final = 24 * 3600  # seconds a name's failures are remembered after its first
_EXTENSION: Final = "kiosk_sign_in_guard"
_PREFIX: Final = "kiosk-sign-in"
_PAST: Final = 0.001  # a waiting time ends just after the weighted count equals the limit, not on it
SHARED_RETRY: Final = 30.0  # seconds on this process's own counters after the shared storage failed
_REDIS_TIMEOUT: Final = 0.5  # seconds; a sign-in must not hang on an unreachable Redis

log = logging.getLogger(__name__)
_T = TypeVar("_T")


class SignInThrottled(Exception):
    """Too many failures from this address or for this name: try again in ``seconds``."""

    def __init__(self, seconds: int) -> None:
        super().__init__(f"try again in {seconds} s")
        self.seconds = seconds


class SignInGuard:
    """Counts failed sign-ins in a ``limits`` storage and refuses attempts that must wait."""

    def __init__(
        self,
        storage: Storage,
        *,
        address_failures: int = ADDRESS_FAILURES,
        address_window: float = ADDRESS_WINDOW,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._storage = _SharedOrLocal(storage, monotonic)
        self._limit = address_failures
        self._window = address_window

    @classmethod
    def for_queue_url(cls, url: str) -> SignInGuard:
        """Redis storage for a redis:// message-queue URL (shared by every process), memory for none."""
        if url:
            return cls(
                RedisStorage(
                    url,
                    key_prefix=_PREFIX,
                    wrap_exceptions=True,
                    socket_keepalive=True,
                    socket_connect_timeout=_REDIS_TIMEOUT,
                    socket_timeout=_REDIS_TIMEOUT,
                )
            )
        return cls(MemoryStorage())

    def sign_in(
        self,
        db: Session,
        *,
        address: str,
        username: str,
        password: str,
        now: datetime,
        accepts: Callable[[StaffAccount], bool] | None = None,
    ) -> StaffAccount:
        """The account for these credentials, or SignInThrottled, or SignInRefused ("wrong" or "disabled")."""
        wait = max(self._address_wait(address, now), self._name_wait(username, now))
        if wait:
            raise SignInThrottled(wait)
        try:
            return sign_in(db, username, password, now, accepts=accepts)
        except SignInDelayed as delayed:
            raise SignInThrottled(_seconds((delayed.until - now).total_seconds())) from None
        except SignInRefused as refused:
            if refused.reason == "wrong":
                self._count_address_failure(address, now)
                if not refused.on_account:
                    self._count_name_failure(username, now)
            raise

    # -- per address: a sliding window over two fixed buckets, as limits' sliding-window counter --

    def _address_key(self, address: str, bucket: int) -> str:
        return f"address:{address}:{bucket}"

    def _address_wait(self, address: str, now: datetime) -> int:
        t, w = now.timestamp(), self._window
        bucket = int(t // w)
        into = t - bucket * w
        current = self._storage.get(self._address_key(address, bucket))
        previous = self._storage.get(self._address_key(address, bucket - 1))
        if previous * (w - into) / w + current < self._limit:
            return 0
        if current >= self._limit:  # wait until, as the previous bucket, it weighs less than the limit
            return _seconds(w - into + w * (1 - self._limit / current) + _PAST)
        return _seconds(w * (1 - (self._limit - current) / previous) - into + _PAST)

    def _count_address_failure(self, address: str, now: datetime) -> None:
        bucket = int(now.timestamp() // self._window)
        self._storage.incr(self._address_key(address, bucket), math.ceil(2 * self._window) + 1)

    # -- per name without an account: the count, and the instant of each failure that sets a delay --

    @staticmethod
    def _name_key(username: str) -> str:
        return "name:" + hashlib.sha256(username.strip().casefold().encode()).hexdigest()[:32]

    def _name_wait(self, username: str, now: datetime) -> int:
        key = self._name_key(username)
        failures = self._storage.get(key)
        delay = failure_delay(failures)
        at_ms = self._storage.get(f"{key}:at{failures}") if delay else 0
        if not at_ms:
            return 0
        left = at_ms / 1000 + delay.total_seconds() - now.timestamp()
        return _seconds(left) if left > 0 else 0

    def _count_name_failure(self, username: str, now: datetime) -> None:
        key = self._name_key(username)
        failures = self._storage.incr(key, NAME_MEMORY)
        if failure_delay(failures):
            # Only the attempt that made this count writes this key, so clear-then-add cannot race.
            at = f"{key}:at{failures}"
            self._storage.clear(at)
            self._storage.incr(at, NAME_MEMORY, amount=int(now.timestamp() * 1000))


class _SharedOrLocal:
    """The shared storage, or this process's memory for ``SHARED_RETRY`` seconds after it failed.

    The counters kept locally meanwhile are not copied back: the shared ones resume where they were.
    """

    def __init__(self, shared: Storage, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._shared = shared
        self._local = shared if isinstance(shared, MemoryStorage) else MemoryStorage()
        self._monotonic = monotonic
        self._down_until = 0.0

    def get(self, key: str) -> int:
        return self._call(lambda s: s.get(key))

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        return self._call(lambda s: s.incr(key, expiry, amount=amount))

    def clear(self, key: str) -> None:
        self._call(lambda s: s.clear(key))

    def _call(self, operation: Callable[[Storage], _T]) -> _T:
        if self._shared is not self._local and self._monotonic() >= self._down_until:
            try:
                return operation(self._shared)
            except StorageError as err:
                self._down_until = self._monotonic() + SHARED_RETRY
                log.warning(
                    "sign-in counters: shared storage unreachable (%s); this process counts alone for %d s",
                    type(err.storage_error).__name__,
                    SHARED_RETRY,
                )
        return operation(self._local)


def _seconds(value: float) -> int:
    """Whole seconds to wait, at least one (what Retry-After carries)."""
    return max(1, math.ceil(value))


def init_app(app: Flask, message_queue_url: str) -> None:
    app.extensions[_EXTENSION] = SignInGuard.for_queue_url(message_queue_url)


def guard(app: Flask) -> SignInGuard:
    value: SignInGuard = app.extensions[_EXTENSION]
    return value
