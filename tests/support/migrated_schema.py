"""The migrated schema for test apps, built once per test process and then copied.

Running every migration costs about 0.25 s per app on SQLite and 0.5 s on PostgreSQL, and the
suite makes a few thousand apps. The schema they start from is always the same, so each process
runs the migrations once: on SQLite into a template file that is copied, on PostgreSQL as the SQL
script Alembic writes in offline mode, run again in each fresh schema. ``upgrade_schema`` still
runs on every app afterwards and finds the revision at head, so a copy that fell behind the
migrations could not go unnoticed; tests of the migrations themselves never come through here.
"""

from __future__ import annotations

import io
import shutil
import tempfile
from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import make_url

from kiosk_server.database import alembic_config, make_engine, upgrade_schema

_sqlite_template: Path | None = None
_postgres_script: str | None = None
_heads: tuple[str, ...] | None = None


def _sqlite_template_file() -> Path:
    global _sqlite_template
    if _sqlite_template is None:
        path = Path(tempfile.mkdtemp(prefix="kiosk-schema-")) / "template.sqlite3"
        engine = make_engine(f"sqlite:///{path}")
        upgrade_schema(engine)
        engine.dispose()
        # The last connection closed checkpoints the WAL into the file: the file alone is the database.
        if path.with_name(path.name + "-wal").exists():
            raise RuntimeError(f"{path}: the WAL was not checkpointed, the template would be incomplete")
        _sqlite_template = path
    return _sqlite_template


def _postgres_upgrade_script(url: str) -> str:
    global _postgres_script
    if _postgres_script is None:
        buffer = io.StringIO()
        cfg = alembic_config(url)
        cfg.output_buffer = buffer
        command.upgrade(cfg, "head", sql=True)
        _postgres_script = buffer.getvalue()
    return _postgres_script


def install(database_url: str) -> None:
    """Give a database that does not exist yet (SQLite) or is empty (PostgreSQL) the head schema."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        target = Path(url.database or "")
        # make_engine creates the file empty (mode 0600) before anything connects: fill that one too.
        if url.database and (not target.exists() or target.stat().st_size == 0):
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(_sqlite_template_file(), target)
        return
    if url.get_backend_name() != "postgresql":
        return
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            if inspect(connection).get_table_names():
                return
        script = _postgres_upgrade_script(database_url)
        raw = engine.raw_connection()
        try:
            driver = raw.driver_connection
            assert driver is not None
            driver.autocommit = True  # the script carries its own BEGIN and COMMIT: one transaction
            # No parameters: psycopg sends the script as one simple query, every statement in it.
            driver.execute(script)
        finally:
            raw.close()
    finally:
        engine.dispose()


def ready(engine: Engine) -> None:
    """Bring ``engine``'s new database to the head schema the quick way (tests of migrations use ``upgrade_schema``).

    Call it before anything has written to the database: a copy or the script when it is new,
    ``upgrade_schema`` when it already holds an older schema.
    """
    install(engine.url.render_as_string(hide_password=False))
    if not at_head(engine):
        upgrade_schema(engine)


def at_head(engine: Engine) -> bool:
    """Whether ``engine``'s database stands at the migrations' head (what ``upgrade_schema`` would leave).

    ``upgrade_schema`` answers the same by reading every migration file (about 30 ms of CPU per app);
    here the files are read once per process and each database costs one query.
    """
    global _heads
    if _heads is None:
        script = ScriptDirectory.from_config(alembic_config(engine.url.render_as_string(hide_password=False)))
        _heads = tuple(sorted(script.get_heads()))
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return False
        stamped = tuple(sorted(row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version"))))
    return stamped == _heads
