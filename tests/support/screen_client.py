"""A Python screen client speaking the real Socket.IO protocol, applying payloads by ``seq`` like the player.

Manifests arrive plain or deflated (docs/protocol.md §3 "Wire form"); ``received`` and ``held`` hold
them plain, and ``encodings`` says how each came (None: plain JSON).
"""

from __future__ import annotations

import threading
from typing import Any

import socketio

from devices.agent.sio_disconnect import disconnect_promptly
from kiosk_server.manifest_wire import decode_message


class ScreenClient:
    def __init__(self, base_url: str, key: str, *, held: dict[str, Any] | None = None) -> None:
        self.base_url = base_url
        self.key = key
        self.held: dict[str, Any] | None = held  # the manifest payload currently applied
        self.received: list[dict[str, Any]] = []
        self.encodings: list[str | None] = []  # the wire form of each manifest received
        self.welcomes: list[dict[str, Any]] = []
        self.hello_acks: list[Any] = []  # the server's answers to the hellos sent on connect
        self.connects = 0
        self.lock = threading.Lock()
        self.sio = socketio.Client(
            reconnection=True, reconnection_delay=0.2, reconnection_delay_max=1.0, randomization_factor=0.5
        )
        self.sio.on("connect", self._on_connect, namespace="/screen")
        self.sio.on("manifest", self._on_manifest, namespace="/screen")
        self.sio.on("welcome", self._on_welcome, namespace="/screen")

    def connect(self) -> ScreenClient:
        self.sio.connect(
            self.base_url, namespaces=["/screen"], auth={"key": self.key}, transports=["websocket"], wait_timeout=10
        )
        return self

    def close(self) -> None:
        disconnect_promptly(self.sio)

    def hello_payload(self) -> dict[str, Any]:
        with self.lock:
            held = {} if self.held is None else {"manifest": {"seq": self.held["seq"], "version": self.held["version"]}}
            return {"held": held, "accept": ["deflate"]}  # as the player: it inflates deflated manifests

    def _on_connect(self) -> None:
        self.connects += 1
        self.sio.emit("hello", self.hello_payload(), namespace="/screen", callback=self._on_hello_ack)

    def _on_hello_ack(self, *answer: Any) -> None:
        with self.lock:
            self.hello_acks.append(answer[0] if answer else None)

    def _on_welcome(self, data: dict[str, Any]) -> None:
        with self.lock:
            self.welcomes.append(data)

    def _on_manifest(self, data: dict[str, Any]) -> None:
        payload = decode_message(data)
        with self.lock:
            self.encodings.append(data.get("encoding"))
            self.received.append(payload)
            previous_group = None if self.held is None else self.held.get("group")
            if self.held is None or payload["seq"] > self.held["seq"]:
                self.held = payload
            regrouped = previous_group is not None and self.held["group"] != previous_group
        if regrouped:
            self.sio.emit("hello", self.hello_payload(), namespace="/screen")

    def heartbeat(self) -> None:
        """Beat as the player does, saying which manifest version is shown."""
        self.sio.emit("heartbeat", {"showing": {"manifest": self.version}}, namespace="/screen")

    @property
    def version(self) -> str | None:
        with self.lock:
            return None if self.held is None else self.held["version"]

    def titles(self) -> set[str]:
        with self.lock:
            if self.held is None:
                return set()
            return {item.get("title", "") for item in self.held["manifest"]["items"].values()}
