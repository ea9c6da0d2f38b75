"""Playwright driving Debian's Chromium (never a downloaded browser)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

CHROMIUM: Final = "/usr/bin/chromium"
CHROMIUM_ARGS: Final = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]
ARTIFACTS: Final = Path(__file__).resolve().parents[2] / "test-artifacts"


def chromium_missing() -> str | None:
    """Why browser tests cannot run here, or None if they can."""
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is not installed (./dev.sh test installs Debian's chromium)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "playwright for Python is not installed"
    return None


@contextmanager
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


DOC_SCREENS: Final = Path(__file__).resolve().parents[2] / "docs" / "screens"


def doc_screenshot(page: Any, name: str) -> Path:
    """A screenshot for test-artifacts/, or for docs/screens/ when KIOSK_DOC_SCREENS=1 (to refresh the docs).

    Pages show the clock, so writing docs/screens on every run would change tracked files each time.
    """
    import os

    if os.environ.get("KIOSK_DOC_SCREENS") != "1":
        return screenshot(page, name)
    DOC_SCREENS.mkdir(parents=True, exist_ok=True)
    path = DOC_SCREENS / f"{name}.png"
    page.screenshot(path=str(path))
    return path
