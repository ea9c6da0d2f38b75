"""A database outage: which errors mean "the database cannot be reached or used", and one state per database.

While PostgreSQL is down (or SQLite is locked), every request, heartbeat and background round fails
the same way; a traceback for each would bury the one line an operator needs. So the first failure
logs one warning, the next ones are only counted, and the first statement that succeeds again logs
one line with the count and how long it lasted. HTTP answers 503 with ``Retry-After``; Socket.IO
handlers answer an error ack or refuse the connection; background loops just try again at their
next round. What operators see: docs/deployment.md, "When the database is unavailable".

Programming errors (a missing table, a syntax error, a constraint) are not outages: they keep
their traceback and their 500.
"""

from __future__ import annotations

import logging
import random
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any, Final

from flask import Blueprint, Flask, Response, current_app, jsonify, request
from sqlalchemy import Engine, event
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from kiosk_server.database import database, request_session

log = logging.getLogger(__name__)

# The exception classes a Flask or Socket.IO error handler is registered for; ``is_unavailable``
# then decides (an OperationalError of SQLite is also "no such table").
CANDIDATES: Final = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout)
ERROR_CODE: Final = "database_unavailable"
RETRY_AFTER_SECONDS: Final = (3, 8)  # jittered, so clients told to wait do not all come back together

# SQLite primary result codes that mean the file cannot be used now: BUSY, LOCKED, NOMEM, READONLY,
# IOERR, FULL, CANTOPEN, PROTOCOL (https://www.sqlite.org/rescode.html). ERROR (1) is also "no such
# table" and "syntax error": a programming error.
_SQLITE_UNAVAILABLE: Final = frozenset({5, 6, 7, 8, 10, 13, 14, 15})
_SQLITE_WORDS: Final = ("database is locked", "unable to open database", "disk i/o error", "database or disk is full")
# PostgreSQL SQLSTATEs: connection exceptions (class 08), insufficient resources (53: too many
# connections, disk full), operator intervention (57P01 admin shutdown, 57P02 crash, 57P03 cannot
# connect now, 57014 statement timeout), lock_not_available (55P03: lock_timeout), system errors (58).
_PG_CLASSES: Final = ("08", "53", "58")
_PG_STATES: Final = frozenset({"57P01", "57P02", "57P03", "57014", "55P03"})


def is_unavailable(err: BaseException) -> bool:
    """Whether ``err`` (or the error it was raised from) means the database cannot be reached or used now."""
    seen = 0
    current: BaseException | None = err
    while current is not None and seen < 4:
        if _means_unavailable(current):
            return True
        current, seen = current.__cause__, seen + 1
    return False


def _means_unavailable(err: BaseException) -> bool:
    if isinstance(err, DisconnectionError | PoolTimeout):
        return True
    if not isinstance(err, OperationalError | InterfaceError):
        return False
    if isinstance(err, DBAPIError) and err.connection_invalidated:
        return True  # SQLAlchemy recognised a lost connection
    orig = err.orig
    module = type(orig).__module__
    if module.startswith("psycopg"):
        state = getattr(orig, "sqlstate", None)
        if state is None:  # no answer from a server at all: refused, reset, timed out, closed
            return True
        return state in _PG_STATES or state[:2] in _PG_CLASSES
    if module.startswith("sqlite3"):
        code = getattr(orig, "sqlite_errorcode", None)
        if isinstance(code, int):
            return code & 0xFF in _SQLITE_UNAVAILABLE
        return any(words in str(orig).lower() for words in _SQLITE_WORDS)
    return False


def summary(err: BaseException) -> str:
    """One line naming the error, without SQLAlchemy's SQL echo and link (the first line of the driver's words)."""
    orig = getattr(err, "orig", None) or err
    words = str(orig).strip().splitlines()
    return f"{type(orig).__name__}: {words[0].strip() if words else '(no message)'}"


def retry_after() -> str:
    """The ``Retry-After`` value of a 503: a few seconds, jittered."""
    return str(random.randint(*RETRY_AFTER_SECONDS))


class Outage:
    """Whether one database is unavailable as this process last found it, and since when; thread-safe.

    ``failed(err)`` is called wherever an error is caught; it says whether ``err`` was an outage
    (the caller then answers without a traceback). ``succeeded()`` runs after every statement that
    worked (``outage_of`` wires it), and ends an outage.
    """

    def __init__(self, name: str, clock: Callable[[], float] = time.monotonic) -> None:
        self.name = name
        self._clock = clock
        self._lock = threading.Lock()
        self._since: float | None = None
        self._failures = 0

    @property
    def ongoing(self) -> bool:
        return self._since is not None

    @property
    def failures(self) -> int:
        """Failures counted in the ongoing outage (0 when there is none)."""
        with self._lock:
            return self._failures

    def failed(self, err: BaseException) -> bool:
        """Count ``err`` if it means the database is unavailable (logging the first one); False for other errors."""
        if not is_unavailable(err):
            return False
        with self._lock:
            first = self._since is None
            if first:
                self._since = self._clock()
            self._failures += 1
        if first:
            log.warning(
                "database %s unavailable (%s); answering 503 and counting failures until it is back",
                self.name,
                summary(err),
            )
        return True

    def succeeded(self) -> None:
        """The database answered: end an ongoing outage with one line."""
        if self._since is None:  # the common case, on every statement: no lock
            return
        with self._lock:
            if self._since is None:
                return
            lasted, failures = self._clock() - self._since, self._failures
            self._since, self._failures = None, 0
        # A warning like its start, so whoever sees the start at the WARNING level also sees the end.
        log.warning(
            "database %s available again after %.1f s (%d failures while unavailable)", self.name, lasted, failures
        )


_outages: weakref.WeakKeyDictionary[Engine, Outage] = weakref.WeakKeyDictionary()
_outages_lock = threading.Lock()


def outage_of(engine: Engine) -> Outage:
    """The one outage state of ``engine`` in this process (made, and wired to its statements, on first use)."""
    with _outages_lock:
        found = _outages.get(engine)
        if found is None:
            found = _outages[engine] = Outage(engine.url.render_as_string(hide_password=True))
            outage = found  # the listener holds the state, not the engine

            def _answered(*_args: Any) -> None:
                outage.succeeded()

            event.listen(engine, "after_cursor_execute", _answered)
        return found


def app_outage(app: Flask) -> Outage:
    """The outage state of ``app``'s database."""
    return outage_of(database(app).engine)


def forget_request_work() -> None:
    """Roll back the request's session, quietly: its connection may be gone, and nothing of it may be committed."""
    try:
        request_session().rollback()
    except Exception:  # noqa: BLE001 - the database is already known to be unavailable; the answer matters now
        log.debug("rollback after a database outage failed", exc_info=True)


# -- the answers of pages and APIs without their own handler (kiosk, counter, player, tickets) -------------

_MESSAGE_ZH: Final = "系统暂时无法访问数据库，请稍后再试。"
_MESSAGE_EN: Final = "The server cannot reach its database just now; please try again shortly."
_PAGE: Final = f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="robots" content="noindex">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>暂时无法服务 · Unavailable</title></head>
<body><h1>暂时无法服务</h1><p>{_MESSAGE_ZH}</p><p lang="en">{_MESSAGE_EN}</p></body></html>
"""


def _wants_json() -> bool:
    return "/api/" in request.path or request.path.endswith(".json") or request.is_json


def _on_unavailable(err: Exception) -> Response:
    if not app_outage(current_app).failed(err):
        raise err  # a programming error: Flask logs it with its traceback and answers 500, as before
    forget_request_work()
    if _wants_json():
        response = jsonify(error=ERROR_CODE, message=_MESSAGE_ZH, message_en=_MESSAGE_EN)
    else:
        response = Response(_PAGE, mimetype="text/html")
    response.status_code = 503
    response.headers["Retry-After"] = retry_after()
    response.headers["Cache-Control"] = "no-store"
    return response


# -- Socket.IO ------------------------------------------------------------------------------------------------


def socket_error_handler(outage: Outage) -> Callable[[Exception], Any]:
    """A Flask-SocketIO error handler: an outage is counted and answered; any other error is raised as before.

    A ``connect`` is refused with a reason (the client backs off and retries); any other event gets
    an error ack, ignored by events that asked for none.
    """
    from socketio.exceptions import ConnectionRefusedError as RefuseConnection

    def handle(err: Exception) -> Any:
        if not outage.failed(err):
            raise err  # python-socketio logs it with its traceback, as it did without this handler
        if getattr(request, "event", {}).get("message") == "connect":
            raise RefuseConnection(ERROR_CODE)
        return {"ok": False, "error": ERROR_CODE, "message": _MESSAGE_EN}

    return handle


def handle_with(target: Flask | Blueprint, handler: Callable[[Exception], Any]) -> None:
    """Register ``handler`` on ``target`` for every error class an outage may raise (it checks ``is_unavailable``)."""
    for candidate in CANDIDATES:
        target.register_error_handler(candidate, handler)


def init_app(app: Flask, socketio: Any) -> None:
    """Answer outages with 503 on every page and API without a handler of its own, and in Socket.IO handlers."""
    handle_with(app, _on_unavailable)
    socketio.on_error_default(socket_error_handler(app_outage(app)))
