"""Flask-SocketIO test clients for the kiosk side of an app: its device agent and its kiosk page."""

from __future__ import annotations

from typing import Any

from flask import Flask

from kiosk_server.settings_access import runtime
from tests.support.citizens import Kiosk


def agent(app: Flask, kiosk: Kiosk, credential: str | None = None, device: str | None = None) -> Any:
    """A client on ``/agent`` signed in as ``kiosk``'s agent (or with the credential or device given)."""
    auth = {"device": device or kiosk.key, "credential": credential or kiosk.credential}
    return runtime(app).socketio.test_client(app, namespace="/agent", auth=auth)


def call(client: Any, event: str, data: Any) -> Any:
    """Send an agent event and return its acknowledgement."""
    return client.emit(event, data, namespace="/agent", callback=True)


def kiosk_page(app: Flask, key: str) -> Any:
    """A client on ``/screen`` for the kiosk with screen key ``key``, past its hello."""
    client = runtime(app).socketio.test_client(app, namespace="/screen", auth={"key": key})
    client.emit("hello", {"held": {}}, namespace="/screen")
    client.get_received("/screen")
    return client


def received(client: Any) -> list[tuple[str, dict[str, Any]]]:
    """What a ``/screen`` client got since the last look: (event, payload) pairs."""
    return [(e["name"], e["args"][0]) for e in client.get_received("/screen")]
