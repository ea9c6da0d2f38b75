"""``/healthz``: is the database reachable, is the message queue reachable, which version runs."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any

from flask import Blueprint, current_app, jsonify

from kiosk_server.database import database
from kiosk_server.settings_access import runtime, settings

bp = Blueprint("health", __name__)


def _package_version() -> str:
    try:
        return version("hall-signage")
    except PackageNotFoundError:
        return "0+unknown"


def _queue_status(url: str) -> dict[str, Any]:
    if not url:
        return {"kind": "in-process", "reachable": True}
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        try:
            return {"kind": "redis", "reachable": bool(client.ping())}
        finally:
            client.close()
    except redis.RedisError as err:
        return {"kind": "redis", "reachable": False, "error": type(err).__name__}


@bp.get("/healthz")
def healthz() -> Any:
    cfg = settings(current_app)
    db_ok = database(current_app).ping()
    queue = _queue_status(cfg.message_queue_url)
    healthy = db_ok and queue["reachable"]
    body = {
        "status": "ok" if healthy else "degraded",
        "version": _package_version(),
        "database": {"kind": "sqlite" if cfg.uses_sqlite else "postgresql", "reachable": db_ok},
        "message_queue": queue,
        "publisher": {"running": runtime(current_app).started, "leader": runtime(current_app).publisher.is_leader},
    }
    return jsonify(body), 200 if healthy else 503
