"""Fixtures for the server tests: the API client wrapper, the request-body factory, a Redis of a test's own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.kiosk_server.api_factories import Api, Factory
from tests.support.redis_server import STOPPABLE_REDIS, STOPPABLE_REDIS_SKIP, StoppableRedis, stoppable_redis


@pytest.fixture
def api(client: Any, auth_headers: dict[str, str]) -> Api:
    return Api(client, auth_headers)


@pytest.fixture
def make(api: Api) -> Factory:
    return Factory(api)


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[StoppableRedis]:
    """A Redis of this test's own: pub/sub channels are shared by every database of a server."""
    if not STOPPABLE_REDIS:
        pytest.skip(STOPPABLE_REDIS_SKIP)
    server = stoppable_redis(tmp_path / "redis")
    server.start()
    yield server
    server.stop()
