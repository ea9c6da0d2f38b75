"""The agent's screenshot against a real headless Chromium started with its DevTools port."""

from __future__ import annotations

import io
import shutil
import socket
import time
from collections.abc import Iterator

import pytest
from PIL import Image

from devices.agent.devtools import DevToolsError, capture_screenshot, png_size
from tests.support.devtools_chromium import BLUE, CHROMIUM, RED, Browser, headless_chromium

pytestmark = pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason="needs Chromium at /usr/bin/chromium")


@pytest.fixture(scope="module")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    with headless_chromium(tmp_path_factory.mktemp("chromium-profile")) as browser:
        yield browser


def test_screenshot_is_a_png_of_the_page_with_its_colours(chromium: Browser) -> None:
    shot = capture_screenshot(1920, devtools_url=chromium.url)
    assert (shot.width, shot.height) == chromium.viewport
    assert png_size(shot.png) == chromium.viewport
    image = Image.open(io.BytesIO(shot.png))
    assert image.format == "PNG" and image.size == chromium.viewport
    rgb = image.convert("RGB")
    assert rgb.getpixel((100, 50)) == RED  # inside the red block
    assert rgb.getpixel((400, 300)) == BLUE  # the blue page
    assert rgb.getpixel((210, 50)) == BLUE  # just right of the block


def test_screenshot_wider_than_max_width_is_scaled_down(chromium: Browser) -> None:
    shot = capture_screenshot(400, devtools_url=chromium.url)
    width, height = chromium.viewport
    assert shot.width == 400 and abs(shot.height - height / 2) <= 1
    rgb = Image.open(io.BytesIO(shot.png)).convert("RGB")
    assert rgb.size == (shot.width, shot.height)
    assert rgb.getpixel((50, 25)) == RED  # the block is 100×50 now
    assert rgb.getpixel((150, 25)) == BLUE
    assert rgb.getpixel((300, 200)) == BLUE


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_unreachable_port_is_a_clear_error_not_a_hang() -> None:
    started = time.monotonic()
    with pytest.raises(DevToolsError) as raised:
        capture_screenshot(1920, devtools_url=f"http://127.0.0.1:{_free_port()}", timeout=5)
    assert raised.value.code == "devtools_unreachable"
    assert "--remote-debugging-port" in str(raised.value)
    assert time.monotonic() - started < 5


def test_a_port_that_accepts_but_never_answers_times_out() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        port = silent.getsockname()[1]
        started = time.monotonic()
        with pytest.raises(DevToolsError) as raised:
            capture_screenshot(1920, devtools_url=f"http://127.0.0.1:{port}", timeout=1.5)
    assert raised.value.code in {"devtools_unreachable", "devtools_timeout"}
    assert time.monotonic() - started < 4


def test_png_size_refuses_what_is_not_a_png() -> None:
    with pytest.raises(DevToolsError, match="not a PNG"):
        png_size(b"GIF89a" + bytes(30))
