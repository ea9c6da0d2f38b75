"""Control characters in what a request names (path, query, form): refused before any view of the pages runs.

NUL and the other C0 control characters but TAB, LF and CR, and DEL, mean nothing in a screen key,
a ticket code or a search, and PostgreSQL refuses a NUL even in a query (a 500 before, and a
traceback). The REST API and the console refuse them themselves, naming the field in their own
way (``kiosk_server/api/_schemas.py: Body``, ``kiosk_server/console/resubmit.py``); this guard
covers the rest: player pages, the kiosk and counter pages and their APIs, tickets, certificates.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

from flask import Flask, Response, jsonify, request

from content.control_characters import first_control_character

# Prefixes whose own rules name the field: the REST API (422 with its error list) and the console.
_OWN_RULES: Final = ("/api/v1/", "/console/")


def _texts() -> Iterator[tuple[str, str]]:
    for name, value in (request.view_args or {}).items():
        if isinstance(value, str):
            yield name, value
    yield from request.args.items(multi=True)
    if request.method == "POST" and request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        yield from request.form.items(multi=True)


def _refuse_control_characters() -> Any:
    if request.path.startswith(_OWN_RULES) or request.path in ("/api/v1", "/console"):
        return None
    for name, value in _texts():
        char = first_control_character(value)
        if char is None:
            continue
        message = f"{name}: 含有不可见的控制字符（{char}） / holds the invisible control character {char}"
        if "/api/" in request.path or request.path.endswith(".json"):
            response = jsonify(error="control_characters", message=message, field=name)
        else:
            response = Response(message, mimetype="text/plain")
        response.status_code = 422
        response.headers["Cache-Control"] = "no-store"
        return response
    return None


def init_app(app: Flask) -> None:
    """Refuse control characters in every request outside the REST API and the console."""
    app.before_request(_refuse_control_characters)
