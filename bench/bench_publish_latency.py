"""Publish-to-render latency: REST API commit → vacancy visible on a wall page in Chromium.

Run: .venv/bin/python bench/bench_publish_latency.py [--runs 20] [--database-url URL]

Starts a real `kiosk serve` (gevent) on a fresh SQLite database (or the URL given), opens one wall
page in Debian's Chromium, then creates vacancies one at a time through the API. A MutationObserver
in the page stamps the moment each title enters the DOM; latency = that stamp − the moment the
POST was sent (one machine, one clock).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kiosk_server.database import make_engine, upgrade_schema  # noqa: E402
from tests.support.browser import chromium  # noqa: E402
from tests.support.server import ServerProcess  # noqa: E402
from tests.support.world import build_world  # noqa: E402

OBSERVER = """
window.__seen = {};
new MutationObserver(() => {
  const text = document.body.innerText;
  for (const t of window.__watch || []) if (!(t in window.__seen) && text.includes(t)) window.__seen[t] = Date.now();
}).observe(document.body, {subtree: true, childList: true, characterData: true});
"""


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
        engine = make_engine(url)
        upgrade_schema(engine)
        with Session(engine) as session:
            world = build_world(session, vacancies=3)
        engine.dispose()
        server = ServerProcess(Path(tmp) / "server", url)
        server.start()
        latencies: list[float] = []
        try:
            with chromium() as browser:
                page = browser.new_page(viewport={"width": 1920, "height": 1080})
                page.goto(f"{server.url}/screen/{world.wall_keys[0]}")
                page.wait_for_function("document.body.innerText.includes('仓储管理员')", timeout=20_000)
                page.evaluate(OBSERVER)
                for n in range(args.runs):
                    title = f"基准测试岗位{n:02d}"
                    page.evaluate("t => { (window.__watch = window.__watch || []).push(t) }", title)
                    sent_ms = time.time() * 1000
                    response = requests.post(
                        f"{server.url}/api/v1/vacancies",
                        timeout=10,
                        headers={"Authorization": "Bearer test-token"},
                        json={
                            "org_unit_id": world.city_id,
                            "employer_id": world.employer_id,
                            "title": title,
                            "occupation_code": "4-01-02-01",
                            "headcount": 1,
                            "salary_min": 4000,
                            "salary_max": 5000,
                            "valid_until": (datetime.now(UTC) + timedelta(days=9)).isoformat(),
                        },
                    )
                    response.raise_for_status()
                    page.wait_for_function("t => t in window.__seen", arg=title, timeout=10_000)
                    latencies.append(page.evaluate("t => window.__seen[t]", title) - sent_ms)
                    time.sleep(0.3)  # let the page settle so runs do not overlap
        finally:
            server.stop()
    print(
        f"publish-to-render over {len(latencies)} runs: median {statistics.median(latencies):.0f} ms, "
        f"worst {max(latencies):.0f} ms, best {min(latencies):.0f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
