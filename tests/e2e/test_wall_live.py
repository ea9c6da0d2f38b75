"""Acceptance, end to end: a real server, the real wall player in Chromium, changes through the REST API."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy.orm import Session

from kiosk_server.database import make_engine
from tests.support import migrated_schema
from tests.support.browser import chromium_missing, screenshot
from tests.support.server import ServerProcess
from tests.support.world import World, build_world

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
]

AUTH = {"Authorization": "Bearer test-token"}


@pytest.fixture
def live(database_url: str, tmp_path: Path) -> Iterator[tuple[ServerProcess, World]]:
    engine = make_engine(database_url)
    migrated_schema.ready(engine)
    with Session(engine) as session:
        world = build_world(session, vacancies=3)  # one page: a new vacancy is on the page being shown
    engine.dispose()
    server = ServerProcess(tmp_path / "server", database_url)
    server.start()
    yield server, world
    server.stop()


# What each wall's schedule plays: city-level vacancies in 兰州, only the provincial notice in 天水.
VACANCY, NOTICE = "仓储管理员", "失业保险金申领指南"


@pytest.fixture
def open_wall(browser: Any, live) -> Iterator[Any]:
    """open_wall(key, size=(1920, 1080), expect=VACANCY): a page on that wall, showing ``expect``."""
    server, _ = live
    pages: list[Any] = []

    def opener(key: str, size: tuple[int, int] = (1920, 1080), expect: str = VACANCY) -> Any:
        page = browser.new_page(viewport={"width": size[0], "height": size[1]})
        pages.append(page)
        page.goto(f"{server.url}/screen/{key}")
        text_shown(page, expect, timeout_ms=15_000)
        return page

    yield opener
    for page in pages:
        page.close()


def text_shown(page: Any, text: str, timeout_ms: int) -> None:
    page.wait_for_function("t => document.body.innerText.includes(t)", arg=text, timeout=timeout_ms)


def text_gone(page: Any, text: str, timeout_ms: int) -> None:
    page.wait_for_function("t => !document.body.innerText.includes(t)", arg=text, timeout=timeout_ms)


def wall_state(page: Any) -> str:
    return str(
        page.evaluate(
            "JSON.stringify({...document.querySelector('#wall').dataset, text: document.body.innerText.slice(0, 300)})"
        )
    )


def post(server: ServerProcess, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = requests.post(f"{server.url}/api/v1{path}", json=body, headers=AUTH, timeout=10)
    assert response.status_code == 201, response.text
    return response.json()


def test_vacancy_created_through_the_api_appears_without_reload(open_wall, live) -> None:
    server, world = live
    page = open_wall(world.wall_keys[0])
    page.evaluate("window.__marker = 'set-before-the-change'")
    title = "电子商务师（直播带货）"
    started = time.monotonic()
    post(
        server,
        "/vacancies",
        {
            "org_unit_id": world.city_id,
            "employer_id": world.employer_id,
            "title": title,
            "occupation_code": "4-01-02-02",
            "headcount": 4,
            "salary_min": 5000,
            "salary_max": 8000,
            "education": "大专",
            "district": "城关区",
            "contact": "0931-8123456",
            "valid_until": (datetime.now(UTC) + timedelta(days=20)).isoformat(),
        },
    )
    try:
        text_shown(page, title, timeout_ms=2_000)
    except Exception as err:
        screenshot(page, "e2e-wall-new-vacancy-missing")
        raise AssertionError(f"new vacancy not shown within 2 s; wall state: {wall_state(page)}") from err
    elapsed = time.monotonic() - started
    assert page.evaluate("window.__marker") == "set-before-the-change", "the page must not reload"
    screenshot(page, "e2e-wall-new-vacancy")
    print(f"publish-to-render: {elapsed * 1000:.0f} ms")


def test_province_emergency_preempts_every_screen_below_and_schedule_returns(open_wall, live) -> None:
    server, world = live
    expected = {world.wall_keys[0]: VACANCY, world.other_wall_key: NOTICE, world.led_key: VACANCY}
    pages = [open_wall(world.wall_keys[0]), open_wall(world.other_wall_key, expect=NOTICE)]
    led = open_wall(world.led_key, size=(768, 384))
    pages.append(led)
    title = "紧急疏散演练通知"
    expires = datetime.now(UTC) + timedelta(seconds=12)
    post(
        server,
        "/emergencies",
        {
            "org_unit_id": world.province_id,
            "title": title,
            "body": "请听从工作人员指引，有序撤离。",
            "severity": "critical",
            "expires_at": expires.isoformat(),
            "targets": [{"mode": "include", "kind": "org", "ref": world.province_id}],
        },
    )
    for key, page in zip(expected, pages, strict=True):
        try:
            text_shown(page, title, timeout_ms=3_000)
        except Exception as err:
            raise AssertionError(
                f"emergency not on wall {key[:4]}… within 3 s: {wall_state(page)}\n{server.log_tail()}"
            ) from err
    screenshot(pages[0], "e2e-wall-emergency")
    screenshot(led, "e2e-led-emergency")
    remaining_ms = max(0, (expires - datetime.now(UTC)).total_seconds() * 1000)
    for page, back in zip(pages, expected.values(), strict=True):
        text_gone(page, title, timeout_ms=int(remaining_ms) + 5_000)
        text_shown(page, back, timeout_ms=20_000)
    assert datetime.now(UTC) >= expires - timedelta(seconds=1), "the emergency must stay up until its expiry"
