"""No permessage-deflate on websockets: large manifests travel deflated once per version instead.

Browsers offer the permessage-deflate extension on every websocket, and simple-websocket (wsproto)
accepts it, so every message is compressed again for each connection: the same province manifest
once per screen, about 1.1 ms of CPU each (5.5 s for one change reaching 5,000 screens), and still
0.2 ms each for a manifest that arrives already deflated, since wsproto deflates those bytes again
(docs/protocol.md §3 "Wire form"). This middleware takes the offer out of the request before the
websocket server reads it, so no connection negotiates the extension, whichever server runs
(gevent, threading, gunicorn). Our own transport (kiosk_server/direct_websocket.py) negotiates none
anyway; this keeps it so where python-engineio's own transport still serves (a server that lends
no socket, such as gunicorn's gevent_pywsgi worker). What is left uncompressed is small: welcomes,
queue boards, pings and the manifests below the deflate threshold.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Final

from flask import Flask

# The WSGI name of the request header that offers websocket extensions (RFC 6455 §9.1).
OFFER: Final = "HTTP_SEC_WEBSOCKET_EXTENSIONS"


class WithoutCompressionOffer:
    """WSGI middleware: ``app`` never sees a websocket extension offered, so it accepts none."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        environ.pop(OFFER, None)
        return self.app(environ, start_response)


def init_app(app: Flask) -> None:
    """Wrap ``app``'s WSGI callable, Socket.IO's middleware included: call it after ``socketio.init_app``."""
    app.wsgi_app = WithoutCompressionOffer(app.wsgi_app)  # type: ignore[method-assign]
