"""The demo records backend: synthetic people in ``demo_people``, their histories, and the e-card tokens it issues.

Histories (enrollments, contributions, balances, employment) live in the tables of
``content.citizens.demo_histories``, job-seeker registrations (求职登记) in
``content.citizens.demo_job_seekers``. Rows keep keyed hashes of the ID number and the social-security card
number, never the numbers (docs/architecture.md, "Personal data"). An e-card token is ``HRSS-ESSC:`` + base64url of (version,
person id, expiry, nonce) and a truncated HMAC over them, so the whole card flow runs without the
national platform.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
import struct
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Final

from sqlalchemy import Date, String, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Mapped, Session, mapped_column

from content.citizens.demo_histories import DemoAccount, DemoContribution, DemoEnrollment, DemoProfile
from content.citizens.demo_job_seekers import DemoJobSeeker, profile_from_row
from content.citizens.idnumbers import id_number_problem, mask_id_number, mask_id_number_for_log
from content.citizens.keyed_hash import keyed_card_hash, keyed_id_hash
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
from content.citizens.records import (
    BackendUnavailable,
    CardIdentity,
    CardSource,
    InvalidIdentity,
    PersonRecord,
    TokenExpired,
    TokenInvalid,
    UnknownPerson,
)
from content.db import Base, utcnow
from content.library.items import Education

ECARD_PREFIX: Final = "HRSS-ESSC:"  # what the kiosk scanner classifier recognises as an e-card
ECARD_TTL_SECONDS: Final = 60  # the e-card app refreshes its code about every minute
_TOKEN_VERSION: Final = 1
_PAYLOAD: Final = struct.Struct(">BQq8s")  # version, person id, expiry (Unix seconds), nonce
_MAC_BYTES: Final = 16
REF_PREFIX: Final = "demo:"
_BODY: Final = re.compile(r"[A-Za-z0-9_-]+={0,2}")
_REF: Final = re.compile(REF_PREFIX + r"([1-9][0-9]{0,17})")


class DemoPerson(Base):
    """A synthetic person of the demo backend; numbers only as keyed hashes."""

    __tablename__ = "demo_people"

    id: Mapped[int] = mapped_column(primary_key=True)
    id_hash: Mapped[str] = mapped_column(String(64), unique=True)
    ssc_card_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    sex_code: Mapped[str] = mapped_column(String(1))
    birth_date: Mapped[date] = mapped_column(Date)
    nation_code: Mapped[str] = mapped_column(String(2), default="")
    region_code: Mapped[str] = mapped_column(String(6))
    masked_id: Mapped[str] = mapped_column(String(18))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"DemoPerson(id={self.id!r}, masked_id={mask_id_number_for_log(self.masked_id)!r})"


def add_demo_person(
    session: Session,
    *,
    key: bytes,
    id_number: str,
    name: str,
    sex_code: str,
    birth_date: date,
    region_code: str,
    nation_code: str = "",
    ssc_card_number: str | None = None,
) -> DemoPerson:
    """Store a synthetic person under the keyed hashes of their numbers (flushed, not committed)."""
    problem = id_number_problem(id_number)
    if problem is not None:
        raise InvalidIdentity("id_number", problem)
    person = DemoPerson(
        id_hash=keyed_id_hash(id_number, key),
        ssc_card_hash=keyed_card_hash(ssc_card_number, key) if ssc_card_number else None,
        name=name,
        sex_code=sex_code,
        birth_date=birth_date,
        nation_code=nation_code,
        region_code=region_code,
        masked_id=mask_id_number(id_number),
    )
    session.add(person)
    session.flush()
    return person


def _ecard_key(key: bytes) -> bytes:
    return hmac.new(key, b"demo-ecard-token", hashlib.sha256).digest()


def _mac(key: bytes, payload: bytes) -> bytes:
    return hmac.new(_ecard_key(key), payload, hashlib.sha256).digest()[:_MAC_BYTES]


def issue_ecard_token(person_id: int, key: bytes, now: datetime, ttl_seconds: int = ECARD_TTL_SECONDS) -> str:
    """A signed e-card token for a demo person, valid ``ttl_seconds`` from ``now`` (what the QR code holds)."""
    expires = int(now.timestamp()) + ttl_seconds
    payload = _PAYLOAD.pack(_TOKEN_VERSION, person_id, expires, secrets.token_bytes(8))
    body = base64.urlsafe_b64encode(payload + _mac(key, payload)).rstrip(b"=").decode("ascii")
    return ECARD_PREFIX + body


def verify_ecard_token(token: str, key: bytes, now: datetime) -> int:
    """The person id a token was issued for; TokenInvalid if garbled or forged, TokenExpired if too old."""
    if not token.startswith(ECARD_PREFIX):
        raise TokenInvalid("not an e-card token of this backend")
    body = token[len(ECARD_PREFIX) :]
    if not _BODY.fullmatch(body):
        raise TokenInvalid("the e-card token is not base64url")
    body = body.rstrip("=")
    try:
        raw = base64.b64decode(body + "=" * (-len(body) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError) as err:
        raise TokenInvalid("the e-card token is not base64url") from err
    if len(raw) != _PAYLOAD.size + _MAC_BYTES:
        raise TokenInvalid("the e-card token has the wrong length")
    payload, mac = raw[: _PAYLOAD.size], raw[_PAYLOAD.size :]
    if not hmac.compare_digest(mac, _mac(key, payload)):
        raise TokenInvalid("the e-card token's signature does not match")
    version, person_id, expires, _nonce = _PAYLOAD.unpack(payload)
    if version != _TOKEN_VERSION:
        raise TokenInvalid(f"unknown e-card token version {version}")
    if now >= datetime.fromtimestamp(expires, UTC):
        raise TokenExpired("the e-card code has expired; refresh it in the app and scan again")
    return int(person_id)


class DemoRecords:
    """``RecordsBackend`` over the ``demo_people`` table; one per call, bound to the caller's session."""

    def __init__(self, session: Session, key: bytes, clock: Callable[[], datetime]) -> None:
        self._session = session
        self._key = key
        self._clock = clock

    def identify(self, identity: CardIdentity) -> PersonRecord:
        try:
            person = self._find(identity)
        except OperationalError as err:
            raise BackendUnavailable("the demo records database did not answer") from err
        if person is None:
            raise UnknownPerson(f"the demo records have nobody for this {identity.source.value} card")
        return PersonRecord(
            ref=f"{REF_PREFIX}{person.id}",
            name=person.name,
            sex_code=person.sex_code,
            birth_date=person.birth_date,
            masked_id=person.masked_id,
            region_code=person.region_code,
        )

    def records(self, person_ref: str, today: date) -> PersonRecords:
        """The person's records for ``today`` (the 36 months before its month); UnknownPerson for a stale ref."""
        match = _REF.fullmatch(person_ref)
        if match is None:
            raise UnknownPerson("not a person reference of the demo records")
        try:
            if self._session.get(DemoPerson, int(match.group(1))) is None:
                raise UnknownPerson("the demo records no longer have this person")
            return _load_records(self._session, int(match.group(1)), today)
        except OperationalError as err:
            raise BackendUnavailable("the demo records database did not answer") from err

    def _find(self, identity: CardIdentity) -> DemoPerson | None:
        if identity.source is CardSource.ECARD:
            return self._session.get(DemoPerson, verify_ecard_token(identity.token, self._key, self._clock()))
        if identity.id_number:
            # The ID number is authoritative: a name spelled differently on the card still finds the person.
            problem = id_number_problem(identity.id_number)
            if problem is not None:
                raise InvalidIdentity("id_number", problem)
            return self._session.scalar(
                select(DemoPerson).where(DemoPerson.id_hash == keyed_id_hash(identity.id_number, self._key))
            )
        if identity.source is CardSource.SSC and identity.card_number:
            return self._session.scalar(
                select(DemoPerson).where(DemoPerson.ssc_card_hash == keyed_card_hash(identity.card_number, self._key))
            )
        raise InvalidIdentity("id_number", "missing")


def _load_records(session: Session, person_id: int, today: date) -> PersonRecords:
    """A demo person's records for ``today``; months not stored are unpaid, no stored history is never enrolled."""
    profile = session.get(DemoProfile, person_id)
    account = session.get(DemoAccount, person_id)
    months = history_months(today)
    stored = {
        c.month: c
        for c in session.scalars(
            select(DemoContribution).where(DemoContribution.person_id == person_id, DemoContribution.month.in_(months))
        )
    }
    states = {
        e.insurance: e for e in session.scalars(select(DemoEnrollment).where(DemoEnrollment.person_id == person_id))
    }
    enrollments = tuple(
        Enrollment(i, EnrollmentState(states[i].state), states[i].since, states[i].place)
        if i in states
        else Enrollment(i, EnrollmentState.NEVER, None, "")
        for i in Insurance
    )
    contributions = tuple(
        ContributionMonth(m, stored[m].paid, stored[m].base_fen, stored[m].personal_fen, stored[m].employer)
        if m in stored
        else ContributionMonth(m, False, None, None, "")
        for m in months
    )
    balances = (
        Balances(account.pension_fen, account.medical_fen, account.as_of)
        if account is not None
        else Balances(0, 0, today)
    )
    if profile is None:
        nobody = EmploymentStatus(EmploymentState.NONE, None, "", "")
        return PersonRecords(enrollments, contributions, balances, nobody, Education.NONE.value, today)
    employment = EmploymentStatus(
        EmploymentState(profile.employment_state), profile.employment_since, profile.employer, profile.office
    )
    registration = session.get(DemoJobSeeker, person_id)
    return PersonRecords(
        enrollments,
        contributions,
        balances,
        employment,
        profile.education,
        min(today, profile.generated_on),
        job_seeker=profile_from_row(registration) if registration is not None else None,
    )
