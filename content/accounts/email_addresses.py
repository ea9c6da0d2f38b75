"""E-mail addresses: the one rule for what the server accepts as an address to send alerts to.

Staff accounts (``content.accounts.staff``) and the fixed alert list (``KIOSK_ALERT_SMTP_TO``) both
use it. It is deliberately narrower than RFC 5322: one plain ``local@domain`` with a dotted domain,
nothing an SMTP server or a mail header would have to quote (no spaces, angle brackets, quotes,
commas or semicolons), so an address can never smuggle a second recipient or a header.
"""

from __future__ import annotations

from typing import Final

MAX_LENGTH: Final = 254  # RFC 5321's limit on a forward path, less the angle brackets
MAX_LOCAL_LENGTH: Final = 64
_FORBIDDEN: Final = frozenset('<>"(),;:[]\\')


def address_problem(address: str) -> str | None:
    """Why ``address`` is not one we send to (in English, for logs and the CLI), or None when it is."""
    if len(address) > MAX_LENGTH:
        return f"at most {MAX_LENGTH} characters"
    if address.count("@") != 1:
        return "expected one @, as in name@example.org"
    if any(c.isspace() or not c.isprintable() or c in _FORBIDDEN for c in address):
        return "no spaces, quotes, brackets, commas or semicolons"
    local, domain = address.split("@")
    if not local or len(local) > MAX_LOCAL_LENGTH or local.startswith(".") or local.endswith(".") or ".." in local:
        return "the part before @ is missing or malformed"
    labels = domain.split(".")
    if len(labels) < 2 or any(not label or label.startswith("-") or label.endswith("-") for label in labels):
        return "the part after @ must be a domain such as example.org"
    return None


def is_address(address: str) -> bool:
    return address_problem(address) is None
