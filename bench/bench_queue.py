"""Queue calling: call → wall render latency, and calls per second sustained with 50 boards connected.

Run: .venv/bin/python bench/bench_queue.py [--runs 50] [--boards 50] [--seconds 20] [--database-url URL]

Starts a real `kiosk serve` (gevent) on a fresh SQLite database (or the URL given) with a hall whose
walls show a queue region, and signs a counter staff member in over HTTP as the counter page does.

1. Latency: one wall page in Debian's Chromium; the counter calls the next ticket through
   POST /counter/api/<id>/call; a MutationObserver in the page stamps the moment the called number
   enters the DOM. Latency = that stamp − the moment the POST was sent (one machine, one clock).
2. Throughput: ``--boards`` Socket.IO clients join the hall's room as screens; four counters call
   as fast as they can for ``--seconds``. Reports calls/s, the boards each client received, and
   whether every client ends holding the final board version.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import socketio
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kiosk_server.database import make_engine, upgrade_schema  # noqa: E402
from tests.support.browser import chromium  # noqa: E402
from tests.support.counter_client import CounterClient  # noqa: E402
from tests.support.queue_world import STAFF_PASSWORD, STAFF_USER, add_queue, take_tickets, wall_keys  # noqa: E402
from tests.support.server import ServerProcess, wait_for  # noqa: E402
from tests.support.world import build_world  # noqa: E402

OBSERVER = """
window.__seen = {};
new MutationObserver(() => {
  const region = document.querySelector('[data-region="queue"]');
  const text = region ? region.innerText : "";
  for (const t of window.__watch || []) if (!(t in window.__seen) && text.includes(t)) window.__seen[t] = Date.now();
}).observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true});
"""


class Board:
    """One screen's Socket.IO connection, counting the queue boards it receives."""

    def __init__(self, url: str, key: str) -> None:
        self.received = 0
        self.version = -1
        self.client = socketio.Client(reconnection=False)
        self.client.on("queue_board", self._on_board, namespace="/screen")
        self.client.connect(url, auth={"key": key}, namespaces=["/screen"], transports=["websocket"])
        self.client.emit("hello", {"held": {}}, namespace="/screen")

    def _on_board(self, board: dict[str, Any]) -> None:
        self.received += 1
        self.version = max(self.version, int(board["version"]))


def latency(server: ServerProcess, counter_id: int, runs: int, wall_key: str) -> list[float]:
    staff = CounterClient(server.url, STAFF_USER, STAFF_PASSWORD)
    latencies: list[float] = []
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        page.goto(f"{server.url}/screen/{wall_key}")
        page.wait_for_selector('[data-region="queue"]', timeout=20_000)
        page.evaluate(OBSERVER)
        for _ in range(runs):
            sent_ms = time.time() * 1000
            called = staff.act(counter_id, "call")
            number = called["ticket"]["number"]
            page.evaluate("t => { (window.__watch = window.__watch || []).push(t) }", number)
            page.wait_for_function("t => t in window.__seen", arg=number, timeout=10_000)
            latencies.append(page.evaluate("t => window.__seen[t]", number) - sent_ms)
            time.sleep(0.2)  # let the page settle so runs do not overlap
    return latencies


def throughput(
    server: ServerProcess, counter_ids: list[int], keys: list[str], boards: int, seconds: float
) -> dict[str, Any]:
    clients = [Board(server.url, keys[i % len(keys)]) for i in range(boards)]
    wait_for(lambda: all(c.version >= 0 for c in clients), 30, "every board's first snapshot")
    start_received = [c.received for c in clients]
    calls = [0] * len(counter_ids)
    stop_at = time.monotonic() + seconds

    def work(slot: int, counter_id: int) -> None:
        staff = CounterClient(server.url, STAFF_USER, STAFF_PASSWORD)
        while time.monotonic() < stop_at:
            staff.act(counter_id, "call")
            calls[slot] += 1

    began = time.monotonic()
    threads = [threading.Thread(target=work, args=(i, c)) for i, c in enumerate(counter_ids)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    final = (
        CounterClient(server.url, STAFF_USER, STAFF_PASSWORD)
        .http.get(f"{server.url}/counter/api/{counter_ids[0]}/state", timeout=10)
        .json()
    )
    final_version = int(final["version"])
    settled = time.monotonic()
    try:
        wait_for(lambda: all(c.version >= final_version for c in clients), 10, "every board at the final version")
        caught_up = True
    except AssertionError:
        caught_up = False
    lag = time.monotonic() - settled
    received = [c.received - s for c, s in zip(clients, start_received, strict=True)]
    for client in clients:
        client.client.disconnect()
    return {
        "calls": sum(calls),
        "elapsed": elapsed,
        "calls_per_second": sum(calls) / elapsed,
        "boards_min": min(received),
        "boards_median": statistics.median(received),
        "caught_up": caught_up,
        "catch_up_seconds": lag,
        "final_version": final_version,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--boards", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--tickets", type=int, default=3000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
        engine = make_engine(url)
        upgrade_schema(engine)
        with Session(engine) as session:
            world = build_world(session, vacancies=3)
            hall = add_queue(session, world, counters=5, strips=1)
            now = datetime.now(UTC)
            # A provincial centre's whole day; the counter page lists every waiting ticket of its lines.
            take_tickets(session, hall, "A", args.tickets, now)
            keys = wall_keys(session, hall)
        engine.dispose()
        server = ServerProcess(Path(tmp) / "server", url)
        server.start()
        try:
            lat = latency(server, hall.counter_ids[5], args.runs, world.wall_keys[0])
            result = throughput(server, [hall.counter_ids[n] for n in (6, 7, 8, 9)], keys, args.boards, args.seconds)
        finally:
            server.stop()
    lat.sort()
    p95 = lat[min(len(lat) - 1, round(0.95 * len(lat)) - 1)]
    print(
        f"call → wall render over {len(lat)} calls: median {statistics.median(lat):.0f} ms, "
        f"p95 {p95:.0f} ms, worst {lat[-1]:.0f} ms"
    )
    print(
        f"{args.boards} boards connected, 4 counters calling for {result['elapsed']:.1f} s: "
        f"{result['calls']} calls, {result['calls_per_second']:.1f} calls/s; boards received per client: "
        f"min {result['boards_min']}, median {result['boards_median']:.0f}; every client at the final "
        f"version {result['final_version']}: {result['caught_up']} "
        f"(after {result['catch_up_seconds']:.2f} s)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
