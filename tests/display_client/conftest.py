"""Fixtures for the wall player: a stand-in server process (wall_harness.py) and Debian Chromium."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# pytest runs with --import-mode=importlib, which puts neither this directory nor the repository
# on sys.path: add both so the helpers and ``display_client`` import the same way everywhere.
for _path in (Path(__file__).resolve().parents[2], Path(__file__).resolve().parent):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from wall_support import SEEN_SCRIPT, Harness  # noqa: E402

from tests.support.browser import ARTIFACTS  # noqa: E402


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[Harness]:
    server = Harness(tmp_path)
    server.start()
    yield server
    server.close()


@pytest.fixture
def open_wall(browser: Any, harness: Harness) -> Iterator[Callable[..., Any]]:
    """open_wall(key, width=1920, height=1080, service_workers="block") → a Playwright page on the wall.

    Fails the test if the page raised an uncaught exception.
    """
    contexts: list[Any] = []
    errors: list[str] = []

    def _open(key: str, width: int = 1920, height: int = 1080, service_workers: str = "block") -> Any:
        context = browser.new_context(
            viewport={"width": width, "height": height},
            service_workers=service_workers,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
        )
        contexts.append(context)
        context.add_init_script(SEEN_SCRIPT)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(harness.url(f"/screen/{key}"))
        return page

    yield _open
    for context in contexts:
        context.close()
    assert not errors, f"uncaught errors in the page: {errors}"


@pytest.fixture(scope="session")
def module_origin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    """One harness per worker, only to serve the player's modules: a module test never touches its state.

    Each module test still gets its own browser context (its own storage), so nothing leaks between tests.
    """
    server = Harness(tmp_path_factory.mktemp("module-origin"))
    server.start()
    yield server
    server.close()


@pytest.fixture
def module_page(browser: Any, module_origin: Harness) -> Iterator[Any]:
    """A blank page on a harness origin, for importing the player's modules one by one."""
    context = browser.new_context(service_workers="block", locale="zh-CN")
    page = context.new_page()
    page.goto(module_origin.url("/_test/blank"))
    yield page
    context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
