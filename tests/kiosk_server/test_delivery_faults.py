"""Faults with screens connected: every change the server acknowledged is on every screen once the fault clears.

The bounds are the delivery targets of docs/protocol.md, "Delivery guarantee"; the other faults (late
commit, frozen leader, Redis, database outage, full disk) have their tests beside the code they exercise.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import make_url
from sqlalchemy.orm import Session

from kiosk_server.database import make_engine
from tests.conftest import POSTGRES_SKIP, POSTGRES_UP
from tests.support import migrated_schema
from tests.support.screen_client import ScreenClient
from tests.support.server import ServerProcess, wait_for
from tests.support.tcp_proxy import TcpProxy
from tests.support.world import World, add_vacancy, build_world

pytestmark = pytest.mark.slow

AFTER_FAULT: float = 10.0  # seconds from the fault clearing to every screen holding every acknowledged change
OUTAGE: float = 30.0  # seconds the database stays unreachable (two heartbeat periods and several publish rounds)


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    engine = make_engine(database_url)
    migrated_schema.ready(engine)
    with Session(engine) as session:
        built = build_world(session)
        session.commit()
    yield built
    engine.dispose()


class Burst:
    """Posts vacancies through the REST API one after another and keeps the titles answered 2xx."""

    def __init__(self, server: ServerProcess, world: World) -> None:
        self._server = server
        self._world = world
        self.acknowledged: list[str] = []
        self.attempts = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Burst:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.attempts += 1
            title = f"突发岗位{self.attempts:03d}"
            body = {
                "org_unit_id": self._world.city_id,
                "employer_id": self._world.employer_id,
                "title": title,
                "occupation_code": "4-01-02-01",
                "headcount": 1,
                "salary_min": 4000,
                "salary_max": 5000,
            }
            try:
                answer = requests.post(
                    f"{self._server.url}/api/v1/vacancies",
                    json=body,
                    headers={"Authorization": "Bearer test-token"},
                    timeout=3,
                )
            except requests.RequestException:
                self._stop.wait(0.05)  # the server is down: try again shortly, as an integration would
                continue
            if 200 <= answer.status_code < 300:
                self.acknowledged.append(title)


def test_a_restart_during_a_burst_loses_no_acknowledged_change(world: World, database_url: str, tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "server", database_url)
    server.start()
    keys = [*world.wall_keys, world.led_key]
    clients = [ScreenClient(server.url, key).connect() for key in keys]
    try:
        for c in clients:
            wait_for(lambda c=c: c.welcomes, 10, "welcome")
        with Burst(server, world) as burst:
            wait_for(lambda: len(burst.acknowledged) >= 5, 20, "a few changes acknowledged")
            server.kill()  # mid-burst: requests in flight die with it
            server.start()
            before = len(burst.acknowledged)
            wait_for(lambda: len(burst.acknowledged) >= before + 5, 20, "changes acknowledged after the restart")
        wanted = set(burst.acknowledged)
        for c, key in zip(clients, keys, strict=True):
            wait_for(
                lambda c=c: wanted <= c.titles(),
                AFTER_FAULT,
                f"screen {key} to hold all {len(wanted)} acknowledged vacancies; missing "
                f"{sorted(wanted - c.titles())[:5]}",
            )
    finally:
        for c in clients:
            c.close()
        server.stop()


def healthz(server: ServerProcess) -> int:
    try:
        return requests.get(f"{server.url}/healthz", timeout=5).status_code
    except requests.RequestException:
        return 0


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES_UP, reason=POSTGRES_SKIP)
def test_screens_catch_up_once_the_database_was_unreachable_for_30_s(postgres_url: str, tmp_path: Path) -> None:
    engine = make_engine(postgres_url)
    migrated_schema.ready(engine)
    with Session(engine) as session, TcpProxy("127.0.0.1", 5432) as proxy:
        world = build_world(session)
        session.commit()
        through = make_url(postgres_url).set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        server = ServerProcess(tmp_path / "server", through)
        server.start()
        keys = [*world.wall_keys, world.led_key]
        clients = [ScreenClient(server.url, key).connect() for key in keys]
        try:
            for c in clients:
                wait_for(lambda c=c: c.welcomes, 10, "welcome")
            proxy.stop()
            ends = time.monotonic() + OUTAGE
            wait_for(lambda: healthz(server) == 503, 10, "/healthz to say the process cannot serve")
            # Saved meanwhile by another process that still reaches the database.
            add_vacancy(session, world, "停机期间保存的岗位")
            threading.Event().wait(max(0.0, ends - time.monotonic()))  # the fault's length, not a hope
            proxy.start()
            for c, key in zip(clients, keys, strict=True):
                wait_for(lambda c=c: "停机期间保存的岗位" in c.titles(), AFTER_FAULT, f"screen {key} to catch up")
            assert healthz(server) == 200
            tracebacks = server.log_tail(100_000).count("Traceback")
            assert tracebacks <= 2, f"{tracebacks} tracebacks in the server log during one outage"
        finally:
            for c in clients:
                c.close()
            server.stop()
    engine.dispose()
