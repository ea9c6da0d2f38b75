"""The vacancy form's occupation picker: the GB/T 6565 table (``content.library.occupations``) for its script.

Every console page may call ``occupation_codes()``; the vacancy form embeds the result as JSON, and
``display_client/static/js/console/occupation-picker.js`` searches it by words, pinyin initials and code.
"""

from __future__ import annotations

from typing import Any

from content.library.occupations import table
from kiosk_server.console.base import bp


def occupation_codes() -> list[dict[str, str]]:
    """Each code with its name and the pinyin initials of its name (快递员 → kdy), by code."""
    return [{"code": o.code, "name": o.name, "initials": o.initials} for o in table()]


@bp.context_processor
def _picker() -> dict[str, Any]:
    return {"occupation_codes": occupation_codes}
