"""``kiosk serve``'s HTTP server: one file descriptor per websocket, and a port in use refused in one line."""

from __future__ import annotations

import base64
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from kiosk_server.database import make_engine
from tests.support import migrated_schema
from tests.support.kiosk_cli import run_kiosk
from tests.support.screen_client import ScreenClient
from tests.support.server import ServerProcess, free_port, wait_for
from tests.support.world import World, build_world

DEADLINE = 30
SOCKETS = 50


def open_files(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def raw_websocket(port: int) -> socket.socket:
    """An Engine.IO websocket opened by hand, as a screen's browser does, held open until closed."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    answer = b""
    while b"\r\n\r\n" not in answer:
        chunk = sock.recv(4096)
        assert chunk, "the server closed the connection during the handshake"
        answer += chunk
    assert answer.startswith(b"HTTP/1.1 101"), answer[:200]
    return sock


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[ServerProcess, World]]:
    url = f"sqlite:///{tmp_path / 'kiosk.sqlite3'}"
    engine = make_engine(url)
    migrated_schema.ready(engine)
    with Session(engine) as session:
        world = build_world(session, vacancies=2)
    engine.dispose()
    server = ServerProcess(tmp_path / "data", url)  # gevent, as in production
    server.start()
    yield server, world
    server.stop()


def settled_open_files(pid: int, quiet: float = 1.0) -> int:
    """The process's open files once the count has not changed for ``quiet`` seconds (start-up work opens and closes some)."""
    count, since = open_files(pid), time.monotonic()
    deadline = since + DEADLINE
    while time.monotonic() - since < quiet:
        if time.monotonic() > deadline:
            raise AssertionError(f"the server's open files did not settle within {DEADLINE} s")
        time.sleep(0.05)
        now = open_files(pid)
        if now != count:
            count, since = now, time.monotonic()
    return count


@pytest.mark.slow
def test_kiosk_serve_holds_one_file_descriptor_per_websocket_and_frees_it(served: tuple[ServerProcess, World]) -> None:
    server, world = served
    assert server.proc is not None
    pid = server.proc.pid
    screen = ScreenClient(server.url, world.wall_keys[0]).connect()  # a whole screen session on the same handler
    try:
        wait_for(lambda: screen.welcomes, DEADLINE, "welcome")
    finally:
        screen.close()
    idle = settled_open_files(pid)
    sockets = [raw_websocket(server.port) for _ in range(SOCKETS)]
    try:
        held = wait_for(
            lambda: (n := open_files(pid)) >= idle + SOCKETS and n, DEADLINE, "the server to hold the websockets"
        )
        # gevent's own handler would hold two each (simple-websocket duplicates the socket): 2 × SOCKETS more.
        assert held - idle < 1.5 * SOCKETS, f"{held - idle} descriptors for {SOCKETS} websockets"
    finally:
        for sock in sockets:
            sock.close()
    wait_for(lambda: open_files(pid) <= idle, DEADLINE, "the descriptors to be freed when the screens go")
    assert "Traceback" not in server.log_path.read_text(errors="replace"), server.log_tail()


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", free_port()))
        holder.listen(1)
        yield holder.getsockname()[1]


@pytest.mark.slow
def test_kiosk_serve_on_a_port_in_use_refuses_in_one_line(tmp_path: Path, taken_port: int) -> None:
    env = {**os.environ, "KIOSK_DATA_DIR": str(tmp_path / "data"), "KIOSK_ASYNC_MODE": "gevent"}
    env.pop("KIOSK_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "kiosk_server.cli", "serve", "--port", str(taken_port)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.splitlines()[-1].startswith(f"kiosk serve: port {taken_port} on 127.0.0.1 is in use")


def test_the_threading_server_refuses_a_port_in_use_the_same_way(tmp_path: Path, taken_port: int) -> None:
    env = {"KIOSK_DATA_DIR": str(tmp_path / "data"), "KIOSK_ASYNC_MODE": "threading"}
    done = run_kiosk(env, "serve", "--port", str(taken_port))
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1].startswith(f"kiosk serve: port {taken_port} on 127.0.0.1 is in use")
