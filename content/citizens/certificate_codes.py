"""Certificate codes a person can read out and type: no look-alikes, groups of four, any case.

The alphabet leaves out 0/O, 1/I/L (and so never makes one from the other); 20 characters of 31
give 99 random bits, far beyond guessing at any rate a server answers. Printed as
``XXXX-XXXX-XXXX-XXXX-XXXX``; typed with or without hyphens or spaces, in either case. Only the
SHA-256 of the normalised code is stored. Codes issued before (``secrets.token_urlsafe(16)``,
case-sensitive) are still found: their hash is of the code exactly as printed.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from typing import Final

ALPHABET: Final = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH: Final = 20
GROUP: Final = 4
MAX_TYPED_CHARS: Final = 64  # anything longer is not a code of ours, old or new
_SEPARATORS: Final = re.compile(r"[\s\-‐‑–—－]+")


def new_code() -> str:
    """A fresh code in its printed form (``XXXX-XXXX-XXXX-XXXX-XXXX``)."""
    return grouped("".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH)))


def grouped(code: str) -> str:
    """A normalised code in groups of four joined by hyphens."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def normalise_code(typed: str) -> str | None:
    """A typed code as stored (upper case, no separators), or None when it is not a new-style code."""
    plain = _SEPARATORS.sub("", typed).upper()
    if len(plain) != CODE_LENGTH or any(ch not in ALPHABET for ch in plain):
        return None
    return plain


def code_hash(code: str) -> str:
    """SHA-256 hex of a code: codes are random, so no key is needed to keep them unguessable.

    A new-style code is hashed normalised (so any typing finds it); anything else exactly as given.
    """
    plain = normalise_code(code) or code
    return hashlib.sha256(plain.encode("utf-8")).hexdigest()


def lookup_hashes(typed: str) -> list[str]:
    """The hashes a typed code may be stored under: normalised new-style, and as typed (an old code)."""
    if not typed or len(typed) > MAX_TYPED_CHARS:
        return []
    hashes = [code_hash(typed)]
    exact = hashlib.sha256(typed.strip().encode("utf-8")).hexdigest()
    if exact not in hashes:
        hashes.append(exact)
    return hashes
