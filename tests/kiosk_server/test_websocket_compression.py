"""Websockets negotiate no permessage-deflate: large manifests come deflated once, not once per screen."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from websockets.sync.client import connect

from kiosk_server.database import make_engine
from kiosk_server.websocket_compression import OFFER, WithoutCompressionOffer
from tests.support import migrated_schema
from tests.support.server import ServerProcess

OFFERED = "permessage-deflate; client_max_window_bits"  # what Chromium sends


def test_the_middleware_hides_the_offer_from_the_app_it_wraps() -> None:
    seen: list[dict[str, Any]] = []

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        seen.append(dict(environ))
        return [b"ok"]

    wrapped = WithoutCompressionOffer(app)
    body = wrapped({"PATH_INFO": "/socket.io/", OFFER: OFFERED, "HTTP_UPGRADE": "websocket"}, lambda *a: None)
    assert body == [b"ok"]
    assert OFFER not in seen[0] and seen[0]["HTTP_UPGRADE"] == "websocket"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    url = f"sqlite:///{tmp_path / 'kiosk.sqlite3'}"
    engine = make_engine(url)
    migrated_schema.ready(engine)
    engine.dispose()
    proc = ServerProcess(tmp_path / "server", url)
    proc.start()
    yield proc
    proc.stop()


@pytest.mark.slow
def test_the_server_accepts_no_websocket_extension_offered(server: ServerProcess) -> None:
    url = f"ws://127.0.0.1:{server.port}/socket.io/?EIO=4&transport=websocket"
    with connect(url, additional_headers={"Origin": server.url}, open_timeout=10) as ws:
        assert ws.request is not None and ws.response is not None
        assert "permessage-deflate" in (ws.request.headers.get("Sec-WebSocket-Extensions") or "")
        assert ws.response.headers.get("Sec-WebSocket-Extensions") is None
        opened = ws.recv(timeout=10)
    assert isinstance(opened, str) and opened.startswith("0{"), "the Engine.IO handshake still works"
