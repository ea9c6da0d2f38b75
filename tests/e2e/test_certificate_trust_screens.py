"""End to end, with Chromium: the screens of a trusted 参保证明 (issue 21), photographed and looked at.

The kiosk's certificate screen (signed, and the masked-ID notice said before issuing), the public verify
page on a phone with its form for a typed code, and the console's 电子印章 page. The masked-ID case is
played by answering the page's GET /session/certificate (what the server says for an e-card session,
tests/kiosk_server/test_certificate_trust.py covers the server side); the POST that issues is real.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy.orm import Session

from content.citizens import seal_images
from content.citizens.signing_keys import generate_identity
from content.org.tree import OrgUnit
from kiosk_server.certificate_signing import signing_key
from kiosk_server.database import make_engine
from kiosk_server.hall_seals import demo_seal_png, ensure_demo_trust
from tests.support.browser import chromium_missing, doc_screenshot
from tests.support.console_browser import console_pages, console_site, shoot, sign_in
from tests.support.console_world import ConsoleWorld
from tests.support.kiosk_site import (
    PORTRAIT,
    SECRET,
    KioskSite,
    kiosk_site,
    open_kiosk,
    tap,
    wait_screen,
    wait_session,
)
from tests.support.server import ServerProcess

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
]

PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KioskSite]:
    root = Path(tmp_path_factory.mktemp("certificate-trust"))
    with kiosk_site(root) as running:
        engine = make_engine(f"sqlite:///{root / 'kiosk.sqlite3'}")
        with Session(engine) as session:
            assert ensure_demo_trust(session, signing_key(SECRET), datetime.now(UTC)) == ["signing_key", "seal"]
            session.commit()
        engine.dispose()
        yield running


@pytest.fixture
def page(browser: Any, site: KioskSite) -> Iterator[Any]:
    opened = open_kiosk(browser, site, PORTRAIT)
    yield opened
    errors = opened.kiosk_errors
    opened.context.close()
    site.clear()
    assert not errors, f"uncaught errors in the kiosk page: {errors}"


def to_certificate(page: Any, site: KioskSite) -> None:
    site.present(site.gappy)
    wait_session(page)
    tap(page, "[data-tile=records]")
    wait_screen(page, "records")
    page.wait_for_selector("[data-action=certificate]")
    tap(page, "[data-action=certificate]")


def issued_answer(page: Any) -> Any:
    return page.expect_response(
        lambda r: r.url.endswith("/kiosk/api/session/certificate") and r.request.method == "POST"
    )


def test_the_kiosk_issues_a_signed_certificate_and_shows_only_masked_values(page: Any, site: KioskSite) -> None:
    with issued_answer(page) as issued:
        to_certificate(page, site)
    answer = issued.value.json()
    assert answer["signed"] and answer["sealed"] and answer["full_id"]
    wait_screen(page, "certificate")
    page.wait_for_function(
        "() => { const i = document.querySelector('.kcert__qr'); return i && i.complete && i.naturalWidth > 0; }"
    )
    text = page.inner_text(".kcert")
    assert answer["code"].replace("-", " ") in text and "最多下载 3 次" in text
    assert "数字签名" not in text, "a signed certificate needs no note"
    assert site.gappy.id_number not in page.content() and site.gappy.name not in page.content()
    assert page.evaluate("() => document.documentElement.scrollWidth <= innerWidth")
    doc_screenshot(page, "kiosk-certificate-signed")
    pdf = requests.get(answer["phone_url"], timeout=10)
    assert pdf.status_code == 200 and b"/ByteRange" in pdf.content


def test_the_kiosk_says_before_issuing_why_the_id_will_be_masked(page: Any, site: KioskSite) -> None:
    # "reload": the one reason an ID-card session (the header says 已读取居民身份证) can have.
    ahead = {"full_id": False, "masked_why": "reload", "masked_reason": "", "signed": True, "sealed": True}

    def answer_ahead(route: Any) -> None:
        if route.request.method == "GET":
            route.fulfill(status=200, json=ahead, headers={"Cache-Control": "no-store"})
        else:
            route.continue_()

    page.route("**/kiosk/api/session/certificate", answer_ahead)
    to_certificate(page, site)
    page.wait_for_selector("[data-action=issue]")
    notice = page.inner_text(".kcert__note--ahead")
    assert notice == "本机页面刷新后，证明仅显示部分证件号码；需要完整号码请重新刷身份证或社保卡"
    assert page.locator(".kcert__qr").count() == 0, "nothing is issued before the citizen agrees"
    doc_screenshot(page, "kiosk-certificate-masked-notice")
    with issued_answer(page):
        tap(page, "[data-action=issue]")
    page.wait_for_selector(".kcert__code")


def test_the_verify_page_on_a_phone_takes_a_typed_code(browser: Any, site: KioskSite, page: Any) -> None:
    with issued_answer(page) as issued:
        to_certificate(page, site)
    code = issued.value.json()["code"]
    phone = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    phone.goto(f"{site.server.url}/verify")
    phone.fill("#code", code.replace("-", "").lower())
    phone.click("form.lookup button")
    phone.wait_for_selector(".status.valid")
    assert phone.url.endswith(f"/verify/{code}")
    body = phone.inner_text("main")
    assert "真实有效" in body and "已签名" in body and site.gappy.id_number not in phone.content()
    assert phone.evaluate("() => document.documentElement.scrollWidth <= innerWidth"), "no sideways scroll"
    doc_screenshot(phone, "certificate-verify-phone")
    phone.context.close()


# -- the console ------------------------------------------------------------------------------------------------------


def _trust(session: Session, cw: ConsoleWorld) -> None:
    province = session.get(OrgUnit, cw.world.province_id)
    assert province is not None
    generate_identity(session, province, "甘肃省人力资源和社会保障厅（演示）", bytes(32), datetime.now(UTC))
    seal_images.set_seal(
        session, seal_images.check_png(demo_seal_png()), "demo", datetime.now(UTC), org_unit_id=province.id
    )


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with console_site(Path(tmp_path_factory.mktemp("seals")), _trust) as (server, _cw, _):
        yield server


def test_the_console_seal_page(browser: Any, console: ServerProcess) -> None:
    with console_pages(browser, {"width": 1366, "height": 768}) as new_page:
        page = new_page()
        sign_in(page, console, "orgadmin")
        page.goto(f"{console.url}/console/seals")
        page.wait_for_selector("[data-seal-hall]")
        assert "沿用上级机构“甘肃省”的印章" in page.inner_text("main")
        assert "甘肃省人力资源和社会保障厅（演示）" in page.inner_text("main")
        page.wait_for_function("() => [...document.images].every((i) => i.complete && i.naturalWidth > 0)")
        shoot(page, "console-seals", full=True)
        page.set_input_files("#f-seal-1", files=[{"name": "seal.png", "mimeType": "image/png", "buffer": b"not a png"}])
        page.click("[data-seal-hall='1'] form button[type=submit]")
        page.wait_for_selector(".field__error")
        assert "该文件不是 PNG 图片，未作更改" in page.inner_text(".field__error")
