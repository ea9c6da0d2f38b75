"""Whether the server can write its data directory, and the one-line refusal when it cannot.

The data directory (``KIOSK_DATA_DIR``) holds the keys, uploaded media and, by default, the SQLite
database. A server that cannot write there still answers every read, so it looks healthy while
every save fails; ``kiosk serve`` and ``kiosk demo`` refuse to start instead, and ``/healthz``
reports it when it happens later (docs/deployment.md, "The data directory").

The probe writes and removes a real file: ``os.access`` would say yes to root on a read-only
mount, and to anyone on a full disk.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

from sqlalchemy import make_url
from sqlalchemy.exc import DBAPIError

PROBE_BYTES: Final = 4096  # one page: enough for a full file system to refuse it

# errno -> (what is wrong, what to do); {directory} is filled in.
_FULL: Final = (
    "its file system is full",
    "free space there (df -h {directory}) and start again",
)
_READ_ONLY: Final = (
    "its file system is mounted read-only",
    "remount it read-write, or point KIOSK_DATA_DIR at a writable directory, and start again",
)
_DENIED: Final = (
    "this server's user may not write there",
    "give the user running the server write access (chown/chmod {directory}) and start again",
)
_REASONS: Final[dict[int, tuple[str, str]]] = {
    errno.ENOSPC: _FULL,
    errno.EDQUOT: ("the user's disk quota is used up", "raise the quota or free space there and start again"),
    errno.EFBIG: ("a file size limit was reached (ulimit -f)", "raise the limit for the server and start again"),
    errno.EROFS: _READ_ONLY,
    errno.EACCES: _DENIED,
    errno.EPERM: _DENIED,
}
# SQLite's error names (sqlite3's sqlite_errorname, Python 3.11+), by prefix: extended codes such
# as SQLITE_READONLY_DIRECTORY or SQLITE_IOERR_WRITE share their primary code's reason.
_SQLITE_REASONS: Final[tuple[tuple[str, tuple[str, str], str], ...]] = (
    ("SQLITE_FULL", _FULL, "ENOSPC"),
    ("SQLITE_READONLY", ("SQLite may not write its database there", _DENIED[1]), "EROFS"),
    ("SQLITE_CANTOPEN", ("SQLite cannot create or open its database files there", _DENIED[1]), "EACCES"),
    # A failed write() or fsync() (EFBIG, EIO, a vanished disk) is an I/O error to SQLite.
    (
        "SQLITE_IOERR",
        ("a write failed", "check the disk, its free space and the server's limits, and start again"),
        "EIO",
    ),
)
_FALLBACK_ADVICE: Final = "make it writable and start again"


class UnwritableDirectory(Exception):
    """The server cannot write a directory it needs; the message names it and says what to do."""

    def __init__(self, directory: Path, problem: str, advice: str, code: str, *, aftermath: str = "") -> None:
        super().__init__(
            f"cannot write {directory}: {problem}; {advice.format(directory=directory)}"
            + (f" ({aftermath})" if aftermath else "")
        )
        self.directory = directory
        self.code = code  # an errno name such as ENOSPC, short enough for /healthz


def write_error(err: BaseException) -> tuple[str, str, str] | None:
    """(problem, advice, errno name) when ``err`` is a write refused by the file system, else None.

    Understands OSError and SQLite's errors as SQLAlchemy wraps them; anything else (a PostgreSQL
    server's full disk is the database server's business, not this directory's) is None.
    """
    if isinstance(err, OSError) and err.errno in _REASONS:
        problem, advice = _REASONS[err.errno]
        return problem, advice, errno.errorcode[err.errno]
    if isinstance(err, DBAPIError):
        name = str(getattr(err.orig, "sqlite_errorname", ""))
        for prefix, (problem, advice), code in _SQLITE_REASONS:
            if name.startswith(prefix):
                return problem, advice, code
    return None


def unwritable(directory: Path, err: BaseException, *, aftermath: str = "") -> UnwritableDirectory | None:
    """The refusal for ``err`` raised while writing under ``directory``, or None if it is no such failure."""
    found = write_error(err)
    if found is None:
        return None
    problem, advice, code = found
    return UnwritableDirectory(directory, problem, advice, code, aftermath=aftermath)


def probe(directory: Path) -> None:
    """Raise UnwritableDirectory unless a file can be created, written and removed in ``directory``."""
    try:
        if os.statvfs(directory).f_flag & os.ST_RDONLY:
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(directory))
        fd, name = tempfile.mkstemp(dir=directory, prefix=".write-probe-")
        try:
            try:
                os.write(fd, b"\0" * PROBE_BYTES)
            finally:
                os.close(fd)  # may itself report the full disk (network file systems write on close)
        finally:
            os.unlink(name)
    except OSError as err:
        refusal = unwritable(directory, err)
        if refusal is None:
            code = errno.errorcode.get(err.errno or 0, "EIO")
            raise UnwritableDirectory(directory, err.strerror or str(err), _FALLBACK_ADVICE, code) from err
        raise refusal from err


@contextmanager
def writing_to(directory: Path, *, aftermath: str = "") -> Iterator[None]:
    """Turn a write refused by the file system under ``directory`` into UnwritableDirectory naming it."""
    try:
        yield
    except (OSError, DBAPIError) as err:
        refusal = unwritable(directory, err, aftermath=aftermath)
        if refusal is None:
            raise
        raise refusal from err


def sqlite_directory(database_url: str) -> Path | None:
    """The directory of a SQLite database file (SQLite writes its -wal and -shm files there), else None."""
    url = make_url(database_url)
    name = url.database
    if url.get_backend_name() != "sqlite" or not name or name == ":memory:" or name.startswith("file:"):
        return None
    return Path(name).expanduser().resolve().parent


def directories(data_dir: Path, database_url: str) -> list[Path]:
    """The directories this server writes: the data directory and the SQLite database's, if elsewhere."""
    found = [data_dir]
    database_dir = sqlite_directory(database_url)
    if database_dir is not None and database_dir != data_dir:
        found.append(database_dir)
    return found


def status(writes: list[Path]) -> dict[str, Any]:
    """``/healthz``'s answer for the directories in ``writes``: writable, or not and why (an errno name, no path)."""
    for directory in writes:
        try:
            probe(directory)
        except UnwritableDirectory as err:
            return {"writable": False, "error": err.code}
    return {"writable": True}
