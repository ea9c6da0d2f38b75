"""Signing identities for 参保证明: a private key and its X.509 chain per org unit, the key sealed at rest.

A hall signs with the identity of its own org unit or, failing that, of its nearest ancestor (the
province's for the demo). The private key is stored PKCS#8-encoded and sealed (AES-GCM) under a key the
server derives from its secret for this purpose alone (``derive_key(secret, "certificate-signing")``),
so the database alone cannot sign anything. Identities come from a PKCS#12 file (``kiosk signing-key
import``) or are generated self-signed for the demo and trials (``kiosk signing-key generate``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from sqlalchemy import ForeignKey, LargeBinary, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from content.citizens.sealed import seal, unseal
from content.db import Base
from content.errors import ValidationError
from content.org.tree import Hall, OrgUnit

KEY_PURPOSE: Final = "certificate-signing"  # derive_key(secret, KEY_PURPOSE) seals the private keys
GENERATED_DAYS: Final = 3 * 365
_CONTEXT: Final = b"signing_identities.key_sealed"


class SigningIdentity(Base):
    """The signing key (sealed) and certificate chain (PEM, signer first) of one org unit."""

    __tablename__ = "signing_identities"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="CASCADE"), unique=True)
    subject_name: Mapped[str] = mapped_column(String(200))
    fingerprint: Mapped[str] = mapped_column(String(64))  # SHA-256 of the signer certificate, hex
    not_after: Mapped[datetime]
    key_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    chain_pem: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]

    def __repr__(self) -> str:
        return f"SigningIdentity(id={self.id!r}, org_unit_id={self.org_unit_id!r}, subject={self.subject_name!r})"


@dataclass(frozen=True)
class SigningMaterial:
    """An identity opened for signing: the private key and the chain, signer certificate first."""

    subject_name: str
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey = field(repr=False)
    chain: tuple[x509.Certificate, ...]


def _subject_name(cert: x509.Certificate) -> str:
    for oid in (NameOID.COMMON_NAME, NameOID.ORGANIZATION_NAME):
        names = cert.subject.get_attributes_for_oid(oid)
        if names:
            return str(names[0].value)
    return cert.subject.rfc4514_string()


def store_identity(
    session: Session,
    unit: OrgUnit,
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
    chain: list[x509.Certificate],
    seal_key: bytes,
    now: datetime,
) -> SigningIdentity:
    """Keep ``key`` and ``chain`` as ``unit``'s identity, replacing the one it had. Flushed, not committed."""
    if not chain:
        raise ValidationError.single("pkcs12", "no certificate for the private key")
    signer = chain[0]
    if signer.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    ) != key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo):
        raise ValidationError.single("pkcs12", "the first certificate does not belong to the private key")
    if signer.not_valid_after_utc <= now:
        raise ValidationError.single("pkcs12", f"the certificate expired on {signer.not_valid_after_utc:%Y-%m-%d}")
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    row = session.scalar(select(SigningIdentity).where(SigningIdentity.org_unit_id == unit.id))
    if row is None:
        row = SigningIdentity(org_unit_id=unit.id)
        session.add(row)
    row.subject_name = _subject_name(signer)[:200]
    row.fingerprint = signer.fingerprint(hashes.SHA256()).hex()
    row.not_after = signer.not_valid_after_utc
    row.key_sealed = seal(der, seal_key, _CONTEXT + b"/" + str(unit.id).encode())
    row.chain_pem = "".join(c.public_bytes(serialization.Encoding.PEM).decode("ascii") for c in chain)
    row.created_at = now
    session.flush()
    return row


def import_pkcs12(
    session: Session, unit: OrgUnit, data: bytes, password: bytes | None, seal_key: bytes, now: datetime
) -> SigningIdentity:
    """Store the key and chain of a PKCS#12 file as ``unit``'s identity; a clear ValidationError when unusable."""
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, password)
    except ValueError as err:
        raise ValidationError.single("pkcs12", "not a PKCS#12 file, or the wrong password") from err
    if key is None or cert is None:
        raise ValidationError.single("pkcs12", "the PKCS#12 file holds no private key with its certificate")
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise ValidationError.single("pkcs12", "only RSA and EC keys can sign certificates")
    return store_identity(session, unit, key, [cert, *extra], seal_key, now)


def self_signed(
    name: str, now: datetime, days: int = GENERATED_DAYS
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """A new P-256 key and a self-signed certificate for ``name`` (demo and trials; no CA vouches for it)."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, name),
            x509.NameAttribute(NameOID.COMMON_NAME, name),
        ]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def generate_identity(session: Session, unit: OrgUnit, name: str, seal_key: bytes, now: datetime) -> SigningIdentity:
    """A self-signed identity named ``name`` for ``unit`` (replacing the one it had). Flushed, not committed."""
    if not name.strip():
        raise ValidationError.single("name", "the signer's name is required")
    key, cert = self_signed(name.strip(), now)
    return store_identity(session, unit, key, [cert], seal_key, now)


def identity_for_unit(session: Session, unit: OrgUnit) -> SigningIdentity | None:
    """The identity of ``unit`` or of its nearest ancestor that has one."""
    ids = unit.ancestor_ids() or [unit.id]  # root first, the unit itself last
    rows = {
        r.org_unit_id: r for r in session.scalars(select(SigningIdentity).where(SigningIdentity.org_unit_id.in_(ids)))
    }
    return next((rows[i] for i in reversed(ids) if i in rows), None)


def identity_for_hall(session: Session, hall: Hall) -> SigningIdentity | None:
    """The identity a hall signs with: its org unit's, else the nearest ancestor's; None when there is none."""
    return identity_for_unit(session, hall.org_unit)


def open_identity(row: SigningIdentity, seal_key: bytes) -> SigningMaterial | None:
    """The key and chain of ``row``; None when the key does not open (another server secret)."""
    der = unseal(row.key_sealed, seal_key, _CONTEXT + b"/" + str(row.org_unit_id).encode())
    if der is None:
        return None
    key = serialization.load_der_private_key(der, password=None)
    assert isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey)
    chain = tuple(x509.load_pem_x509_certificates(row.chain_pem.encode("ascii")))
    return SigningMaterial(row.subject_name, key, chain)
