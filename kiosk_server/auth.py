"""API authentication: a bearer token resolves to a principal (the bootstrap token or a named API key).

The environment's token (``KIOSK_API_TOKEN``) is the bootstrap key with full scope. Named keys
(``content/accounts/api_keys.py``) carry a scope and an org node or hall; every API operation names
what it needs (``Need``), ``require_auth`` refuses a key whose scope does not grant it (403), and the
shared lookups in ``kiosk_server/api/_access.py`` keep it inside its subtree. Console users act
through the console (``g.console_actor``).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import wraps
from typing import Any, Final, TypeVar, cast

from flask import Response, current_app, g, has_request_context, jsonify, request

from content.accounts.access import Scope
from content.accounts.api_keys import KeyScope, looks_like_key, note_use, scope_of_key, verify_key
from content.citizens.keyed_hash import derive_key
from kiosk_server.settings_access import runtime, settings

F = TypeVar("F", bound=Callable[..., Any])
BOOTSTRAP: Final = "api-token"  # the actor name of the environment's token, as the audit log has always said


class Need(StrEnum):
    """What an API operation needs of the key that calls it."""

    READ = "read"  # look, change nothing
    WRITE = "write"  # change content inside the key's subtree
    EMERGENCY = "emergency"  # change or end an emergency on air (a content key only proposes new ones)
    ADMIN = "admin"  # the org tree, halls, screens and their credentials
    INGEST = "queue_ingest"  # a hall's queue events


GRANTS: Final[dict[KeyScope, frozenset[Need]]] = {
    KeyScope.FULL: frozenset(Need),
    KeyScope.CONTENT: frozenset({Need.READ, Need.WRITE}),
    KeyScope.READ: frozenset({Need.READ}),
    KeyScope.QUEUE_INGEST: frozenset({Need.INGEST}),
}


@dataclass(frozen=True)
class Principal:
    """Who calls the API: its actor name (audit log, history), its key scope and where it may act."""

    actor: str
    scope: KeyScope
    area: Scope
    key_id: int | None = None
    creator_id: int | None = None  # the account that made the key: content keys act under its four eyes

    @property
    def reviewed(self) -> bool:
        """Whether its changes go through review like an editor's (policy notices, emergencies)."""
        return self.scope is KeyScope.CONTENT

    def may(self, need: Need) -> bool:
        return need in GRANTS[self.scope]

    @property
    def may_admin(self) -> bool:
        return self.may(Need.ADMIN)


def api_key_hash_key(secret_key: str) -> bytes:
    """The HMAC key API key secrets are hashed under (its own purpose: no reuse of other keyed hashes)."""
    return derive_key(secret_key, "api-keys")


def _bearer() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _resolve(token: str) -> Principal | None:
    if hmac.compare_digest(token.encode(), settings(current_app).api_token.encode()):
        return Principal(BOOTSTRAP, KeyScope.FULL, Scope(None))
    if not looks_like_key(token):
        return None
    from kiosk_server.database import request_session  # the database module imports the app's settings

    session = request_session()
    row = verify_key(session, token, api_key_hash_key(settings(current_app).secret_key))
    if row is None:
        return None
    principal = Principal(
        f"api-key:{row.name}",
        KeyScope(row.scope),
        scope_of_key(session, row),
        key_id=row.id,
        creator_id=row.created_by_id,
    )
    if note_use(session, row, runtime(current_app).clock()):
        session.commit()  # at the start of the request: nothing else is pending yet
    return principal


def current_principal() -> Principal | None:
    """The principal of this request's bearer token (resolved once per request), or None."""
    if not has_request_context():
        return None
    if "api_principal" not in g:
        token = _bearer()
        g.api_principal = _resolve(token) if token else None
    return cast(Principal | None, g.api_principal)


def current_actor() -> str | None:
    """Who is making this request: "api-token", "api-key:<name>", the signed-in console user's name, or None."""
    if _bearer() is not None:
        principal = current_principal()
        return principal.actor if principal else None
    actor = g.get("console_actor")
    return actor if isinstance(actor, str) and actor else None


def _refusal(status: int, error: str, message: str) -> Response:
    response = jsonify(error=error, message=message)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="kiosk"'
    return response


def require_auth(view: F, need: Need) -> F:
    """Answer 401 unless the request carries the token or an active key, 403 unless its scope grants ``need``."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        principal = current_principal() if _bearer() is not None else None
        if principal is None:
            return _refusal(401, "unauthorized", "send 'Authorization: Bearer <token>' (the demo prints the token)")
        if not principal.may(need):
            return _refusal(
                403, "forbidden", f"a {principal.scope.value} key may not do this (the operation needs {need.value})"
            )
        return view(*args, **kwargs)

    wrapper.need = need  # type: ignore[attr-defined]  # read back by the authorization matrix test
    return cast(F, wrapper)
