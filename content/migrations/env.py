"""Alembic environment: runs against the connection the caller passes, or the configured URL.

Either way the whole upgrade is one transaction (docs/deployment.md, "The data directory"): a run
that fails midway, a full disk included, leaves the schema as it found it. On SQLite that needs an
engine under ``content/sqlite_transactions.py: control_transactions``; a connection without one
is refused here rather than committing each CREATE TABLE on its own.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, engine_from_config, pool

from content.models import Base
from content.sqlite_transactions import control_transactions, in_database_transaction

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=sqlite,
        compare_type=True,
        # Under control_transactions SQLite's DDL is transactional; one transaction for the run.
        transactional_ddl=True,
        transaction_per_migration=False,
    )
    with context.begin_transaction():
        if not in_database_transaction(connection):
            raise RuntimeError(
                "migrations need a connection inside a database transaction (on SQLite, from an engine under "
                "content.sqlite_transactions.control_transactions, begun with engine.begin())"
            )
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = engine_from_config(
        config.get_section(config.config_ini_section) or {}, prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    if engine.dialect.name == "sqlite":
        control_transactions(engine)
    try:
        with engine.connect() as conn:
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
