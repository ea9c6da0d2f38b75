"""A real ``kiosk serve`` process for tests: start, wait until healthy, kill -9, restart."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import requests

if TYPE_CHECKING:
    from tests.support.world import World


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(predicate, timeout: float, message: str, interval: float = 0.05):  # type: ignore[no-untyped-def]
    """Poll ``predicate`` until it returns a truthy value or ``timeout`` passes (then fail with ``message``)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s: {message}")
        time.sleep(interval)


@contextmanager
def app_in_thread(app: Any) -> Iterator[str]:
    """Serve a Flask app (Socket.IO in threading mode) on a free local port in a thread; yields its URL."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", free_port(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


class ServerProcess:
    def __init__(
        self,
        data_dir: Path,
        database_url: str,
        *,
        port: int | None = None,
        async_mode: str = "gevent",
        extra_env: dict[str, str] | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.database_url = database_url
        self.port = port or free_port()
        self.async_mode = async_mode
        self.extra_env = extra_env or {}
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = data_dir / f"server-{self.port}.log"
        self.starts = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "KIOSK_DATA_DIR": str(self.data_dir),
            "KIOSK_DATABASE_URL": self.database_url,
            "KIOSK_ASYNC_MODE": self.async_mode,
            "KIOSK_API_TOKEN": "test-token",
            "KIOSK_PUBLISH_POLL_SECONDS": "1",
            "KIOSK_HEARTBEAT_SECONDS": "5",
            **self.extra_env,
        }
        self.starts += 1
        log = open(self.log_path, "ab")  # noqa: SIM115 - owned by the child for its lifetime
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kiosk_server.cli", "serve", "--port", str(self.port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()

        def healthy() -> bool:
            if self.proc is not None and self.proc.poll() is not None:
                raise AssertionError(f"server exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                return requests.get(self.url + "/healthz", timeout=1).status_code == 200
            except requests.RequestException:
                return False

        wait_for(healthy, timeout, f"server on port {self.port} to become healthy\n{self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL: no chance to flush or publish anything."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)
        self.proc = None

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def create_vacancy(server: ServerProcess, world: World, title: str) -> None:
    """Create a vacancy through ``server``'s REST API (a change made through that process)."""
    response = requests.post(
        f"{server.url}/api/v1/vacancies",
        headers={"Authorization": "Bearer test-token"},
        timeout=10,
        json={
            "org_unit_id": world.city_id,
            "employer_id": world.employer_id,
            "title": title,
            "occupation_code": "4-02-06-03",
            "headcount": 2,
            "valid_until": (datetime.now(UTC) + timedelta(days=5)).isoformat(),
        },
    )
    assert response.status_code == 201, response.text
