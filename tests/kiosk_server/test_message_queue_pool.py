"""The message queue's publishing pool: a storm of concurrent emits shares a bounded pool and waits, never fails (issue 18).

redis-py's default pool opens one connection per concurrent publish and raises "Too many
connections" past 100; a connect storm did exactly that. A private ``redis-server`` paused with
``CLIENT PAUSE`` holds every publish in flight, so the storm's concurrency does not depend on how
fast this machine happens to be.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import socketio

from kiosk_server.message_queue import POOL_WAIT_SECONDS, PUBLISH_CONNECTIONS, MessageQueue
from tests.support.redis_server import REDIS_SERVER, RedisServer

STORM = 150  # concurrent emits: more than redis-py's default pool of 100 would allow
PAUSE_MS = 300  # shorter than POOL_WAIT_SECONDS: waiting for a connection must outlast it
DEADLINE = 30

pytestmark = pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed (a private one is paused)")


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path / "redis")
    server.start()
    yield server
    server.stop()


def test_a_storm_of_concurrent_publishes_waits_for_the_pool_and_loses_none(own_redis: RedisServer) -> None:
    assert PAUSE_MS / 1000 < POOL_WAIT_SECONDS
    queue = MessageQueue(own_redis.url)
    queue.set_server(socketio.Server(async_mode="threading"))
    admin = redis.Redis.from_url(own_redis.url)
    subscriber = admin.pubsub(ignore_subscribe_messages=True)
    subscriber.subscribe(queue.channel)  # so each publish reports one receiver
    results: list[object] = []
    lock = threading.Lock()
    start = threading.Barrier(STORM + 1)

    def emit(n: int) -> None:
        start.wait(timeout=DEADLINE)
        received = queue._publish({"method": "emit", "event": "manifest", "data": [n]})
        with lock:
            results.append(received)

    threads = [threading.Thread(target=emit, args=(n,), daemon=True) for n in range(STORM)]
    for thread in threads:
        thread.start()
    admin.execute_command("CLIENT", "PAUSE", PAUSE_MS, "ALL")  # every publish from here waits for Redis
    start.wait(timeout=DEADLINE)
    for thread in threads:
        thread.join(timeout=DEADLINE)
        assert not thread.is_alive()

    assert queue.publish_error is None
    assert results == [1] * STORM, "every emit reached the other processes"
    clients = admin.client_list()
    publishing = [c for c in clients if c["cmd"] == "publish"]
    assert 0 < len(publishing) <= PUBLISH_CONNECTIONS, f"{len(publishing)} publishing connections"
    subscriber.close()
    admin.close()
