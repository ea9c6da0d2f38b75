"""Shared fixtures: databases (SQLite always, PostgreSQL when reachable), apps and clients."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from flask import Flask
from sqlalchemy import create_engine, text

from tests.support import route_builders

route_builders.install()  # every app in this process: URL builders compiled once per rule, not per app

POSTGRES_URL = os.environ.get("KIOSK_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("KIOSK_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _reachable(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 5432), timeout=1):
            return True
    except OSError:
        return False


POSTGRES_UP = _reachable(POSTGRES_URL)
REDIS_UP = _reachable(REDIS_URL)
POSTGRES_SKIP = f"PostgreSQL not reachable at {urlparse(POSTGRES_URL).netloc} (set KIOSK_TEST_POSTGRES_URL)"
REDIS_SKIP = f"Redis not reachable at {urlparse(REDIS_URL).netloc} (set KIOSK_TEST_REDIS_URL)"


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Give ``xdist_group`` tests their group under ``--dist loadgroup`` (pytest-xdist 3.8 on pytest 9).

    xdist names a test's group by setting ``item._nodeid`` to ``<id>@<group>``; pytest 9 keeps a node's
    id in ``_id`` and no longer reads ``_nodeid``, so every group was silently ignored: tests that share
    one daemon (pcscd) or one served hall in order (tests/e2e/test_evaluator.py) ran on both workers.
    """
    if not getattr(config.option, "loadgroup", False):
        return
    from _pytest.nodeid import coerce_node_id  # pytest 9's id type; only reached under loadgroup

    for item in items:
        names = sorted(
            {str(m.args[0] if m.args else m.kwargs.get("name", "default")) for m in item.iter_markers("xdist_group")}
        )
        if names and "@" not in item.nodeid:
            item._id = coerce_node_id(f"{item.nodeid}@{'_'.join(names)}")  # type: ignore[attr-defined]


@pytest.fixture
def postgres_schemas() -> Iterator[Any]:
    """new() -> a PostgreSQL URL whose search_path is a fresh schema; all are dropped afterwards."""
    if not POSTGRES_UP:
        pytest.skip(POSTGRES_SKIP)
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    made: list[str] = []

    def new() -> str:
        schema = f"t_{uuid.uuid4().hex[:12]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        made.append(schema)
        sep = "&" if "?" in POSTGRES_URL else "?"
        return f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"

    try:
        yield new
    finally:
        with admin.connect() as conn:
            for schema in made:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def postgres_url(postgres_schemas: Any) -> str:
    """A PostgreSQL URL whose search_path is a fresh schema, dropped afterwards."""
    url: str = postgres_schemas()
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each test using this runs once on SQLite and once on PostgreSQL (skipped, with the reason, if absent)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'kiosk.sqlite3'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


def make_app(tmp_path: Path, database_url: str, **overrides: Any) -> Flask:
    from kiosk_server import create_app
    from kiosk_server.database import database, upgrade_schema
    from tests.support import migrated_schema

    migrated_schema.install(database_url)
    config = {
        "data_dir": str(tmp_path / "data"),
        "database_url": database_url,
        "testing": True,
        "api_token": "test-token",
        **overrides,
    }
    app = create_app(config)
    if not migrated_schema.at_head(database(app).engine):
        upgrade_schema(database(app).engine)
    return app


@pytest.fixture
def app(tmp_path: Path, database_url: str) -> Iterator[Flask]:
    application = make_app(tmp_path, database_url)
    yield application
    from kiosk_server.database import database

    database(application).engine.dispose()


@pytest.fixture
def client(app: Flask) -> Any:
    return app.test_client()


@pytest.fixture
def auth_headers() -> dict[str, str]:
    return {"Authorization": "Bearer test-token"}


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One Chromium for the whole run: Playwright's sync API allows one instance per thread."""
    from tests.support.browser import chromium, chromium_missing

    reason = chromium_missing()
    if reason:
        pytest.skip(reason)
    with chromium() as launched:
        yield launched


@pytest.fixture(autouse=True)
def _close_pages_left_open(request: pytest.FixtureRequest) -> Iterator[None]:
    """Close the browser contexts a test opened and left open (``browser.new_page`` makes one each).

    The browser lives for the whole run: a wall or counter page left open keeps animating and
    reconnecting to its stopped server, and a dozen of them took a core from every later test.
    """
    if "browser" not in request.fixturenames:
        yield
        return
    browser = request.getfixturevalue("browser")
    before = set(browser.contexts)
    yield
    for context in browser.contexts:
        if context not in before:
            context.close()
