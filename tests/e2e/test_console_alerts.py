"""The alerts page in Chromium against a real ``kiosk serve``: kinds in words, hall's local time, scope, the fleet's count.

Photographed as docs/screens/console_alerts.png with KIOSK_DOC_SCREENS=1.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from content.org.screens import Screen
from content.signage.alert_rules import AlertKind
from content.signage.alerts import raise_alert
from tests.support.browser import chromium_missing
from tests.support.console_browser import console_pages, console_site, shoot, sign_in
from tests.support.console_world import ConsoleWorld
from tests.support.server import ServerProcess

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
]

RAISED = datetime(2026, 12, 7, 1, 20, tzinfo=UTC)  # 09:20 in Lanzhou


def _alerts(session: Session, cw: ConsoleWorld) -> None:
    world = cw.world
    walls = {s.name: s for s in session.query(Screen).filter(Screen.hall_id == world.hall_id)}
    kiosk = Screen(hall_id=world.hall_id, name="一楼自助终端", kind="kiosk")
    session.add(kiosk)
    session.flush()
    silent = raise_alert(
        session,
        screen_id=walls["大厅1号屏"].id,
        kind=AlertKind.SILENT,
        now=RAISED,
        detail={"last_seen_at": (RAISED - timedelta(minutes=2)).isoformat()},
    )
    silent.last_notified_at = RAISED
    raise_alert(
        session,
        screen_id=walls["大厅2号屏"].id,
        kind=AlertKind.SILENT,
        now=RAISED + timedelta(minutes=40),
        detail={"last_seen_at": (RAISED + timedelta(minutes=38)).isoformat()},
        flapping=True,
    )
    raise_alert(
        session,
        screen_id=kiosk.id,
        kind=AlertKind.READER_FAULT,
        now=RAISED + timedelta(minutes=5),
        detail={
            "readers": [
                {"reader_id": "idcard-0", "kind": "idcard_serial", "state": "fault", "reason": "timeout", "repeated": 3}
            ]
        },
    )
    old = raise_alert(
        session,
        screen_id=walls["门口LED屏"].id,
        kind=AlertKind.BEHIND,
        now=RAISED - timedelta(hours=3),
        detail={"shown": "0123456789abcdef", "expected": "fedcba9876543210"},
    )
    old.cleared_at = RAISED - timedelta(hours=2, minutes=30)
    raise_alert(
        session, screen_id=session.query(Screen).filter(Screen.hall_id == world.other_hall_id).one().id,
        kind=AlertKind.SILENT, now=RAISED, detail={},
    )  # fmt: skip


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with console_site(Path(tmp_path_factory.mktemp("alerts")), _alerts) as (server, _, _):
        yield server


def test_a_hall_manager_sees_the_halls_alerts_in_words_in_local_time(browser: Any, site: ServerProcess) -> None:
    with console_pages(browser) as new_page:
        page = new_page()
        sign_in(page, site, "manager")
        page.click("nav.top__nav >> text=告警")
        page.wait_for_url("**/console/alerts")
        open_rows = page.locator("#alerts-open tbody tr")
        assert open_rows.count() == 3, "the other hall's alert is out of this manager's scope"
        assert open_rows.nth(0).get_attribute("data-flapping") == "1", "newest first"
        text = page.locator("#alerts-open").inner_text()
        assert "屏幕失联（反复发生）" in text and "读卡器故障" in text and "silent" not in text
        assert "2026-12-07 09:20" in text, "the hall's own time (Asia/Shanghai)"
        assert "idcard-0：故障（timeout，3 次）" in text
        assert "内容长时间未更新" in page.locator("#alerts-history").inner_text()
        shoot(page, "console_alerts")
        page.goto(f"{site.url}/console/alerts?lang=en")
        assert "Screen silent (keeps recurring)" in page.locator("#alerts-open").inner_text()
        page.goto(f"{site.url}/console/fleet?lang=zh-CN")
        assert page.locator("#fleet-alerts").inner_text() == "未解除告警 3 条"
