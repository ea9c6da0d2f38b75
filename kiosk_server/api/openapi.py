"""The OpenAPI 3.1 description, generated from the registered routes and their pydantic models.

Nothing here is written by hand per endpoint: every ``/api/v1`` rule in the app's URL map is
described from the ``Operation`` its view carries, and every schema comes from
``model_json_schema``, so the document cannot drift from the code.
"""

from __future__ import annotations

import re
from typing import Any, Final

from flask import Flask, current_app
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema
from werkzeug.routing import Rule

from kiosk_server.api._crud import MAX_ID
from kiosk_server.api._routing import Operation, api_blueprint, route
from kiosk_server.api._schemas import ErrorBody, ValidationFailed

OPENAPI_VERSION: Final = "3.1.0"
REF_TEMPLATE: Final = "#/components/schemas/{model}"
_ARGUMENT = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")
_ERROR_TEXT: Final = {
    400: "the request cannot be applied as sent (see message)",
    401: "no valid bearer token or console session",
    403: "the key's scope does not allow this, or the target lies outside its part of the org tree",
    404: "no such row",
    409: "clashes with stored data (still in use, already over)",
    413: "the request is larger than the server accepts",
    422: "invalid input; nothing was written",
    503: "the database is unavailable just now; try again after Retry-After seconds",
}
_SKIPPED_METHODS: Final = frozenset({"HEAD", "OPTIONS"})


def _api_rules(app: Flask) -> list[tuple[Rule, Operation | None]]:
    prefix = f"{api_blueprint.name}."
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith(prefix)]
    return [(r, getattr(app.view_functions[r.endpoint], "operation", None)) for r in sorted(rules, key=str)]


def openapi_path(rule: Rule) -> str:
    """``/api/v1/halls/<int:ident>`` → ``/api/v1/halls/{ident}``."""
    return _ARGUMENT.sub(lambda m: "{" + m["name"] + "}", rule.rule)


def _schemas(operations: list[Operation | None]) -> tuple[dict[Any, Any], dict[str, Any]]:
    wanted: dict[tuple[type[BaseModel], JsonSchemaMode], None] = {
        (ErrorBody, "serialization"): None,
        (ValidationFailed, "serialization"): None,
    }
    for op in operations:
        if op is None:
            continue
        uses: tuple[tuple[type[BaseModel] | None, JsonSchemaMode], ...] = (
            (op.body, "validation"),
            (op.query, "validation"),
            (op.response, "serialization"),
        )
        uses += tuple((model, "serialization") for _, model, _ in op.also)
        for model, mode in uses:
            if model is not None:
                wanted[(model, mode)] = None
    keys, top = models_json_schema(list(wanted), ref_template=REF_TEMPLATE)
    return dict(keys), top.get("$defs", {})


def _json(schema: Any, media_type: str = "application/json") -> dict[str, Any]:
    return {media_type: {"schema": schema}}


def _parameters(rule: Rule, op: Operation | None, refs: dict[Any, Any], defs: dict[str, Any]) -> list[dict[str, Any]]:
    params = []
    for match in _ARGUMENT.finditer(rule.rule):
        schema = (
            {"type": "integer", "minimum": 1, "maximum": MAX_ID} if match["converter"] == "int" else {"type": "string"}
        )
        params.append({"name": match["name"], "in": "path", "required": True, "schema": schema})
    if op is not None and op.query is not None:
        definition = defs[refs[(op.query, "validation")]["$ref"].rsplit("/", 1)[1]]
        required = set(definition.get("required", []))
        for name, schema in definition.get("properties", {}).items():
            param = {
                "name": name,
                "in": "query",
                "required": name in required,
                "schema": {k: v for k, v in schema.items() if k not in {"title", "description"}},
            }
            if "description" in schema:
                param["description"] = schema["description"]
            params.append(param)
    return params


def _operation(rule: Rule, op: Operation | None, refs: dict[Any, Any], defs: dict[str, Any]) -> dict[str, Any]:
    endpoint = rule.endpoint.split(".", 1)[1]
    if op is None:  # a route registered without the decorator: still listed, never silently missing
        return {"operationId": endpoint, "responses": {"default": {"description": "undocumented"}}}
    error_ref = refs[(ErrorBody, "serialization")]
    if op.status == 204:
        success: dict[str, Any] = {"description": "done; no body"}
    else:
        if op.response is not None:
            schema = refs[(op.response, "serialization")]
        else:
            schema = {"type": "object"} if op.response_media_type == "application/json" else {"type": "string"}
        success = {
            "description": "OK" if op.status == 200 else "created",
            "content": _json(schema, op.response_media_type),
        }
    responses: dict[str, Any] = {str(op.status): success}
    for status, model, when in op.also:
        responses[str(status)] = {"description": when, "content": _json(refs[(model, "serialization")])}
    statuses = set(op.errors) | ({401, 403} if not op.public else set()) | {503}
    for status in sorted(statuses):
        responses[str(status)] = {"description": _ERROR_TEXT.get(status, "error"), "content": _json(error_ref)}
    if op.body is not None or op.query is not None:
        invalid = refs[(ValidationFailed, "serialization")]
        responses["422"] = {"description": _ERROR_TEXT[422], "content": _json(invalid)}
    document: dict[str, Any] = {
        "operationId": endpoint,
        "summary": op.summary,
        "tags": [op.tag],
        "parameters": _parameters(rule, op, refs, defs),
        "responses": dict(sorted(responses.items())),
        "security": [] if op.public else [{"bearerAuth": []}],
    }
    if op.body is not None:
        document["requestBody"] = {
            "required": True,
            "content": {op.body_media_type: {"schema": refs[(op.body, "validation")]}},
        }
    return document


def build_document(app: Flask) -> dict[str, Any]:
    """The OpenAPI 3.1 document of every route under the API blueprint of ``app``."""
    rules = _api_rules(app)
    refs, defs = _schemas([op for _, op in rules])
    paths: dict[str, dict[str, Any]] = {}
    for rule, op in rules:
        for method in sorted((rule.methods or set()) - _SKIPPED_METHODS):
            paths.setdefault(openapi_path(rule), {})[method.lower()] = _operation(rule, op, refs, defs)
    for _, op in rules:  # query models are spelled out as parameters; their own entry would be noise
        if op is not None and op.query is not None:
            defs.pop(refs[(op.query, "validation")]["$ref"].rsplit("/", 1)[1], None)
    tags = sorted({op.tag for _, op in rules if op is not None})
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "Hall signage and kiosks API",
            "version": "1",
            "description": "Content, screens, schedules and emergencies of the employment and social-security "
            "service halls. Every write is audited and published to the screens it affects.",
        },
        "tags": [{"name": tag} for tag in tags],
        "paths": paths,
        "components": {
            "schemas": defs,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearerAuth": []}],
    }


@route("/openapi.json", "GET", "openapi", Operation("This description (no token needed)", "meta", public=True))
def openapi_document() -> Any:
    cached = current_app.extensions.get("kiosk_openapi")
    if cached is None:
        cached = current_app.extensions["kiosk_openapi"] = build_document(current_app)
    return cached
