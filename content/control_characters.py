"""The control characters no text we store may hold: one rule for the REST API, the console, pages and imports.

C0 control characters but TAB, LF and CR, and DEL: invisible, meaningless in a title, a notice or a
spreadsheet cell, and PostgreSQL refuses a NUL in a text column (a 500 there, stored on SQLite).
Stdlib only, like the other rule modules.
"""

from __future__ import annotations

import re
from typing import Final

_CONTROL: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def first_control_character(text: str) -> str | None:
    """The first control character of ``text`` that no field may hold, as ``U+0000``, or None."""
    found = _CONTROL.search(text)
    return None if found is None else f"U+{ord(found.group()):04X}"


def control_character_at(text: str) -> tuple[str, int] | None:
    """The first such character as ``U+0000`` and its 1-based position, or None."""
    found = _CONTROL.search(text)
    return None if found is None else (f"U+{ord(found.group()):04X}", found.start() + 1)


def without_control_characters(text: str) -> str:
    """``text`` with every character ``first_control_character`` finds removed."""
    return _CONTROL.sub("", text)
