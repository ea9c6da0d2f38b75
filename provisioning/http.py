"""A small JSON-over-HTTP client on the standard library (the box has no ``requests``)."""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from email.message import Message
from typing import Any, Final

from provisioning.errors import ServerUnreachable

TIMEOUT_SECONDS: Final = 10.0
USER_AGENT: Final = "kiosk-provision/1"


@dataclass(frozen=True)
class Response:
    """What came back: status, headers and the body parsed as JSON (``None`` when it is not JSON)."""

    status: int
    headers: Message = field(repr=False)
    body: Any

    def header(self, name: str) -> str | None:
        value = self.headers.get(name)
        return None if value is None else str(value)


def request(method: str, url: str, payload: Any = None, *, timeout: float = TIMEOUT_SECONDS) -> Response:
    """Send one request; every HTTP status comes back as a ``Response``, a network fault as ``ServerUnreachable``."""
    data = None if payload is None else json.dumps(payload).encode()
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("User-Agent", USER_AGENT)
    req.add_header("Accept", "application/json")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as answer:  # noqa: S310 - the technician's own server
            return Response(answer.status, answer.headers, _json(answer.read()))
    except urllib.error.HTTPError as err:
        with err:
            return Response(err.code, err.headers, _json(err.read()))
    except urllib.error.URLError as err:
        raise ServerUnreachable(url, _reason(err.reason)) from err
    except (OSError, ssl.SSLError) as err:  # timeouts and resets after the connection was made
        raise ServerUnreachable(url, _reason(err)) from err


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else None
    except (ValueError, UnicodeDecodeError):
        return None


def _reason(reason: object) -> str:
    if isinstance(reason, ssl.SSLCertVerificationError):
        return f"TLS certificate not trusted ({reason.verify_message})"
    if isinstance(reason, TimeoutError):
        return f"no answer within {TIMEOUT_SECONDS:g} s"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return str(reason) or type(reason).__name__
