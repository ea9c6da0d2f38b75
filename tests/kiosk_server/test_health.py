"""/healthz reports the database, the message queue and the version."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import REDIS_SKIP, REDIS_UP, REDIS_URL, make_app


def test_healthz_reports_database_queue_and_version(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["database"]["reachable"] is True
    assert body["message_queue"] == {"kind": "in-process", "reachable": True}
    assert body["version"]


@pytest.mark.skipif(not REDIS_UP, reason=REDIS_SKIP)
def test_healthz_with_a_reachable_redis_queue(tmp_path: Path) -> None:
    app = make_app(tmp_path, f"sqlite:///{tmp_path / 'k.sqlite3'}", message_queue_url=REDIS_URL)
    body = app.test_client().get("/healthz").get_json()
    assert body["message_queue"] == {"kind": "redis", "reachable": True}


def test_healthz_is_degraded_when_the_queue_is_unreachable(tmp_path: Path) -> None:
    app = make_app(tmp_path, f"sqlite:///{tmp_path / 'k.sqlite3'}", message_queue_url="redis://127.0.0.1:1/0")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["message_queue"]["reachable"] is False
