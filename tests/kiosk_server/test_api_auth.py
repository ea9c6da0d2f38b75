"""Every API route needs the bearer token (except the description); errors under the prefix are JSON."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

PUBLIC = {"/api/v1/openapi.json"}


def _api_calls(app: Flask) -> list[tuple[str, str]]:
    calls = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api_v1."):
            continue
        url = re.sub(r"<(?:\w+:)?\w+>", "1", rule.rule)
        calls.extend((method, url) for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}))
    return calls


def test_every_route_but_the_description_answers_401_json_without_a_token(app: Flask, client: Any) -> None:
    calls = [(m, u) for m, u in _api_calls(app) if u not in PUBLIC]
    assert len(calls) >= 50  # 12 collections × 5 routes, plus the manifest, media upload and emergency end
    for method, url in calls:
        response = client.open(url, method=method, json={})
        assert response.status_code == 401, (method, url, response.status_code)
        assert response.get_json()["error"] == "unauthorized"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_wrong_token_is_401(client: Any) -> None:
    response = client.get("/api/v1/halls", headers={"Authorization": "Bearer not-the-token"})
    assert response.status_code == 401


def test_refused_write_without_token_writes_nothing(app: Flask, client: Any) -> None:
    from tests.kiosk_server.api_factories import row_counts

    before = row_counts(app)
    response = client.post("/api/v1/org-units", json={"name": "甘肃省", "level": "province"})
    assert response.status_code == 401
    assert row_counts(app) == before


def test_description_needs_no_token(client: Any) -> None:
    assert client.get("/api/v1/openapi.json").status_code == 200


@pytest.mark.parametrize(
    ("method", "url", "status"), [("GET", "/api/v1/no-such-thing", 404), ("PUT", "/api/v1/halls", 405)]
)
def test_routing_errors_under_the_prefix_are_json(
    client: Any, auth_headers: dict[str, str], method: str, url: str, status: int
) -> None:
    response = client.open(url, method=method, headers=auth_headers)
    assert response.status_code == status
    assert response.is_json and response.get_json()["error"]


def test_pages_outside_the_api_keep_their_own_errors(client: Any) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404 and not response.is_json
