"""Benchmark: job matching over a province's vacancies: index build, top-10 latency, one update, memory, precision@10.

Run from the repository root: ``.venv/bin/python bench/bench_matching.py [--vacancies 100000] [--seekers 500]``.

Vacancies come from the demo generator (``content/demo/vacancies.py``) with employers placed around
their districts, published at the demo's province, city and county nodes. Seekers are varied: one
or two wanted occupations (some as a family prefix such as ``4-03``), districts, a minimum pay,
certificates and skills as the generator's occupations suggest, ages 18–60, every education level,
and one in five with no registration at all (the hall's district only). Each asks for its top 10
from a hall in 城关区 (it sees the province's, Lanzhou's and 城关区's vacancies) or in 秦州区.
The process is pinned to one core (``os.sched_setaffinity``). Target (issue 22): p95 ≤ 30 ms.

Memory: what ``tracemalloc`` sees allocated while a second index is built from the same postings
(the index's own columns, word lists and bookkeeping; the postings themselves are the caller's, and
the index keeps a reference to each), and how much the process's resident set grew during the
first build (jieba's dictionary is loaded before, so it is not counted).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import random
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from content.citizens.job_seekers import JobSeekerProfile  # noqa: E402
from content.demo.match_evaluation import (  # noqa: E402
    UNIT_IDS,
    demo_postings,
    evaluation_at,
    evaluation_cases,
    evaluation_index,
    evaluation_postings,
    precision_at_10,
)
from content.demo.occupations import OCCUPATIONS  # noqa: E402
from content.demo.places import DISTRICT_CENTRES  # noqa: E402
from content.library.items import Education  # noqa: E402
from content.matching._words import tokenizer  # noqa: E402
from content.matching.index import MatchIndex  # noqa: E402
from content.matching.postings import JobPosting  # noqa: E402
from content.matching.seekers import Seeker, seeker_from  # noqa: E402

HALLS = {
    "城关区": {
        UNIT_IDS["甘肃省"],
        UNIT_IDS["兰州市"],
        UNIT_IDS["城关区"],
        UNIT_IDS["张掖路街道"],
        UNIT_IDS["武都路社区"],
    },
    "秦州区": {UNIT_IDS["甘肃省"], UNIT_IDS["天水市"], UNIT_IDS["秦州区"]},
}


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


def make_seeker(rng: random.Random, hall: str) -> Seeker:
    latitude, longitude = DISTRICT_CENTRES[hall]
    age = rng.randint(18, 60)
    education = rng.choice(list(Education)).value
    if rng.random() < 0.2:
        return seeker_from(None, age=age, education=education, hall_latitude=latitude, hall_longitude=longitude,
                           fallback_districts=(hall,))  # fmt: skip
    jobs = rng.sample(OCCUPATIONS, rng.choice((1, 1, 2)))
    wanted = tuple(job.code[:4] if rng.random() < 0.25 else job.code for job in jobs)
    certificates = tuple(job.certificate for job in jobs if job.certificate and rng.random() < 0.6)
    skills = tuple(rng.choice(job.titles)[:2] for job in jobs if rng.random() < 0.5)
    profile = JobSeekerProfile(
        desired_occupations=wanted,
        desired_pay_min=rng.choice((None, jobs[0].salary[0], jobs[0].salary[1] - 500)),
        districts=tuple(rng.sample(sorted(DISTRICT_CENTRES), rng.choice((0, 1, 2)))),
        certificates=certificates,
        skills=skills,
    )
    return seeker_from(profile, age=age, education=education, hall_latitude=latitude, hall_longitude=longitude,
                       fallback_districts=(hall,))  # fmt: skip


def rss_bytes() -> int:
    """Resident set size of this process (Linux ``/proc``)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE")


def build(postings: list[JobPosting]) -> tuple[MatchIndex, float]:
    started = time.perf_counter()
    index = MatchIndex()
    for posting in postings:
        index.upsert(posting)
    return index, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vacancies", type=int, default=100_000)
    parser.add_argument("--seekers", type=int, default=500)
    parser.add_argument("--updates", type=int, default=1000)
    args = parser.parse_args()
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    tokenizer()  # jieba's dictionary loads once per process; not part of any measurement

    started = time.perf_counter()
    postings = demo_postings(2026, args.vacancies)
    print(f"generated {len(postings):,} vacancies in {time.perf_counter() - started:.1f} s")

    rss_before = rss_bytes()
    index, seconds = build(postings)
    rss_growth = (rss_bytes() - rss_before) / 2**20
    print(
        f"index build: {seconds:.2f} s ({seconds / len(postings) * 1e6:.0f} µs per vacancy), "
        f"resident memory grew {rss_growth:.0f} MiB"
    )

    rng = random.Random(7)
    at = evaluation_at()
    queries = [(make_seeker(rng, hall), HALLS[hall]) for hall in rng.choices(sorted(HALLS), k=args.seekers)]
    for seeker, units in queries[:20]:  # warm the caches a kiosk would have warm
        index.top(seeker, visible_units=units, at=at)
    latencies: list[float] = []
    passing: list[int] = []
    for seeker, units in queries:
        t0 = time.perf_counter()
        page = index.top(seeker, visible_units=units, at=at, limit=10)
        latencies.append((time.perf_counter() - t0) * 1000)
        passing.append(page.total)
    print(
        f"top 10, {len(queries)} seekers: p50 {statistics.median(latencies):.1f} ms, "
        f"p95 {percentile(latencies, 0.95):.1f} ms, max {max(latencies):.1f} ms "
        f"(median {statistics.median(passing):,.0f} vacancies pass the hard rules)"
    )

    update_times: list[float] = []
    for i in range(args.updates):
        old = postings[rng.randrange(len(postings))]
        changed = dataclasses.replace(old, salary_min=(old.salary_min or 3000) + 100 * (i % 5), headcount=i % 9 + 1)
        t0 = time.perf_counter()
        index.upsert(changed)
        update_times.append((time.perf_counter() - t0) * 1e6)
    print(
        f"update one vacancy: median {statistics.median(update_times):.0f} µs, "
        f"p95 {percentile(update_times, 0.95):.0f} µs"
    )
    del index

    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    second, _ = build(postings)
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    print(f"index memory: {(after - before) / 2**20:.0f} MiB for {len(second):,} vacancies (tracemalloc)")

    evaluation = evaluation_postings()
    precision = precision_at_10(evaluation_index(evaluation), evaluation_cases(), evaluation)
    print(
        f"evaluation: precision@10 {precision:.3f} over {len(evaluation_cases())} seekers, {len(evaluation):,} vacancies"
    )


if __name__ == "__main__":
    main()
