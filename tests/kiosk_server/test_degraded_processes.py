"""Several server processes when one piece hangs or goes away: a frozen leader, a Redis outage (issue 17).

A hung leader must lose the publisher lease and be replaced within the lease's bound, and its late
writes be refused; a Redis outage must cost cross-process push only, never the screens a process
serves itself, and pushes must flow again within seconds of Redis returning.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from kiosk_server.database import make_engine
from tests.conftest import POSTGRES_SKIP, POSTGRES_UP
from tests.support import migrated_schema
from tests.support.redis_server import STOPPABLE_REDIS, STOPPABLE_REDIS_SKIP, StoppableRedis, stoppable_redis
from tests.support.screen_client import ScreenClient
from tests.support.server import ServerProcess, create_vacancy, wait_for
from tests.support.world import World, build_world

# Deadlines, not timings: generous where the machine may be busy, tight where the bound is the point.
DEADLINE = 30
TAKEOVER_DEADLINE = 15  # the 5 s lease, a standby's next try, one publish round, and room for a busy machine
REDIS_BACK_DEADLINE = 5  # the listener retries every second; upstream would wait up to 60 s

pytestmark = [
    # Two servers each, a stopped process, a Redis taken away: run alone, after the rest.
    pytest.mark.isolated,
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.skipif(not POSTGRES_UP, reason=POSTGRES_SKIP),
]


@dataclass
class Pair:
    leader: ServerProcess
    standby: ServerProcess
    world: World
    engine: Engine


def health(server: ServerProcess) -> requests.Response:
    return requests.get(f"{server.url}/healthz", timeout=5)


def start_pair(tmp_path: Path, database_url: str, env: dict[str, str]) -> Pair:
    engine = make_engine(database_url)
    migrated_schema.ready(engine)
    with Session(engine) as session:
        world = build_world(session, vacancies=3)
    leader = ServerProcess(tmp_path / "a", database_url, extra_env=env)
    standby = ServerProcess(tmp_path / "b", database_url, extra_env=env)
    leader.start()
    wait_for(lambda: health(leader).json()["publisher"]["leader"], DEADLINE, "the first process to take the lease")
    standby.start()
    return Pair(leader, standby, world, engine)


def stop_pair(pair: Pair) -> None:
    for server in (pair.leader, pair.standby):
        if server.proc is not None and server.proc.poll() is None:
            os.kill(server.proc.pid, signal.SIGCONT)  # a stopped process would not hear the terminate
        server.stop()
    pair.engine.dispose()


def lease(engine: Engine) -> dict[str, Any]:
    with engine.connect() as conn:
        return dict(conn.execute(text("SELECT holder, token FROM publisher_lease")).mappings().one())


def held_by(server: ServerProcess) -> Callable[[dict[str, Any]], bool]:
    assert server.proc is not None
    pid = server.proc.pid
    return lambda row: f":{pid}:" in row["holder"]


def shown_with_heartbeats(client: ScreenClient, title: str, beat_every: float = 1.0) -> Callable[[], bool]:
    """Is ``title`` shown? Beats like the player meanwhile: the heartbeat's answer is the repair path."""
    last = [time.monotonic()]

    def check() -> bool:
        if title in client.titles():
            return True
        if time.monotonic() - last[0] >= beat_every:
            last[0] = time.monotonic()
            client.heartbeat()
        return False

    return check


@pytest.fixture
def pair(postgres_url: str, tmp_path: Path) -> Iterator[Pair]:
    # No Redis: the screen that must see the change is on the process that takes over.
    started = start_pair(tmp_path, postgres_url, {})
    yield started
    stop_pair(started)


def test_a_frozen_leader_is_replaced_within_the_lease_and_its_late_write_refused(pair: Pair) -> None:
    assert pair.leader.proc is not None
    screen = ScreenClient(pair.standby.url, pair.world.wall_keys[0]).connect()
    try:
        wait_for(lambda: screen.welcomes, DEADLINE, "welcome")
        before = lease(pair.engine)
        assert held_by(pair.leader)(before)

        os.kill(pair.leader.proc.pid, signal.SIGSTOP)  # alive, connections open, renewing nothing
        try:
            create_vacancy(pair.standby, pair.world, "冻结期间的岗位")
            # This client never beats: only a push from the process that took over can bring it.
            wait_for(lambda: "冻结期间的岗位" in screen.titles(), TAKEOVER_DEADLINE, "the push from the new leader")
            after = lease(pair.engine)
            assert held_by(pair.standby)(after) and after["token"] > before["token"]
        finally:
            os.kill(pair.leader.proc.pid, signal.SIGCONT)

        # Awake, the old leader's first write is its renewal, under its old token: refused.
        wait_for(
            lambda: "lost the publisher lease" in pair.leader.log_path.read_text(errors="replace"),
            DEADLINE,
            "the old leader to try its renewal and be refused",
        )
        assert lease(pair.engine) == after, "the old leader did not take the lease back"
        assert health(pair.leader).json()["publisher"]["leader"] is False
        assert health(pair.standby).json()["publisher"]["leader"] is True
    finally:
        screen.close()


@pytest.fixture
def redis_pair(postgres_url: str, tmp_path: Path) -> Iterator[tuple[Pair, StoppableRedis]]:
    if not STOPPABLE_REDIS:
        pytest.skip(STOPPABLE_REDIS_SKIP)
    queue = stoppable_redis(tmp_path / "redis")
    queue.start()
    started = start_pair(tmp_path, postgres_url, {"KIOSK_MESSAGE_QUEUE_URL": queue.url})
    yield started, queue
    stop_pair(started)
    queue.stop()


def test_without_redis_each_process_serves_its_screens_and_push_resumes_when_it_returns(
    redis_pair: tuple[Pair, StoppableRedis],
) -> None:
    pair, queue = redis_pair
    on_leader = ScreenClient(pair.leader.url, pair.world.wall_keys[0]).connect()
    on_standby = ScreenClient(pair.standby.url, pair.world.wall_keys[1]).connect()
    try:
        for client in (on_leader, on_standby):
            wait_for(lambda c=client: c.welcomes, DEADLINE, "welcome")
        wait_for(lambda: health(pair.standby).json()["message_queue"]["listening"], DEADLINE, "a subscription")

        queue.stop()
        for server in (pair.leader, pair.standby):
            response = health(server)
            assert response.status_code == 200, "Redis down is no reason to take a process out of rotation"
            body = response.json()
            assert (body["status"], body["ready"], body["message_queue"]["reachable"]) == ("degraded", True, False)

        create_vacancy(pair.leader, pair.world, "断线期间的岗位")
        wait_for(lambda: "断线期间的岗位" in on_leader.titles(), DEADLINE, "the publisher's own screen, by push")
        wait_for(
            shown_with_heartbeats(on_standby, "断线期间的岗位"), DEADLINE, "the other process's screen, by heartbeat"
        )

        queue.start()
        wait_for(
            lambda: health(pair.standby).json()["message_queue"]["listening"],
            REDIS_BACK_DEADLINE,
            "the other process to listen again",
        )
        create_vacancy(pair.leader, pair.world, "恢复之后的岗位")
        # No heartbeats here: only the push across processes can bring it.
        wait_for(lambda: "恢复之后的岗位" in on_standby.titles(), REDIS_BACK_DEADLINE, "a push across processes")
    finally:
        on_leader.close()
        on_standby.close()
