"""Typed access to the per-app objects kept in ``app.extensions``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask

from kiosk_server.config import Settings

if TYPE_CHECKING:
    from kiosk_server.runtime import Runtime


def settings(app: Flask) -> Settings:
    value: Settings = app.extensions["kiosk_settings"]
    return value


def runtime(app: Flask) -> Runtime:
    value: Runtime = app.extensions["kiosk_runtime"]
    return value
