"""Engine and session wiring for the app, plus Alembic upgrades of the schema."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, Final

from alembic import command
from alembic.config import Config
from flask import Flask, g
from sqlalchemy import Engine, NullPool, create_engine, event, make_url, text
from sqlalchemy.orm import Session, sessionmaker

import content
from content.sqlite_transactions import control_transactions
from kiosk_server.data_dir import sqlite_directory, writing_to

MIGRATIONS_DIR = Path(content.__file__).parent / "migrations"
DEFAULT_CONNECTIONS: Final = 20  # KIOSK_DATABASE_CONNECTIONS' default: 4 processes stay under PostgreSQL's 100
KEPT_CONNECTIONS: Final = 10  # of those, kept open between bursts
POOL_WAIT_SECONDS: Final = 30.0  # a caller waits this long for a free connection, then gets an error


def _owner_only(url: str) -> None:
    """Create the SQLite file readable by its owner only (0600), and tighten one left readable by others.

    SQLite gives its -wal and -shm files the database file's mode, so they follow. An existing file
    is changed by name, never opened: closing any descriptor of a file drops every POSIX lock this
    process holds on it, SQLite's included, and another engine here (the app's, beside the one
    upgrade_schema makes) would then read a WAL that a second process has checkpointed away.
    """
    name = make_url(url).database
    if not name or name == ":memory:" or name.startswith("file:"):
        return
    path = Path(name)
    if not path.parent.is_dir():
        return  # let SQLite say what is wrong with the path
    try:
        os.close(os.open(path, os.O_RDONLY | os.O_CREAT | os.O_EXCL, 0o600))
        return
    except FileExistsError:
        pass
    except OSError:
        return  # read-only, full or not ours: the start's write probe (data_dir.py) says so in one line
    found = path.stat()
    if found.st_mode & 0o077 and found.st_uid == os.getuid():
        with suppress(OSError):  # a read-only mount, reported the same way
            path.chmod(0o600)


def make_engine(url: str, *, connections: int = DEFAULT_CONNECTIONS, **kwargs: Any) -> Engine:
    """An engine tuned for this app: SQLite in WAL mode with foreign keys (file mode 0600), PostgreSQL with pre-ping.

    A PostgreSQL engine opens at most ``connections`` (``KIOSK_DATABASE_CONNECTIONS``): up to 10 kept
    open, the rest opened for a burst and closed after it. A caller past that waits for one
    (``POOL_WAIT_SECONDS``), so every process's share of the server's ``max_connections`` holds
    during a connect storm (docs/deployment.md, "Redis and PostgreSQL connections").
    """
    if url.startswith("sqlite"):
        _owner_only(url)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    if kwargs.get("poolclass") is not None:
        return create_engine(url, pool_pre_ping=True, **kwargs)
    kept = min(KEPT_CONNECTIONS, connections)
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=kept,
        max_overflow=connections - kept,
        pool_timeout=POOL_WAIT_SECONDS,
        **kwargs,
    )


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade_schema(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to the newest Alembic revision (idempotent), in one transaction: all of it or none.

    ``revision`` stops earlier (tests build an older schema with it).

    On SQLite the run gets an engine of its own under ``control_transactions`` (the app's engine
    keeps the driver's default, see content/sqlite_transactions.py), and a write the file system
    refuses (a full disk, a read-only mount) becomes UnwritableDirectory naming the directory.
    """
    url = engine.url.render_as_string(hide_password=False)
    if engine.dialect.name != "sqlite":
        _upgrade(engine, url, revision)
        return
    directory = sqlite_directory(url)
    if directory is None:
        raise ValueError(f"upgrade_schema needs a SQLite database file, not {engine.url!r}")
    with writing_to(directory, aftermath="the schema upgrade was rolled back, nothing of it is half-applied"):
        migrator = make_engine(url, poolclass=NullPool)
        control_transactions(migrator)
        try:
            _upgrade(migrator, url, revision)
        finally:
            migrator.dispose()


def _upgrade(engine: Engine, url: str, revision: str) -> None:
    with engine.begin() as connection:
        cfg = alembic_config(url)
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


class Database:
    """The app's engine and session factory; one per app, kept in ``app.extensions``."""

    def __init__(self, url: str, *, connections: int = DEFAULT_CONNECTIONS) -> None:
        self.engine = make_engine(url, connections=connections)
        self.session_factory = sessionmaker(self.engine, expire_on_commit=False)

    def init_app(self, app: Flask) -> None:
        app.extensions["kiosk_db"] = self
        app.teardown_appcontext(_close_request_session)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session for background work; rolled back if the block raises, always closed."""
        session = self.session_factory()
        try:
            yield session
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def ping(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return True
        except Exception:  # noqa: BLE001 - health reporting must never raise
            return False


def database(app: Flask) -> Database:
    db: Database = app.extensions["kiosk_db"]
    return db


def request_session() -> Session:
    """The session bound to the current request or app context (created on first use)."""
    if "db_session" not in g:
        from flask import current_app

        g.db_session = database(current_app).session_factory()
    session: Session = g.db_session
    return session


def _close_request_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
