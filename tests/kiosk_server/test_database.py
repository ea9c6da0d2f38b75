"""The app's engines: making one never disturbs another's SQLite connections in the same process."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import text

from kiosk_server.database import make_engine, upgrade_schema

PROC_LOCKS = Path("/proc/locks")


def _locks_held(path: Path) -> list[str]:
    """This process's POSIX locks on ``path``, as /proc/locks lists them."""
    inode, pid = os.stat(path).st_ino, str(os.getpid())
    found = []
    for line in PROC_LOCKS.read_text().splitlines():
        fields = line.split()[1:]  # the first is the line's place in the kernel's list, which moves
        if len(fields) >= 6 and fields[3] == pid and fields[4].endswith(f":{inode}"):
            found.append(" ".join(fields))
    return found


@pytest.mark.skipif(not PROC_LOCKS.exists(), reason="reads the process's file locks from Linux's /proc/locks")
def test_another_engine_on_the_same_file_keeps_this_process_sqlite_locks(tmp_path: Path) -> None:
    # Closing any descriptor of a file drops all of the process's POSIX locks on it; upgrade_schema
    # makes its own engine beside the app's, and a lost lock let another process checkpoint the WAL
    # away under an open connection, which then read stale rows.
    database = tmp_path / "kiosk.sqlite3"
    engine = make_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as connection:
            connection.execute(text("CREATE TABLE t (v INTEGER)"))
            connection.commit()
            connection.execute(text("SELECT v FROM t")).all()
            held = _locks_held(database)
            assert held, "an open WAL connection holds a read lock on the database file"
            make_engine(f"sqlite:///{database}").dispose()
            upgrade_schema(engine)
            assert _locks_held(database) == held
    finally:
        engine.dispose()


@pytest.mark.parametrize(("connections", "kept", "overflow"), [(20, 10, 10), (4, 4, 0), (50, 10, 40)])
def test_a_postgres_engine_opens_at_most_its_connections(connections: int, kept: int, overflow: int) -> None:
    # processes × KIOSK_DATABASE_CONNECTIONS must stay under the server's max_connections
    # (docs/deployment.md): 4 processes at the default 20 under PostgreSQL's 100. No connection is made.
    engine = make_engine("postgresql+psycopg://nobody@127.0.0.1:9/none", connections=connections)
    try:
        pool = engine.pool
        assert (pool.size(), pool._max_overflow, pool._timeout) == (kept, overflow, 30.0)  # type: ignore[attr-defined]
    finally:
        engine.dispose()


def test_the_default_budget_keeps_four_processes_under_postgres_default_limit(tmp_path: Path) -> None:
    from kiosk_server.config import load_settings

    settings = load_settings(environ={"KIOSK_DATA_DIR": str(tmp_path)})
    assert 4 * settings.database_connections < 100
