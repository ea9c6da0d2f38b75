"""Issuing a 参保证明 end to end: open the sealed identity, draw the PDF with the hall's seal, sign it (PAdES), keep it.

The kiosk's request carries the session token, the only key to the person's full name and ID number
(content/citizens/sealed.py); the PDF is drawn once, signed with the hall's signing identity
(content/citizens/signing_keys.py: the hall's org unit's or its nearest ancestor's) as PAdES-B-B with
pyHanko, and kept sealed for the phone-download window (content/citizens/certificates.py). Without a
signing identity, or when it cannot be opened, the certificate is issued unsigned and says so; it
never fails for that.

``certificate_pdf_for_print`` gives the kept PDF to the server's printing (the kiosk's A4 printer).
"""

from __future__ import annotations

import asyncio
import io
import logging
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from cryptography.hazmat.primitives import serialization
from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.citizens.certificate_codes import new_code
from content.citizens.certificates import (
    PRINT_KEY_PURPOSE,
    Certificate,
    IssuedCertificate,
    certificate_facts,
    issue_certificate,
    keep_pdf,
    pdf_for_print,
    repeat_of,
)
from content.citizens.keyed_hash import derive_key
from content.citizens.person_records import PersonRecords
from content.citizens.seal_images import seal_for_hall
from content.citizens.sealed import FullIdentity, unseal_identity
from content.citizens.sessions import CitizenSession
from content.citizens.signing_keys import KEY_PURPOSE, SigningMaterial, identity_for_hall, open_identity
from content.org.screens import Screen
from content.org.tree import Hall
from kiosk_server.certificate_pdf import render_certificate_pdf

with warnings.catch_warnings():  # pyHanko still imports cryptography's DSA names, which warn on import
    warnings.simplefilter("ignore")
    from asn1crypto import x509 as asn1_x509  # type: ignore[import-untyped]
    from pyhanko.keys import load_private_key_from_pemder_data
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

log = logging.getLogger(__name__)

REASON: Final = "社会保险参保证明"
FIELD_NAME: Final = "HallSignature"
# Why a certificate prints only the masked ID number (the kiosk says it before issuing; strings.js has each in English).
MASKED_REASONS: Final = {
    "ecard": "电子社保卡查询的证明仅显示部分证件号码；需要完整号码请刷身份证或社保卡",
    "no_number": "本次读卡未取得完整证件号码，证明仅显示部分证件号码；需要完整号码请刷身份证或社保卡",
    "reload": "本机页面刷新后，证明仅显示部分证件号码；需要完整号码请重新刷身份证或社保卡",
}


def print_key(secret_key: str) -> bytes:
    return derive_key(secret_key, PRINT_KEY_PURPOSE)


def signing_key(secret_key: str) -> bytes:
    return derive_key(secret_key, KEY_PURPOSE)


def _secret() -> str:
    from kiosk_server.settings_access import settings

    return str(settings(current_app).secret_key)


def masked_id_why(citizen: CitizenSession, identity: FullIdentity | None) -> str:
    """Why this session's certificate would print a masked ID number (a ``MASKED_REASONS`` key; "" when full)."""
    if identity is not None and identity.id_number:
        return ""
    if citizen.source == "ecard":
        return "ecard"
    return "reload" if identity is None else "no_number"


def masked_id_reason(citizen: CitizenSession, identity: FullIdentity | None) -> str:
    """The zh-CN sentence for ``masked_id_why`` ("" when the full number is printed)."""
    why = masked_id_why(citizen, identity)
    return MASKED_REASONS[why] if why else ""


def session_identity(citizen: CitizenSession, session_token: str) -> FullIdentity | None:
    """The full name and ID number sealed into the session, opened with its token; None when wiped."""
    return unseal_identity(citizen.sealed_identity, session_token)


def sign_pdf(pdf: bytes, material: SigningMaterial, hall_name: str) -> bytes:
    """``pdf`` with a PAdES-B-B signature (an invisible field) by ``material``, signed at ``hall_name``."""
    der = material.key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    certs = [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in material.chain]
    signer = signers.SimpleSigner(
        signing_cert=certs[0],
        signing_key=load_private_key_from_pemder_data(der, passphrase=None),
        cert_registry=SimpleCertificateStore.from_certs(certs),
    )
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=REASON,
        location=hall_name,
        name=material.subject_name,
    )

    def sign() -> bytes:
        out = signers.PdfSigner(meta, signer).sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)))
        return bytes(out.getvalue())

    # pyHanko's synchronous API runs its own asyncio loop, which cannot start inside a running one.
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return sign()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(sign).result()


@dataclass(frozen=True)
class IssueOutcome:
    """What the kiosk is told: the issued certificate, whether it is signed and sealed, why the ID is masked."""

    issued: IssuedCertificate
    signed: bool
    sealed: bool
    masked_why: str
    repeated: bool

    @property
    def masked_reason(self) -> str:
        return MASKED_REASONS[self.masked_why] if self.masked_why else ""


def issue_signed(
    session: Session,
    screen: Screen,
    citizen: CitizenSession,
    session_token: str,
    records: Callable[[], PersonRecords],
    now: datetime,
    *,
    secret_key: str | None = None,
    verify_url_for: Callable[[str], str],
) -> IssueOutcome:
    """Issue (or, for a double tap, repeat) the session's certificate: drawn, sealed, signed, kept. Committed.

    ``records`` reads the person's records (it may commit); it is called only when a new certificate is issued.
    """
    secret = secret_key if secret_key is not None else _secret()
    identity = session_identity(citizen, session_token)
    why = masked_id_why(citizen, identity)
    hall = screen.hall

    def repeated() -> IssueOutcome | None:
        again = repeat_of(session, citizen, session_token, now)
        if again is None:
            return None
        session.commit()
        return IssueOutcome(again, again.cert.signed, seal_for_hall(session, hall) is not None, why, True)

    outcome = repeated()
    if outcome is not None:
        return outcome
    facts_of = records()
    # Drawn and signed before anything is written: the write that follows is short (SQLite allows one writer).
    code = new_code()
    facts = certificate_facts(citizen, facts_of, hall.name, now, hall.timezone, id_printed="masked" if why else "full")
    seal = seal_for_hall(session, hall)
    pdf, signer_name = _drawn_and_signed(
        facts, code, verify_url_for(code), identity, seal.png if seal is not None else None, hall, session, secret
    )
    # Two taps at once: the session row is locked (PostgreSQL) while the second looks again and issues.
    session.execute(select(CitizenSession.id).where(CitizenSession.id == citizen.id).with_for_update())
    outcome = repeated()
    if outcome is not None:
        return outcome
    issued = issue_certificate(
        session,
        citizen,
        facts_of,
        hall.name,
        now,
        timezone=hall.timezone,
        id_printed=facts["id_printed"],
        session_token=session_token,
        code=code,
    )
    keep_pdf(issued.cert, pdf, issued.download_token, print_key(secret), signer_name=signer_name)
    session.commit()
    return IssueOutcome(issued, bool(signer_name), seal is not None, why, False)


def _drawn_and_signed(
    facts: dict[str, Any],
    code: str,
    verify_url: str,
    identity: FullIdentity | None,
    seal_png: bytes | None,
    hall: Hall,
    session: Session,
    secret: str,
) -> tuple[bytes, str]:
    """The PDF, signed when the hall has an identity that opens, and the signer's name ("" when unsigned)."""
    hall_name = hall.name
    row = identity_for_hall(session, hall)
    material = open_identity(row, signing_key(secret)) if row is not None else None
    if row is not None and material is None:
        log.warning("signing identity %s of org unit %s does not open with this server secret", row.id, row.org_unit_id)
    if material is not None:
        pdf = render_certificate_pdf(facts, code, verify_url, identity=identity, seal_png=seal_png, signed=True)
        try:
            return sign_pdf(pdf, material, hall_name), material.subject_name
        except Exception:  # a broken identity must not stop the certificate: issue it unsigned
            log.exception("signing a certificate at %s failed; issued unsigned", hall_name)
    return render_certificate_pdf(facts, code, verify_url, identity=identity, seal_png=seal_png, signed=False), ""


def certificate_pdf_for_print(
    session: Session, certificate_id: int, now: datetime | None = None, *, secret_key: str | None = None
) -> bytes | None:
    """The signed PDF of certificate ``certificate_id`` while it is kept (the download window); None after.

    For the server's printing (the kiosk's A4 printer). Inside a Flask app context the server secret and
    clock are the app's; elsewhere pass ``secret_key`` and ``now``.
    """
    cert = session.get(Certificate, certificate_id)
    if cert is None:
        return None
    if now is None:
        from kiosk_server.settings_access import runtime

        now = runtime(current_app).clock()
    return pdf_for_print(cert, print_key(secret_key if secret_key is not None else _secret()), now)
