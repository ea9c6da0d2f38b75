"""A real way to make a server's hello fail on PostgreSQL: hold a lock on the outbox past the server's lock timeout.

The server connects with a short ``lock_timeout`` (``with_lock_timeout``); the test holds
``ACCESS EXCLUSIVE`` on ``outbox`` (``outbox_locked``), so every revision check of the manifest
book, and with it every hello, fails after that timeout, as they do while a restarted server's walls
reconnect all at once and queue on a lock.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
from sqlalchemy import create_engine, text

from tests.support.server import ServerProcess, wait_for


def with_lock_timeout(url: str, milliseconds: int) -> str:
    """``url`` with ``-c lock_timeout=…`` added to its libpq ``options``."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query["options"] = f"{query.get('options', '')} -clock_timeout={milliseconds}".strip()
    return urlunsplit(parts._replace(query=urlencode(query)))


@contextmanager
def outbox_locked(url: str) -> Iterator[None]:
    """Hold ``ACCESS EXCLUSIVE`` on the outbox until the block ends (then roll back: nothing changes)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(text("LOCK TABLE outbox IN ACCESS EXCLUSIVE MODE"))
            yield
            conn.rollback()
    finally:
        engine.dispose()


def wait_until_reads_fail(server: ServerProcess, key: str) -> None:
    """Wait until the server's manifest book can no longer check the revision (its last check is too old to trust).

    The book answers from its last check for a moment; a hello sent before that has passed would not fail.
    """

    def failing() -> bool:
        try:
            return requests.get(f"{server.url}/screen/{key}/manifest.json", timeout=10).status_code != 200
        except requests.RequestException:
            return False

    wait_for(failing, 15, "the server's revision checks to fail while the outbox is locked", interval=0.2)
