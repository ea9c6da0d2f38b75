"""Feeds this server publishes: ``/feeds/notices.rss``, the live policy notices as RSS 2.0."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, request

from content.library.widgets.notices_rss import notices_rss
from kiosk_server.database import request_session
from kiosk_server.settings_access import runtime

bp = Blueprint("feed_pages", __name__)


@bp.get("/feeds/notices.rss")
def notices() -> Any:
    body = notices_rss(request_session(), runtime(current_app).clock(), request.base_url)
    return Response(body, mimetype="application/rss+xml", headers={"Cache-Control": "max-age=60"})
