"""Fan-out: one change to thousands of screens, the real server against a raw ``websockets`` broadcast.

Run from the repository root (issue 18, item 6; docs/benchmarks.md, "Fan-out: one change to thousands
of screens")::

    .venv/bin/python bench/fanout.py [--screens 1000 2000 5000] [--manifests small province]
        [--changes 10] [--interval 3] [--no-deflate] [--json results.json]

For every N and manifest size: builds a fresh SQLite world of N screens in 200 hall groups
(``bench/_fanout_world.py``), starts the real ``kiosk serve`` (gevent) pinned to CPU 0, and opens N
raw Engine.IO / Socket.IO screen clients (``bench/_fanout_swarm.py``) from this process, pinned to
CPU 1, at a bounded concurrency, each doing the player's handshake and heartbeats. Then it changes
the ticker text every screen shows through ``PATCH /api/v1/tickers/<id>``, ``--changes`` times, one
every ``--interval`` s, and matches each screen's receipts to the changes by ``seq`` (the outbox
row of each change says which revision covers it). The same swarm then measures a raw
``websockets`` broadcast server (``bench/_fanout_reference.py``, also on CPU 0) sending frames of
the size the project's manifests had, to the same number of clients at the same cadence.

Reported per run: server CPU per delivered message (user + system time of the server over the
change phase ÷ manifests delivered, duplicates not counted) and its ratio to the reference, memory
and file descriptors per connection (after all connected − before the swarm, ÷ N), change → received
latency p50/p95/p99 (one clock: the instant the API call was sent, the instant the packet arrived),
time for N to connect, connection failures, misses (screens without the final change) and
duplicates. Latencies include the swarm's own queueing: one core receives every copy; the
reference pays the same.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session
from websockets.asyncio.client import connect

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._fanout_measure import (  # noqa: E402
    Delivery,
    can_pin,
    delivery,
    has_all,
    percentile,
    pinned,
    raise_open_files,
    sample,
)
from bench._fanout_swarm import Swarm  # noqa: E402
from bench._fanout_world import WORLDS, build  # noqa: E402
from content.outbox import OutboxEvent  # noqa: E402
from kiosk_server.database import make_engine, upgrade_schema  # noqa: E402
from tests.support.server import ServerProcess, free_port, wait_for  # noqa: E402

SERVER_CPU, SWARM_CPU = 0, 1
SETTLE = 2.0  # seconds of quiet before and after connecting, so memory reflects the connections


@dataclass
class Side:
    """One server's numbers in one run (the project or the reference)."""

    connected: int = 0
    connect_seconds: float = 0.0
    connect_failures: int = 0
    drops: int = 0  # connections lost after welcome
    failure_reasons: dict[str, int] = field(default_factory=dict)
    rss_before: int = 0
    rss_after: int = 0
    fds_before: int = 0
    fds_after: int = 0
    idle_cpu_percent: float = 0.0
    cpu_seconds: float = 0.0
    wire_bytes: int = 0  # read by the swarm over the change phase (frames, pings, acks; after deflate)
    swarm_cpu_seconds: float = 0.0
    phase_seconds: float = 0.0
    delivery: Delivery | None = None
    # --restart: kill -9 of the server until every screen holds a change made after it came back.
    restart_seconds: float | None = None
    restart_up_seconds: float | None = None  # kill -9 until the restarted server answered /healthz
    restart_behind: int = 0  # screens without that change when the deadline passed

    def per_message_us(self) -> float | None:
        d = self.delivery
        return None if d is None or not d.deliveries else 1e6 * self.cpu_seconds / d.deliveries

    def per_connection(self, before: int, after: int) -> float | None:
        return (after - before) / self.connected if self.connected else None


@dataclass
class Run:
    manifests: str
    screens: int
    deflate: bool
    manifest_bytes: int = 0
    code: str = ""  # the commit the server ran, "+ N files changed" when the work tree differs
    load_before: tuple[float, ...] = ()
    load_after: tuple[float, ...] = ()
    project: Side = field(default_factory=Side)
    reference: Side = field(default_factory=Side)


async def _connect(swarm: Swarm, side: Side, pid: int, deadline: float) -> None:
    """Connect the swarm; memory and fds before it are taken after one screen came and went.

    That first screen makes the server resolve and encode every group's manifest, which is not a
    cost of the connections.
    """
    warm = Swarm(swarm.url, [swarm.screens[0].key], concurrency=1, deflate=swarm.deflate, raw=swarm.raw)
    await warm.connect_all(30)
    await warm.close()
    await asyncio.sleep(SETTLE)
    before = sample(pid)
    side.connect_seconds = await swarm.connect_all(deadline)
    side.connected = swarm.welcomed
    await asyncio.sleep(SETTLE)
    after = sample(pid)
    side.rss_before, side.rss_after, side.fds_before, side.fds_after = before.rss, after.rss, before.fds, after.fds
    side.connect_failures = sum(s.failures for s in swarm.screens)
    side.failure_reasons = dict(swarm.errors)
    idle = sample(pid)
    await asyncio.sleep(3.0)
    side.idle_cpu_percent = 100 * (sample(pid).cpu - idle.cpu) / 3.0


async def _change_phase(
    side: Side,
    pid: int,
    swarm: Swarm,
    send: Callable[[int], Awaitable[float]],
    seqs_of: Callable[[], Awaitable[list[int]]],
    args: argparse.Namespace,
) -> tuple[list[float], list[int]]:
    """Make the changes at the cadence, wait until every screen has the last one, and read the costs.

    ``send(i)`` makes change i and returns the instant it was sent; ``seqs_of()`` gives the ``seq``
    that covers each change. The wait ends after ``--settle`` s even if some screen never got it.
    """
    start = time.monotonic()
    begin, swarm_cpu, wire = sample(pid), time.process_time(), swarm.bytes_in
    sent: list[float] = []
    for i in range(args.changes):
        await asyncio.sleep(max(0.0, start + i * args.interval - time.monotonic()))
        sent.append(await send(i))
    seqs = await seqs_of()
    deadline = time.monotonic() + args.settle
    while not has_all(swarm.screens, seqs[-1]) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    end = sample(pid)
    side.phase_seconds = time.monotonic() - start
    side.cpu_seconds = end.cpu - begin.cpu
    side.wire_bytes = swarm.bytes_in - wire
    side.swarm_cpu_seconds = time.process_time() - swarm_cpu
    side.drops = sum(s.drops for s in swarm.screens)
    return sent, seqs


def _change_seqs(url: str, after_id: int, count: int) -> list[int]:
    """The revision covering each change's outbox row, in the order the changes were made."""
    engine = make_engine(url)

    def numbered() -> list[int] | None:
        with Session(engine) as session:
            rows = session.scalars(
                select(OutboxEvent)
                .where(OutboxEvent.id > after_id, OutboxEvent.topic == "content")
                .order_by(OutboxEvent.id)
            ).all()
            seqs = [row.seq for row in rows if row.payload.get("kind") == "ticker"]
        if len(seqs) < count or any(seq is None for seq in seqs):
            return None
        return [int(seq) for seq in seqs[:count] if seq is not None]

    try:
        return wait_for(numbered, 30, "the changes' outbox rows to be numbered")  # type: ignore[no-any-return]
    finally:
        engine.dispose()


def measure_project(run: Run, args: argparse.Namespace, tmp: Path) -> None:
    """Build the world in ``tmp``, serve it with ``kiosk serve`` on the server's core, connect, change, measure."""
    url = f"sqlite:///{tmp}/fanout.sqlite3"
    engine = make_engine(url)
    upgrade_schema(engine)
    with Session(engine) as session:
        world = build(session, run.manifests, run.screens, datetime.now(UTC))
        last_id = int(session.scalar(select(OutboxEvent.id).order_by(OutboxEvent.id.desc()).limit(1)) or 0)
    engine.dispose()
    token = secrets.token_urlsafe(16)
    server = ServerProcess(
        tmp / "server",
        url,
        extra_env={
            "KIOSK_API_TOKEN": token,
            "KIOSK_HEARTBEAT_SECONDS": str(args.heartbeat),
            "KIOSK_PUBLISH_POLL_SECONDS": "5",  # the production default (ServerProcess sets 1 for tests)
        },
    )
    with pinned(SERVER_CPU, SWARM_CPU, args.pin):
        server.start(timeout=120)
    assert server.proc is not None
    pid = server.proc.pid
    side = run.project

    def patch(i: int) -> float:
        sent = time.time()
        response = requests.patch(
            f"{server.url}/api/v1/tickers/{world.ticker_id}",
            json={"title": f"基准测试滚动字幕 第{i + 1}次变更 {secrets.token_hex(4)}"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        )
        response.raise_for_status()
        return sent

    async def phases() -> None:
        ws_url = f"ws://127.0.0.1:{server.port}/socket.io/?EIO=4&transport=websocket"
        swarm = Swarm(ws_url, world.keys, concurrency=args.concurrency, deflate=run.deflate)
        try:
            await _connect(swarm, side, pid, args.connect_deadline)
            sent, seqs = await _change_phase(
                side,
                pid,
                swarm,
                lambda i: asyncio.to_thread(patch, i),
                lambda: asyncio.to_thread(_change_seqs, url, last_id, args.changes),
                args,
            )
            side.delivery = delivery(swarm.screens, sent, seqs)
            if args.restart:
                await _restart_phase(side, server, swarm, patch, url, last_id, args)
        finally:
            await swarm.close()

    try:
        asyncio.run(phases())
    finally:
        server.stop()
    run.manifest_bytes = side.delivery.message_bytes if side.delivery else 0


async def _restart_phase(
    side: Side,
    server: ServerProcess,
    swarm: Swarm,
    patch: Callable[[int], float],
    url: str,
    last_id: int,
    args: argparse.Namespace,
) -> None:
    """kill -9 the server holding the swarm, start it again, make one more change, and time until all hold it.

    The screens reconnect by themselves with the player's backoff; the change is made as soon as the
    new process answers, so a screen holds it by its hello or by the push, whichever comes first.
    """
    killed = time.monotonic()
    server.kill()

    def start() -> None:
        with pinned(SERVER_CPU, SWARM_CPU, args.pin):
            server.start(timeout=120)

    await asyncio.to_thread(start)
    side.restart_up_seconds = time.monotonic() - killed
    await asyncio.to_thread(patch, args.changes)
    seq = (await asyncio.to_thread(_change_seqs, url, last_id, args.changes + 1))[-1]
    deadline = killed + args.restart_deadline
    while not has_all(swarm.screens, seq) and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    side.restart_behind = sum(1 for s in swarm.screens if s.seq < seq)
    if not side.restart_behind:
        side.restart_seconds = time.monotonic() - killed


def measure_reference(run: Run, args: argparse.Namespace) -> None:
    """The same swarm and cadence against the raw broadcast server, with frames as large as the project's messages."""
    port = free_port()
    with pinned(SERVER_CPU, SWARM_CPU, args.pin):
        proc = subprocess.Popen(
            [sys.executable, str(ROOT / "bench" / "_fanout_reference.py"), str(port)],
            stdout=subprocess.PIPE,
            text=True,
        )
    side = run.reference
    size = run.manifest_bytes or 6_700
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"

        async def phases() -> None:
            clients = [str(n) for n in range(run.screens)]
            swarm = Swarm(
                f"ws://127.0.0.1:{port}/", clients, concurrency=args.concurrency, deflate=run.deflate, raw=True
            )
            try:
                await _connect(swarm, side, proc.pid, args.connect_deadline)
                async with connect(f"ws://127.0.0.1:{port}/control", compression=None) as control:

                    async def send(i: int) -> float:
                        sent = time.time()
                        await control.send(f"{i + 1} {size}")
                        await control.recv()
                        return sent

                    async def seqs() -> list[int]:
                        return list(range(1, args.changes + 1))

                    sent, numbers = await _change_phase(side, proc.pid, swarm, send, seqs, args)
                side.delivery = delivery(swarm.screens, sent, numbers)
            finally:
                await swarm.close()

        asyncio.run(phases())
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _ms(seconds: float | None) -> str:
    return "–" if seconds is None else f"{1000 * seconds:,.0f} ms"


def _kb(value: float | None) -> str:
    return "–" if value is None else f"{value / 1024:,.1f} KB"


def table(runs: list[Run]) -> str:
    """The results as Markdown, for docs/benchmarks.md."""
    lines = [
        "| manifests, message | N | server CPU per delivered message | raw `websockets` | ratio | memory per connection "
        "(raw) | fds per connection | p50 | p95 | p99 | N connected in | connect failures | misses | duplicates |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        p, r = run.project, run.reference
        d = p.delivery
        mine, raw = p.per_message_us(), r.per_message_us()
        ratio = f"{mine / raw:.1f}×" if mine and raw else "–"
        lat = d.latencies if d else []
        fds = p.per_connection(p.fds_before, p.fds_after)
        lines.append(
            f"| {run.manifests}, {run.manifest_bytes / 1024:,.1f} KB | {run.screens:,} "
            f"| {'–' if mine is None else f'{mine:,.0f} µs'} | {'–' if raw is None else f'{raw:,.0f} µs'} | {ratio} "
            f"| {_kb(p.per_connection(p.rss_before, p.rss_after))} ({_kb(r.per_connection(r.rss_before, r.rss_after))}) "
            f"| {'–' if fds is None else f'{fds:.2f}'} | {_ms(percentile(lat, 50))} | {_ms(percentile(lat, 95))} "
            f"| {_ms(percentile(lat, 99))} | {p.connect_seconds:.1f} s ({p.connected:,}) | {p.connect_failures:,} "
            f"| {d.misses if d else '–'} | {d.duplicates if d else '–'} |"
        )
    return "\n".join(lines)


def notes(run: Run) -> str:
    """One line per run with what the table leaves out."""
    p, r = run.project, run.reference
    d, rd = p.delivery, r.delivery
    deliveries = d.deliveries if d else 0
    return (
        f"- {run.manifests}, N={run.screens:,} ({run.code}, deflate {'offered' if run.deflate else 'not offered'}): "
        f"{deliveries:,} deliveries, {p.cpu_seconds:.1f} s server CPU in "
        f"{p.phase_seconds:.0f} s (idle {p.idle_cpu_percent:.0f} %), {p.wire_bytes / max(1, deliveries) / 1024:,.1f} KB "
        f"on the wire per delivery, missed (screen, change) pairs {d.missed_changes if d else '–'}, swarm CPU "
        f"{p.swarm_cpu_seconds:.1f} s, connections dropped {p.drops}; reference {rd.deliveries if rd else 0:,} deliveries, {r.cpu_seconds:.2f} s CPU, "
        f"p99 {_ms(percentile(rd.latencies, 99) if rd else None)}, connect {r.connect_seconds:.1f} s; "
        f"failures {p.failure_reasons or 'none'}; {_restarted(p)}load {' '.join(f'{x:.1f}' for x in run.load_before)} → "
        f"{' '.join(f'{x:.1f}' for x in run.load_after)}"
    )


def _restarted(p: Side) -> str:
    if p.restart_up_seconds is None:
        return ""
    if p.restart_seconds is None:
        return f"after kill -9 and restart, {p.restart_behind:,} screens still without the newest change; "
    return (
        f"kill -9 → restarted server up in {p.restart_up_seconds:.1f} s → every screen on the newest "
        f"version {p.restart_seconds:.1f} s after the kill; "
    )


def _code_version() -> str:
    """The commit the server runs and whether the work tree differs (other work may be in progress)."""

    def git(*argv: str) -> str:
        result = subprocess.run(["git", *argv], cwd=ROOT, capture_output=True, text=True, check=False)
        return result.stdout.strip()

    changed = len([line for line in git("status", "--porcelain", "--untracked-files=no").splitlines() if line])
    return git("rev-parse", "--short", "HEAD") + (f" + {changed} files changed" if changed else "")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--screens", type=int, nargs="+", default=[1000, 2000, 5000])
    parser.add_argument("--manifests", choices=WORLDS, nargs="+", default=list(WORLDS))
    parser.add_argument("--changes", type=int, default=10)
    parser.add_argument("--interval", type=float, default=3.0, help="seconds between changes")
    parser.add_argument("--heartbeat", type=int, default=45, help="KIOSK_HEARTBEAT_SECONDS of the server")
    parser.add_argument("--concurrency", type=int, default=100, help="connection attempts in flight at once")
    parser.add_argument("--connect-deadline", type=float, default=300.0, help="seconds allowed for N to connect")
    parser.add_argument("--settle", type=float, default=30.0, help="seconds allowed after the last change")
    parser.add_argument("--no-deflate", dest="deflate", action="store_false", help="do not offer permessage-deflate")
    parser.add_argument("--no-reference", dest="reference", action="store_false")
    parser.add_argument("--json", type=Path, help="write every number (and every latency) here")
    parser.add_argument("--restart", action="store_true", help="then kill -9 the server and time the way back")
    parser.add_argument("--restart-deadline", type=float, default=120.0, help="seconds allowed after the kill")
    args = parser.parse_args()
    limit = raise_open_files()
    args.pin = can_pin()
    if args.pin:
        os.sched_setaffinity(0, {SWARM_CPU})
    else:
        print("warning: fewer than 2 CPUs: server and swarm share them", file=sys.stderr)
    print(f"open files limit {limit}; server on CPU {SERVER_CPU}, swarm on CPU {SWARM_CPU}", file=sys.stderr)
    runs: list[Run] = []
    for world in args.manifests:
        for screens in args.screens:
            run = Run(world, screens, args.deflate, code=_code_version(), load_before=os.getloadavg())
            with tempfile.TemporaryDirectory() as tmp:
                measure_project(run, args, Path(tmp))
            if args.reference:
                measure_reference(run, args)
            run.load_after = os.getloadavg()
            runs.append(run)
            print(notes(run), file=sys.stderr, flush=True)
    print(table(runs))
    print()
    print("\n".join(notes(run) for run in runs))
    if args.json:
        args.json.write_text(json.dumps([asdict(run) for run in runs], indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
