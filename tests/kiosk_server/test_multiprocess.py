"""Several server processes on PostgreSQL and Redis: one publishes, every process delivers (docs/architecture.md, "Scale")."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
import requests
from sqlalchemy.orm import Session

from kiosk_server.database import make_engine
from tests.conftest import POSTGRES_SKIP, POSTGRES_UP, REDIS_SKIP, REDIS_UP, REDIS_URL
from tests.support import migrated_schema
from tests.support.screen_client import ScreenClient
from tests.support.server import ServerProcess, create_vacancy, wait_for
from tests.support.world import World, build_world

# Deadlines, not timings: generous, because under xdist another worker may be driving a browser.
DEADLINE = 30

pytestmark = [
    # One Redis database and Socket.IO channel, two servers each, a kill: run alone, after the rest.
    pytest.mark.isolated,
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.skipif(not POSTGRES_UP, reason=POSTGRES_SKIP),
    pytest.mark.skipif(not REDIS_UP, reason=REDIS_SKIP),
]


@pytest.fixture
def pair(postgres_url: str, tmp_path: Path) -> Iterator[tuple[ServerProcess, ServerProcess, World]]:
    redis.Redis.from_url(REDIS_URL).flushdb()
    engine = make_engine(postgres_url)
    migrated_schema.ready(engine)
    with Session(engine) as session:
        world = build_world(session, vacancies=3)
    engine.dispose()
    env = {"KIOSK_MESSAGE_QUEUE_URL": REDIS_URL, "KIOSK_SECRET_KEY": "shared-secret"}
    first = ServerProcess(tmp_path / "a", postgres_url, extra_env=env)
    second = ServerProcess(tmp_path / "b", postgres_url, extra_env=env)
    first.start()
    second.start()
    yield first, second, world
    first.stop()
    second.stop()


def test_a_change_made_through_one_process_reaches_screens_on_the_other(pair) -> None:
    first, second, world = pair
    on_first = ScreenClient(first.url, world.wall_keys[0]).connect()
    on_second = ScreenClient(second.url, world.wall_keys[1]).connect()
    try:
        for c in (on_first, on_second):
            wait_for(lambda c=c: c.welcomes, DEADLINE, "welcome")
        create_vacancy(first, world, "跨进程岗位A")
        create_vacancy(second, world, "跨进程岗位B")
        for c in (on_first, on_second):
            wait_for(
                lambda c=c: {"跨进程岗位A", "跨进程岗位B"} <= c.titles(), DEADLINE, "both vacancies on both screens"
            )
        assert on_first.version == on_second.version
    finally:
        on_first.close()
        on_second.close()


def shown(client: ScreenClient, title: str, beat_every: float = 2.0) -> Callable[[], bool]:
    """A predicate for wait_for: is ``title`` shown? Beats like the player meanwhile, so a push the Redis
    pub/sub lost (it is lossy, and a busy machine shows it) is made good by the heartbeat's snapshot."""
    last = [time.monotonic()]

    def check() -> bool:
        if title in client.titles():
            return True
        if time.monotonic() - last[0] >= beat_every:
            last[0] = time.monotonic()
            client.heartbeat()
        return False

    return check


def test_publishing_fails_over_when_the_leader_dies(pair) -> None:
    first, second, world = pair
    survivor = ScreenClient(second.url, world.wall_keys[0]).connect()
    try:
        wait_for(lambda: survivor.welcomes, DEADLINE, "welcome")
        create_vacancy(second, world, "选主之前")
        wait_for(shown(survivor, "选主之前"), DEADLINE, "delivery with both processes up")
        leaders = [
            s for s in (first, second) if requests.get(f"{s.url}/healthz", timeout=5).json()["publisher"]["leader"]
        ]
        assert leaders == [first], "the first process to start takes the publisher lock"
        first.kill()
        wait_for(
            lambda: requests.get(f"{second.url}/healthz", timeout=5).json()["publisher"]["leader"],
            DEADLINE,
            "the surviving process to take the publisher lock",
        )
        create_vacancy(second, world, "选主之后")
        wait_for(shown(survivor, "选主之后"), DEADLINE, "delivery after the other process died")
    finally:
        survivor.close()
