"""API authentication: the bearer token. Console users act through the console (``g.console_actor``)."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import current_app, g, jsonify, request

from kiosk_server.settings_access import settings

F = TypeVar("F", bound=Callable[..., Any])


def current_actor() -> str | None:
    """Who is making this request: "api-token", the signed-in console user's name, or None."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token:
        if hmac.compare_digest(token.strip().encode(), settings(current_app).api_token.encode()):
            return "api-token"
        return None
    actor = g.get("console_actor")
    return actor if isinstance(actor, str) and actor else None


def require_auth(view: F) -> F:
    """Answer 401 with a JSON body unless the request carries the API token."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if current_actor() != "api-token":
            response = jsonify(
                error="unauthorized", message="send 'Authorization: Bearer <token>' (the demo prints the token)"
            )
            response.status_code = 401
            response.headers["WWW-Authenticate"] = 'Bearer realm="kiosk"'
            return response
        return view(*args, **kwargs)

    return cast(F, wrapper)
