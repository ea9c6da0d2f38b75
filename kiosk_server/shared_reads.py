"""A read of the database that every caller who needs one begun after a given instant can share.

A screen is in its own, its hall's and its group's rooms from the moment it joined them: whatever
commits after that reaches it as a push. So what its hello sends (queue board versions, its power
schedule, whether remote-care commands wait for it) may come from a read that began after it
joined, not necessarily its own: during a connect storm of thousands of screens, one read serves
every hello whose screen joined before the read began, where each hello made its own before.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from sqlalchemy.orm import Session

from kiosk_server.database import Database

T = TypeVar("T")


class SharedRead(Generic[T]):
    """``read(session)``'s result, read again only for a caller who joined after the last read began."""

    def __init__(self, db: Database, read: Callable[[Session], T]) -> None:
        self._db = db
        self._read = read
        self._lock = threading.Lock()
        self._began = float("-inf")
        self._value: T | None = None

    def since(self, joined_at: float) -> T:
        """A result as of a read that began after ``joined_at`` (``time.monotonic()``)."""
        with self._lock:
            if self._value is None or self._began <= joined_at:
                began = time.monotonic()
                with self._db.session() as session:
                    self._value = self._read(session)
                self._began = began
            return self._value
