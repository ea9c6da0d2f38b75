"""``/healthz``: is the database reachable, the message queue reachable, the data directory writable; the version."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any

from flask import Blueprint, current_app, jsonify

from kiosk_server import data_dir
from kiosk_server.database import database
from kiosk_server.settings_access import runtime, settings

bp = Blueprint("health", __name__)


def _package_version() -> str:
    try:
        return version("hall-signage")
    except PackageNotFoundError:
        return "0+unknown"


def _queue_status(url: str) -> dict[str, Any]:
    """Redis answers a ping; ``listening``: this process's subscription (None until a client connects)."""
    if not url:
        return {"kind": "in-process", "reachable": True}
    import redis

    from kiosk_server.message_queue import MessageQueue

    manager = runtime(current_app).socketio.server.manager
    status: dict[str, Any] = {"kind": "redis"}
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        try:
            status["reachable"] = bool(client.ping())
        finally:
            client.close()
    except redis.RedisError as err:
        status.update(reachable=False, error=type(err).__name__)
    if isinstance(manager, MessageQueue):
        status["listening"] = manager.listening
    return status


@bp.get("/healthz")
def healthz() -> Any:
    cfg = settings(current_app)
    db_ok = database(current_app).ping()
    queue = _queue_status(cfg.message_queue_url)
    storage = data_dir.status(data_dir.directories(cfg.data_dir, cfg.database_url))
    # Ready: this process serves its screens and saves. Without Redis it still does; only pushes to
    # other processes' screens wait for their heartbeat, so that is degraded, not a reason to drain it.
    ready = db_ok and storage["writable"]
    signal = runtime(current_app).signal
    # Not listening for other processes' commits: their changes wait for the publisher's poll.
    signal_down = signal is not None and signal.listening is False
    degraded = not queue["reachable"] or signal_down
    body = {
        "status": "unavailable" if not ready else "degraded" if degraded else "ok",
        "ready": ready,
        "version": _package_version(),
        "database": {"kind": "sqlite" if cfg.uses_sqlite else "postgresql", "reachable": db_ok},
        "message_queue": queue,
        "data_dir": storage,  # reads still work when it is not writable; every save fails
        "publisher": {"running": runtime(current_app).started, "leader": runtime(current_app).publisher.is_leader},
        "change_signal": None if signal is None else {"listening": signal.listening},
    }
    return jsonify(body), 200 if ready else 503
