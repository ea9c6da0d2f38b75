"""The loop of a background round (session sweeper, remote care, alert watch): run, back off on failure.

A round that fails (a database hiccup) is retried with the server's backoff, starting at twice the
interval; an outage is logged once by ``db_outage``, any other failure with its traceback each time.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from sqlalchemy import Engine

from content.backoff import SERVER_RETRY
from kiosk_server.db_outage import outage_of

log = logging.getLogger(__name__)


def run_rounds(
    one_round: Callable[[], Any], *, interval: float, stopped: threading.Event, engine: Engine, what: str
) -> None:
    """Call ``one_round`` every ``interval`` seconds until ``stopped`` is set."""
    failures = 0
    wait = interval
    retry = replace(SERVER_RETRY, base=min(2 * interval, SERVER_RETRY.cap))
    while not stopped.wait(wait):
        try:
            one_round()
            failures, wait = 0, interval
        except Exception as err:  # noqa: BLE001 - the supervisor loop survives a database hiccup and retries
            failures += 1
            wait = retry.delay(failures - 1)
            if not outage_of(engine).failed(err):  # an outage is logged once, not every attempt
                log.exception("%s failed (attempt %d); retrying in %.1fs", what, failures, wait)
