"""/healthz reports the database, the message queue and the version; 503 only when the process cannot serve."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import REDIS_SKIP, REDIS_UP, REDIS_URL, make_app
from tests.support.server import free_port


def test_healthz_reports_database_queue_and_version(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert (body["status"], body["ready"]) == ("ok", True)
    assert body["database"]["reachable"] is True
    assert body["message_queue"] == {"kind": "in-process", "reachable": True}
    assert body["version"]


@pytest.mark.skipif(not REDIS_UP, reason=REDIS_SKIP)
def test_healthz_with_a_reachable_redis_queue(tmp_path: Path) -> None:
    app = make_app(tmp_path, f"sqlite:///{tmp_path / 'k.sqlite3'}", message_queue_url=REDIS_URL)
    body = app.test_client().get("/healthz").get_json()
    # listening: None until the first client connects and starts this process's subscription
    assert body["message_queue"] == {"kind": "redis", "reachable": True, "listening": None}
    assert body["status"] == "ok"


def test_without_redis_the_process_is_ready_but_degraded(tmp_path: Path) -> None:
    """Redis down costs cross-process push only; a load balancer must not drain the whole fleet for it."""
    app = make_app(tmp_path, f"sqlite:///{tmp_path / 'k.sqlite3'}", message_queue_url="redis://127.0.0.1:1/0")
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert (body["status"], body["ready"]) == ("degraded", True)
    assert body["message_queue"]["reachable"] is False
    assert body["message_queue"]["error"] == "ConnectionError"


def test_without_its_database_the_process_is_not_ready(tmp_path: Path) -> None:
    from kiosk_server import create_app

    app = create_app(
        {
            "data_dir": str(tmp_path / "data"),
            "database_url": f"postgresql+psycopg://kiosk@127.0.0.1:{free_port()}/kiosk",
            "testing": True,
            "api_token": "test-token",
        }
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert (body["status"], body["ready"]) == ("unavailable", False)
    assert body["database"]["reachable"] is False
