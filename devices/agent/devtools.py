"""A screenshot of what the kiosk's Chromium shows, through its DevTools port.

``kiosk provision`` starts Chromium with ``--remote-debugging-port=9222`` bound to 127.0.0.1. The
agent lists the targets over HTTP (``/json/list``), opens the page target's websocket and asks for
``Page.captureScreenshot`` as PNG, scaled down to ``max_width`` when the screen is wider. Every step
has a deadline, so a hung or absent browser answers with a ``DevToolsError`` instead of a hang.
"""

from __future__ import annotations

import base64
import binascii
import json
import struct
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, Final

from devices.errors import DeviceError

DEVTOOLS_URL: Final = "http://127.0.0.1:9222"
PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
DEFAULT_TIMEOUT: Final = 10.0  # seconds for the whole screenshot; the server waits 30


class DevToolsError(DeviceError):
    """The screenshot could not be taken; ``code`` is the ``command_result`` error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Screenshot:
    png: bytes = b""
    width: int = 0
    height: int = 0


def capture_screenshot(
    max_width: int = 1920, *, devtools_url: str = DEVTOOLS_URL, timeout: float = DEFAULT_TIMEOUT
) -> Screenshot:
    """A PNG of the first page target, at most ``max_width`` pixels wide; raise ``DevToolsError``."""
    if max_width < 1:
        raise DevToolsError("bad_args", f"max_width must be at least 1, got {max_width}")
    deadline = time.monotonic() + timeout
    target = _page_target(devtools_url, deadline)
    with _Session(target, deadline) as session:
        metrics = session.call("Page.getLayoutMetrics", {})
        css = metrics.get("cssVisualViewport") or metrics.get("cssLayoutViewport") or {}
        width = float(css.get("clientWidth") or 0)
        height = float(css.get("clientHeight") or 0)
        device = metrics.get("visualViewport") or {}
        ratio = float(device.get("clientWidth") or width) / width if width else 1.0  # device pixels per CSS pixel
        params: dict[str, Any] = {"format": "png", "captureBeyondViewport": False}
        if width and height and width * ratio > max_width:
            scale = max_width / (width * ratio)
            params["clip"] = {"x": 0, "y": 0, "width": width, "height": height, "scale": scale}
        result = session.call("Page.captureScreenshot", params)
    try:
        png = base64.b64decode(result["data"], validate=True)
    except (KeyError, TypeError, binascii.Error) as err:
        raise DevToolsError("capture_failed", "Page.captureScreenshot answered without PNG data") from err
    png_width, png_height = png_size(png)
    return Screenshot(png, png_width, png_height)


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk; raise ``DevToolsError`` if it is not a PNG."""
    if len(png) < 24 or not png.startswith(PNG_SIGNATURE) or png[12:16] != b"IHDR":
        raise DevToolsError("capture_failed", "the browser's screenshot is not a PNG")
    width, height = struct.unpack(">II", png[16:24])
    return int(width), int(height)


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise DevToolsError("devtools_timeout", "Chromium's DevTools did not answer in time")
    return left


def _page_target(devtools_url: str, deadline: float) -> dict[str, Any]:
    url = devtools_url.rstrip("/") + "/json/list"
    try:
        with urllib.request.urlopen(url, timeout=min(_remaining(deadline), 5.0)) as response:  # noqa: S310 (a fixed local http URL)
            targets = json.loads(response.read(1_000_000))
    except (urllib.error.URLError, OSError, TimeoutError) as err:
        reason = getattr(err, "reason", err)
        raise DevToolsError(
            "devtools_unreachable",
            f"cannot reach Chromium's DevTools at {devtools_url} ({reason}); is Chromium running with "
            "--remote-debugging-port?",
        ) from err
    except ValueError as err:
        raise DevToolsError("devtools_unreachable", f"{url} did not answer with JSON") from err
    pages = [
        t
        for t in targets
        if isinstance(t, dict)
        and t.get("type") == "page"
        and t.get("webSocketDebuggerUrl")
        and not str(t.get("url", "")).startswith("devtools://")
    ]
    if not pages:
        raise DevToolsError("no_page", f"Chromium at {devtools_url} shows no page to capture")
    return pages[0]


class _Session:
    """One websocket to a target, with numbered calls; events between the answers are skipped."""

    def __init__(self, target: dict[str, Any], deadline: float) -> None:
        self._url = str(target["webSocketDebuggerUrl"])
        self._deadline = deadline
        self._next_id = 0
        self._socket: Any = None

    def __enter__(self) -> _Session:
        import websocket  # websocket-client: imported here so the agent imports without it

        try:
            # No Origin header: Chromium refuses websocket origins it was not told to allow.
            self._socket = websocket.create_connection(
                self._url, timeout=min(_remaining(self._deadline), 5.0), suppress_origin=True
            )
        except (websocket.WebSocketException, OSError) as err:
            raise DevToolsError("devtools_unreachable", f"cannot open the page's DevTools socket: {err}") from err
        return self

    def __exit__(self, *_exc: object) -> None:
        try:
            self._socket.close()
        except Exception:  # closing a socket the browser already dropped
            pass

    def call(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        import websocket

        self._next_id += 1
        call_id = self._next_id
        try:
            self._socket.send(json.dumps({"id": call_id, "method": method, "params": params}))
            while True:
                self._socket.settimeout(_remaining(self._deadline))
                message = json.loads(self._socket.recv())
                if message.get("id") == call_id:
                    break
        except (websocket.WebSocketTimeoutException, TimeoutError) as err:
            raise DevToolsError("devtools_timeout", f"Chromium did not answer {method} in time") from err
        except (websocket.WebSocketException, OSError, ValueError) as err:
            raise DevToolsError("capture_failed", f"{method} failed: {err}") from err
        if "error" in message:
            error = message["error"]
            raise DevToolsError("capture_failed", f"{method} failed: {error.get('message', error)}")
        result = message.get("result")
        return result if isinstance(result, dict) else {}
