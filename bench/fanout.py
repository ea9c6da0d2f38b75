"""Fan-out: one change to thousands of screens, the real server against a raw ``websockets`` broadcast.

Run from the repository root (issue 18, item 6; docs/benchmarks.md, "Fan-out: one change to thousands
of screens")::

    .venv/bin/python bench/fanout.py [--screens 1000 2000 5000] [--manifests small province]
        [--changes 10] [--interval 3] [--no-deflate] [--json results.json]
    .venv/bin/python bench/fanout.py --processes 4 --screens 20000   # PostgreSQL and Redis

For every N and manifest size: builds a fresh SQLite world of N screens in 200 hall groups
(``bench/_fanout_world.py``), starts the real ``kiosk serve`` (gevent) pinned to CPU 0, and opens N
raw Engine.IO / Socket.IO screen clients (``bench/_fanout_swarm.py``) from this process, pinned to
CPU 1, at a bounded concurrency, each doing the player's handshake and heartbeats. Then it changes
the ticker text every screen shows through ``PATCH /api/v1/tickers/<id>``, ``--changes`` times, one
every ``--interval`` s, and matches each screen's receipts to the changes by ``seq`` (the outbox
row of each change says which revision covers it). The same swarm then measures a raw
``websockets`` broadcast server (``bench/_fanout_reference.py``, also on CPU 0) sending frames of
the size the project's manifests had, to the same number of clients at the same cadence.

With ``--processes K`` (issue 18's 20,000 screens on four processes) the world is in a fresh
PostgreSQL schema (``--database-url``), K ``kiosk serve`` processes share it and a Redis message
queue (``--redis-url``), nothing is pinned (the machine's cores are shared by the servers, the
databases and the swarm), screen j connects to process j mod K and change i is made through process
i mod K, so most deliveries cross processes; the p99 of each process's screens is reported too. The
reference is skipped there: it is the single-process yardstick. A swarm of more than 10,000
screens runs in several processes (``bench/_fanout_swarms.py``), since one may hold at most the hard
limit of open files.

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
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import redis
import requests
from sqlalchemy import select, text
from sqlalchemy.orm import Session
from websockets.asyncio.client import connect

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._fanout_measure import (  # noqa: E402
    Delivery,
    can_pin,
    delivery,
    percentile,
    pinned,
    raise_open_files,
    sample_all,
)
from bench._fanout_swarm import Swarm  # noqa: E402
from bench._fanout_swarms import SwarmGroup  # noqa: E402
from bench._fanout_world import WORLDS, Built, build  # noqa: E402
from content.outbox import OutboxEvent  # noqa: E402
from kiosk_server.database import make_engine, upgrade_schema  # noqa: E402
from tests.support.server import ServerProcess, free_port, wait_for  # noqa: E402

SERVER_CPU, SWARM_CPU = 0, 1
SCREENS_PER_SWARM = 10_000  # a swarm process's share by default: sockets under the open-files limit
AnySwarm = Swarm | SwarmGroup
POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"  # --database-url's default (as the tests')
REDIS_URL = "redis://127.0.0.1:6379/14"  # --redis-url's default: a database of its own, flushed before a run
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
    # --processes K > 1: the change phase's p99 over the screens of each server process, in process order.
    p99_by_process: list[float | None] = field(default_factory=list)

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
    processes: int = 1
    manifest_bytes: int = 0
    code: str = ""  # the commit the server ran, "+ N files changed" when the work tree differs
    load_before: tuple[float, ...] = ()
    load_after: tuple[float, ...] = ()
    project: Side = field(default_factory=Side)
    reference: Side = field(default_factory=Side)


def _swarm(urls: list[str], keys: list[str], args: argparse.Namespace, deflate: bool, raw: bool = False) -> AnySwarm:
    """The screens in this process, or over ``--swarm-processes`` (by default one per 10,000 screens)."""
    processes = args.swarm_processes or -(-len(keys) // SCREENS_PER_SWARM)
    if processes <= 1:
        return Swarm(urls, keys, concurrency=args.concurrency, deflate=deflate, raw=raw)
    return SwarmGroup(urls, keys, processes=processes, concurrency=args.concurrency, deflate=deflate, raw=raw)


async def _connect(swarm: AnySwarm, side: Side, pids: list[int], deadline: float, idle_seconds: float) -> None:
    """Connect the swarm; memory and fds before it are taken after one screen per server came and went.

    That first screen makes its server resolve and encode every group's manifest, which is not a
    cost of the connections.
    """
    firsts = swarm.keys[: len(swarm.urls)]
    warm = Swarm(swarm.urls, firsts, concurrency=len(firsts), deflate=swarm.deflate, raw=swarm.raw)
    await warm.connect_all(30)
    await warm.close()
    await asyncio.sleep(SETTLE)
    before = sample_all(pids)
    side.connect_seconds = await swarm.connect_all(deadline)
    await asyncio.sleep(SETTLE)
    after = sample_all(pids)
    side.rss_before, side.rss_after, side.fds_before, side.fds_after = before.rss, after.rss, before.fds, after.fds
    status = await swarm.status()
    side.connected = status.welcomed
    side.connect_failures = status.failures
    side.failure_reasons = status.errors
    idle = sample_all(pids)
    await asyncio.sleep(idle_seconds)
    side.idle_cpu_percent = 100 * (sample_all(pids).cpu - idle.cpu) / idle_seconds


async def _change_phase(
    side: Side,
    pids: list[int],
    swarm: AnySwarm,
    send: Callable[[int], Awaitable[float]],
    seqs_of: Callable[[], Awaitable[list[int]]],
    args: argparse.Namespace,
) -> tuple[list[float], list[int]]:
    """Make the changes at the cadence, wait until every screen has the last one, and read the costs.

    ``send(i)`` makes change i and returns the instant it was sent; ``seqs_of()`` gives the ``seq``
    that covers each change. The wait ends after ``--settle`` s even if some screen never got it.
    """
    start = time.monotonic()
    begin, before = sample_all(pids), await swarm.status()
    sent: list[float] = []
    for i in range(args.changes):
        await asyncio.sleep(max(0.0, start + i * args.interval - time.monotonic()))
        sent.append(await send(i))
    seqs = await seqs_of()
    deadline = time.monotonic() + args.settle
    while await swarm.behind(seqs[-1]) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    end = sample_all(pids)
    side.phase_seconds = time.monotonic() - start
    side.cpu_seconds = end.cpu - begin.cpu
    after = await swarm.status()
    side.wire_bytes = after.bytes_in - before.bytes_in
    side.swarm_cpu_seconds = after.cpu - before.cpu
    side.drops = after.drops
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


@contextmanager
def _database(run: Run, args: argparse.Namespace, tmp: Path) -> Iterator[str]:
    """The run's database URL: SQLite in ``tmp`` for one process, else a fresh PostgreSQL schema, dropped after."""
    if run.processes == 1 and not args.database_url:
        yield f"sqlite:///{tmp}/fanout.sqlite3"
        return
    base = args.database_url or POSTGRES_URL
    schema = f"fanout_{secrets.token_hex(6)}"
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _servers(run: Run, args: argparse.Namespace, tmp: Path, url: str, token: str) -> list[ServerProcess]:
    """``run.processes`` servers on one database; several share a Redis message queue (flushed first)."""
    env = {
        "KIOSK_API_TOKEN": token,
        "KIOSK_HEARTBEAT_SECONDS": str(args.heartbeat),
        "KIOSK_PUBLISH_POLL_SECONDS": "5",  # the production default (ServerProcess sets 1 for tests)
    }
    if run.processes > 1:
        redis.Redis.from_url(args.redis_url).flushdb()
        env |= {"KIOSK_MESSAGE_QUEUE_URL": args.redis_url, "KIOSK_SECRET_KEY": secrets.token_hex(16)}
    return [ServerProcess(tmp / f"server-{n}", url, extra_env=env) for n in range(run.processes)]


def measure_project(run: Run, args: argparse.Namespace, tmp: Path) -> None:
    """Build the world, serve it with ``kiosk serve`` (one process on the server's core, or several), connect, change, measure.

    With several processes change i goes through process i mod K, and screen j is on process j mod K:
    most deliveries cross processes (the leader publishes, Redis fans out).
    """
    with _database(run, args, tmp) as url:
        engine = make_engine(url)
        upgrade_schema(engine)
        with Session(engine) as session:
            world = build(session, run.manifests, run.screens, datetime.now(UTC))
            last_id = int(session.scalar(select(OutboxEvent.id).order_by(OutboxEvent.id.desc()).limit(1)) or 0)
        engine.dispose()
        token = secrets.token_urlsafe(16)
        servers = _servers(run, args, tmp, url, token)
        try:
            with pinned(SERVER_CPU, SWARM_CPU, args.pin):
                for server in servers:
                    server.start(timeout=120)
            _measure_served(run, args, servers, world, url, last_id, token)
        finally:
            for server in servers:
                server.stop()
    run.manifest_bytes = run.project.delivery.message_bytes if run.project.delivery else 0


def _measure_served(
    run: Run, args: argparse.Namespace, servers: list[ServerProcess], world: Built, url: str, last_id: int, token: str
) -> None:
    pids = [server.proc.pid for server in servers if server.proc is not None]
    side = run.project

    def patch(i: int) -> float:
        sent = time.time()
        response = requests.patch(
            f"{servers[i % len(servers)].url}/api/v1/tickers/{world.ticker_id}",
            json={"title": f"基准测试滚动字幕 第{i + 1}次变更 {secrets.token_hex(4)}"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        )
        response.raise_for_status()
        return sent

    async def phases() -> None:
        urls = [f"ws://127.0.0.1:{server.port}/socket.io/?EIO=4&transport=websocket" for server in servers]
        swarm = _swarm(urls, world.keys, args, run.deflate)
        try:
            await _connect(swarm, side, pids, args.connect_deadline, args.idle)
            sent, seqs = await _change_phase(
                side,
                pids,
                swarm,
                lambda i: asyncio.to_thread(patch, i),
                lambda: asyncio.to_thread(_change_seqs, url, last_id, args.changes),
                args,
            )
            screens = await swarm.collect()
            side.delivery = delivery(screens, sent, seqs)
            if len(urls) > 1:
                side.p99_by_process = [
                    percentile(delivery([s for s in screens if s.url == u], sent, seqs).latencies, 99) for u in urls
                ]
            if args.restart:
                await _restart_phase(side, servers[0], swarm, patch, url, last_id, args)
        finally:
            await swarm.close()

    asyncio.run(phases())


async def _restart_phase(
    side: Side,
    server: ServerProcess,
    swarm: AnySwarm,
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
    while await swarm.behind(seq) and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    side.restart_behind = await swarm.behind(seq)
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
            swarm = _swarm([f"ws://127.0.0.1:{port}/"], clients, args, run.deflate, raw=True)
            try:
                await _connect(swarm, side, [proc.pid], args.connect_deadline, args.idle)
                async with connect(f"ws://127.0.0.1:{port}/control", compression=None) as control:

                    async def send(i: int) -> float:
                        sent = time.time()
                        await control.send(f"{i + 1} {size}")
                        await control.recv()
                        return sent

                    async def seqs() -> list[int]:
                        return list(range(1, args.changes + 1))

                    sent, numbers = await _change_phase(side, [proc.pid], swarm, send, seqs, args)
                side.delivery = delivery(await swarm.collect(), sent, numbers)
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
            f"| {run.manifests}, {run.manifest_bytes / 1024:,.1f} KB | {run.screens:,}{_on(run)} "
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
        f"- {run.manifests}, N={run.screens:,}{_on(run)} ({run.code}, deflate {'offered' if run.deflate else 'not offered'}): "
        f"{deliveries:,} deliveries, {p.cpu_seconds:.1f} s server CPU in "
        f"{p.phase_seconds:.0f} s (idle {p.idle_cpu_percent:.0f} %), {p.wire_bytes / max(1, deliveries) / 1024:,.1f} KB "
        f"on the wire per delivery, missed (screen, change) pairs {d.missed_changes if d else '–'}, swarm CPU "
        f"{p.swarm_cpu_seconds:.1f} s, connections dropped {p.drops}; reference {rd.deliveries if rd else 0:,} deliveries, {r.cpu_seconds:.2f} s CPU, "
        f"p99 {_ms(percentile(rd.latencies, 99) if rd else None)}, connect {r.connect_seconds:.1f} s; "
        f"failures {p.failure_reasons or 'none'}; {_by_process(p)}{_restarted(p)}load {' '.join(f'{x:.1f}' for x in run.load_before)} → "
        f"{' '.join(f'{x:.1f}' for x in run.load_after)}"
    )


def _on(run: Run) -> str:
    return f" on {run.processes} processes" if run.processes > 1 else ""


def _by_process(p: Side) -> str:
    if not p.p99_by_process:
        return ""
    return f"p99 on each process {' / '.join(_ms(x) for x in p.p99_by_process)}; "


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
    parser.add_argument("--idle", type=float, default=3.0, help="seconds of idle CPU measured after connecting")
    parser.add_argument("--no-deflate", dest="deflate", action="store_false", help="do not offer permessage-deflate")
    parser.add_argument("--no-reference", dest="reference", action="store_false")
    parser.add_argument("--json", type=Path, help="write every number (and every latency) here")
    parser.add_argument("--restart", action="store_true", help="then kill -9 the server and time the way back")
    parser.add_argument("--restart-deadline", type=float, default=120.0, help="seconds allowed after the kill")
    parser.add_argument(
        "--processes",
        type=int,
        default=1,
        help="server processes; more than one run on PostgreSQL and Redis, unpinned, sharing the machine's cores",
    )
    parser.add_argument("--database-url", help=f"PostgreSQL for the world (a fresh schema; default {POSTGRES_URL})")
    parser.add_argument("--redis-url", default=REDIS_URL, help="the message queue of several processes (flushed)")
    parser.add_argument(
        "--swarm-processes",
        type=int,
        default=0,
        help=f"swarm processes (default: one per {SCREENS_PER_SWARM:,} screens)",
    )
    args = parser.parse_args()
    limit = raise_open_files(max(args.screens) * 2 + 10_000)
    args.pin = can_pin() and args.processes == 1
    if args.pin:
        os.sched_setaffinity(0, {SWARM_CPU})
        print(f"open files limit {limit}; server on CPU {SERVER_CPU}, swarm on CPU {SWARM_CPU}", file=sys.stderr)
    else:
        print(f"open files limit {limit}; servers and swarm share the CPUs, unpinned", file=sys.stderr)
    runs: list[Run] = []
    for world in args.manifests:
        for screens in args.screens:
            run = Run(world, screens, args.deflate, args.processes, code=_code_version(), load_before=os.getloadavg())
            with tempfile.TemporaryDirectory() as tmp:
                measure_project(run, args, Path(tmp))
            if args.reference and args.processes == 1:  # its one process is the single-process yardstick
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
