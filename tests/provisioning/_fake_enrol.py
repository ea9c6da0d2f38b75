"""A stand-in for the server's enrolment API, exactly the contract and nothing else (anything else: 500, recorded).

Each code's polls follow a script: ``"waiting"``, ``"enrolled"``, ``"expired"``, ``"revoked"`` or
``"429"``; the last entry repeats. Every request is recorded so tests can tell what the box asked.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SCREEN_KEY = "Kx7pQ2mN9vRt4wYz8bCd3fGh"
CREDENTIAL = "agent-credential-0123456789abcdefghijklmnopqrstuvwxyz"


def screen(kind: str = "kiosk", **overrides: Any) -> dict[str, Any]:
    return {
        "id": 41,
        "key": SCREEN_KEY,
        "name": "一楼求职自助终端",
        "kind": kind,
        "hall_id": 7,
        "hall": "兰州市人力资源市场",
        "width_px": 1080,
        "height_px": 1920,
        "orientation": "portrait",
        "panel": "lcd",
        **overrides,
    }


@dataclass
class FakeEnrolServer:
    scripts: list[list[str]]  # one script per code handed out, in order
    kind: str = "kiosk"
    retry_after: str = "1"
    requests: list[tuple[str, str, Any]] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    url: str = ""
    _codes: dict[str, list[str]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, method: str, path: str, body: Any) -> tuple[int, dict[str, Any], dict[str, str]]:
        with self._lock:
            self.requests.append((method, path, body))
            if method == "POST" and path == "/enrol/api/codes":
                if set(body or {}) != {"device", "client"} or body["device"] != "box" or not body["client"]:
                    raise AssertionError(f"bad new-code request {body!r}")
                number = len(self._codes)
                if number >= len(self.scripts):
                    raise AssertionError(f"code {number + 1} asked for; the test scripted {len(self.scripts)}")
                code, secret = f"7KQ9M{number}", f"secret-{number}"
                self._codes[secret] = list(self.scripts[number])
                return (
                    201,
                    {
                        "code": code,
                        "secret": secret,
                        "expires_at": "2026-12-06T21:00:00+00:00",
                        "poll_seconds": 0.05,
                        "enrol_url": f"{self.url}/enrol?code={code}",
                    },
                    {},
                )
            if method == "POST" and path == "/enrol/api/poll":
                if set(body or {}) != {"secret"} or body["secret"] not in self._codes:
                    raise AssertionError(f"bad poll {body!r}")
                script = self._codes[body["secret"]]
                step = script.pop(0) if len(script) > 1 else script[0]
                if step == "waiting":
                    return 200, {"state": "waiting"}, {}
                if step == "429":
                    return 429, {"error": "slow down"}, {"Retry-After": self.retry_after}
                if step == "unknown":
                    return 404, {"error": "unknown", "message": "no code has this secret; ask for a new code"}, {}
                if step in {"expired", "revoked", "delivered"}:
                    return 410, {"state": step}, {}
                if step == "enrolled":
                    answer = {
                        "state": "enrolled",
                        "screen": screen(self.kind),
                        "screen_url": f"{self.url}/screen/{SCREEN_KEY}",
                    }
                    if self.kind == "kiosk":
                        answer["agent_credential"] = CREDENTIAL
                    script[:] = ["delivered"]  # given once
                    return 200, answer, {}
                raise AssertionError(f"unknown script step {step!r}")
            raise AssertionError(f"not part of the enrolment contract: {method} {path}")

    def polls(self) -> int:
        return sum(1 for _, path, _ in self.requests if path == "/enrol/api/poll")

    def codes(self) -> int:
        return sum(1 for _, path, _ in self.requests if path == "/enrol/api/codes")


def _handler(fake: FakeEnrolServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw) if raw else None
                status, payload, headers = fake.answer(self.command, self.path, body)
            except Exception as err:  # the fake's own check failed: tell the test, answer 500
                fake.unexpected.append(f"{self.command} {self.path}: {err}")
                status, payload, headers = 500, {"error": str(err)}, {}
            data = json.dumps(payload).encode()
            self.send_response(status)
            for name, value in {"Content-Type": "application/json", **headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
            pass

    return Handler


@contextmanager
def fake_enrol_server(scripts: list[list[str]], kind: str = "kiosk") -> Iterator[FakeEnrolServer]:
    fake = FakeEnrolServer(scripts, kind)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
