"""Server CPU per heartbeat: a real `kiosk serve` (gevent) answering one screen's beats.

Run: .venv/bin/python bench/bench_beats.py [--connections 500] [--beats 20000] [--rounds 3]

Every screen beats every period, so at a province's scale beats are most of what a process does
between changes. ``--connections`` raw websockets each do the player's handshake (Engine.IO open,
the namespace's connect with a screen key, hello until welcome); then ``--beats`` heartbeats showing
the current version (the common beat: recorded, compared, not answered) go out round-robin over
them, so each beat arrives on a socket of its own as in a hall network (one socket sending them
all would let the server read many beats per wake-up), in bursts of 1,000 with a 50 ms pause so
the server is never far behind. The server runs on CPU 0 and this client on CPU 1 when both
exist; server CPU (user + system, /proc) over the beats, less its idle rate over the same time,
divided by the beats, is the cost of one beat.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session
from websockets.protocol import State
from websockets.sync.client import ClientConnection, connect

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._fanout_measure import can_pin, sample  # noqa: E402
from content.org.screens import Screen  # noqa: E402
from kiosk_server.database import make_engine, upgrade_schema  # noqa: E402
from tests.support.server import ServerProcess  # noqa: E402
from tests.support.world import build_world  # noqa: E402

NAMESPACE = "/screen"
BURST = 1000
PAUSE_SECONDS = 0.05


def _event(name: str, data: object) -> str:
    return f"42{NAMESPACE}," + json.dumps([name, data])


def _greeted(ws: ClientConnection, key: str) -> str:
    """Connect as the screen with ``key``, say hello, and return the manifest version it was sent."""
    ws.recv()  # Engine.IO open
    ws.send(f"40{NAMESPACE}," + json.dumps({"key": key}))
    while not str(ws.recv()).startswith(f"40{NAMESPACE}"):
        pass
    ws.send(_event("hello", {"held": {}}))
    version = None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        message = ws.recv(timeout=30)
        if not isinstance(message, str) or not message.startswith(f"42{NAMESPACE},"):
            continue
        name, data = json.loads(message[len(f"42{NAMESPACE},") :])[:2]
        if name == "manifest":
            version = data["version"]
        elif name == "welcome":
            assert version is not None, "welcome came before any manifest"
            return str(version)
    raise SystemExit("no welcome within 30 s")


def _answer_pings(links: list[ClientConnection]) -> None:
    """Answer the server's Engine.IO pings, read meanwhile, so no connection is dropped for silence."""
    for link in links:
        while True:
            try:
                message = link.recv(timeout=0)
            except TimeoutError:
                break
            if message == "2":
                link.send("3")


def _cpu_per_beat(server: ServerProcess, links: list[ClientConnection], beat: str, beats: int) -> float:
    assert server.proc is not None
    pid = server.proc.pid
    _answer_pings(links)
    idle_from = sample(pid).cpu
    time.sleep(2.0)
    idle_rate = (sample(pid).cpu - idle_from) / 2.0
    started, before = time.monotonic(), sample(pid).cpu
    for i in range(beats):
        links[i % len(links)].send(beat)
        if i % BURST == BURST - 1:
            time.sleep(PAUSE_SECONDS)
    time.sleep(2.0)  # the last burst handled
    spent = sample(pid).cpu - before - idle_rate * (time.monotonic() - started)
    return spent / beats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=500)
    parser.add_argument("--beats", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-beats-"))
    url = f"sqlite:///{work / 'kiosk.sqlite3'}"
    engine = make_engine(url)
    upgrade_schema(engine)
    with Session(engine) as session:
        world = build_world(session)
        session.add_all(
            [Screen(hall_id=world.hall_id, name=f"屏{n}", key=f"bench-beat-{n}") for n in range(args.connections)]
        )
        session.commit()
        keys = list(session.scalars(select(Screen.key).where(Screen.key.like("bench-beat-%"))))
    engine.dispose()
    pin = can_pin()
    if pin:
        os.sched_setaffinity(0, {0})  # the server starts here and stays
    server = ServerProcess(work / "server", url, extra_env={"KIOSK_HEARTBEAT_SECONDS": "45"})
    server.start()
    if pin:
        os.sched_setaffinity(0, {1})
    links: list[ClientConnection] = []
    try:
        with contextlib.ExitStack() as stack:
            versions = set()
            for key in keys:
                links.append(
                    stack.enter_context(connect(f"ws://127.0.0.1:{server.port}/socket.io/?EIO=4&transport=websocket"))
                )
                versions.add(_greeted(links[-1], key))
            assert len(versions) == 1, f"the screens of one hall were sent {len(versions)} versions"
            beat = _event("heartbeat", {"showing": {"manifest": versions.pop()}})
            _cpu_per_beat(server, links, beat, BURST)  # warm up
            costs = [_cpu_per_beat(server, links, beat, args.beats) for _ in range(args.rounds)]
            _answer_pings(links)
            dropped = sum(link.state is not State.OPEN for link in links)
            assert not dropped, f"{dropped} connections were dropped during the run: their beats cost nothing"
    finally:
        server.stop()
    rounds = ", ".join(f"{c * 1e6:.0f}" for c in costs)
    print(
        f"server CPU per beat: median {statistics.median(costs) * 1e6:.0f} µs over {args.rounds} rounds of "
        f"{args.beats:,} beats over {len(links)} connections ({rounds} µs){'; server on CPU 0, client on CPU 1' if pin else '; not pinned'}"
    )


if __name__ == "__main__":
    main()
