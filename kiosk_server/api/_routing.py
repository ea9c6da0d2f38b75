"""The API blueprint, its route decorator (which also records the OpenAPI operation) and input parsing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from flask import Blueprint, current_app, request
from pydantic import BaseModel

from kiosk_server.api._errors import register_error_handlers
from kiosk_server.auth import Need, require_auth
from kiosk_server.settings_access import runtime

api_blueprint = Blueprint("api_v1", __name__, url_prefix="/api/v1")
register_error_handlers(api_blueprint)

B = TypeVar("B", bound=BaseModel)
V = TypeVar("V", bound=Callable[..., Any])


@dataclass(frozen=True)
class Operation:
    """What the OpenAPI document says about one route; kept on the view so the two cannot drift."""

    summary: str
    tag: str
    body: type[BaseModel] | None = None
    body_media_type: str = "application/json"
    response_media_type: str = "application/json"
    query: type[BaseModel] | None = None
    response: type[BaseModel] | None = None  # None with status 204: no body
    status: int = 200
    errors: tuple[int, ...] = ()  # besides 401 and 403 (added unless public) and 422 (added when there is input)
    also: tuple[tuple[int, type[BaseModel], str], ...] = ()  # other successful answers: (status, body, when)
    public: bool = False
    need: Need | None = None  # what the calling key's scope must grant; None: read for GET, write otherwise


def route(rule: str, method: str, endpoint: str, operation: Operation) -> Callable[[V], V]:
    """Register ``view`` on the API blueprint behind ``require_auth`` (unless public), described by ``operation``.

    The key's scope must grant the operation's ``need``; where its target lies is checked by the shared
    lookups (``kiosk_server/api/_access.py``).
    """

    def decorate(view: V) -> V:
        need = operation.need or (Need.READ if method == "GET" else Need.WRITE)
        wrapped = view if operation.public else require_auth(view, need)
        # Kept on the function for openapi.py (read back with getattr); a Callable type declares no attributes.
        wrapped.operation = operation  # type: ignore[attr-defined]
        api_blueprint.add_url_rule(rule, endpoint=endpoint, view_func=wrapped, methods=[method])
        return wrapped

    return decorate


def parse_body(model: type[B]) -> B:
    """The JSON body validated by ``model``; pydantic's ValidationError becomes a 422 answer.

    Strict: JSON has its own types, so ``false`` is no integer and ``"5"`` no number (the OpenAPI
    description says ``integer``, and JSON Schema agrees); days and instants are still ISO strings.
    """
    return model.model_validate_json(request.get_data(cache=True) or b"{}", strict=True)


def parse_query(model: type[B]) -> B:
    return model.model_validate(request.args.to_dict())


def parse_form(model: type[B], *, skip: frozenset[str] = frozenset()) -> B:
    """Multipart form fields validated by ``model``; empty fields count as not given."""
    return model.model_validate({k: v for k, v in request.form.items() if v != "" and k not in skip})


def given(body: BaseModel) -> dict[str, Any]:
    """The fields the client actually sent (nested values complete), for partial updates."""
    return body.model_dump(include=set(body.model_fields_set))


def now() -> datetime:
    """The app's clock (the runtime's, so tests and the publisher agree on "now")."""
    return runtime(current_app).clock()
