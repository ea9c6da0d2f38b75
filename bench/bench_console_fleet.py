"""Benchmark: the console's fleet page (/console/fleet) over 10,000 screens, rendered server-side.

Run from the repository root::

    .venv/bin/python bench/bench_console_fleet.py [--runs 30]

Seeds the fleet of ``bench_fleet.py`` (500 halls, 10,000 screens, statuses and readers) into a
SQLite file through the real schema (Alembic), signs a system admin in through the real form,
and times whole requests through Flask's test client: the guard, the scope, the fleet query, the
manifest snapshot lookup and the Jinja template. Cases: the first page of the whole province,
the offline screens, and a city's kiosks. Target: 300 ms. Prints min / median / p95 / max in ms.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_fleet import seed  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from content.accounts.staff import Role, add_account  # noqa: E402
from kiosk_server import create_app  # noqa: E402
from kiosk_server.database import database, upgrade_schema  # noqa: E402

PASSWORD = "bench-password-1"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "data_dir": tmp,
                "database_url": f"sqlite:///{Path(tmp) / 'fleet.sqlite3'}",
                "testing": True,
                "api_token": "bench-token",
            }
        )
        engine = database(app).engine
        upgrade_schema(engine)
        seeded = seed(engine, 20, random.Random(20261123))
        with Session(engine) as session:
            add_account(session, username="admin", password=PASSWORD, display_name="admin", role=Role.SYSTEM_ADMIN)
            session.commit()
        client = app.test_client()
        form = client.get("/console/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
        assert (
            client.post(
                "/console/login", data={"csrf_token": token, "username": "admin", "password": PASSWORD}
            ).status_code
            == 302
        )
        cases = {
            "first page, whole province": "/console/fleet",
            "status=offline, whole province": "/console/fleet?status=offline",
            f"a city's kiosks (org {seeded.city_ids[3]})": f"/console/fleet?org={seeded.city_ids[3]}&kind=kiosk",
        }
        print(f"{len(seeded.expected)} screens; {args.runs} runs after a warm-up; ms")
        for label, url in cases.items():
            first = client.get(url)
            assert first.status_code == 200 and first.data.count(b"data-screen=") == 50, url
            times = []
            for _ in range(args.runs):
                start = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200
            times.sort()
            p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
            print(
                f"  {label:<36} min {times[0]:6.1f}  median {statistics.median(times):6.1f}  "
                f"p95 {p95:6.1f}  max {times[-1]:6.1f}"
            )
        engine.dispose()


if __name__ == "__main__":
    main()
