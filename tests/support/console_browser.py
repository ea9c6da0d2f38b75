"""The console in Chromium: a real ``kiosk serve`` on the console world, pages checked for script
errors, signing in through the form, and photographs checked for a CJK font and sideways scrolling."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final, TypeVar

from sqlalchemy.orm import Session

from kiosk_server.database import make_engine
from tests.support import migrated_schema
from tests.support.browser import doc_screenshot
from tests.support.console_world import NOON, PASSWORD, Clock, ConsoleWorld, seed_console_world
from tests.support.server import ServerProcess

T = TypeVar("T")
DESKTOP: Final = {"width": 1366, "height": 800}


@contextmanager
def console_site(
    root: Path,
    extra: Callable[[Session, ConsoleWorld], T] | None = None,
) -> Iterator[tuple[ServerProcess, ConsoleWorld, T | None]]:
    """A server on a fresh SQLite database holding the console world and whatever ``extra`` adds (committed)."""
    url = f"sqlite:///{root / 'kiosk.sqlite3'}"
    migrated_schema.install(url)  # a copy of the migrated template; upgrade_schema then finds it at head
    engine = make_engine(url)
    migrated_schema.ready(engine)
    with Session(engine) as session:
        cw = seed_console_world(session, Clock(NOON))
        added = extra(session, cw) if extra is not None else None
        session.commit()
    engine.dispose()
    server = ServerProcess(root / "server", url)
    server.start()
    try:
        yield server, cw, added
    finally:
        server.stop()


@contextmanager
def console_pages(browser: Any, viewport: dict[str, int] = DESKTOP) -> Iterator[Callable[[], Any]]:
    """``new_page()`` opens a page in its own context (its own cookies); afterwards, no page may have had a script error."""
    contexts: list[Any] = []
    errors: list[str] = []

    def new_page() -> Any:
        context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai")
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    yield new_page
    for context in contexts:
        context.close()
    assert not errors, f"script errors on the page: {errors}"


def sign_in(page: Any, server: ServerProcess, username: str, password: str = PASSWORD, *, wait: bool = True) -> None:
    """Sign in through the form; with ``wait``, until the console's first page is there."""
    page.goto(f"{server.url}/console/login")
    page.fill("#f-username", username)
    page.fill("#f-password", password)
    page.click("main button[type=submit]")
    if wait:
        page.wait_for_url("**/console/")


def shoot(page: Any, name: str, *, full: bool = False) -> None:
    """Check the page has its CJK font and does not scroll sideways, then photograph it (see doc_screenshot)."""
    page.evaluate("() => document.fonts.ready")
    assert page.evaluate("() => document.fonts.check('16px \"Noto Sans CJK SC\"', '管理控制台')"), "a CJK font"
    assert page.evaluate("() => document.documentElement.scrollWidth <= innerWidth"), f"{name} scrolls sideways"
    if full:
        width = page.viewport_size["width"]
        page.set_viewport_size({"width": width, "height": page.evaluate("document.body.scrollHeight")})
    doc_screenshot(page, name)
