"""Benchmark: log lines and server messages per minute from an ID card reader stuck in a fault.

Run from the repository root: ``.venv/bin/python bench/bench_fault_flood.py [--seconds 60]``.

The real ``Agent`` with the real ``IdCardReader`` (default 0.1 s poll) on a GA/T 467 simulator on a
pseudo-terminal that is made to misbehave for the whole run, in two scenarios:

* ``noisy line``: the SAM answers at start, then every find-card answer's checksum is spoiled (a bad
  cable or a failing bridge), so the driver faults on every poll;
* ``card unreadable``: a card lies on the reader and every read answers status 41 (read failed).

Besides the two counts it prints the events the driver raised, to show the rate the agent had to tame.

Log lines are every record the agent process emits at the agent's default level (INFO), counted by a
handler on the root logger; server messages are the events the agent hands to its link (a counting
stand-in for ``ServerLink``: what would go over the socket), by name. The numbers are what the agent
does now, with whatever rate limiting it has; they are scaled to one minute.
"""

from __future__ import annotations

import argparse
import logging
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from devices.agent.config import AgentConfig  # noqa: E402
from devices.agent.supervisor import Agent  # noqa: E402
from devices.drivers.idcard_protocol import Command, Status  # noqa: E402
from devices.drivers.idcard_reader import IdCardReader  # noqa: E402
from devices.drivers.known_readers import ReaderKind  # noqa: E402
from devices.simulators.idcard_reader import SimCard, SimIdCardReader  # noqa: E402


class CountingLink:
    """Stands in for ``ServerLink``: always connected, acknowledges and counts every event."""

    def __init__(self) -> None:
        self.sent: Counter[str] = Counter()
        self._lock = threading.Lock()
        self.connected = True

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def wait_connected(self, timeout: float) -> bool:
        return True

    def send(self, name: str, payload: dict[str, Any]) -> Any:
        with self._lock:
            self.sent[name] += 1
        return {"ok": True}


class LineCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        self.lines[record.levelname] += 1


def scenario(name: str, seconds: float) -> tuple[Counter[str], Counter[str], Counter[str], float]:
    sim = SimIdCardReader().start()
    keep_faulty = threading.Event()

    def spoil() -> None:  # keep the simulator's fault queue topped up for the whole run
        while not keep_faulty.wait(0.05):
            while sim.pending_faults() < 50:
                if name == "noisy line":
                    sim.inject("bad_checksum", on=Command.FIND_CARD)
                else:
                    sim.inject("status", on=Command.READ_TEXT_PHOTO, sw3=Status.READ_FAILED)

    if name == "card unreadable":
        sim.present(SimCard())
    for _ in range(50):
        if name == "noisy line":
            sim.inject("bad_checksum", on=Command.FIND_CARD)
        else:
            sim.inject("status", on=Command.READ_TEXT_PHOTO, sw3=Status.READ_FAILED)
    feeder = threading.Thread(target=spoil, daemon=True)
    feeder.start()
    link = CountingLink()
    raised: Counter[str] = Counter()

    def counted(emit: Any) -> Any:
        def on_event(event: Any) -> None:
            raised[type(event).__name__] += 1
            emit(event)

        return on_event

    config = AgentConfig(server_url="http://bench.invalid", device_key="k", credential="c", hotplug=False, pcsc=False)
    agent = Agent(
        config,
        link=link,  # type: ignore[arg-type]
        drivers=(
            (ReaderKind.IDCARD_SERIAL, lambda emit: IdCardReader(sim.port, counted(emit), reader_id="bench-stuck")),
        ),
    )
    counter = LineCounter()
    root = logging.getLogger()
    root.addHandler(counter)
    started = time.monotonic()
    try:
        agent.start()
        threading.Event().wait(seconds)
        elapsed = time.monotonic() - started
    finally:
        agent.stop()
        root.removeHandler(counter)
        keep_faulty.set()
        feeder.join(5)
        sim.stop()
    return raised, counter.lines, link.sent, elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="how long each scenario runs")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, handlers=[logging.NullHandler()])  # the agent's default level, unprinted
    for name in ("noisy line", "card unreadable"):
        raised, lines, sent, elapsed = scenario(name, args.seconds)
        per_minute = 60.0 / elapsed
        print(f"{name} ({elapsed:.0f} s):")
        print(
            f"  driver events {sum(raised.values()) * per_minute:8.0f} / min   "
            + ", ".join(f"{event} {count * per_minute:.0f}" for event, count in sorted(raised.items()))
        )
        print(
            f"  log lines     {sum(lines.values()) * per_minute:8.0f} / min   "
            + ", ".join(f"{level} {count * per_minute:.0f}" for level, count in sorted(lines.items()))
        )
        print(
            f"  server msgs   {sum(sent.values()) * per_minute:8.0f} / min   "
            + ", ".join(f"{event} {count * per_minute:.0f}" for event, count in sorted(sent.items()))
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
