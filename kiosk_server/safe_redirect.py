"""Where to go after signing in: the ``next`` parameter, only when it is a path of our own pages.

An open redirect after a sign-in page is a phishing tool: a link to the real sign-in page that lands
on a look-alike afterwards. So ``next`` is taken only as a plain path under the pages' own prefix
(``/console``, ``/counter``); anything a browser could read as another host (``//evil``,
``/\\evil``, ``https://evil``), a script (``javascript:``), control characters, backslashes and
percent-encoded slashes, backslashes or dot segments are refused outright rather than repaired.
"""

from __future__ import annotations

import re
from typing import Final
from urllib.parse import unquote, urlsplit

MAX_LENGTH: Final = 2000
# Percent-encoded '/', '\', '.' and control characters: no path of our pages needs them.
_ENCODED: Final = re.compile(r"%(2f|5c|2e|[01][0-9a-f]|7f)", re.IGNORECASE)


def _plain(text: str) -> bool:
    # Printable ASCII without spaces or backslashes: browsers strip tabs and line breaks from URLs and
    # read '\' as '/', so either could turn a path into another host.
    return all("!" <= ch <= "~" and ch != "\\" for ch in text)


def safe_next(value: str | None, *, under: str) -> str | None:
    """``value`` when it is a path of this site at or below ``under`` (e.g. ``"/console"``), else None."""
    if not value or len(value) > MAX_LENGTH or not _plain(value):
        return None
    if not (value == under or value.startswith((under + "/", under + "?"))):
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or "//" in parts.path or _ENCODED.search(parts.path):
        return None
    segments = unquote(parts.path).split("/")
    if "." in segments or ".." in segments:
        return None
    return value
