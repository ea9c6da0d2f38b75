"""Accessibility: axe-core (tests/e2e/package.json) on every kiosk screen, normal and elder mode.

No violation of impact serious or critical is allowed (GB/T 37668, in spirit WCAG 2.1 AA).
The countdown is checked in test_kiosk_flow.py, where the server's idle time is short.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import chromium_missing
from tests.support.kiosk_site import (
    PORTRAIT,
    KioskSite,
    axe_missing,
    axe_violations,
    kiosk_site,
    open_kiosk,
    tap,
    wait_screen,
    wait_session,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
    pytest.mark.skipif(axe_missing() is not None, reason=axe_missing() or ""),
]

UNAVAILABLE = {"error": "backend_unavailable", "message": "社保系统暂时无法访问，请稍后再试或到人工窗口办理。"}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KioskSite]:
    with kiosk_site(Path(tmp_path_factory.mktemp("kiosk-a11y"))) as running:
        yield running


class Audit:
    def __init__(self, page: Any) -> None:
        self.page = page
        self.problems: dict[str, list[dict[str, Any]]] = {}
        self.screens: list[str] = []

    def __call__(self, name: str) -> None:
        self.page.wait_for_timeout(300)
        self.screens.append(name)
        found = axe_violations(self.page)
        if found:
            self.problems[name] = found


def walk_every_screen(page: Any, site: KioskSite, audit: Audit, elder: bool) -> None:
    audit("attract")
    tap(page, ".kattract [data-toggle=elder]" if elder else ".kattract__start")
    wait_screen(page, "home")
    audit("home")
    tap(page, "[data-tile=queue]")
    page.wait_for_selector(".kline")
    audit("queue-lines")
    tap(page, ".kline")
    page.wait_for_selector(".kqueue__take")
    audit("queue-options")  # no ticket is taken: the kiosk's rate limit would refuse the second walk
    tap(page, "[data-nav=home]")
    wait_screen(page, "home")

    tap(page, "[data-tile=jobs]")
    page.wait_for_selector(".kvrow")
    audit("jobs")
    tap(page, "[data-filter=district]")
    page.wait_for_selector(".ksheet")
    audit("jobs-filter-sheet")
    tap(page, ".ksheet__cancel")
    tap(page, "[data-action=keyboard]")
    page.wait_for_selector(".kkb")
    tap(page, ".kkey[data-key=G]")
    page.wait_for_timeout(600)
    audit("keyboard-letters")
    tap(page, ".kkb__mode[data-mode=categories]")
    audit("keyboard-categories")
    tap(page, ".kkb__done")
    tap(page, "[data-action=clear]")
    page.wait_for_selector(".kvrow")
    tap(page, ".kvrow")
    wait_screen(page, "job")
    audit("job")

    tap(page, "[data-nav=home]")
    tap(page, "[data-tile=policies]")
    page.wait_for_selector(".kprow")
    audit("policies")
    tap(page, ".kprow")
    page.wait_for_selector(".kpolicy__body")
    audit("policy")

    tap(page, "[data-nav=home]")
    tap(page, "[data-tile=records]")
    wait_screen(page, "needsCard")
    audit("needs-card")

    site.present(site.gappy)
    wait_session(page)
    page.wait_for_selector(".kenroll")
    audit("records-enrollments")
    for tab in ("contributions", "balances", "employment"):
        tap(page, f"[data-tab={tab}]")
        page.wait_for_timeout(200)
        audit(f"records-{tab}")
    tap(page, "[data-action=certificate]")
    page.wait_for_selector(".kcert__qr")
    audit("certificate")
    tap(page, "[data-nav=home]")
    audit("home-with-citizen")
    tap(page, "[data-tile=matches]")
    page.wait_for_selector(".kmatches[data-step]")
    audit("matches")

    page.route("**/kiosk/api/session/matches*", lambda route: route.fulfill(status=503, json=UNAVAILABLE))
    tap(page, "[data-nav=home]")
    tap(page, "[data-tile=matches]")
    page.wait_for_selector(".kdialog[data-name=unavailable]")
    audit("upstream-down")
    page.unroute("**/kiosk/api/session/matches*")
    tap(page, ".kdialog .kbtn")

    tap(page, "[data-toggle=lang]")
    page.wait_for_selector("#kiosk[data-lang=en]")
    audit("home-english")
    tap(page, "[data-tile=records]")
    page.wait_for_selector(".kenroll")
    audit("records-english")

    tap(page, "[data-nav=end]")
    wait_screen(page, "attract")
    site.remove()
    page.wait_for_timeout(1500)
    site.sim.present(site.unknown)
    page.wait_for_selector(".kdialog[data-name=refused]", timeout=20_000)
    audit("refused")


@pytest.mark.parametrize("elder", [False, True], ids=["normal", "elder"])
def test_no_serious_or_critical_violation_on_any_kiosk_screen(browser: Any, site: KioskSite, elder: bool) -> None:
    page = open_kiosk(browser, site, PORTRAIT)
    try:
        audit = Audit(page)
        walk_every_screen(page, site, audit, elder)
        assert len(audit.screens) >= 20
        assert not audit.problems, "\n".join(
            f"{screen}: {v['id']} ({v['impact']}) {v['help']} at {v['nodes']}"
            for screen, found in audit.problems.items()
            for v in found
        )
        assert not page.kiosk_errors
    finally:
        page.context.close()
        site.clear()
