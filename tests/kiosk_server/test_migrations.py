"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL, all or nothing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, inspect

from content.models import Base
from kiosk_server.database import alembic_config, make_engine, upgrade_schema


def test_migrated_schema_matches_the_models(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        upgrade_schema(engine)
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, Base.metadata)
        assert differences == [], f"models and migrations disagree; add a migration: {differences}"
    finally:
        engine.dispose()


def test_upgrading_twice_is_harmless(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        upgrade_schema(engine)
        upgrade_schema(engine)
    finally:
        engine.dispose()


class PlantedFailure(Exception):
    """Raised by the test in place of a statement, as a full disk would fail it."""


@contextmanager
def failing_at(fragment: str) -> Iterator[None]:
    """Every engine's statement containing ``fragment`` raises PlantedFailure instead of running."""

    def fail(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if fragment in statement:
            raise PlantedFailure(statement.strip().splitlines()[0])

    event.listen(Engine, "before_cursor_execute", fail)
    try:
        yield
    finally:
        event.remove(Engine, "before_cursor_execute", fail)


def test_a_run_that_fails_midway_leaves_no_schema_and_the_next_one_succeeds(database_url: str) -> None:
    # 0005 creates queue_tickets: by then 0001-0004 have made tables and batch-altered them.
    engine = make_engine(database_url)
    try:
        with failing_at("CREATE TABLE queue_tickets"), pytest.raises(PlantedFailure):
            upgrade_schema(engine)
        assert inspect(engine).get_table_names() == [], "a failed run must leave nothing behind"
        upgrade_schema(engine)
        with engine.connect() as connection:
            assert MigrationContext.configure(connection).get_current_revision() == head_revision()
    finally:
        engine.dispose()


def test_migrations_refuse_a_sqlite_connection_that_would_commit_each_statement(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kiosk.sqlite3'}"
    engine = create_engine(url)  # the driver's default: CREATE TABLE outside any transaction
    try:
        with engine.begin() as connection:
            cfg = alembic_config(url)
            cfg.attributes["connection"] = connection
            with pytest.raises(RuntimeError, match="inside a database transaction"):
                command.upgrade(cfg, "head")
        assert inspect(engine).get_table_names() == []
    finally:
        engine.dispose()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
