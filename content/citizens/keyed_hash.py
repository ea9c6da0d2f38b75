"""Keyed hashes (HMAC-SHA256 with a key derived from the server secret) for values kept only as lookup keys.

ID numbers and card numbers are never stored raw (docs/architecture.md, "Personal data"): a row holds their keyed hash, which
finds the row again when the same number is presented, and says nothing to someone who has the
database but not the secret. Each use gets its own key (``derive_key``), so a hash made for one
purpose cannot be replayed for another.
"""

from __future__ import annotations

import hashlib
import hmac

from content.citizens.idnumbers import normalise_id_number


def derive_key(secret: str | bytes, purpose: str) -> bytes:
    """A 32-byte key for ``purpose`` (e.g. "records", "agent-credentials") from the server secret."""
    raw = secret.encode("utf-8") if isinstance(secret, str) else secret
    return hmac.new(raw, b"kiosk-key/" + purpose.encode("ascii"), hashlib.sha256).digest()


def keyed_hash(value: str, key: bytes) -> str:
    """HMAC-SHA256 of ``value`` (UTF-8) under ``key``, as 64 hex characters."""
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


def keyed_id_hash(id_number: str, key: bytes) -> str:
    """The keyed hash of a normalised ID number (trimmed, a typed 'x' made 'X')."""
    return keyed_hash(normalise_id_number(id_number), key)


def normalise_card_number(card_number: str) -> str:
    """A social-security card number as the card stores it: trimmed, upper case."""
    return card_number.strip().upper()


def keyed_card_hash(card_number: str, key: bytes) -> str:
    """The keyed hash of a social-security card number; prefixed so it never equals an ID number's hash."""
    return keyed_hash("ssc:" + normalise_card_number(card_number), key)


def same_digest(a: str, b: str) -> bool:
    """Constant-time comparison of two hex digests (or any two ASCII strings)."""
    return hmac.compare_digest(a.encode("ascii", "replace"), b.encode("ascii", "replace"))
