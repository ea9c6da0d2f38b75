"""The OpenAPI document is generated from the routes and models, so it covers every route and resolves."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask

METHODS = {"get", "post", "put", "patch", "delete"}


def _document(client: Any) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


def test_every_registered_api_rule_and_method_is_described(app: Flask, client: Any) -> None:
    paths = _document(client)["paths"]
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("api_v1.")]
    assert len(rules) >= 25
    for rule in rules:
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        assert path in paths, path
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            operation = paths[path][method.lower()]
            assert operation["operationId"] == rule.endpoint.split(".", 1)[1]
            assert operation["summary"] and operation["responses"]


def test_document_structure(client: Any) -> None:
    doc = _document(client)
    assert doc["openapi"] == "3.1.0"
    assert doc["info"]["title"] and doc["info"]["version"] == "1"
    assert doc["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer"}
    operation_ids = []
    for path, item in doc["paths"].items():
        assert path.startswith("/api/v1/")
        for method, operation in item.items():
            assert method in METHODS
            operation_ids.append(operation["operationId"])
            for param in operation.get("parameters", []):
                assert param["in"] in {"path", "query"} and "schema" in param
                if param["in"] == "path":
                    assert param["required"] is True and "{" + param["name"] + "}" in path
            for status, response in operation["responses"].items():
                assert re.fullmatch(r"[1-5]\d\d|default", status) and response["description"]
    assert len(operation_ids) == len(set(operation_ids))
    schemas = doc["components"]["schemas"]
    for ref in _refs(doc):
        assert ref.startswith("#/components/schemas/") and ref.rsplit("/", 1)[1] in schemas, ref


def test_writes_name_their_body_422_schema_and_token(client: Any) -> None:
    doc = _document(client)
    create = doc["paths"]["/api/v1/vacancies"]["post"]
    body = create["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = doc["components"]["schemas"][body.rsplit("/", 1)[1]]
    assert {"salary_min", "occupation_code", "employer_id"} <= set(schema["properties"])
    assert schema["additionalProperties"] is False
    assert create["responses"]["422"]["content"]["application/json"]["schema"]["$ref"].endswith("/ValidationFailed")
    assert create["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].endswith("/VacancyOut")
    assert create["security"] == [{"bearerAuth": []}]
    failed = doc["components"]["schemas"]["ValidationFailed"]
    assert set(failed["properties"]) == {"error", "errors"}
    upload = doc["paths"]["/api/v1/media"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in upload
    media_form = doc["components"]["schemas"][upload["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[1]]
    assert "file" in media_form["required"]


def test_list_filters_and_paging_are_query_parameters(client: Any) -> None:
    doc = _document(client)
    params = {p["name"]: p for p in doc["paths"]["/api/v1/screens"]["get"]["parameters"]}
    assert {"page", "per_page", "hall_id", "tag", "group_id"} <= set(params)
    assert all(p["in"] == "query" and not p["required"] for p in params.values())
    manifest = doc["paths"]["/api/v1/screens/{ident}/manifest"]["get"]
    assert [p["name"] for p in manifest["parameters"]] == ["ident", "at"]


def test_the_description_itself_is_public(client: Any) -> None:
    doc = _document(client)
    assert doc["paths"]["/api/v1/openapi.json"]["get"]["security"] == []


def test_every_guarded_operation_documents_the_scope_refusal(client: Any) -> None:
    for path, item in _document(client)["paths"].items():
        for method, operation in item.items():
            if operation["security"]:
                assert "403" in operation["responses"], f"{method} {path}"


def test_a_content_keys_emergency_is_documented_as_a_proposal(client: Any) -> None:
    document = _document(client)
    answers = document["paths"]["/api/v1/emergencies"]["post"]["responses"]
    assert set(answers) >= {"201", "202", "403"}
    filed = answers["202"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert set(document["components"]["schemas"][filed]["required"]) == {"proposal_id", "status"}
