"""SQLite engines whose transactions SQLAlchemy controls, so DDL is rolled back with everything else.

Python's sqlite3 driver (before 3.12's ``autocommit``) opens a transaction only before INSERT,
UPDATE and DELETE: a CREATE TABLE issued first is committed on its own, so a migration that
fails midway (a full disk) leaves half a schema that the next start trips over ("table audit_log
already exists"). The recipe from SQLAlchemy's SQLite documentation ("Enabling Non-Legacy SQLite
Transactional Modes") switches the driver's own handling off and emits BEGIN from the engine's
``begin`` event, so every statement between begin and commit, DDL included, is one transaction.

Only the migration engine uses it (``kiosk_server/database.py: upgrade_schema``): a transaction
that begins at its first SELECT would make the app's concurrent sessions fail to upgrade their
read snapshots to writes ("database is locked") where the driver's default does not.
"""

from __future__ import annotations

from typing import Any, Final

from sqlalchemy import Connection, Engine, event

# IMMEDIATE takes the write lock at once, so two processes starting together queue on the busy
# timeout instead of the second one failing when it turns its read of alembic_version into a write.
BEGIN_IMMEDIATE: Final = "BEGIN IMMEDIATE"


def control_transactions(engine: Engine, begin: str = BEGIN_IMMEDIATE) -> None:
    """Make ``engine`` (SQLite, before any connection is made) emit ``begin`` itself; sqlite3 still commits."""
    if engine.dialect.name != "sqlite":
        raise ValueError(f"control_transactions is for SQLite engines, not {engine.dialect.name}")

    @event.listens_for(engine, "connect")
    def _driver_hands_off(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # the driver neither begins nor commits before DDL

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql(begin)


def in_database_transaction(connection: Connection) -> bool:
    """True if the database itself holds a transaction open on ``connection``, not just SQLAlchemy's bookkeeping.

    On SQLite under the driver's default handling this is False after ``engine.begin()`` until the
    first INSERT, UPDATE or DELETE: DDL before that would be committed statement by statement.
    """
    if connection.dialect.name != "sqlite":
        return connection.in_transaction()
    return bool(connection.connection.dbapi_connection.in_transaction)  # type: ignore[union-attr]
