"""The demo records backend on SQLite and PostgreSQL: every way a card finds (or does not find) a person."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.citizens.demo_backend import ECARD_PREFIX, DemoPerson, DemoRecords, issue_ecard_token, verify_ecard_token
from content.citizens.keyed_hash import derive_key
from content.citizens.records import (
    CardIdentity,
    CardSource,
    InvalidIdentity,
    TokenExpired,
    TokenInvalid,
    UnknownPerson,
    identity_from_card,
)
from tests.support.citizens import Holder, add_holder, ecard_read, idcard_read, ssc_read

DATABASES = ("sqlite", "postgres")
KEY = derive_key("test-secret", "records")
NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
TOKEN_BODY = r"[A-Za-z0-9_-]+={0,2}"


@pytest.fixture
def holder(session: Session) -> Holder:
    return add_holder(session, KEY)


@pytest.fixture
def backend(session: Session) -> DemoRecords:
    return DemoRecords(session, KEY, lambda: NOW)


def identity(payload: dict) -> CardIdentity:
    return identity_from_card(
        CardSource(payload["source"]), payload["reader_id"], payload["identity"], today=NOW.date()
    )


def test_an_id_card_finds_the_person_by_number(backend: DemoRecords, holder: Holder) -> None:
    person = backend.identify(identity(idcard_read(holder)))
    assert person.ref == f"demo:{holder.person_id}"
    assert (person.name, person.birth_date, person.sex_code) == (holder.name, holder.birth_date, "1")
    assert person.masked_id == holder.masked_id


def test_the_id_number_is_authoritative_over_the_printed_name(backend: DemoRecords, holder: Holder) -> None:
    person = backend.identify(identity(idcard_read(holder, name="欧阳明")))
    assert person.ref == f"demo:{holder.person_id}" and person.name == holder.name


def test_an_ssc_with_personal_fields_finds_the_person_by_id_number(backend: DemoRecords, holder: Holder) -> None:
    read = ssc_read(holder, card_number="Z99999999")  # a card number the backend does not know
    assert backend.identify(identity(read)).ref == f"demo:{holder.person_id}"


def test_an_ssc_without_psam_finds_the_person_by_card_number(backend: DemoRecords, holder: Holder) -> None:
    read = ssc_read(holder, psam=False)
    assert read["identity"]["id_number"] == "" and read["identity"]["name"] == ""
    assert backend.identify(identity(read)).ref == f"demo:{holder.person_id}"


def test_an_unknown_card_number_is_an_unknown_person(backend: DemoRecords, holder: Holder) -> None:
    with pytest.raises(UnknownPerson) as info:
        backend.identify(identity(ssc_read(holder, psam=False, card_number="B00000001")))
    assert info.value.code == "unknown_person"


def test_a_valid_number_nobody_has_is_an_unknown_person(backend: DemoRecords, session: Session) -> None:
    stranger = add_holder(session, derive_key("another-deployment", "records"), card_number="C11111111")
    with pytest.raises(UnknownPerson):
        backend.identify(identity(idcard_read(stranger)))


def test_an_invalid_id_number_is_refused_before_any_lookup(backend: DemoRecords, holder: Holder) -> None:
    wrong = holder.id_number[:17] + ("0" if holder.id_number[17] != "0" else "1")
    forged = CardIdentity(source=CardSource.IDCARD, reader_id="r", id_number=wrong, name=holder.name)
    with pytest.raises(InvalidIdentity) as info:
        backend.identify(forged)
    assert info.value.code == "invalid_identity" and wrong not in str(info.value)


def test_an_ecard_token_it_issued_finds_the_person(backend: DemoRecords, holder: Holder) -> None:
    token = issue_ecard_token(holder.person_id, KEY, NOW - timedelta(seconds=30))
    assert token.startswith(ECARD_PREFIX)
    body = token[len(ECARD_PREFIX) :]
    assert re.fullmatch(TOKEN_BODY, body) and 16 <= len(body) <= 1024, "the kiosk scanner must classify it"
    assert backend.identify(identity(ecard_read(token))).ref == f"demo:{holder.person_id}"


def test_an_expired_ecard_token_is_token_expired(backend: DemoRecords, holder: Holder) -> None:
    token = issue_ecard_token(holder.person_id, KEY, NOW - timedelta(seconds=61), ttl_seconds=60)
    with pytest.raises(TokenExpired) as info:
        backend.identify(identity(ecard_read(token)))
    assert info.value.code == "token_expired"


def _flip(token: str, position: int) -> str:
    body = token[len(ECARD_PREFIX) :]
    raw = bytearray(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    raw[position] ^= 0x01
    return ECARD_PREFIX + base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: _flip(t, 8),  # the person id
        lambda t: _flip(t, 12),  # the expiry
        lambda t: _flip(t, -1),  # the signature
        lambda t: t[:-4],  # cut short
        lambda t: t + "!!",  # not base64url
        lambda t: "OTHER-PREFIX:" + t[len(ECARD_PREFIX) :],
    ],
    ids=["person", "expiry", "signature", "short", "garbled", "prefix"],
)
def test_a_tampered_or_garbled_ecard_token_is_token_invalid(
    backend: DemoRecords, holder: Holder, tamper: Callable[[str], str]
) -> None:
    token = issue_ecard_token(holder.person_id, KEY, NOW)
    with pytest.raises(TokenInvalid) as info:
        backend.identify(identity(ecard_read(tamper(token))))
    assert info.value.code == "token_invalid"


def test_a_token_signed_with_another_key_is_token_invalid(holder: Holder) -> None:
    token = issue_ecard_token(holder.person_id, derive_key("someone-else", "records"), NOW)
    with pytest.raises(TokenInvalid):
        verify_ecard_token(token, KEY, NOW)
    assert verify_ecard_token(issue_ecard_token(holder.person_id, KEY, NOW), KEY, NOW) == holder.person_id


def test_a_token_for_a_person_since_removed_is_unknown(backend: DemoRecords, session: Session) -> None:
    with pytest.raises(UnknownPerson):
        backend.identify(identity(ecard_read(issue_ecard_token(999_999, KEY, NOW))))


def test_no_raw_number_is_stored(session: Session, holder: Holder) -> None:
    row = session.scalars(select(DemoPerson)).one()
    stored = " ".join(str(getattr(row, c.key)) for c in DemoPerson.__table__.columns)
    assert holder.id_number not in stored and holder.card_number not in stored
    assert holder.id_number[6:14] not in row.masked_id
    assert row.masked_id == holder.masked_id and row.birth_date == date(1985, 3, 4)
