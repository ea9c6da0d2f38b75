"""What the HTTP records backend accepts as its base URL and auth header (docs/records-http.md).

One home for the rules the settings check at start-up (``kiosk_server.config``, which names the
``KIOSK_*`` key) and ``HttpRecords`` checks when built. Messages never repeat the header's value nor
the URL, which may hold a secret by mistake.
"""

from __future__ import annotations

import re
from typing import Final
from urllib.parse import urlsplit

HEADER_NAME: Final = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # an RFC 9110 token
_BREAKS: Final = "\r\n\0"


def base_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be the records API's base URL, or None when it can."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- raises ValueError for a port that is not one
    except ValueError:
        return "the URL does not parse (a bad port or host)"
    if parts.username is not None or parts.password is not None:
        return "credentials belong in the auth header, not in the URL (the URL is not shown)"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "expected an http:// or https:// base URL with a host"
    if parts.query or parts.fragment:
        return "expected a base URL without query or fragment"
    return None


def auth_header_problem(name: str, value: str) -> str | None:
    """Why ``name: value`` cannot be sent as the auth header, or None when it can (the value is not shown)."""
    if not HEADER_NAME.fullmatch(name):
        return "the name is not an HTTP header name"
    if not value.strip():
        return "the value is empty"
    if any(ch in value for ch in _BREAKS):
        return "the value holds a line break (the value is not shown)"
    return None


def parse_auth_header(text: str) -> tuple[str, str] | None:
    """``"Name: value"`` as a pair, None for a blank text; ValueError when it is not a usable header."""
    if not text.strip():
        return None
    name, colon, value = (part.strip() for part in text.partition(":"))
    if not colon:
        raise ValueError("expected 'Header-Name: value', e.g. 'Authorization: Bearer <token>' (the value is not shown)")
    problem = auth_header_problem(name, value)
    if problem is not None:
        raise ValueError(problem)
    return name, value
