"""Fixtures for the API tests: the API client wrapper and the request-body factory."""

from __future__ import annotations

from typing import Any

import pytest

from tests.kiosk_server.api_factories import Api, Factory


@pytest.fixture
def api(client: Any, auth_headers: dict[str, str]) -> Api:
    return Api(client, auth_headers)


@pytest.fixture
def make(api: Api) -> Factory:
    return Factory(api)
