"""参保证明: a social-insurance enrollment certificate issued at a kiosk, verifiable forever by its code.

A certificate freezes what it certified (``facts``: masked name and ID, the five insurances, paid
months of the last 36, issue time and hall) so the public verify page is rebuilt from the row alone,
without asking the records backend again and without any raw ID number or full name. Its code
(content/citizens/certificate_codes.py) is stored only as its SHA-256: whoever holds the code may see
the masked facts, nobody can find a code from the database.

The paper itself carries the person's full name and ID number, so its PDF is rendered once, at issue,
and kept only for the phone-download window, sealed under a key derived from the download token (a
second random token, shown only as the kiosk's QR code): ``MAX_DOWNLOADS`` downloads, then 410; after
``phone_expires_at`` the sweep deletes it. For printing, the download token is also kept sealed under
a key the server derives from its secret, for the same window only.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import ForeignKey, LargeBinary, String, select, update
from sqlalchemy.orm import Mapped, Session, deferred, mapped_column

from content.accounts import audit
from content.citizens.certificate_codes import code_hash, lookup_hashes, new_code
from content.citizens.person_records import (
    ENROLLMENT_LABELS,
    INSURANCE_LABELS,
    PersonRecords,
    gaps_while_liable,
    retired_from,
)
from content.citizens.sealed import seal, token_key, unseal
from content.citizens.sessions import CitizenSession
from content.db import Base
from content.org.timezones import DEFAULT_TIMEZONE, zone

FACTS_VERSION: Final = 2  # 2: ``id_printed`` says whether the paper carries the full ID number
PHONE_TTL_SECONDS: Final = 600  # the phone download link (/c/<download token>) lives ten minutes
MAX_DOWNLOADS: Final = 3  # then the link answers 410
DOWNLOAD_TOKEN_BYTES: Final = 24  # 192 bits
REPEAT_SECONDS: Final = 5  # a second request within this window gives the same certificate
PRINT_KEY_PURPOSE: Final = "certificate-print"  # derive_key(secret, ...) seals the download token for printing
PDF_PURPOSE: Final = "certificate-pdf"
REPEAT_PURPOSE: Final = "certificate-repeat"
_MAX_TOKEN_CHARS: Final = 64


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
    signed: Mapped[bool] = mapped_column(default=False)  # the PDF carries a PAdES signature
    signer_name: Mapped[str] = mapped_column(String(200), default="")
    download_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    downloads: Mapped[int] = mapped_column(default=0)
    # The rest lives only until ``phone_expires_at`` (``purge_expired``):
    pdf_sealed: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))  # under the download token's key
    print_token_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)  # the download token, under the server's
    repeat_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)  # code + download token, under the session's

    def __repr__(self) -> str:
        return f"Certificate(id={self.id!r}, screen_id={self.screen_id!r}, issued_at={self.issued_at!r})"


@dataclass(frozen=True)
class IssuedCertificate:
    """A certificate just issued (or repeated): its row, its code and its download token (never in reprs)."""

    cert: Certificate
    code: str = field(repr=False)
    download_token: str = field(repr=False)


def download_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def certificate_facts(
    citizen: CitizenSession,
    records: PersonRecords,
    hall_name: str,
    issued_at: datetime,
    timezone: str = DEFAULT_TIMEZONE,
    *,
    id_printed: str = "masked",
) -> dict[str, Any]:
    """What a certificate certifies, as JSON-ready data: masked identity only, issue time in the hall's zone.

    ``id_printed`` is ``full`` when the paper carries the full ID number, else ``masked``.
    """
    months = records.contributions
    return {
        "version": FACTS_VERSION,
        "id_printed": id_printed,
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
    id_printed: str = "masked",
    session_token: str = "",
    code: str = "",
) -> IssuedCertificate:
    """Issue a certificate of ``records`` for the session's citizen; audited. Flushed, not committed.

    The code and the download token are shown once (to the kiosk page); only their hashes are kept.
    With ``session_token``, both are also sealed under the session's key so a repeated request
    (``repeat_of``) gives back this same certificate. ``code`` is one made beforehand (``new_code``), so
    the PDF that prints it can be drawn and signed before the write (a short transaction).
    """
    code = code or new_code()
    download_token = secrets.token_urlsafe(DOWNLOAD_TOKEN_BYTES)
    cert = Certificate(
        code_hash=code_hash(code),
        screen_id=citizen.screen_id,
        citizen_session_id=citizen.id,
        issued_at=now,
        phone_expires_at=now + timedelta(seconds=phone_ttl_seconds),
        facts=certificate_facts(citizen, records, hall_name, now, timezone, id_printed=id_printed),
        download_token_hash=download_token_hash(download_token),
        downloads=0,
    )
    if session_token:
        pair = json.dumps({"code": code, "download": download_token}).encode("ascii")
        cert.repeat_sealed = seal(pair, token_key(session_token, REPEAT_PURPOSE), _repeat_context(citizen.id))
    session.add(cert)
    session.flush()
    audit.record(
        session,
        actor=f"kiosk:screen-{citizen.screen_id}",
        action="certificate.issued",
        obj_kind="certificate",
        obj_id=cert.id,
        summary={"session_id": citizen.id, "id_printed": id_printed},
    )
    return IssuedCertificate(cert, code, download_token)


def _repeat_context(session_id: int) -> bytes:
    return f"certificates.repeat_sealed/{session_id}".encode("ascii")


def repeat_of(session: Session, citizen: CitizenSession, session_token: str, now: datetime) -> IssuedCertificate | None:
    """The certificate this session was issued less than ``REPEAT_SECONDS`` ago, if any (a double tap)."""
    stmt = (
        select(Certificate)
        .where(
            Certificate.citizen_session_id == citizen.id,
            Certificate.issued_at > now - timedelta(seconds=REPEAT_SECONDS),
            Certificate.repeat_sealed.is_not(None),
        )
        .order_by(Certificate.id.desc())
        .limit(1)
    )
    cert = session.scalar(stmt)
    if cert is None:
        return None
    pair = unseal(cert.repeat_sealed, token_key(session_token, REPEAT_PURPOSE), _repeat_context(citizen.id))
    if pair is None:
        return None
    fields = json.loads(pair)
    return IssuedCertificate(cert, str(fields["code"]), str(fields["download"]))


def keep_pdf(cert: Certificate, pdf: bytes, download_token: str, print_key: bytes, *, signer_name: str = "") -> None:
    """Keep the rendered PDF for the download window: sealed under the download token's key, that token under
    the server's print key. Not flushed."""
    context = _pdf_context(cert.id)
    cert.pdf_sealed = seal(pdf, token_key(download_token, PDF_PURPOSE), context)
    cert.print_token_sealed = seal(download_token.encode("ascii"), print_key, context)
    cert.signed = bool(signer_name)
    cert.signer_name = signer_name[:200]


def _pdf_context(cert_id: int) -> bytes:
    return f"certificates.pdf/{cert_id}".encode("ascii")


def pdf_with_token(cert: Certificate, download_token: str, now: datetime) -> bytes | None:
    """The kept PDF opened with its download token; None once deleted, expired, or for another token."""
    if now >= cert.phone_expires_at:
        return None
    return unseal(cert.pdf_sealed, token_key(download_token, PDF_PURPOSE), _pdf_context(cert.id))


def pdf_for_print(cert: Certificate, print_key: bytes, now: datetime) -> bytes | None:
    """The kept PDF opened with the server's print key; None once deleted or expired."""
    if now >= cert.phone_expires_at:
        return None
    token = unseal(cert.print_token_sealed, print_key, _pdf_context(cert.id))
    return None if token is None else pdf_with_token(cert, token.decode("ascii"), now)


def find_certificate(session: Session, code: str) -> Certificate | None:
    """The certificate issued under ``code`` (typed in any case, with or without hyphens; old codes too)."""
    hashes = lookup_hashes(code)
    if not hashes:
        return None
    return session.scalars(select(Certificate).where(Certificate.code_hash.in_(hashes)).limit(1)).first()


def find_by_download_token(session: Session, token: str) -> Certificate | None:
    """The certificate whose phone link carries ``token``, or None."""
    if not token or len(token) > _MAX_TOKEN_CHARS:
        return None
    return session.scalar(select(Certificate).where(Certificate.download_token_hash == download_token_hash(token)))


def phone_download_allowed(cert: Certificate, now: datetime) -> bool:
    """Whether the phone link still serves the PDF at ``now`` (inside the window, downloads left, PDF kept)."""
    return now < cert.phone_expires_at and cert.downloads < MAX_DOWNLOADS


def count_download(session: Session, cert: Certificate) -> bool:
    """Count one phone download; False when the last one was already used (one conditional UPDATE, so two
    phones at once cannot both take the third). Not committed."""
    stmt = (
        update(Certificate)
        .where(Certificate.id == cert.id, Certificate.downloads < MAX_DOWNLOADS)
        .values(downloads=Certificate.downloads + 1)
        .execution_options(synchronize_session=False)
    )
    counted = bool(session.execute(stmt).rowcount == 1)  # type: ignore[attr-defined]
    session.refresh(cert, ["downloads"])
    return counted


def purge_expired(session: Session, now: datetime) -> int:
    """Delete the kept PDFs (and the sealed tokens) whose window has passed; how many. Not committed."""
    stmt = (
        update(Certificate)
        .where(
            Certificate.phone_expires_at <= now,
            (Certificate.pdf_sealed.is_not(None))
            | (Certificate.print_token_sealed.is_not(None))
            | (Certificate.repeat_sealed.is_not(None)),
        )
        .values(pdf_sealed=None, print_token_sealed=None, repeat_sealed=None)
        .execution_options(synchronize_session=False)
    )
    return int(session.execute(stmt).rowcount)  # type: ignore[attr-defined]
