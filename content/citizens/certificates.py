"""参保证明: a social-insurance enrollment certificate issued at a kiosk, verifiable forever by its code.

A certificate freezes what it certified (``facts``: masked name and ID, the five insurances, paid
months of the last 36, issue time and hall) so the PDF and the public verify page are rebuilt from
the row alone, without asking the records backend again and without any raw ID number or full name.
Its code is random (128 bits) and is stored only as its SHA-256, like a session token: whoever holds
the code may see the masked facts, nobody can find a code from the database.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from content.accounts import audit
from content.citizens.person_records import (
    ENROLLMENT_LABELS,
    INSURANCE_LABELS,
    PersonRecords,
    gaps_while_liable,
    retired_from,
)
from content.citizens.sessions import CitizenSession
from content.db import Base
from content.org.timezones import DEFAULT_TIMEZONE, zone

FACTS_VERSION: Final = 1
PHONE_TTL_SECONDS: Final = 600  # the phone download link (/c/<code>) lives ten minutes
CODE_BYTES: Final = 16  # 128 bits: unguessable, so the code alone may open the verify page
_MAX_CODE_CHARS: Final = 64  # token_urlsafe(16) is 22 characters; anything far longer is not ours


class Certificate(Base):
    """One issued 参保证明: the hash of its code, where and when it was issued, and the masked facts."""

    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Nullable with SET NULL: a certificate stays verifiable after its kiosk or session row is gone.
    screen_id: Mapped[int | None] = mapped_column(ForeignKey("screens.id", ondelete="SET NULL"))
    citizen_session_id: Mapped[int | None] = mapped_column(ForeignKey("citizen_sessions.id", ondelete="SET NULL"))
    issued_at: Mapped[datetime]
    phone_expires_at: Mapped[datetime]
    facts: Mapped[dict[str, Any]]

    def __repr__(self) -> str:
        return f"Certificate(id={self.id!r}, screen_id={self.screen_id!r}, issued_at={self.issued_at!r})"


def new_code() -> str:
    return secrets.token_urlsafe(CODE_BYTES)


def code_hash(code: str) -> str:
    """SHA-256 hex of a certificate code: codes are random, so no key is needed to keep them unguessable."""
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def certificate_facts(
    citizen: CitizenSession,
    records: PersonRecords,
    hall_name: str,
    issued_at: datetime,
    timezone: str = DEFAULT_TIMEZONE,
) -> dict[str, Any]:
    """What a certificate certifies, as JSON-ready data: masked identity only, issue time in the hall's zone."""
    months = records.contributions
    return {
        "version": FACTS_VERSION,
        "citizen": {"masked_name": citizen.masked_name, "masked_id": citizen.masked_id},
        "enrollments": [
            {
                "insurance": e.insurance.value,
                "label": INSURANCE_LABELS[e.insurance],
                "state": e.state.value,
                "state_label": ENROLLMENT_LABELS[e.state],
                "since": _iso(e.since),
                "place": e.place,
            }
            for e in records.enrollments
        ],
        "contributions": {
            "first_month": months[0].month if months else None,
            "last_month": months[-1].month if months else None,
            "total_months": len(months),
            "paid_months": sum(1 for m in months if m.paid),
            "gaps": [{"first": g.first, "last": g.last, "months": g.months} for g in gaps_while_liable(records)],
            "retired_from": retired_from(records),
        },
        "as_of": records.as_of.isoformat(),
        "issued_at": issued_at.astimezone(zone(timezone)).isoformat(timespec="seconds"),
        "hall_name": hall_name,
    }


def issue_certificate(
    session: Session,
    citizen: CitizenSession,
    records: PersonRecords,
    hall_name: str,
    now: datetime,
    phone_ttl_seconds: int = PHONE_TTL_SECONDS,
    *,
    timezone: str = DEFAULT_TIMEZONE,
) -> tuple[Certificate, str]:
    """Issue a certificate of ``records`` for the session's citizen; audited. Returns the row and its code.

    The code is shown once (to the kiosk page); only its hash is kept. Flushed, not committed.
    """
    code = new_code()
    cert = Certificate(
        code_hash=code_hash(code),
        screen_id=citizen.screen_id,
        citizen_session_id=citizen.id,
        issued_at=now,
        phone_expires_at=now + timedelta(seconds=phone_ttl_seconds),
        facts=certificate_facts(citizen, records, hall_name, now, timezone),
    )
    session.add(cert)
    session.flush()
    audit.record(
        session,
        actor=f"kiosk:screen-{citizen.screen_id}",
        action="certificate.issued",
        obj_kind="certificate",
        obj_id=cert.id,
        summary={"session_id": citizen.id},
    )
    return cert, code


def find_certificate(session: Session, code: str) -> Certificate | None:
    """The certificate issued under ``code``, or None for a code that was never issued."""
    if not code or len(code) > _MAX_CODE_CHARS:
        return None
    return session.scalar(select(Certificate).where(Certificate.code_hash == code_hash(code)))


def phone_download_allowed(cert: Certificate, now: datetime) -> bool:
    """Whether the code still opens the PDF without the kiosk's headers (the phone link), at ``now``."""
    return now < cert.phone_expires_at
