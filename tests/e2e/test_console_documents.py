"""Acceptance, end to end: a PDF uploaded through the console's 文档 page shows a thumbnail of every page.

A 500-page PDF is refused with the page cap on its field. The pages are photographed (test-artifacts/,
or docs/screens/ with KIOSK_DOC_SCREENS=1): look at them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import pytest

from tests.support.browser import chromium_missing
from tests.support.console_browser import console_pages, console_site, shoot, sign_in
from tests.support.console_world import ConsoleWorld
from tests.support.pdf_samples import many_pages_pdf, policy_pdf
from tests.support.server import ServerProcess

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
]

DESKTOP: Final = {"width": 1366, "height": 900}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, ConsoleWorld, None]]:
    with console_site(Path(tmp_path_factory.mktemp("documents"))) as running:
        yield running


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    with console_pages(browser, DESKTOP) as new_page:
        yield new_page()


def test_a_pdf_upload_lists_its_page_thumbnails_and_a_500_page_pdf_is_refused(
    site: Any, page: Any, tmp_path: Path
) -> None:
    server, cw, _ = site
    sign_in(page, server, "editor")
    page.click("nav.top__nav >> text=内容库")
    page.click("nav.library-tabs >> text=文档")
    page.wait_for_url("**/console/documents")
    pdf = tmp_path / "就业创业政策解读.pdf"
    pdf.write_bytes(policy_pdf(4))
    page.set_input_files("#f-file", str(pdf))
    page.select_option("#f-org_unit_id", str(cw.world.county_id))
    page.click(".library-upload button[type=submit]")
    page.wait_for_selector(".flash")
    assert "已上传：就业创业政策解读（4 页）" in page.inner_text(".flash")
    thumbs = page.locator(".document-card .document-pages img")
    assert thumbs.count() == 4
    page.wait_for_function(
        "() => [...document.querySelectorAll('.document-pages img')].every((img) => img.complete && img.naturalWidth > 0)",
        timeout=10_000,
    )
    shoot(page, "console-documents")

    many = tmp_path / "汇编.pdf"
    many.write_bytes(many_pages_pdf(500))
    page.set_input_files("#f-file", str(many))
    page.select_option("#f-org_unit_id", str(cw.world.county_id))
    page.click(".library-upload button[type=submit]")
    assert "PDF 有 500 页，最多 50 页" in page.locator("#f-file-error").inner_text()
    assert page.locator(".document-card").count() == 1
    shoot(page, "console-documents-refused")
