"""A bare python-socketio server with kiosk_server's direct websockets, served by werkzeug's threads."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import socketio
from werkzeug.serving import make_server

from kiosk_server import direct_websocket
from tests.support.server import free_port


@contextmanager
def serving(sio: socketio.Server, room: str) -> Iterator[tuple[str, list[str]]]:
    """Serve ``sio`` (every client joins ``room`` at connect): its URL, and the sids that joined, in order."""
    direct_websocket.install(sio)
    joined: list[str] = []

    @sio.event
    def connect(sid: str, environ: Any, auth: Any = None) -> None:
        sio.enter_room(sid, room)
        joined.append(sid)

    server = make_server("127.0.0.1", free_port(), socketio.WSGIApp(sio), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", joined
    finally:
        server.shutdown()
