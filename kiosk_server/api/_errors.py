"""Error answers of API v1: every failure is JSON, field errors are ``{"field", "message"}`` with dotted paths."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pydantic
from flask import Blueprint, Flask, Response, current_app, jsonify, request
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from content.errors import NotFound, ValidationError
from kiosk_server import db_outage
from kiosk_server.database import request_session


class Conflict(Exception):
    """The request is well formed but clashes with the stored state (still referenced, already ended)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def dotted(field: str) -> str:
    """``targets[0].ref`` → ``targets.0.ref``: one path style for domain and pydantic errors."""
    return re.sub(r"\[(\d+)\]", r".\1", field)


def gather(*checks: Callable[[], object]) -> None:
    """Run every check and raise one ValidationError with all their field errors, so a client fixes them at once."""
    errors: dict[str, str] = {}
    for check in checks:
        try:
            check()
        except ValidationError as err:
            errors.update({dotted(field): message for field, message in err.errors.items()})
    if errors:
        raise ValidationError(errors)


def field_errors(errors: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"field": dotted(field), "message": message} for field, message in errors.items()]


def _pydantic_message(error: Mapping[str, Any]) -> str:
    if error["type"] == "value_error" and "error" in error.get("ctx", {}):
        return str(error["ctx"]["error"])  # our own message, without pydantic's "Value error, " prefix
    if error["type"] == "extra_forbidden":
        return "not a field of this request"
    if error["type"] == "json_invalid":
        return f"the body is not valid JSON ({error.get('ctx', {}).get('error', 'parse error')})"
    if error["type"] == "model_type":
        return "send a JSON object"
    return str(error["msg"])


def pydantic_field_errors(errors: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    found: list[dict[str, str]] = []
    for error in errors:
        field = ".".join(str(part) for part in error["loc"]) or "body"
        found.append({"field": field, "message": _pydantic_message(error)})
    return found


def error_response(status: int, error: str, message: str) -> Response:
    response = jsonify(error=error, message=message)
    response.status_code = status
    return response


def validation_response(errors: list[dict[str, str]]) -> Response:
    response = jsonify(error="validation_failed", errors=errors)
    response.status_code = 422
    return response


def _rollback() -> None:
    # Nothing half-done may be committed later in this request (or left open on PostgreSQL).
    request_session().rollback()


def _on_domain_validation(err: ValidationError) -> Response:
    _rollback()
    return validation_response(field_errors(err.errors))


def _on_pydantic_validation(err: pydantic.ValidationError) -> Response:
    _rollback()
    return validation_response(pydantic_field_errors(err.errors()))


def _on_not_found(err: NotFound) -> Response:
    _rollback()
    return error_response(404, "not_found", str(err))


def _on_conflict(err: Conflict) -> Response:
    _rollback()
    return error_response(409, "conflict", err.message)


def _on_integrity(err: IntegrityError) -> Response:
    _rollback()
    return error_response(409, "conflict", "the change clashes with stored data (a duplicate or a record still in use)")


def _on_unavailable(err: Exception) -> Response:
    if not db_outage.app_outage(current_app).failed(err):
        raise err  # a programming error: logged with its traceback, answered 500
    db_outage.forget_request_work()
    response = error_response(
        503, db_outage.ERROR_CODE, "the database is unavailable just now; try again in a few seconds"
    )
    response.headers["Retry-After"] = db_outage.retry_after()
    return response


def _on_http(err: HTTPException) -> Response:
    _rollback()
    response = error_response(err.code or 500, (err.name or "error").lower().replace(" ", "_"), err.description or "")
    for name, value in err.get_headers():  # 405's Allow, 413's and 429's Retry-After: the body is ours, they stay
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def register_error_handlers(bp: Blueprint) -> None:
    """JSON for every error raised inside an API view, and for unmatched URLs under the API prefix."""
    bp.register_error_handler(ValidationError, _on_domain_validation)
    bp.register_error_handler(pydantic.ValidationError, _on_pydantic_validation)
    bp.register_error_handler(NotFound, _on_not_found)
    bp.register_error_handler(Conflict, _on_conflict)
    bp.register_error_handler(IntegrityError, _on_integrity)
    bp.register_error_handler(HTTPException, _on_http)
    db_outage.handle_with(bp, _on_unavailable)
    prefix = (bp.url_prefix or "").rstrip("/") + "/"

    def _routing_miss(err: HTTPException) -> Response | HTTPException:
        # Routing errors happen before any blueprint is chosen, so they reach app-level handlers;
        # answer JSON under the API prefix and leave every other page's error as it was.
        return _on_http(err) if request.path.startswith(prefix) else err

    @bp.record_once
    def _install(state: Any) -> None:
        app: Flask = state.app
        app.register_error_handler(404, _routing_miss)
        app.register_error_handler(405, _routing_miss)
