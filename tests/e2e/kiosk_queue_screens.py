"""Screenshots of the kiosk's 取号 screens and the phone status page, into docs/screens/kiosk-queue-*.png.

    .venv/bin/python -m tests.e2e.kiosk_queue_screens [--out docs/screens]

The same site as tests/e2e/kiosk_screens.py (demo world, real agent, simulated ID reader), with the
demo's morning queue (people waiting, counters calling) so the lines show real numbers.
"""

from __future__ import annotations

import argparse
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from content.demo.queue import seed_morning
from content.org.screens import Screen
from kiosk_server.database import make_engine
from tests.e2e.kiosk_screens import ORIENTATIONS, OUT, settle
from tests.support.browser import chromium
from tests.support.kiosk_site import KioskSite, kiosk_site, open_kiosk, tap, wait_screen, wait_session

PHONE = {"width": 390, "height": 844}


def morning(site: KioskSite) -> None:
    engine = make_engine(site.server.database_url)
    try:
        with Session(engine) as session:
            screen = session.get(Screen, site.kiosk.screen_id)
            assert screen is not None
            seed_morning(session, screen.hall, datetime.now(UTC))
            session.commit()
    finally:
        engine.dispose()


FITS = "() => { const m = document.getElementById('kiosk-main'); return !m || m.scrollHeight <= m.clientHeight + 1; }"


def shoot(page: Any, out: Path, name: str) -> Path:
    settle(page)
    assert page.evaluate(FITS), f"{name}: the screen's content does not fit without scrolling"
    path = out / f"kiosk-{name}.png"
    page.screenshot(path=str(path))
    return path


def queue_screens(page: Any, site: KioskSite, out: Path, orientation: str) -> tuple[list[Path], str]:
    taken = []
    tap(page, ".kattract__start")
    wait_screen(page, "home")
    tap(page, "[data-tile=queue]")
    page.wait_for_selector(".kline")
    taken.append(shoot(page, out, f"queue-lines-{orientation}"))

    site.present(site.steady)
    wait_session(page)
    wait_screen(page, "home")
    tap(page, "[data-tile=queue]")
    tap(page, ".kline[data-prefix=A]")
    tap(page, ".kswitch[data-option=priority]")
    taken.append(shoot(page, out, f"queue-options-{orientation}"))

    with page.expect_response(lambda r: r.url.endswith("/kiosk/api/queue/tickets")) as answer:
        tap(page, "[data-action=take]")
    status_url = answer.value.json()["status_url"]
    page.wait_for_function("() => { const q = document.querySelector('.kticket__qr'); return q && q.complete; }")
    taken.append(shoot(page, out, f"queue-ticket-{orientation}"))
    tap(page, "[data-toggle=elder]")
    page.wait_for_selector("#kiosk[data-elder=true] .kticket__number")
    taken.append(shoot(page, out, f"queue-elder-ticket-{orientation}"))
    tap(page, "[data-toggle=lang]")
    page.wait_for_selector("#kiosk[data-lang=en] .kticket__number")
    taken.append(shoot(page, out, f"queue-elder-ticket-english-{orientation}"))
    tap(page, "[data-toggle=lang]")
    page.wait_for_selector("#kiosk[data-lang=zh-CN] .kticket__number")

    site.remove()
    page.wait_for_function("() => window.__kiosk.state().session === null", timeout=20_000)
    tap(page, "[data-action=finish]")
    wait_screen(page, "home")
    tap(page, "[data-tile=queue]")
    page.wait_for_selector(".kline")
    taken.append(shoot(page, out, f"queue-elder-lines-{orientation}"))
    tap(page, "[data-toggle=elder]")
    tap(page, "[data-toggle=lang]")
    page.wait_for_selector("#kiosk[data-lang=en] .kline")
    taken.append(shoot(page, out, f"queue-lines-english-{orientation}"))
    tap(page, "[data-nav=end]")
    wait_screen(page, "attract")
    return taken, status_url


def phone_page(browser: Any, url: str, out: Path) -> Path:
    context = browser.new_context(
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )
    try:
        page = context.new_page()
        page.goto(url)
        page.wait_for_selector(".number")
        return shoot(page, out, "queue-status-phone")
    finally:
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    taken: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp, chromium() as browser, kiosk_site(Path(tmp) / "site") as site:
        morning(site)
        status_url = ""
        for orientation, viewport in ORIENTATIONS:
            page = open_kiosk(browser, site, viewport)
            shots, status_url = queue_screens(page, site, args.out, orientation)
            taken.extend(shots)
            assert not page.kiosk_errors, page.kiosk_errors
            page.context.close()
            site.clear()
        taken.append(phone_page(browser, status_url, args.out))
    for path in taken:
        print(path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path)


if __name__ == "__main__":
    main()
