"""Acceptance, end to end: the kiosk on the HTTP records adapter, with a real upstream that goes down.

A real HTTP server on 127.0.0.1 speaks docs/records-http.md: it knows the card's person
(``/identify``) and then either answers their records, fails with 503, or hangs past the adapter's
timeout. ``kiosk serve`` uses it through ``KIOSK_RECORDS_BACKEND=http`` with a 2 s timeout; the card
goes through the real agent and simulated reader. The page must show the records, or a friendly
message and the home screen, never a spinner that stays.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from content.citizens.http_records import person_to_wire, records_to_wire
from content.citizens.idnumbers import mask_id_number
from content.citizens.person_records import (
    Balances,
    ContributionMonth,
    EmploymentState,
    EmploymentStatus,
    Enrollment,
    EnrollmentState,
    Insurance,
    PersonRecords,
    history_months,
)
from content.citizens.records import PersonRecord
from content.library.items import Education
from tests.support.browser import chromium_missing
from tests.support.kiosk_site import KioskSite, kiosk_site, open_kiosk, tap, wait_screen, wait_session

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
]

TIMEOUT_SECONDS = 2


class Upstream:
    """The upstream social-security system: one mode for every records call (``ok``, ``down``, ``hang``)."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.release = threading.Event()
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                fields = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                born = fields["birth_date"]
                person = PersonRecord(
                    ref="up:1",
                    name=fields["name"],
                    sex_code=fields["sex_code"] or "1",
                    birth_date=date.fromisoformat(born[:4] + "-" + born[4:6] + "-" + born[6:8])
                    if "-" not in born
                    else date.fromisoformat(born),
                    masked_id=mask_id_number(fields["id_number"]),
                    region_code="620102",
                )
                self._send(200, person_to_wire(person))

            def do_GET(self) -> None:  # noqa: N802
                if upstream.mode == "down":
                    self._send(503, {"error": "maintenance"})
                    return
                if upstream.mode == "hang":
                    upstream.release.wait(30)
                    return
                today = date.fromisoformat(self.path.rsplit("today=", 1)[1])
                self._send(200, records_to_wire(_records(today)))

            def _send(self, status: int, body: Any) -> None:
                data = json.dumps(body, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def _records(today: date) -> PersonRecords:
    months = tuple(ContributionMonth(m, True, 500_000, 40_000, "兰州鑫博物流有限公司") for m in history_months(today))
    return PersonRecords(
        enrollments=tuple(Enrollment(i, EnrollmentState.ACTIVE, date(2010, 1, 1), "兰州市城关区") for i in Insurance),
        contributions=months,
        balances=Balances(6_543_210, 123_400, today),
        employment=EmploymentStatus(
            EmploymentState.EMPLOYED, date(2020, 1, 1), "兰州鑫博物流有限公司", "城关区公共就业服务中心"
        ),
        education=Education.SENIOR.value,
        as_of=today,
    )


@pytest.fixture(scope="module")
def upstream() -> Iterator[Upstream]:
    running = Upstream()
    yield running
    running.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, upstream: Upstream) -> Iterator[KioskSite]:
    env = {
        "KIOSK_RECORDS_BACKEND": "http",
        "KIOSK_RECORDS_HTTP_URL": upstream.url,
        "KIOSK_RECORDS_HTTP_TIMEOUT_SECONDS": str(TIMEOUT_SECONDS),
    }
    with kiosk_site(Path(tmp_path_factory.mktemp("kiosk-upstream")), extra_env=env) as running:
        yield running


def test_records_come_from_the_upstream_then_its_outage_and_hang_send_the_citizen_home(
    browser: Any, site: KioskSite, upstream: Upstream
) -> None:
    page = open_kiosk(browser, site)
    try:
        person = site.steady
        site.present(person)
        wait_session(page)
        wait_screen(page, "home")
        upstream.mode = "ok"
        tap(page, "[data-tile=records]")
        wait_screen(page, "records")
        page.wait_for_selector(".kenroll")
        assert page.locator(".kenroll").count() == 5 and "正常参保" in page.inner_text(".kmain")

        tap(page, "[data-nav=home]")
        wait_screen(page, "home")
        upstream.mode = "down"
        tap(page, "[data-tile=matches]")
        page.wait_for_selector(".kdialog[data-name=unavailable]", timeout=10_000)
        wait_screen(page, "home")
        assert "社保系统暂时无法访问" in page.inner_text(".kdialog")
        tap(page, ".kdialog .kbtn")
        page.wait_for_selector(".kdialog", state="detached")

        upstream.mode = "hang"
        started = time.monotonic()
        tap(page, "[data-tile=matches]")
        page.wait_for_selector(".kdialog[data-name=unavailable]", timeout=15_000)
        waited = time.monotonic() - started
        assert waited < TIMEOUT_SECONDS + 4, (
            f"the server's {TIMEOUT_SECONDS} s upstream deadline holds ({waited:.1f} s)"
        )
        wait_screen(page, "home")
        assert page.locator(".kloading").count() == 0, "no spinner left behind"
        assert page.evaluate("() => window.__kiosk.state().session") is not None, "the session survives the outage"
        assert not page.kiosk_errors
    finally:
        upstream.mode = "ok"
        page.context.close()
        site.clear()
