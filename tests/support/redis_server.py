"""A Redis that a test can stop and start again (an outage, then a return on the same address).

Our own ``redis-server`` on a free port where the binary is installed; otherwise the shared test
Redis behind a TCP proxy (``tests/support/tcp_proxy.py``) whose stopping is the outage.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Protocol
from urllib.parse import urlparse

import redis

from tests.conftest import REDIS_SKIP, REDIS_UP, REDIS_URL
from tests.support.server import free_port, wait_for
from tests.support.tcp_proxy import TcpProxy

REDIS_SERVER = shutil.which("redis-server")
STOPPABLE_REDIS = REDIS_SERVER is not None or REDIS_UP
STOPPABLE_REDIS_SKIP = f"no redis-server to run, and {REDIS_SKIP}"


class StoppableRedis(Protocol):
    @property
    def url(self) -> str: ...
    def start(self, timeout: float = 10) -> None: ...
    def stop(self) -> None: ...


def stoppable_redis(work_dir: Path) -> StoppableRedis:
    """Our own redis-server if installed, else the shared one behind a proxy; not started yet."""
    if REDIS_SERVER is not None:
        return RedisServer(work_dir)
    if REDIS_UP:
        return ProxiedRedis(REDIS_URL)
    raise RuntimeError(STOPPABLE_REDIS_SKIP)


def answers(url: str) -> bool:
    client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


class RedisServer:
    """A private ``redis-server``, nothing saved to disk."""

    def __init__(self, work_dir: Path, port: int | None = None) -> None:
        self.work_dir = work_dir
        self.port = port or free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10) -> None:
        assert REDIS_SERVER is not None, "redis-server is not installed"
        self.work_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.work_dir / f"redis-{self.port}.log", "ab")  # noqa: SIM115 - owned by the child
        self.proc = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.work_dir,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        wait_for(lambda: answers(self.url), timeout, f"redis-server on port {self.port} to answer")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        self.proc = None


class ProxiedRedis:
    """The Redis at ``target_url`` reached through a proxy on 127.0.0.1 that keeps its port across restarts."""

    def __init__(self, target_url: str) -> None:
        target = urlparse(target_url)
        self._db = target.path.lstrip("/") or "0"
        self._proxy = TcpProxy(target.hostname or "127.0.0.1", target.port or 6379)

    @property
    def url(self) -> str:
        assert self._proxy.port, "start the proxy first: it picks its port then"
        return f"redis://127.0.0.1:{self._proxy.port}/{self._db}"

    def start(self, timeout: float = 10) -> None:
        self._proxy.start()
        wait_for(lambda: answers(self.url), timeout, "the proxied Redis to answer")

    def stop(self) -> None:
        self._proxy.stop()
