"""Fixtures for the content tests: an in-memory SQLite session and a factory bound to it."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# Nothing installs the packages into the venv and pytest does not put the repository root (nor,
# in every import mode, this directory) on sys.path: add both, so ``content`` and the factories
# import the same way from here and from the test modules.
for _path in (Path(__file__).resolve().parents[2], Path(__file__).resolve().parent):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from content_factories import Factory, new_session  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Modules that set ``DATABASES = ("sqlite", "postgres")`` run their session tests on both."""
    if "session" in metafunc.fixturenames:
        backends = getattr(metafunc.module, "DATABASES", ("sqlite",))
        params = [pytest.param(b, marks=pytest.mark.postgres) if b == "postgres" else b for b in backends]
        metafunc.parametrize("session", params, indirect=True)


@pytest.fixture
def session(request: pytest.FixtureRequest) -> Iterator[Session]:
    if getattr(request, "param", "sqlite") == "postgres":
        from sqlalchemy import create_engine

        from content import models

        pg_engine = create_engine(request.getfixturevalue("postgres_url"))
        models.Base.metadata.create_all(pg_engine)
        db = Session(pg_engine)
    else:
        db = new_session()
    try:
        yield db
    finally:
        engine = db.get_bind()
        db.close()
        if isinstance(engine, Engine):
            engine.dispose()


@pytest.fixture
def make(session: Session) -> Factory:
    return Factory(session)
