"""Acceptance, end to end: the console's content library in Chromium against a real ``kiosk serve``.

An image uploaded through the form shows as its thumbnail; a script named like an image is refused
with a message naming the accepted types; a ticker is written and listed. The pages are photographed
(test-artifacts/, or docs/screens/ with KIOSK_DOC_SCREENS=1): look at them.
"""

from __future__ import annotations

from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import Any, Final

import pytest
from PIL import Image, ImageDraw

from tests.support.browser import chromium_missing
from tests.support.console_browser import console_pages, console_site, shoot, sign_in
from tests.support.console_world import ConsoleWorld
from tests.support.server import ServerProcess

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
]

DESKTOP: Final = {"width": 1366, "height": 900}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, ConsoleWorld, None]]:
    with console_site(Path(tmp_path_factory.mktemp("library"))) as running:
        yield running


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    with console_pages(browser, DESKTOP) as new_page:
        yield new_page()


def poster(path: Path) -> Path:
    """A 1200×800 poster-like PNG: bands of colour and a few blocks, so the thumbnail shows something."""
    image = Image.new("RGB", (1200, 800), (11, 78, 162))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 560, 1200, 800), fill=(240, 162, 2))
    for n in range(4):
        draw.rectangle((80 + n * 270, 140, 300 + n * 270, 460), fill=(255, 255, 255))
    out = BytesIO()
    image.save(out, "PNG")
    path.write_bytes(out.getvalue())
    return path


def test_an_uploaded_image_shows_as_its_thumbnail_and_a_disguised_script_is_refused(
    site: Any, page: Any, tmp_path: Path
) -> None:
    server, cw, _ = site
    sign_in(page, server, "editor")
    page.click("nav.top__nav >> text=内容库")
    page.click("nav.library-tabs >> text=素材")
    page.wait_for_url("**/console/media")
    page.set_input_files("#f-file", str(poster(tmp_path / "春风行动招聘会.png")))
    page.select_option("#f-org_unit_id", str(cw.world.county_id))
    page.fill("#f-valid_until", "2027-03-31T18:00")
    page.click(".library-upload button[type=submit]")
    page.wait_for_selector(".flash")
    assert "已上传：春风行动招聘会" in page.inner_text(".flash")
    thumb = page.locator(".library-card img").first
    thumb.wait_for()
    page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=thumb.element_handle(), timeout=10_000)
    assert page.evaluate("(img) => [img.naturalWidth, img.naturalHeight]", thumb.element_handle()) == [320, 213]
    assert "/thumb" in (thumb.get_attribute("src") or "")
    shoot(page, "console-media")

    script = tmp_path / "海报.png"
    script.write_text("<script>fetch('/console/users').then(r => r.text()).then(t => alert(t))</script>")
    page.set_input_files("#f-file", str(script))
    page.select_option("#f-org_unit_id", str(cw.world.city_id))
    page.click(".library-upload button[type=submit]")
    message = page.locator("#f-file-error").inner_text()
    assert "文件开头是文本" in message and "只接受 PNG、JPEG、GIF、WebP 图片或 MP4、WebM 视频" in message
    assert page.locator(".library-card").count() == 1
    shoot(page, "console-media-refused")

    page.click(".library-card a")
    page.wait_for_url("**/console/media/*")
    assert len(page.inner_text("#sha256")) == 64
    shoot(page, "console-media-edit")


def test_a_ticker_is_written_and_listed(site: Any, page: Any) -> None:
    server, cw, _ = site
    sign_in(page, server, "editor")
    page.goto(f"{server.url}/console/tickers")
    page.click("text=新建滚动字幕")
    page.click("main button[type=submit]")
    assert page.locator("#f-title-error").inner_text().endswith("请填写此项")
    shoot(page, "console-ticker-form-errors")
    page.fill("#f-title", "本周六上午9点在城关区公共就业服务中心举办春风行动专场招聘会")
    page.select_option("#f-org_unit_id", str(cw.world.city_id))
    page.fill("#f-valid_from", "2026-12-01T08:00")
    page.click("main button[type=submit]")
    page.wait_for_selector(".flash")
    row = page.locator("tbody tr", has_text="春风行动专场招聘会")
    assert row.count() == 1 and "兰州市" in row.inner_text()
    shoot(page, "console-tickers")


def test_the_vacancy_pages(site: Any, page: Any) -> None:
    server, _, _ = site
    sign_in(page, server, "editor")
    page.goto(f"{server.url}/console/vacancies")
    assert "仓储管理员1" in page.inner_text("table")
    shoot(page, "console-vacancies")
    page.click("text=新建岗位")
    page.fill("#f-title", "叉车司机")
    page.fill("#f-occupation_code", "6300503")
    page.fill("#f-salary_min", "8000")
    page.fill("#f-salary_max", "5000")
    page.click("main button[type=submit]")
    assert "GB/T 6565" in page.locator("#f-occupation_code-error").inner_text()
    assert page.locator("#f-employer-error").is_visible()
    shoot(page, "console-vacancy-form-errors")
    page.goto(f"{server.url}/console/vacancies?lang=en")
    assert "Vacancies" in page.inner_text("h1")
    shoot(page, "console-vacancies-en")
