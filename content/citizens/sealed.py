"""Sealed values: AES-GCM under a key derived (HKDF-SHA256) from a secret only someone else holds.

The server keeps no full name or ID number, yet a 参保证明 prints both: at card time they are sealed
into the citizen session row under a key derived from the session token, which only the kiosk page
holds, and the certificate's PDF is sealed under a key derived from its download token. Whoever has
the database alone reads neither. A wrong key, or a blob moved to another row (the ``context``),
opens as None, never as someone else's data.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from content.citizens.idnumbers import mask_id_number_for_log
from content.citizens.records import mask_name

NONCE_BYTES: Final = 12
VERSION: Final = b"\x01"  # the first byte of every blob, so the format can change later


def token_key(token: str, purpose: str) -> bytes:
    """A 32-byte AES key for ``purpose`` from a random token (HKDF-SHA256; the token has ≥ 128 bits)."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"kiosk-seal/" + purpose.encode("ascii"))
    return hkdf.derive(token.encode("utf-8"))


def seal(plaintext: bytes, key: bytes, context: bytes) -> bytes:
    """``plaintext`` encrypted and authenticated under ``key``, bound to ``context`` (not secret)."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    return VERSION + nonce + AESGCM(key).encrypt(nonce, plaintext, context)


def unseal(blob: bytes | None, key: bytes, context: bytes) -> bytes | None:
    """What ``seal`` sealed, or None for no blob, a wrong key, another context or a damaged blob."""
    if not blob or blob[:1] != VERSION or len(blob) < 1 + NONCE_BYTES + 16:
        return None
    try:
        return AESGCM(key).decrypt(blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :], context)
    except InvalidTag:
        return None


@dataclass(frozen=True)
class FullIdentity:
    """A person's full name and ID number as read from their card; ``id_number`` is "" when the card gave none."""

    name: str
    id_number: str

    def __repr__(self) -> str:
        return f"FullIdentity(name={mask_name(self.name)!r}, id={mask_id_number_for_log(self.id_number)!r})"

    __str__ = __repr__


IDENTITY_PURPOSE: Final = "citizen-identity"
IDENTITY_CONTEXT: Final = b"citizen_sessions.sealed_identity"


def seal_identity(identity: FullIdentity, session_token: str) -> bytes:
    """The identity sealed under a key derived from the session token (only the kiosk page can open it)."""
    data = json.dumps({"name": identity.name, "id": identity.id_number}, ensure_ascii=False).encode("utf-8")
    return seal(data, token_key(session_token, IDENTITY_PURPOSE), IDENTITY_CONTEXT)


def unseal_identity(blob: bytes | None, session_token: str) -> FullIdentity | None:
    """The identity ``seal_identity`` sealed, or None (wiped, another token, damaged)."""
    data = unseal(blob, token_key(session_token, IDENTITY_PURPOSE), IDENTITY_CONTEXT)
    if data is None:
        return None
    fields = json.loads(data)
    return FullIdentity(str(fields["name"]), str(fields["id"]))
