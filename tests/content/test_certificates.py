"""参保证明 on SQLite and PostgreSQL: issue, find by code, hash-only storage, the phone link's expiry, masked facts."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from content_factories import Factory
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from content.accounts.audit import AuditEntry
from content.citizens.certificate_codes import code_hash
from content.citizens.certificates import (
    Certificate,
    find_certificate,
    issue_certificate,
    phone_download_allowed,
)
from content.citizens.demo_backend import DemoRecords
from content.citizens.keyed_hash import derive_key
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
from content.org.screens import Screen
from tests.support.citizens import Holder, add_holder, add_kiosk, open_citizen_session

DATABASES = ("sqlite", "postgres")
KEY = derive_key("test-secret", "records")
T0 = datetime(2026, 11, 22, 2, 5, 31, tzinfo=UTC)  # 10:05:31 in Lanzhou
HALL = "城关区公共就业服务中心"


def person_records(
    today: date = date(2026, 11, 22),
    unpaid: frozenset[str] = frozenset({"2024-03", "2024-04", "2025-08"}),
    **overrides: Any,
) -> PersonRecords:
    """Records of a person paying every month of the last 36 except ``unpaid``."""
    enrollments = tuple(
        Enrollment(insurance, EnrollmentState.ACTIVE, date(2012, 7, 1), "兰州市城关区") for insurance in Insurance
    )
    enrollments = (
        *enrollments[:3],
        replace(enrollments[3], state=EnrollmentState.SUSPENDED),
        Enrollment(Insurance.MATERNITY, EnrollmentState.NEVER, None, ""),
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
    fields: dict[str, Any] = {
        "enrollments": enrollments,
        "contributions": months,
        "balances": Balances(1_234_500, 98_700, today - timedelta(days=2)),
        "employment": EmploymentStatus(
            EmploymentState.EMPLOYED, date(2019, 4, 1), "兰州新区物流有限公司", "城关区就业服务中心"
        ),
        "education": "高中/中专",
        "as_of": today - timedelta(days=2),
    }
    return PersonRecords(**{**fields, **overrides})


class World:
    def __init__(self, session: Session, holder: Holder, citizen: CitizenSession) -> None:
        self.session, self.holder, self.citizen = session, holder, citizen


@pytest.fixture
def world(session: Session, make: Factory) -> World:
    """A kiosk and a demo card holder with an open citizen session, opened the way a card read does."""
    hall = make.hall(name=HALL)
    kiosk = add_kiosk(session, hall.id, derive_key("test-secret", "agent-credentials"))
    holder = add_holder(session, KEY)
    token = open_citizen_session(session, DemoRecords(session, KEY, lambda: T0), kiosk, holder, now=T0)
    citizen = find_open(session, token, T0)
    assert citizen is not None
    return World(session, holder, citizen)


def issue(world: World, now: datetime = T0, **kwargs: Any) -> tuple[Certificate, str]:
    issued = issue_certificate(world.session, world.citizen, person_records(), HALL, now, **kwargs)
    world.session.commit()
    return issued.cert, issued.code


def test_issue_returns_a_grouped_code_and_stores_only_its_hash(world: World) -> None:
    cert, code = issue(world)
    assert len(code) == 24 and code.count("-") == 4  # XXXX-XXXX-XXXX-XXXX-XXXX (certificate_codes.py)
    assert cert.code_hash == code_hash(code) and len(cert.code_hash) == 64
    assert (cert.screen_id, cert.citizen_session_id) == (world.citizen.screen_id, world.citizen.id)
    assert cert.issued_at == T0
    world.session.expire_all()
    stored = world.session.scalars(select(Certificate)).one()
    columns = [getattr(stored, c.key) for c in Certificate.__table__.columns]
    assert code not in json.dumps(columns, default=str, ensure_ascii=False)


def test_find_certificate_by_its_code(world: World) -> None:
    cert, code = issue(world)
    other, other_code = issue(world)
    assert other_code != code and other.id != cert.id
    world.session.expire_all()
    assert find_certificate(world.session, code) == cert
    assert find_certificate(world.session, other_code) == other


@pytest.mark.parametrize("wrong", ["", "nope", "x" * 5000, "AAAAAAAAAAAAAAAAAAAAAA"])
def test_codes_never_issued_find_nothing(world: World, wrong: str) -> None:
    _cert, code = issue(world)
    assert find_certificate(world.session, wrong) is None
    assert find_certificate(world.session, code[:-1]) is None


def test_the_phone_link_works_until_its_expiry_only(world: World) -> None:
    cert, _ = issue(world)
    assert cert.phone_expires_at == T0 + timedelta(seconds=600)
    assert phone_download_allowed(cert, T0)
    assert phone_download_allowed(cert, T0 + timedelta(seconds=599))
    assert not phone_download_allowed(cert, T0 + timedelta(seconds=600))
    assert not phone_download_allowed(cert, T0 + timedelta(days=1))
    short, _ = issue(world, phone_ttl_seconds=30)
    assert not phone_download_allowed(short, T0 + timedelta(seconds=30))


def test_facts_certify_masked_identity_five_insurances_and_paid_months(world: World) -> None:
    cert, code = issue(world)
    world.session.expire_all()
    facts = find_certificate(world.session, code).facts  # type: ignore[union-attr]
    assert facts["citizen"] == {"masked_name": "欧***", "masked_id": world.holder.masked_id}
    assert [(e["insurance"], e["label"], e["state_label"]) for e in facts["enrollments"]] == [
        ("pension", "养老保险", "正常参保"),
        ("medical", "医疗保险", "正常参保"),
        ("unemployment", "失业保险", "正常参保"),
        ("work_injury", "工伤保险", "暂停缴费"),
        ("maternity", "生育保险", "未参保"),
    ]
    assert facts["enrollments"][0]["since"] == "2012-07-01" and facts["enrollments"][0]["place"] == "兰州市城关区"
    assert facts["enrollments"][4]["since"] is None
    assert facts["contributions"] == {
        "first_month": "2023-11",
        "last_month": "2026-10",
        "total_months": 36,
        "paid_months": 33,
        "gaps": [
            {"first": "2024-03", "last": "2024-04", "months": 2},
            {"first": "2025-08", "last": "2025-08", "months": 1},
        ],
        "retired_from": None,
    }
    assert facts["as_of"] == "2026-11-20" and facts["hall_name"] == HALL
    assert facts["issued_at"] == "2026-11-22T10:05:31+08:00"  # the hall's local time, as printed


def test_facts_never_hold_the_id_number_or_the_full_name(world: World) -> None:
    cert, _ = issue(world)
    text = json.dumps(cert.facts, ensure_ascii=False)
    number = world.holder.id_number
    assert number not in text and number[6:14] not in text  # nor the birth date digits the mask hides
    assert world.holder.name not in text
    assert world.holder.masked_id in text


def test_issuing_is_audited_with_the_session_id_only(world: World) -> None:
    cert, code = issue(world)
    entry = world.session.scalars(select(AuditEntry).where(AuditEntry.action == "certificate.issued")).one()
    assert entry.summary == {"session_id": world.citizen.id, "id_printed": "masked"}
    assert (entry.object_kind, entry.object_id) == ("certificate", str(cert.id))
    assert entry.actor == f"kiosk:screen-{world.citizen.screen_id}"
    text = repr(entry.summary) + entry.actor
    assert code not in text and world.holder.id_number not in text and world.holder.name not in text


def test_a_certificate_outlives_its_kiosk_and_session(world: World) -> None:
    _cert, code = issue(world)
    screen_id, session_id, masked_id = world.citizen.screen_id, world.citizen.id, world.holder.masked_id
    world.session.execute(delete(Screen).where(Screen.id == screen_id))
    world.session.commit()
    world.session.expunge_all()
    assert world.session.get(CitizenSession, session_id) is None
    kept = find_certificate(world.session, code)
    assert kept is not None and kept.screen_id is None and kept.citizen_session_id is None
    assert kept.facts["citizen"]["masked_id"] == masked_id
