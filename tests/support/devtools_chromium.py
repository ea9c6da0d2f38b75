"""A real headless Chromium with its DevTools port open, showing a page of known colours, for screenshot tests."""

from __future__ import annotations

import json
import re
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

CHROMIUM = "/usr/bin/chromium"
RED = (255, 0, 0)
BLUE = (0, 0, 255)
# A red 200×100 block at the top left of a blue page; the page writes its own size into its title.
PAGE = (
    "<!doctype html><html><body style='margin:0;background:#0000ff'>"
    "<div style='position:absolute;left:0;top:0;width:200px;height:100px;background:#ff0000'></div>"
    "<script>onresize = onload = () => { document.title = innerWidth + 'x' + innerHeight }</script></body></html>"
)
PAGE_URL = "data:text/html," + quote(PAGE)


@dataclass(frozen=True)
class Browser:
    url: str  # its DevTools URL
    viewport: tuple[int, int]  # the page's CSS size, as the page itself reported it in its title


def _wait_for(condition: Callable[[], object], what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _viewport(url: str) -> tuple[int, int] | None:
    """The size the test page wrote into its title, once it has loaded."""
    try:
        with urllib.request.urlopen(url + "/json/list", timeout=1) as response:
            targets = json.loads(response.read())
    except OSError:
        return None
    for target in targets:
        match = re.fullmatch(r"(\d+)x(\d+)", target.get("title", ""))
        if target.get("type") == "page" and match:
            return int(match.group(1)), int(match.group(2))
    return None


@contextmanager
def headless_chromium(profile: Path) -> Iterator[Browser]:
    """Chromium 800 pixels wide showing PAGE (its height is the window less its frame), DevTools on a
    port Chromium picks (``--remote-debugging-port=0``, read back from DevToolsActivePort: no race)."""
    process = subprocess.Popen(
        [
            CHROMIUM,
            "--headless=new",
            "--remote-debugging-port=0",
            "--remote-debugging-address=127.0.0.1",
            f"--user-data-dir={profile}",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--test-type",  # no "unsupported command-line flag" bar over the page
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
            "--window-size=800,600",
            PAGE_URL,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        port_file = profile / "DevToolsActivePort"
        _wait_for(lambda: port_file.exists() and port_file.read_text().strip(), "Chromium's DevToolsActivePort")
        url = f"http://127.0.0.1:{int(port_file.read_text().split()[0])}"
        _wait_for(lambda: _viewport(url), "the test page to load")
        viewport = _viewport(url)
        assert viewport is not None and viewport[0] == 800
        yield Browser(url, viewport)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
