"""The public pages of a 参保证明 (docs/kiosk.md §2): the verify page, the phone download, and the PDF itself."""

from __future__ import annotations

import base64
import re
import zlib
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from reportlab.graphics.barcode.qr import QrCodeWidget
from sqlalchemy.orm import Session

from content.citizens.certificates import certificate_facts, issue_certificate
from content.citizens.person_records import (
    Balances,
    ContributionMonth,
    EmploymentState,
    EmploymentStatus,
    Enrollment,
    EnrollmentState,
    Insurance,
    PersonRecords,
    history_months,
)
from content.citizens.sessions import CitizenSession, find_open
from kiosk_server.certificate_pdf import qr_drawing, qr_svg, render_certificate_pdf
from kiosk_server.database import database
from kiosk_server.settings_access import runtime
from tests.support.citizens import Holder, Kiosk, add_holder, add_kiosk, open_citizen_session
from tests.support.world import build_world

HALL = "城关区公共就业服务中心"


def person_records(
    today: date = date(2026, 11, 22), unpaid: Collection[str] = ("2024-03", "2024-04", "2025-08")
) -> PersonRecords:
    """Five insurances (work injury suspended, maternity never), 36 months paid but for ``unpaid``."""
    states = dict.fromkeys(Insurance, EnrollmentState.ACTIVE) | {
        Insurance.WORK_INJURY: EnrollmentState.SUSPENDED,
        Insurance.MATERNITY: EnrollmentState.NEVER,
    }
    enrollments = tuple(
        Enrollment(
            i,
            state,
            None if state is EnrollmentState.NEVER else date(2012, 7, 1),
            "" if state is EnrollmentState.NEVER else "兰州市城关区",
        )
        for i, state in states.items()
    )
    months = tuple(
        ContributionMonth(
            m,
            m not in unpaid,
            None if m in unpaid else 520000,
            None if m in unpaid else 41600,
            "" if m in unpaid else "兰州新区物流有限公司",
        )
        for m in history_months(today)
    )
    return PersonRecords(
        enrollments,
        months,
        Balances(1_234_500, 98_700, today),
        EmploymentStatus(EmploymentState.EMPLOYED, date(2019, 4, 1), "兰州新区物流有限公司", "城关区就业服务中心"),
        "高中/中专",
        today,
    )


@dataclass(frozen=True)
class Issued:
    code: str
    holder: Holder


@dataclass(frozen=True)
class Site:
    kiosk: Kiosk
    holder: Holder


@pytest.fixture
def site(app: Flask) -> Site:
    """A hall with a kiosk and a demo card holder (committed)."""
    rt = runtime(app)
    with Session(database(app).engine) as session:
        world = build_world(session, vacancies=0)
        return Site(
            add_kiosk(session, world.hall_id, rt.policy.credential_key), add_holder(session, rt.policy.records_key)
        )


def issue(app: Flask, site: Site, ago: timedelta = timedelta(0)) -> Issued:
    """A card read at the kiosk ``ago`` before now, and a certificate issued in that session (committed)."""
    rt = runtime(app)
    now = datetime.now(UTC) - ago
    with Session(database(app).engine) as session:
        token = open_citizen_session(session, rt.policy.backend(session, rt.clock), site.kiosk, site.holder, now=now)
        citizen = find_open(session, token, now)
        assert citizen is not None
        code = issue_certificate(session, citizen, person_records(), HALL, now).code
        session.commit()
    return Issued(code, site.holder)


@pytest.fixture
def issued(app: Flask, site: Site) -> Issued:
    return issue(app, site)


def pdf_text(pdf: bytes) -> str:
    """The text drawn on the pages of a reportlab PDF, one line per text run (no pypdf here).

    Reads the page content streams (ASCII85 + Flate) and decodes each ``(...) Tj`` string in its
    font: UTF-16BE for the STSong-Light CID font (encoding UniGB-UCS2-H), Latin-1 for the others.
    """
    cid_objects = {m.group(1) for m in re.finditer(rb"(\d+) 0 obj\s*<<\s*/BaseFont /STSong-Light", pdf)}
    fonts = dict(re.findall(rb"/(F\d+) (\d+) 0 R", pdf))
    runs: list[str] = []
    for match in re.finditer(
        rb"/ASCII85Decode /FlateDecode \] /Length \d+\s*>>\s*stream\r?\n(.*?)endstream", pdf, re.S
    ):
        raw = match.group(1).strip().removesuffix(b"~>")
        stream = zlib.decompress(base64.a85decode(raw))
        font = b""
        for token in re.finditer(rb"/(F\d+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\) Tj", stream, re.S):
            if token.group(1):
                font = token.group(1)
                continue
            data = re.sub(rb"\\([0-7]{1,3}|.)", _unescape, token.group(2), flags=re.S)
            runs.append(data.decode("utf-16-be" if fonts.get(font) in cid_objects else "latin-1"))
    return "\n".join(runs)


def _unescape(match: re.Match[bytes]) -> bytes:
    escaped = match.group(1)
    if escaped[:1].isdigit():
        return bytes([int(escaped, 8)])
    return {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}.get(escaped, escaped)


def assert_private(answer: Any) -> None:
    assert answer.headers["X-Robots-Tag"] == "noindex"
    assert answer.headers["Cache-Control"] == "no-store"


def test_the_verify_page_says_genuine_and_shows_the_masked_facts(client: Any, issued: Issued) -> None:
    answer = client.get(f"/verify/{issued.code}")
    assert answer.status_code == 200 and answer.mimetype == "text/html"
    assert_private(answer)
    page = answer.get_data(as_text=True)
    assert '<html lang="zh-CN">' in page and 'name="viewport"' in page
    assert "真实有效" in page and HALL in page
    assert "欧***" in page and issued.holder.masked_id in page
    for text in ("养老保险", "生育保险", "正常参保", "暂停缴费", "未参保", "2012年7月1日", "兰州市城关区"):
        assert text in page, text
    assert "近36个月（2023年11月至2026年10月）缴费 33 个月" in page and "以上信息截至2026年11月22日" in page
    assert re.search(r"于\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d出具", page)
    assert "2024年3月至2024年4月，共2个月" in page


def test_the_verify_page_shows_nothing_personal_beyond_the_masked_facts(client: Any, issued: Issued) -> None:
    page = client.get(f"/verify/{issued.code}").get_data(as_text=True)
    number = issued.holder.id_number
    assert number not in page and number[6:14] not in page and issued.holder.name not in page
    for unshown in ("兰州新区物流有限公司", "520000", "1234500", "高中"):  # employers, bases, balances, education
        assert unshown not in page, unshown


def test_an_unknown_code_is_a_404_page_saying_so(client: Any, issued: Issued) -> None:
    for code in ("AAAAAAAAAAAAAAAAAAAAAA", issued.code[:-1], "x" * 300):
        answer = client.get(f"/verify/{code}")
        assert answer.status_code == 404 and answer.mimetype == "text/html"
        assert "未找到该证明" in answer.get_data(as_text=True) and "真实有效" not in answer.get_data(as_text=True)
        assert_private(answer)


# The phone link (/c/<download token>) and the PDF's full identity: tests/kiosk_server/test_certificate_trust.py.


def test_the_pdf_qr_code_holds_the_verify_url() -> None:
    url = "https://hall.example.gov.cn/verify/q3J9xZ0aVbN_4kLm-8TtWw"
    drawing = qr_drawing(url)
    (widget,) = drawing.contents
    assert isinstance(widget, QrCodeWidget) and widget.value == url
    assert drawing.width == drawing.height > 0


def test_a_certificate_without_gaps_says_so() -> None:
    now = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)

    citizen = CitizenSession(masked_name="张*", masked_id="620102********0011")  # never stored: facts only
    facts = certificate_facts(citizen, person_records(unpaid=()), HALL, now)
    text = pdf_text(render_certificate_pdf(facts, "c0de", "http://localhost/verify/c0de"))
    assert "缴费 36 个月" in text and "期间无中断缴费" in text and "未缴费" not in text


def test_the_kiosk_qr_svg_is_inline_and_scalable() -> None:
    svg = qr_svg("https://hall.example.gov.cn/c/q3J9xZ0aVbN_4kLm-8TtWw")
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>") and "<?xml" not in svg
    opening = svg[: svg.index(">")]
    assert re.search(r'viewBox="0 0 (\d+) \1"', opening)
    assert "width=" not in opening and "height=" not in opening
