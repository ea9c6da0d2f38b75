"""Benchmark: what one change costs the publisher in a province of 10,000 screens and 200 groups.

Run from the repository root: ``.venv/bin/python bench/bench_incremental.py [--runs 20]``.
Builds the province of bench/bench_resolver.py (in-memory SQLite), loads ``LiveManifests`` once,
then applies changes of each kind as the manifest book does (the outbox rows name them): read the
named rows, resolve the groups they can reach. Prints the median and p95 time of read + apply and
how many groups each kind resolved. Target (issue 18): at most 50 ms for a change that touches one
group. Results and the machine are in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_resolver import AT, build  # noqa: E402
from sqlalchemy import create_engine, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from content import models  # noqa: E402
from content.library.items import Vacancy  # noqa: E402
from content.org.screens import Screen  # noqa: E402
from content.org.tree import Hall, OrgUnit  # noqa: E402
from content.signage.live_manifests import Changes, LiveManifests  # noqa: E402
from content.signage.schedules import Schedule  # noqa: E402
from content.signage.targeting import Target  # noqa: E402


def measure(
    session: Session, live: LiveManifests, runs: int, label: str, change: Callable[[int], tuple[str, int]]
) -> None:
    times, resolved = [], []
    for n in range(runs):
        kind, ident = change(n)
        session.commit()
        started = time.perf_counter()
        reloaded = live.read(session, Changes.of([("content", {"kind": kind, "id": ident})]), AT)
        live.apply(reloaded, AT)
        times.append(time.perf_counter() - started)
        resolved.append(live.resolved)
    times.sort()
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    print(f"| {label} | {statistics.median(resolved):.0f} | {1000 * statistics.median(times):.1f} | {1000 * p95:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--screens-per-hall", type=int, default=50)
    args = parser.parse_args()
    engine = create_engine("sqlite://")
    models.Base.metadata.create_all(engine)
    with Session(engine) as session:
        build(session, args.screens_per_hall, random.Random(20261122))
        session.commit()
        started = time.perf_counter()
        live = LiveManifests.load(session, AT)
        full = time.perf_counter() - started
        print(f"full load + resolve: {full:.3f} s, {len(live.manifests)} groups, {len(live.screen_groups)} screens\n")
        print("| change | groups resolved (median) | read + apply, median ms | p95 ms |")
        print("|---|---|---|---|")
        community = session.scalars(select(OrgUnit).where(OrgUnit.level == "community")).first()
        province = session.scalars(select(OrgUnit).where(OrgUnit.level == "province")).one()
        assert community is not None
        hall = session.scalars(select(Hall).where(Hall.org_unit_id == community.id)).one()
        vacancy = session.scalars(select(Vacancy).where(Vacancy.status == "published")).first()
        assert vacancy is not None

        far = [AT + timedelta(days=60), AT + timedelta(days=90)]

        def community_vacancy(n: int) -> tuple[str, int]:
            # Its window changes: segments may, so the groups that can show it are resolved.
            vacancy.org_unit_id, vacancy.valid_until = community.id, far[n % 2]
            return "vacancy", vacancy.id

        def province_title(n: int) -> tuple[str, int]:
            vacancy.title = f"全省岗位{n}"
            return "vacancy", vacancy.id

        def province_vacancy(n: int) -> tuple[str, int]:
            vacancy.org_unit_id, vacancy.valid_until = province.id, far[n % 2]
            return "vacancy", vacancy.id

        one_hall = Schedule(
            org_unit_id=province.id,
            name="单厅排期",
            layout_id=session.scalars(select(Schedule.layout_id)).first(),
            region_playlists={},
            exdates=[],
            created_at=AT - timedelta(days=1),
            targets=[Target(mode="include", kind="hall", ref=str(hall.id))],
        )
        session.add(one_hall)
        session.commit()
        live = LiveManifests.load(session, AT)

        def hall_schedule(n: int) -> tuple[str, int]:
            one_hall.priority = n % 5
            return "schedule", one_hall.id

        screen = session.scalars(select(Screen).where(Screen.hall_id == hall.id)).first()
        assert screen is not None

        def screen_tag(n: int) -> tuple[str, int]:
            screen.set_tags(["入口"] if n % 2 == 0 else [])
            return "screen", screen.id

        measure(
            session, live, args.runs, "a vacancy's window at one community hall's node (1 group)", community_vacancy
        )
        measure(session, live, args.runs, "a schedule aimed at one hall", hall_schedule)
        measure(session, live, args.runs, "a screen's tags (it changes group)", screen_tag)
        measure(
            session, live, args.runs, "a province-wide vacancy's window (every group with a board)", province_vacancy
        )
        measure(session, live, args.runs, "a province-wide vacancy's title (patched, not resolved)", province_title)
        pending: Any = live.valid_until
        started = time.perf_counter()
        live.advance(pending)
        print(
            f"\nthe clock reaching the first group's next change: {live.resolved} groups resolved in "
            f"{1000 * (time.perf_counter() - started):.1f} ms"
        )


if __name__ == "__main__":
    main()
