"""A 参保证明 an agency accepts (issue 21): full identity on paper, the hall's seal, a PAdES signature, the phone link.

Through the kiosk API, on SQLite and PostgreSQL: the PDF carries the full name and ID number while every
screen stays masked; it is signed with the hall's (inherited) identity and validates with pyHanko against
the demo root; it is rendered to PNG (pypdfium2) to be looked at; the phone link gives 3 downloads, then
410; after its window the kept PDF is gone; a double tap gives one certificate; nothing personal is logged.
"""

from __future__ import annotations

import io
import logging
import os
import warnings
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium  # type: ignore[import-untyped]
import pytest
from cryptography import x509
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.accounts.audit import AuditEntry
from content.citizens.certificates import MAX_DOWNLOADS, Certificate
from content.citizens.demo_backend import issue_ecard_token
from content.citizens.records import CardSource, identity_from_card
from content.citizens.sessions import identify_and_open
from content.citizens.signing_keys import SigningIdentity, generate_identity
from content.org.screens import Screen
from content.org.tree import OrgUnit
from kiosk_server.certificate_signing import MASKED_REASONS, certificate_pdf_for_print, signing_key
from kiosk_server.database import database
from kiosk_server.hall_seals import demo_seal_png, ensure_demo_trust
from kiosk_server.session_sweeper import SessionSweeper
from kiosk_server.settings_access import runtime, settings
from tests.support.citizens import Holder, Kiosk, add_holder, add_kiosk, ecard_read, open_citizen_session
from tests.support.world import build_world

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DOC_SCREENS = Path(__file__).resolve().parents[2] / "docs" / "screens"
HALL = "城关区公共就业服务中心"


@dataclass(frozen=True)
class Site:
    kiosk: Kiosk
    holder: Holder
    hall_id: int
    province_id: int
    county_id: int


@pytest.fixture
def site(app: Flask) -> Site:
    """A hall with a kiosk, a demo card holder with a history, and the demo's province seal and signing key."""
    from content.demo import DEFAULT_RNG_SEED, seed_histories

    rt = runtime(app)
    with Session(database(app).engine) as session:
        world = build_world(session, vacancies=0)
        kiosk = add_kiosk(session, world.hall_id, rt.policy.credential_key)
        holder = add_holder(session, rt.policy.records_key)
        assert seed_histories(session, DEFAULT_RNG_SEED, today=datetime.now(UTC).date()) == 1
        assert ensure_demo_trust(session, signing_key(settings(app).secret_key), datetime.now(UTC)) == [
            "signing_key",
            "seal",
        ]
        session.commit()
        return Site(kiosk, holder, world.hall_id, world.province_id, world.county_id)


def headers(site: Site, token: str = "") -> dict[str, str]:
    return {"X-Screen-Key": site.kiosk.key, **({"X-Citizen-Session": token} if token else {})}


def open_session(app: Flask, site: Site) -> str:
    rt = runtime(app)
    with Session(database(app).engine) as session:
        return open_citizen_session(session, rt.policy.backend(session, rt.clock), site.kiosk, site.holder)


def issue(client: Any, site: Site, token: str) -> dict[str, Any]:
    answer = client.post("/kiosk/api/session/certificate", headers=headers(site, token))
    assert answer.status_code == 200, answer.get_data(as_text=True)
    body: dict[str, Any] = answer.json
    return body


def phone_path(body: dict[str, Any]) -> str:
    return body["phone_url"].removeprefix("http://localhost")


def pdf_text(pdf: bytes) -> str:
    doc = pdfium.PdfDocument(pdf)
    try:
        return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    finally:
        doc.close()


def render_png(pdf: bytes, name: str) -> bytes:
    """The first page at 2× as PNG, kept under test-artifacts/ (and docs/screens/ with KIOSK_DOC_SCREENS=1)."""
    doc = pdfium.PdfDocument(pdf)
    try:
        image = doc[0].render(scale=2).to_pil()
    finally:
        doc.close()
    out = io.BytesIO()
    image.save(out, format="PNG")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / name).write_bytes(out.getvalue())
    if os.environ.get("KIOSK_DOC_SCREENS") == "1":
        (DOC_SCREENS / name).write_bytes(out.getvalue())
    return out.getvalue()


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    caplog.set_level(logging.DEBUG)
    yield caplog


def test_the_paper_carries_the_full_identity_the_seal_and_a_valid_signature(
    app: Flask, client: Any, site: Site, logs: pytest.LogCaptureFixture
) -> None:
    token = open_session(app, site)
    ahead = client.get("/kiosk/api/session/certificate", headers=headers(site, token)).json
    assert ahead == {"full_id": True, "masked_why": "", "masked_reason": "", "signed": True, "sealed": True}
    body = issue(client, site, token)
    assert body["signed"] and body["sealed"] and body["full_id"] and body["signer"] == "甘肃省（演示签名）"
    assert body["max_downloads"] == MAX_DOWNLOADS == 3
    for screen_text in (str(ahead), str(body)):  # what the kiosk is told never holds the person
        assert site.holder.id_number not in screen_text and site.holder.name not in screen_text

    pdf = client.get(phone_path(body))
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.headers["Cache-Control"] == "no-store" and pdf.headers["Referrer-Policy"] == "no-referrer"
    text = pdf_text(pdf.data)
    for shown in (
        site.holder.name,
        site.holder.id_number,
        HALL,
        body["code"],
        "社会保险参保证明",
        "本证明已加盖电子签名",
    ):
        assert shown in text, shown
    assert "未加盖印章" not in text and "脱敏" not in text.split("说明")[0]

    png = render_png(pdf.data, "certificate-signed.png")
    from PIL import Image

    page = Image.open(io.BytesIO(png)).convert("RGB")
    width, height = page.size
    reds = [
        (x, y)
        for x in range(0, width, 4)
        for y in range(0, height, 4)
        if (px := page.getpixel((x, y))) and px[0] > 150 and px[1] < 90 and px[2] < 110  # type: ignore[index]
    ]
    assert len(reds) > 200, "the seal is drawn"
    xs, ys = [x for x, _ in reds], [y for _, y in reds]
    assert 0.55 * height < sum(ys) / len(ys) < 0.95 * height, "over the hall's name, in the issue block"
    assert min(xs) > 0.05 * width and max(xs) < 0.95 * width, "inside the margins"
    right_margin = page.crop((int(width * 0.93), 0, width, height)).convert("L")
    darkest = min(right_margin.tobytes())
    assert darkest > 240, "nothing runs into the right margin"

    with Session(database(app).engine) as session:
        row = session.scalars(select(SigningIdentity)).one()
        root = x509.load_pem_x509_certificate(row.chain_pem.encode())
    status = validate_signature(pdf.data, root)
    assert status.intact and status.valid and status.bottom_line
    assert status.signing_cert.subject.native["common_name"] == "甘肃省（演示签名）"

    captured = logs.text
    for secret in (site.holder.id_number, site.holder.name, token, body["code"], phone_path(body)[3:]):
        assert secret not in captured


def validate_signature(pdf: bytes, root: x509.Certificate) -> Any:
    from asn1crypto import x509 as asn1_x509  # type: ignore[import-untyped]
    from cryptography.hazmat.primitives.serialization import Encoding

    reader = PdfFileReader(io.BytesIO(pdf))
    (embedded,) = reader.embedded_signatures
    context = ValidationContext(
        trust_roots=[asn1_x509.Certificate.load(root.public_bytes(Encoding.DER))], allow_fetching=False
    )
    # pyHanko's sync API runs asyncio.run(): in a thread of its own, as the test's thread may run a loop
    # (Playwright's, when e2e tests ran before in this process).
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(validate_pdf_signature, embedded, context).result()


def test_the_signer_is_the_halls_own_unit_when_it_has_an_identity(app: Flask, client: Any, site: Site) -> None:
    with Session(database(app).engine) as session:
        county = session.get(OrgUnit, site.county_id)
        assert county is not None
        generate_identity(session, county, HALL, signing_key(settings(app).secret_key), datetime.now(UTC))
        session.commit()
        root = x509.load_pem_x509_certificate(
            session.scalars(select(SigningIdentity).where(SigningIdentity.org_unit_id == site.county_id))
            .one()
            .chain_pem.encode()
        )
    body = issue(client, site, open_session(app, site))
    assert body["signer"] == HALL
    status = validate_signature(client.get(phone_path(body)).data, root)
    assert status.intact and status.valid
    assert status.signing_cert.subject.native["common_name"] == HALL


def test_without_identity_or_seal_it_is_issued_unsigned_and_says_so(app: Flask, client: Any, site: Site) -> None:
    from content.citizens.seal_images import SealImage

    with Session(database(app).engine) as session:
        for model in (SigningIdentity, SealImage):
            for row in session.scalars(select(model)):
                session.delete(row)
        session.commit()
    token = open_session(app, site)
    ahead = client.get("/kiosk/api/session/certificate", headers=headers(site, token)).json
    assert (ahead["signed"], ahead["sealed"]) == (False, False)
    body = issue(client, site, token)
    assert (body["signed"], body["sealed"], body["signer"]) == (False, False, "")
    pdf = client.get(phone_path(body)).data
    assert b"/ByteRange" not in pdf
    text = pdf_text(pdf)
    assert "本证明未加盖印章" in text and "本证明未经数字签名" in text and site.holder.id_number in text
    render_png(pdf, "certificate-unsigned.png")
    verify = client.get(f"/verify/{body['code']}").get_data(as_text=True)
    assert "未签名" in verify


def test_the_phone_link_gives_three_downloads_then_410(app: Flask, client: Any, site: Site) -> None:
    body = issue(client, site, open_session(app, site))
    path = phone_path(body)
    assert body["code"] not in path and len(path.removeprefix("/c/")) >= 32  # ≥ 192 bits, not the code
    first = client.get(path).data
    for _ in range(MAX_DOWNLOADS - 1):
        again = client.get(path)
        assert again.status_code == 200 and again.data == first
    used_up = client.get(path)
    assert used_up.status_code == 410 and used_up.mimetype == "text/html"
    assert "下载链接已使用 3 次" in used_up.get_data(as_text=True)
    with Session(database(app).engine) as session:
        assert session.scalars(select(Certificate)).one().downloads == MAX_DOWNLOADS
    assert client.get(f"/verify/{body['code']}").status_code == 200, "the verify page lives on"
    unknown = client.get(path[:-2] + ("AA" if not path.endswith("AA") else "BB"))
    assert unknown.status_code == 404 and "下载链接无效" in unknown.get_data(as_text=True)


def test_after_its_window_the_link_is_410_and_the_kept_pdf_is_deleted(app: Flask, client: Any, site: Site) -> None:
    rt = runtime(app)
    body = issue(client, site, open_session(app, site))
    with Session(database(app).engine) as session:
        cert_id = session.scalars(select(Certificate.id)).one()
        assert certificate_pdf_for_print(session, cert_id, datetime.now(UTC), secret_key=settings(app).secret_key)
    later = datetime.now(UTC) + timedelta(minutes=10, seconds=1)
    real = rt.clock
    rt.clock = lambda: later
    try:
        gone = client.get(phone_path(body))
        assert gone.status_code == 410 and "下载链接已过期" in gone.get_data(as_text=True)
    finally:
        rt.clock = real
    SessionSweeper(database(app), rt.events, lambda: later, 1.0).sweep_once(later)
    with Session(database(app).engine) as session:
        cert = session.get(Certificate, cert_id)
        assert cert is not None
        assert (cert.pdf_sealed, cert.print_token_sealed, cert.repeat_sealed) == (None, None, None)
        assert (
            certificate_pdf_for_print(session, cert_id, datetime.now(UTC), secret_key=settings(app).secret_key) is None
        )
    assert client.get(phone_path(body)).status_code == 410
    assert client.get(f"/verify/{body['code']}").status_code == 200


def test_the_kiosk_and_the_printer_get_the_same_signed_pdf(app: Flask, client: Any, site: Site) -> None:
    token = open_session(app, site)
    body = issue(client, site, token)
    kiosk_copy = client.get(body["pdf_url"], headers=headers(site, token))
    assert kiosk_copy.status_code == 200 and b"/ByteRange" in kiosk_copy.data
    with app.app_context(), Session(database(app).engine) as session:
        printed = certificate_pdf_for_print(session, body["certificate_id"])
    assert printed == kiosk_copy.data == client.get(phone_path(body)).data


def test_a_double_tap_gives_one_certificate(app: Flask, client: Any, site: Site) -> None:
    token = open_session(app, site)
    first, second = issue(client, site, token), issue(client, site, token)
    assert (second["code"], second["phone_url"], second["certificate_id"]) == (
        first["code"],
        first["phone_url"],
        first["certificate_id"],
    )
    with Session(database(app).engine) as session:
        assert len(session.scalars(select(Certificate)).all()) == 1
        issued = session.scalars(select(AuditEntry).where(AuditEntry.action == "certificate.issued")).all()
        assert len(issued) == 1 and issued[0].summary["id_printed"] == "full"


def test_an_ecard_certificate_prints_the_masked_id_and_the_kiosk_says_why_first(
    app: Flask, client: Any, site: Site
) -> None:
    rt = runtime(app)
    now = datetime.now(UTC)
    with Session(database(app).engine) as session:
        screen = session.get(Screen, site.kiosk.screen_id)
        assert screen is not None
        qr = issue_ecard_token(site.holder.person_id, rt.policy.records_key, now)
        identity = identity_from_card(CardSource.ECARD, "scanner-hid-1", ecard_read(qr)["identity"], today=now.date())
        token = identify_and_open(session, rt.policy.backend(session, rt.clock), screen, identity, now, 180, 1200).token
        session.commit()
    ahead = client.get("/kiosk/api/session/certificate", headers=headers(site, token)).json
    assert ahead["full_id"] is False and ahead["masked_why"] == "ecard"
    assert ahead["masked_reason"] == "电子社保卡查询的证明仅显示部分证件号码；需要完整号码请刷身份证或社保卡"
    assert MASKED_REASONS["ecard"] == ahead["masked_reason"]
    body = issue(client, site, token)
    assert body["masked_why"] == "ecard" and body["full_id"] is False
    text = pdf_text(client.get(phone_path(body)).data)
    assert site.holder.masked_id in text and site.holder.id_number not in text
    assert "电子社保卡查询的证明仅显示部分证件号码" in text


def test_the_verify_page_shows_only_masked_fields_and_takes_a_typed_code(app: Flask, client: Any, site: Site) -> None:
    body = issue(client, site, open_session(app, site))
    code = body["code"]
    page = client.get(f"/verify/{code}").get_data(as_text=True)
    assert site.holder.masked_id in page and "已签名（甘肃省（演示签名））" in page
    assert site.holder.id_number not in page and site.holder.name not in page
    assert 'name="code"' in page, "a form to type another code"
    typed = code.replace("-", " ").lower()
    answer = client.get("/verify", query_string={"code": typed})
    assert answer.status_code == 303 and answer.headers["Location"].endswith(f"/verify/{code}")
    assert client.get(f"/verify/{code.replace('-', '').lower()}").status_code == 200
    mistyped = client.get("/verify", query_string={"code": code[:-1] + "/x"})
    assert mistyped.status_code == 404 and "未找到该证明" in mistyped.get_data(as_text=True)
    assert 'value="' + code[:-1] + '/x"' in mistyped.get_data(as_text=True), "the form keeps what was typed"
    form = client.get("/verify")
    assert form.status_code == 200 and 'name="code"' in form.get_data(as_text=True)
    assert "未找到该证明" not in form.get_data(as_text=True)


def test_the_demo_seal_is_a_transparent_png() -> None:
    from content.citizens.seal_images import check_png

    checked = check_png(demo_seal_png())
    assert checked.has_alpha and checked.width == checked.height <= 2000


def test_signing_works_inside_a_running_event_loop(app: Flask, site: Site) -> None:
    """pyHanko's sync API starts an asyncio loop; the server may be called from a thread that runs one."""
    import asyncio
    import threading

    from content.citizens.signing_keys import open_identity
    from kiosk_server.certificate_pdf import render_certificate_pdf
    from kiosk_server.certificate_signing import sign_pdf
    from tests.kiosk_server.test_certificate_pages import person_records

    with Session(database(app).engine) as session:
        row = session.scalars(select(SigningIdentity)).one()
        material = open_identity(row, signing_key(settings(app).secret_key))
        assert material is not None
        citizen = CitizenSessionStub()
        from content.citizens.certificates import certificate_facts

        facts = certificate_facts(citizen, person_records(), HALL, datetime.now(UTC))  # type: ignore[arg-type]
    pdf = render_certificate_pdf(facts, "ABCD-EFGH-JKMN-PQRS-TUVW", "http://localhost/verify/x", signed=True)

    async def inside() -> bytes:
        return sign_pdf(pdf, material, HALL)

    # In a thread of its own: the test's thread may already run a loop (Playwright's, in a full run).
    result: list[bytes] = []
    runner = threading.Thread(target=lambda: result.append(asyncio.run(inside())))
    runner.start()
    runner.join()
    (signed,) = result
    root = x509.load_pem_x509_certificate(row.chain_pem.encode())
    status = validate_signature(signed, root)
    assert status.intact and status.valid


class CitizenSessionStub:
    masked_name = "欧***"
    masked_id = "620102********1235"
