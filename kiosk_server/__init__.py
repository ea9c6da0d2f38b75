"""The content server: composition root of the hall signage platform.

``create_app`` is re-exported lazily so that ``kiosk serve`` can monkey-patch for gevent before
Flask, SQLAlchemy or the standard library's sockets are imported.
"""

from typing import Any

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from kiosk_server.app import create_app

        return create_app
    raise AttributeError(name)
