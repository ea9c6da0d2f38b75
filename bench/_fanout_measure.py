"""What the fan-out benchmark reads off a process (/proc) and off the swarm's receipts."""

from __future__ import annotations

import os
import resource
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from bench._fanout_swarm import Screen

TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class ProcSample:
    """One look at a process: CPU seconds (user + system, all threads), RSS, open fds."""

    cpu: float
    rss: int
    fds: int


def sample(pid: int) -> ProcSample:
    with open(f"/proc/{pid}/stat") as f:
        # Fields after the command name, which may hold spaces: utime and stime are the 12th and 13th.
        fields = f.read().rsplit(")", 1)[1].split()
    rss = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) * 1024
    return ProcSample(
        cpu=(int(fields[11]) + int(fields[12])) / TICKS,
        rss=rss,
        fds=len(os.listdir(f"/proc/{pid}/fd")),
    )


def sample_all(pids: Sequence[int]) -> ProcSample:
    """The sum of ``sample`` over several processes (the servers of a multi-process run)."""
    samples = [sample(pid) for pid in pids]
    return ProcSample(cpu=sum(s.cpu for s in samples), rss=sum(s.rss for s in samples), fds=sum(s.fds for s in samples))


def raise_open_files(wanted: int = 0) -> int:
    """Raise this process's soft limit on open files (children inherit it); return it.

    To the hard limit, and past it up to ``wanted`` when this process may (root, within fs.nr_open):
    a swarm of 20,000 screens holds 20,000 sockets, the usual hard limit.
    """
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if wanted > hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, wanted))
            return wanted
        except (ValueError, OSError):
            pass
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def can_pin() -> bool:
    return {0, 1} <= os.sched_getaffinity(0)


@contextmanager
def pinned(cpu: int, back_to: int, enabled: bool) -> Iterator[None]:
    """Run the block on ``cpu`` (children started in it stay there), then return to ``back_to``."""
    if enabled:
        os.sched_setaffinity(0, {cpu})
    try:
        yield
    finally:
        if enabled:
            os.sched_setaffinity(0, {back_to})


def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile (None for no values)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


@dataclass
class Delivery:
    """What the screens received over the change phase."""

    latencies: list[float]  # seconds, one per (screen, change) that arrived
    per_change_p99: list[float | None]
    missed_changes: int  # (screen, change) pairs with no payload at or past the change's seq
    misses: int  # screens without the final change
    duplicates: int  # receipts of a version the screen had already received
    deliveries: int  # receipts in the phase that were not duplicates
    message_bytes: int  # median size of a manifest message as the swarm got it (after any permessage-deflate)
    last_arrival: float | None


def delivery(screens: Sequence[Screen], sent: Sequence[float], seqs: Sequence[int]) -> Delivery:
    """Match receipts to changes: change i sent at ``sent[i]`` is in every payload whose seq ≥ ``seqs[i]``."""
    latencies: list[float] = []
    by_change: list[list[float]] = [[] for _ in sent]
    missed = misses = duplicates = deliveries = 0
    sizes: list[int] = []
    last: float | None = None
    start = sent[0] if sent else float("inf")
    for screen in screens:
        seen: set[str] = set()
        for arrived, _, version, size in screen.receipts:
            if arrived >= start:
                if version in seen:
                    duplicates += 1
                else:
                    deliveries += 1
                    sizes.append(size)
                    last = arrived if last is None else max(last, arrived)
            seen.add(version)
        for i, (at, seq) in enumerate(zip(sent, seqs, strict=True)):
            first = next((arrived for arrived, s, _, _ in screen.receipts if s >= seq and arrived >= at), None)
            if first is None:
                missed += 1
            else:
                latencies.append(first - at)
                by_change[i].append(first - at)
        if seqs and max((s for _, s, _, _ in screen.receipts), default=-1) < seqs[-1]:
            misses += 1
    sizes.sort()
    return Delivery(
        latencies=latencies,
        per_change_p99=[percentile(values, 99) for values in by_change],
        missed_changes=missed,
        misses=misses,
        duplicates=duplicates,
        deliveries=deliveries,
        message_bytes=sizes[len(sizes) // 2] if sizes else 0,
        last_arrival=last,
    )
