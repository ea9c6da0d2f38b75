"""Acceptance: the README's demo serves wall pages that show vacancies and notices in Chinese."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from tests.support.browser import chromium_missing, screenshot
from tests.support.demo import run_demo, stop
from tests.support.server import free_port

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
]

SIZES = {"wall": (1920, 1080), "wide": (3840, 1080), "led": (768, 384)}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[str]]]:
    port = free_port()
    proc, lines = run_demo(tmp_path_factory.mktemp("demo") / "var", port)
    yield f"http://127.0.0.1:{port}", lines
    stop(proc)


def shown_kinds(base: str, key: str) -> tuple[set[str], dict[str, Any]]:
    """Item kinds the current segment of a screen plays, from its manifest."""
    payload = requests.get(f"{base}/screen/{key}/manifest.json", timeout=10).json()
    manifest = payload["manifest"]
    segment = manifest["segments"][0]
    keys = [k for entries in segment["regions"].values() for e in entries for k in (e.get("items") or [e.get("item")])]
    return {manifest["items"][k]["kind"] for k in keys if k}, manifest


def test_printed_wall_urls_show_vacancies_and_notices_in_chinese(demo, browser: Any) -> None:
    base, lines = demo
    keys = re.findall(r"/screen/(\S+)", "\n".join(lines))
    candidates = [k for k in keys if {"vacancy", "notice"} <= shown_kinds(base, k)[0]]
    assert candidates, "at least one printed wall plays vacancies and notices right now"
    key = candidates[0]
    _, manifest = shown_kinds(base, key)
    vacancy_titles = [i["title"] for i in manifest["items"].values() if i["kind"] == "vacancy"]
    notice_titles = [i["title"] for i in manifest["items"].values() if i["kind"] == "notice"]
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    page.goto(f"{base}/screen/{key}")
    page.wait_for_function(
        "ts => ts.some(t => document.body.innerText.includes(t))", arg=vacancy_titles, timeout=20_000
    )
    page.wait_for_function("ts => ts.some(t => document.body.innerText.includes(t))", arg=notice_titles, timeout=60_000)
    path = screenshot(page, "demo-wall-1920x1080")
    assert path.stat().st_size > 20_000
    # Chinese glyphs must be real glyphs: a CJK font is installed and used.
    fonts = page.evaluate("document.fonts.check('32px \"Noto Sans CJK SC\"', '岗位')")
    assert fonts is True
    page.close()


@pytest.mark.parametrize("profile", ["wide", "led"])
def test_demo_profiles_render(demo, browser: Any, profile: str) -> None:
    base, _ = demo
    screens = requests.get(
        f"{base}/api/v1/screens?per_page=100", timeout=10, headers={"Authorization": f"Bearer {token(base, demo[1])}"}
    ).json()
    rows = screens["items"] if isinstance(screens, dict) else screens
    wanted = [s for s in rows if s["kind"] == "wall" and (s["width_px"], s["height_px"]) == SIZES[profile]]
    assert wanted, f"the demo has a {profile} wall"
    detail = requests.get(
        f"{base}/api/v1/screens/{wanted[0]['id']}",
        timeout=10,
        headers={"Authorization": f"Bearer {token(base, demo[1])}"},
    ).json()
    width, height = SIZES[profile]
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(f"{base}/screen/{detail['key']}")
    page.wait_for_function("document.body.innerText.trim().length > 20", timeout=20_000)
    screenshot(page, f"demo-{profile}-{width}x{height}")
    overflow = page.evaluate("document.documentElement.scrollWidth > innerWidth + 1")
    assert overflow is False, "nothing may stick out of the screen"
    page.close()


def token(base: str, lines: list[str]) -> str:
    found = re.search(r"API token:\s+(\S+)", "\n".join(lines))
    assert found
    return found.group(1)
