"""The sign-in guard shared by two ``kiosk serve`` processes over Redis (docs/security.md, "Sign-in")."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import requests
from sqlalchemy.orm import Session

from kiosk_server.database import make_engine
from kiosk_server.sign_in_guard import ADDRESS_FAILURES
from tests.conftest import POSTGRES_SKIP, POSTGRES_UP, REDIS_SKIP, REDIS_UP, REDIS_URL
from tests.support import migrated_schema
from tests.support.console_world import NOON, PASSWORD, Clock, csrf_of, seed_console_world
from tests.support.server import ServerProcess

pytestmark = [
    # Two servers on the shared Redis database and Socket.IO channel: run alone, after the rest.
    pytest.mark.isolated,
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.skipif(not POSTGRES_UP, reason=POSTGRES_SKIP),
    pytest.mark.skipif(not REDIS_UP, reason=REDIS_SKIP),
]


@pytest.fixture
def pair(postgres_url: str, tmp_path: Path) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    store = redis.Redis.from_url(REDIS_URL)
    for key in store.scan_iter("kiosk-sign-in:*"):
        store.delete(key)
    engine = make_engine(postgres_url)
    migrated_schema.ready(engine)
    with Session(engine) as session:
        seed_console_world(session, Clock(NOON))
    engine.dispose()
    env = {"KIOSK_MESSAGE_QUEUE_URL": REDIS_URL, "KIOSK_SECRET_KEY": "shared-secret"}
    first = ServerProcess(tmp_path / "a", postgres_url, extra_env=env)
    second = ServerProcess(tmp_path / "b", postgres_url, extra_env=env)
    first.start()
    second.start()
    yield first, second
    first.stop()
    second.stop()


def console_sign_in(server: ServerProcess, username: str, password: str) -> Any:
    browser = requests.Session()
    token = csrf_of(browser.get(f"{server.url}/console/login", timeout=10).text)
    return browser.post(
        f"{server.url}/console/login",
        data={"csrf_token": token, "username": username, "password": password},
        allow_redirects=False,
        timeout=10,
    )


def test_failures_on_one_process_count_on_the_other(pair: tuple[ServerProcess, ServerProcess]) -> None:
    first, second = pair
    # Wrong passwords from one address, taking turns between the processes. Each process alone would
    # hold half of them and let 2 × ADDRESS_FAILURES through; shared, the address is refused after
    # ADDRESS_FAILURES (one more if the failures straddle the edge of a window bucket).
    attempts = 0
    while attempts < 2 * ADDRESS_FAILURES:
        answer = console_sign_in((first, second)[attempts % 2], f"nobody-{attempts}", "wrong-password")
        if answer.status_code == 429:
            break
        assert answer.status_code == 401, answer.status_code
        attempts += 1
    assert ADDRESS_FAILURES <= attempts <= ADDRESS_FAILURES + 2, attempts
    for server in (first, second):
        refused = console_sign_in(server, "editor", PASSWORD)
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
