"""A stand-in for the server's screen side, to drive the wall player in Chromium.

It serves what kiosk_server serves to a wall (the player page, static files, service worker,
manifest.json, media, the ``/screen`` namespace: hello → welcome + manifest) and a small ``/_test``
control API so a test can register screens, push payloads and read what the player sent.
It runs as its own process so a test can kill, restart or freeze (SIGSTOP) "the server".
State is written to a JSON file on every change and read back at start, so a restart keeps it.
"""

from __future__ import annotations

import argparse
import json
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask, abort, jsonify, render_template, request, send_from_directory
from flask_socketio import Namespace, SocketIO, join_room

import display_client

NAMESPACE = "/screen"


class State:
    """Screens, their payloads and a log of what players sent, persisted to one file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock = threading.Lock()
        self.data: dict[str, Any] = {"screens": {}, "payloads": {}}
        if path.exists():
            self.data = json.loads(path.read_text(encoding="utf-8"))
        self.log: list[dict[str, Any]] = []

    def save(self) -> None:
        self.path.write_text(json.dumps(self.data, ensure_ascii=False), encoding="utf-8")

    def record(self, event: str, key: str | None, data: Any = None) -> None:
        with self.lock:
            self.log.append({"event": event, "key": key, "data": data, "at": datetime.now(UTC).isoformat()})


def welcome_for(key: str, screen: dict[str, Any]) -> dict[str, Any]:
    return {
        "screen": {
            "id": screen.get("id", 1),
            "name": screen.get("name", f"大厅屏{key}"),
            "kind": "wall",
            "panel": screen.get("panel", "lcd"),
            "width": screen.get("width", 1920),
            "height": screen.get("height", 1080),
            "orientation": "landscape",
            "low_resolution": bool(screen.get("low_resolution", False)),
            "hall": screen.get("hall", {"id": 1, "name": "兰州市城关区人力资源市场", "timezone": "Asia/Shanghai"}),
        },
        "server_time": datetime.now(UTC).isoformat(),
        "heartbeat_seconds": screen.get("heartbeat_seconds", 30),
    }


def create_app(state: State, media_dir: Path, ping_interval: float, ping_timeout: float) -> tuple[Flask, SocketIO]:
    app = Flask(__name__, template_folder=str(display_client.TEMPLATE_DIR), static_folder=None)
    socketio = SocketIO(
        app, async_mode="threading", ping_interval=ping_interval, ping_timeout=ping_timeout, transports=["websocket"]
    )
    sids: dict[str, str] = {}
    failed_hellos: dict[str, int] = {}  # per screen key: hellos answered as failed (screen "hello_failures")

    @app.get("/screen/<key>")
    def player(key: str) -> Any:
        return render_template("player.html", screen_key=key, static_url="/display-static", lang="zh-CN")

    @app.get("/screen/<key>/manifest.json")
    def manifest_json(key: str) -> Any:
        found = state.data["payloads"].get(key)
        if found is None:
            abort(404)
        response = jsonify(found)
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.get("/screen/sw.js")
    def service_worker() -> Any:
        response = send_from_directory(display_client.STATIC_DIR, "sw.js", mimetype="text/javascript", max_age=0)
        response.headers["Cache-Control"] = "no-cache"
        return response

    @app.get("/display-static/<path:filename>")
    def display_static(filename: str) -> Any:
        response = send_from_directory(display_client.STATIC_DIR, filename, max_age=0)
        response.headers["Cache-Control"] = "no-cache"
        return response

    @app.get("/media/<sha256>")
    def media(sha256: str) -> Any:
        mime = media_dir / f"{sha256}.mime"
        return send_from_directory(
            media_dir, sha256, mimetype=mime.read_text().strip() if mime.exists() else "image/png"
        )

    @app.get("/_test/ping")
    def ping() -> Any:
        return "ok"

    @app.get("/_test/blank")
    def blank() -> Any:
        return "<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'></head><body></body></html>"

    @app.post("/_test/screen/<key>")
    def set_screen(key: str) -> Any:
        body = request.get_json()
        with state.lock:
            state.data["screens"][key] = body.get("screen", {})
            if body.get("payload") is not None:
                state.data["payloads"][key] = body["payload"]
            state.save()
        if body.get("push") and body.get("payload") is not None:
            socketio.emit("manifest", body["payload"], namespace=NAMESPACE, to=f"screen:{key}")
        return "", 204

    @app.post("/_test/emit/<key>")
    def emit_only(key: str) -> Any:
        """Push a payload without making it the server's current one (duplicates, stale pushes)."""
        socketio.emit("manifest", request.get_json(), namespace=NAMESPACE, to=f"screen:{key}")
        return "", 204

    @app.get("/_test/log")
    def log() -> Any:
        with state.lock:
            return jsonify(list(state.log))

    class ScreenNamespace(Namespace):
        def on_connect(self, auth: Any = None) -> None:
            key = auth.get("key") if isinstance(auth, dict) else None
            if key not in state.data["screens"]:
                state.record("refused", key)
                raise ConnectionRefusedError("unknown screen")
            sids[request.sid] = key
            join_room(f"screen:{key}")
            state.record("connect", key)

        def on_disconnect(self, *args: Any) -> None:
            state.record("disconnect", sids.pop(request.sid, None))

        def on_hello(self, data: Any = None) -> dict[str, Any]:
            key = sids.get(request.sid)
            state.record("hello", key, data)
            if key is None:
                return {"ok": False, "error": "not_connected"}
            screen = state.data["screens"].get(key, {})
            with state.lock:
                failed = failed_hellos.get(key, 0)
                failing = failed < int(screen.get("hello_failures", 0))
                if failing:
                    failed_hellos[key] = failed + 1
            if failing:  # as the server answers a hello that failed: no welcome, no snapshot
                return {"ok": False, "retry_after": 0.2}
            self.emit("welcome", welcome_for(key, screen), room=request.sid)
            found = state.data["payloads"].get(key)
            held = (data or {}).get("held", {}).get("manifest", {}) if isinstance(data, dict) else {}
            if found is not None and (found["version"] != held.get("version") or found["seq"] > held.get("seq", 0)):
                self.emit("manifest", found, room=request.sid)
            return {"ok": True}

        def on_heartbeat(self, data: Any = None) -> None:
            state.record("heartbeat", sids.get(request.sid), data)

    socketio.on_namespace(ScreenNamespace(NAMESPACE))
    return app, socketio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--state", type=Path, required=True)
    parser.add_argument("--media", type=Path, required=True)
    parser.add_argument("--ping-interval", type=float, default=2)
    parser.add_argument("--ping-timeout", type=float, default=2)
    args = parser.parse_args()
    app, socketio = create_app(State(args.state), args.media, args.ping_interval, args.ping_timeout)
    socketio.run(app, host="127.0.0.1", port=args.port, allow_unsafe_werkzeug=True, log_output=False)


if __name__ == "__main__":
    main()
