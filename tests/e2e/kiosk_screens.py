"""Screenshots of every kiosk screen, portrait 1080×1920 and landscape 1920×1080, into docs/screens/.

    .venv/bin/python -m tests.e2e.kiosk_screens [--out docs/screens]

A real server with the demo world, the real agent and the simulated ID card reader (tests/support/
kiosk_site.py), driven through the screens the way a citizen would. Look at the pictures: a page that
passes its asserts but looks broken is broken.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import Any

from content.library.kiosk_catalogue import pinyin_initials
from tests.support.browser import chromium
from tests.support.citizens import AgentClient
from tests.support.kiosk_site import (
    LANDSCAPE,
    PORTRAIT,
    KioskSite,
    kiosk_site,
    open_kiosk,
    state,
    tap,
    wait_screen,
    wait_session,
)

OUT = Path(__file__).resolve().parents[2] / "docs" / "screens"
ORIENTATIONS = (("portrait", PORTRAIT), ("landscape", LANDSCAPE))
UNAVAILABLE = {"error": "backend_unavailable", "message": "社保系统暂时无法访问，请稍后再试或到人工窗口办理。"}


def settle(page: Any) -> None:
    """Let transitions, fonts and the last answer land before the picture."""
    page.evaluate("() => document.fonts.ready")
    page.wait_for_timeout(400)


class Shooter:
    def __init__(self, out: Path) -> None:
        self.out = out
        self.taken: list[Path] = []

    def __call__(self, page: Any, name: str, orientation: str) -> None:
        settle(page)
        path = self.out / f"kiosk-{name}-{orientation}.png"
        page.screenshot(path=str(path))
        self.taken.append(path)


def public_screens(page: Any, shot: Shooter, orientation: str) -> None:
    page.wait_for_timeout(2500)  # the wall underneath shows its first page
    shot(page, "attract", orientation)
    tap(page, ".kattract__start")
    wait_screen(page, "home")
    shot(page, "home", orientation)

    tap(page, "[data-tile=jobs]")
    wait_screen(page, "jobs")
    page.wait_for_selector(".kvrow")
    shot(page, "jobs", orientation)
    title = page.inner_text(".kvrow__title >> nth=1")
    initials = pinyin_initials(title)[:2].upper()
    tap(page, "[data-action=keyboard]")
    for letter in initials:
        tap(page, f".kkey[data-key='{letter}']")
    page.wait_for_function(f"() => document.querySelector('.kcount-line').textContent.includes('{initials}')")
    page.wait_for_selector(".kvrow")
    shot(page, "keyboard", orientation)
    tap(page, ".kkb__done")
    tap(page, ".kvrow")
    wait_screen(page, "job")
    shot(page, "job", orientation)

    tap(page, "[data-nav=home]")
    wait_screen(page, "home")
    tap(page, "[data-tile=policies]")
    wait_screen(page, "policies")
    page.wait_for_selector(".kprow")
    shot(page, "policies", orientation)
    tap(page, ".kprow")
    wait_screen(page, "policy")
    page.wait_for_selector(".kpolicy__body")
    shot(page, "policy", orientation)

    tap(page, "[data-nav=home]")
    wait_screen(page, "home")
    tap(page, "[data-tile=records]")
    wait_screen(page, "needsCard")
    shot(page, "needs-card", orientation)


def personal_screens(page: Any, site: KioskSite, shot: Shooter, orientation: str) -> None:
    site.present(site.gappy)
    wait_session(page)
    wait_screen(page, "records")
    page.wait_for_selector(".kenroll")
    shot(page, "records", orientation)
    tap(page, "[data-tab=contributions]")
    page.wait_for_selector(".kmonth--paid, .kmonth--gap")
    shot(page, "records-contributions", orientation)
    tap(page, "[data-tab=balances]")
    page.wait_for_selector(".kbalance")
    shot(page, "records-balances", orientation)
    tap(page, "[data-action=certificate]")
    wait_screen(page, "certificate")
    page.wait_for_selector(".kcert__qr")
    page.wait_for_function("() => document.querySelector('.kcert__qr').complete")
    shot(page, "certificate", orientation)

    tap(page, "[data-nav=home]")
    wait_screen(page, "home")
    tap(page, "[data-tile=matches]")
    wait_screen(page, "matches")
    page.wait_for_selector(".kmatches[data-step]")
    shot(page, "matches", orientation)

    tap(page, "[data-nav=home]")
    wait_screen(page, "home")
    tap(page, "[data-toggle=elder]")
    page.wait_for_selector("#kiosk[data-elder=true]")
    shot(page, "elder-home", orientation)
    tap(page, "[data-tile=records]")
    wait_screen(page, "records")
    tap(page, "[data-tab=enrollments]")
    page.wait_for_selector(".kenroll")
    shot(page, "elder-records", orientation)
    tap(page, "[data-tab=contributions]")
    page.wait_for_selector(".kmonth--paid, .kmonth--gap")
    shot(page, "elder-records-contributions", orientation)
    tap(page, "[data-toggle=elder]")
    page.wait_for_selector("#kiosk[data-elder=false]")

    # The records backend goes down: a friendly message, back at home, never a spinner.
    page.route("**/kiosk/api/session/matches*", lambda route: route.fulfill(status=503, json=UNAVAILABLE))
    tap(page, "[data-nav=home]")
    wait_screen(page, "home")
    tap(page, "[data-tile=matches]")
    page.wait_for_selector(".kdialog[data-name=unavailable]")
    wait_screen(page, "home")
    shot(page, "upstream-down", orientation)
    page.unroute("**/kiosk/api/session/matches*")
    tap(page, ".kdialog .kbtn")

    tap(page, "[data-toggle=lang]")
    page.wait_for_selector("#kiosk[data-lang=en]")
    shot(page, "home-english", orientation)

    tap(page, "[data-nav=end]")
    wait_screen(page, "attract")
    site.remove()
    page.wait_for_timeout(1500)  # the reader notices the card left

    site.sim.present(site.unknown)
    page.wait_for_selector(".kdialog[data-name=refused]", timeout=20_000)
    shot(page, "refused", orientation)
    site.remove()
    tap(page, ".kdialog[data-name=refused] .kbtn")  # the note is over the home screen: back to the start
    if state(page)["screen"] != "attract":
        tap(page, "[data-nav=end]")
    wait_screen(page, "attract")


def reader_screens(page: Any, site: KioskSite, shot: Shooter, orientation: str) -> None:
    """The reader notes: a card it could not read, and the reader gone while someone was served.

    Said through a second agent connection with the kiosk's credential (what the real agent sends
    when its reader reports so), so the pictures do not depend on timing a card's placement.
    """
    agent = AgentClient(site.server.url, site.kiosk).connect()
    try:
        unreadable = {"reader_id": "idcard-kiosk", "source": "idcard", "hint": "reposition"}
        agent.call("card_unreadable", unreadable)
        page.wait_for_selector(".knote[data-name=unreadable]")
        shot(page, "unreadable", orientation)
        tap(page, ".kattract__toggles [data-toggle=elder]")
        page.wait_for_selector("#kiosk[data-elder=true]")
        agent.call("card_unreadable", unreadable)
        page.wait_for_selector(".knote--elder[data-name=unreadable]")
        shot(page, "unreadable-elder", orientation)
        tap(page, "[data-nav=end]")
        wait_screen(page, "attract")

        detached = {"reader_id": "idcard-kiosk", "kind": "idcard_serial", "state": "detached", "message": "unplugged"}
        attached = {**detached, "state": "attached", "message": ""}
        for elder in (False, True):
            site.present(site.steady)
            wait_session(page)
            wait_screen(page, "home")
            if elder:
                tap(page, "[data-toggle=elder]")
                page.wait_for_selector("#kiosk[data-elder=true]")
            agent.call("reader_status", detached)
            page.wait_for_selector(".knote[data-name=reader-detached]")
            wait_screen(page, "attract")
            shot(page, "reader-detached-elder" if elder else "reader-detached", orientation)
            agent.call("reader_status", attached)
            site.clear()
        page.wait_for_selector(".knote", state="detached", timeout=30_000)
    finally:
        agent.close()


def countdown_screens(page: Any, site: KioskSite, shot: Shooter, orientation: str) -> None:
    site.present(site.steady)
    wait_session(page)
    wait_screen(page, "home")
    tap(page, "[data-tile=records]")
    page.wait_for_selector(".kenroll")
    page.wait_for_selector(".kcount", timeout=30_000)
    page.wait_for_timeout(1500)
    shot(page, "countdown", orientation)
    wait_screen(page, "attract", timeout=30_000)
    site.remove()
    page.wait_for_timeout(1500)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    shot = Shooter(args.out)
    with tempfile.TemporaryDirectory() as tmp, chromium() as browser:
        with kiosk_site(Path(tmp) / "site") as site:
            for orientation, viewport in ORIENTATIONS:
                page = open_kiosk(browser, site, viewport)
                public_screens(page, shot, orientation)
                personal_screens(page, site, shot, orientation)
                reader_screens(page, site, shot, orientation)
                assert not page.kiosk_errors, page.kiosk_errors
                page.context.close()
        with kiosk_site(Path(tmp) / "idle", idle_seconds=20) as site:
            for orientation, viewport in ORIENTATIONS:
                page = open_kiosk(browser, site, viewport)
                countdown_screens(page, site, shot, orientation)
                page.context.close()
    for path in shot.taken:
        print(path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path)


if __name__ == "__main__":
    main()
