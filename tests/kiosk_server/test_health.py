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


def test_one_sqlite_process_has_no_change_signal(tmp_path: Path) -> None:
    app = make_app(tmp_path, f"sqlite:///{tmp_path / 'k.sqlite3'}")
    assert app.test_client().get("/healthz").get_json()["change_signal"] is None


@pytest.mark.postgres
def test_a_process_not_listening_for_other_processes_commits_is_degraded(tmp_path: Path, postgres_url: str) -> None:
    """Its screens are served; changes made through other processes wait for the publisher's poll."""
    from kiosk_server.settings_access import runtime

    app = make_app(tmp_path, postgres_url)
    signal = runtime(app).signal
    assert signal is not None
    signal.listening = False  # what the listener records when its connection is lost
    body = app.test_client().get("/healthz").get_json()
    assert (body["status"], body["ready"], body["change_signal"]) == ("degraded", True, {"listening": False})
    signal.listening = True
    assert app.test_client().get("/healthz").get_json()["status"] == "ok"
