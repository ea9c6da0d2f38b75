"""CSRF tokens kept in the signed session cookie: one per sign-in kind, compared in constant time."""

from __future__ import annotations

import hmac
import secrets
from typing import Final

from flask import session as cookie

FIELD: Final = "csrf_token"  # the hidden form field
HEADER: Final = "X-CSRF-Token"  # the header of script calls


def token(key: str) -> str:
    """The token stored under ``key``, made on first use."""
    value = cookie.get(key)
    if not isinstance(value, str) or not value:
        value = secrets.token_urlsafe(32)
        cookie[key] = value
    return value


def renew(key: str) -> None:
    """A fresh token (on sign-in: the one of the sign-in form is spent)."""
    cookie[key] = secrets.token_urlsafe(32)


def valid(key: str, sent: str | None) -> bool:
    value = cookie.get(key)
    if not sent or not isinstance(value, str) or not value:
        return False
    return hmac.compare_digest(sent.encode(), value.encode())
