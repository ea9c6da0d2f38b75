"""The content server: composition root of the hall signage platform."""

from kiosk_server.app import create_app

__all__ = ["create_app"]
