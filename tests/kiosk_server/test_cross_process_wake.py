"""A change saved through one server process wakes the publisher in another (issue 18, item 4).

Two real ``kiosk serve`` processes under gevent on PostgreSQL and Redis, with a 30 s publish poll:
without the change signal (kiosk_server/change_signal.py) a change saved through the standby would
reach the leader's screens only at the leader's next round. Each change must be on the screen within
1 s of its 201: a deadline on a condition, not a timing (timings: docs/benchmarks.md). The leader
also renews its lease every 5/3 s and notices new rows then, so one change could make that deadline
by luck: several in a row cannot.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
import requests
from sqlalchemy import Engine, make_url, text
from sqlalchemy.orm import Session

from kiosk_server.change_signal import APPLICATION_NAME
from kiosk_server.database import make_engine
from tests.conftest import POSTGRES_SKIP, POSTGRES_UP, POSTGRES_URL, REDIS_SKIP, REDIS_UP, REDIS_URL
from tests.support import migrated_schema
from tests.support.screen_client import ScreenClient
from tests.support.server import ServerProcess, create_vacancy, wait_for
from tests.support.tcp_proxy import TcpProxy
from tests.support.world import World, build_world

DEADLINE = 30  # starting, welcoming, reconnecting: generous, the machine may be busy
WAKE_DEADLINE = 1.0  # the point of the test: without the wake a change waits for the 30 s poll
CHANGES = 4  # in a row, each within WAKE_DEADLINE: the lease renewal's round cannot make them all by luck

pytestmark = [
    # One Redis database and Socket.IO channel, two servers each, a database taken away: run alone, after the rest.
    pytest.mark.isolated,
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.skipif(not POSTGRES_UP, reason=POSTGRES_SKIP),
    pytest.mark.skipif(not REDIS_UP, reason=REDIS_SKIP),
]


@dataclass
class Pair:
    leader: ServerProcess
    standby: ServerProcess
    world: World
    engine: Engine
    proxy: TcpProxy  # between the leader and PostgreSQL


def healthz(server: ServerProcess) -> dict[str, object]:
    body: dict[str, object] = requests.get(f"{server.url}/healthz", timeout=5).json()
    return body


def is_leader(server: ServerProcess) -> bool:
    publisher = healthz(server)["publisher"]
    return isinstance(publisher, dict) and publisher["leader"] is True


@pytest.fixture
def pair(postgres_url: str, tmp_path: Path) -> Iterator[Pair]:
    redis.Redis.from_url(REDIS_URL).flushdb()
    engine = make_engine(postgres_url)
    migrated_schema.ready(engine)
    with Session(engine) as session:
        world = build_world(session, vacancies=3)
    env = {
        "KIOSK_MESSAGE_QUEUE_URL": REDIS_URL,
        "KIOSK_SECRET_KEY": "shared-secret",
        "KIOSK_PUBLISH_POLL_SECONDS": "30",
    }
    with TcpProxy("127.0.0.1", make_url(postgres_url).port or 5432) as proxy:
        through = make_url(postgres_url).set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        leader = ServerProcess(tmp_path / "a", through, extra_env=env)
        standby = ServerProcess(tmp_path / "b", postgres_url, extra_env=env)
        leader.start()
        wait_for(lambda: is_leader(leader), DEADLINE, "the first process to take the lease")
        standby.start()
        try:
            yield Pair(leader, standby, world, engine, proxy)
        finally:
            leader.stop()
            standby.stop()
    engine.dispose()


def listener_pids(server: ServerProcess) -> list[int]:
    """The PostgreSQL backends of this server process's change signal (pg_stat_activity's application_name)."""
    assert server.proc is not None
    admin = make_engine(POSTGRES_URL)
    try:
        with admin.connect() as conn:
            rows = conn.execute(
                text("SELECT pid FROM pg_stat_activity WHERE application_name = :name"),
                {"name": f"{APPLICATION_NAME} {server.proc.pid}"},
            )
            return [int(pid) for (pid,) in rows]
    finally:
        admin.dispose()


def changes_through_the_standby_reach_the_leaders_screen(pair: Pair, screen: ScreenClient, label: str) -> None:
    assert is_leader(pair.leader) and not is_leader(pair.standby), "the change must cross processes to be woken"
    for n in range(CHANGES):
        title = f"{label}{n}"
        create_vacancy(pair.standby, pair.world, title)
        wait_for(lambda t=title: t in screen.titles(), WAKE_DEADLINE, f"{title!r} on the leader's screen")


def test_a_change_through_the_standby_reaches_the_leaders_screen_within_a_second(pair: Pair) -> None:
    screen = ScreenClient(pair.leader.url, pair.world.wall_keys[0]).connect()
    try:
        wait_for(lambda: screen.welcomes, DEADLINE, "welcome")
        changes_through_the_standby_reach_the_leaders_screen(pair, screen, "跨进程唤醒")
    finally:
        screen.close()


def test_the_wake_works_again_after_the_listeners_connection_is_terminated(pair: Pair) -> None:
    screen = ScreenClient(pair.leader.url, pair.world.wall_keys[0]).connect()
    try:
        wait_for(lambda: screen.welcomes, DEADLINE, "welcome")
        wait_for(lambda: listener_pids(pair.leader), DEADLINE, "the leader's listener")
        (killed,) = listener_pids(pair.leader)
        admin = make_engine(POSTGRES_URL)
        try:
            with admin.connect() as conn:
                assert conn.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": killed})
        finally:
            admin.dispose()
        wait_for(lambda: listener_pids(pair.leader) not in ([], [killed]), DEADLINE, "a new listener")
        changes_through_the_standby_reach_the_leaders_screen(pair, screen, "重连之后")
        log = pair.leader.log_path.read_text(errors="replace")
        assert log.count("change signal: not listening") == 1
        assert log.count("change signal: listening again") == 1
    finally:
        screen.close()


def test_the_wake_works_again_after_the_database_went_away_and_came_back(pair: Pair) -> None:
    screen = ScreenClient(pair.leader.url, pair.world.wall_keys[0]).connect()
    try:
        wait_for(lambda: screen.welcomes, DEADLINE, "welcome")
        wait_for(lambda: listener_pids(pair.leader), DEADLINE, "the leader's listener")
        pair.proxy.stop()  # every connection of the leader to PostgreSQL is cut, new ones refused
        wait_for(
            lambda: "change signal: not listening" in pair.leader.log_path.read_text(errors="replace"),
            DEADLINE,
            "the leader's signal to notice",
        )
        # Shorter than the lease, so the leader keeps it and the next changes still cross processes.
        pair.proxy.start()
        wait_for(
            lambda: "change signal: listening again" in pair.leader.log_path.read_text(errors="replace"),
            DEADLINE,
            "the leader's signal to listen again",
        )
        changes_through_the_standby_reach_the_leaders_screen(pair, screen, "恢复之后")
    finally:
        screen.close()
