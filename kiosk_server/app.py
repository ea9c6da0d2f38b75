"""The application factory: settings, database, Socket.IO, blueprints and the runtime, wired once."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Final

from flask import Flask
from flask_socketio import SocketIO
from jinja2 import ChoiceLoader, FileSystemLoader
from werkzeug.routing import IntegerConverter

import display_client
from kiosk_server import (
    control_characters,
    db_outage,
    direct_websocket,
    evaluator_desk,
    security_headers,
    sign_in_guard,
    websocket_compression,
)
from kiosk_server.config import load_settings
from kiosk_server.database import Database
from kiosk_server.records_backends import CitizenPolicy
from kiosk_server.runtime import Runtime
from kiosk_server.socketio_packets import Packet

log = logging.getLogger(__name__)


MAX_ROW_ID: Final = 2**31 - 1


class RowIdConverter(IntegerConverter):
    """Flask's ``int`` converter, reading a number beyond any row id (both databases use 32-bit keys) as 0.

    0 names no row, so such a URL is a 404 rather than an overflow in the database driver. (Refusing
    the number in the converter would not do: werkzeug then answers 405 for some methods.)
    """

    def to_python(self, value: str) -> int:
        number = int(super().to_python(value))
        return number if number <= MAX_ROW_ID else 0


def _socketio_for(settings: Any) -> SocketIO:
    options: dict[str, Any] = {
        "async_mode": settings.async_mode,
        "cors_allowed_origins": [],  # same-origin only: displays load their page from this server
        "ping_interval": 25,
        "ping_timeout": 20,
        # A remote-care screenshot (at most 4 MiB, docs/protocol.md "Remote care") arrives as one attachment.
        "max_http_buffer_size": 5 * 1024 * 1024,
        "serializer": Packet,  # a manifest's JSON written once, not at every emit (kiosk_server/socketio_packets.py)
    }
    if settings.message_queue_url:
        from kiosk_server.message_queue import MessageQueue

        options["client_manager"] = MessageQueue(settings.message_queue_url)
    else:
        from kiosk_server.room_index import IndexedManager

        options["client_manager"] = IndexedManager()
    return SocketIO(**options)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build an app from ``config`` (a mapping of setting names) or the ``KIOSK_*`` environment."""
    settings = load_settings(config)
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        TESTING=settings.testing,
        JSON_AS_ASCII=False,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        MAX_CONTENT_LENGTH=64 * 1024 * 1024,
    )
    # Flask's DefaultJSONProvider has ensure_ascii; the JSONProvider type of app.json does not declare it.
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions["kiosk_settings"] = settings
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(display_client.TEMPLATE_DIR)),
            FileSystemLoader(str(app.root_path + "/templates")),
        ]
    )

    db = Database(settings.database_url, connections=settings.database_connections)
    db.init_app(app)

    socketio = _socketio_for(settings)
    socketio.init_app(app)
    direct_websocket.install(socketio.server)  # one frame per emit, written without a task per screen
    websocket_compression.init_app(app)  # one compression per version (manifest_wire), not one per screen
    security_headers.init_app(app, settings)  # after Socket.IO, so ProxyFix wraps its middleware too
    sign_in_guard.init_app(app, settings.message_queue_url)
    db_outage.init_app(app, socketio)  # 503 and one log line per outage, not a traceback per request or event
    control_characters.init_app(app)  # a NUL in a screen key or a search never reaches the database
    app.extensions["kiosk_runtime"] = Runtime.build(
        socketio,
        db,
        heartbeat_seconds=settings.heartbeat_seconds,
        poll_seconds=settings.publish_poll_seconds,
        policy=CitizenPolicy.from_settings(settings),
    )
    evaluator_desk.init_app(app)  # 好差评 tablets on the /screen namespace

    from kiosk_server import (
        alert_watch,
        certificate_pages,
        console,
        counter_pages,
        enrolment_api,
        feed_pages,
        health,
        job_phone_pages,
        kiosk_api,
        kiosk_fairs_api,
        kiosk_guides_api,
        kiosk_print_api,
        kiosk_queue_api,
        kiosk_training_api,
        market_refresh,
        match_book,
        metrics,
        pages,
        ticket_pages,
        voice_pages,
        widget_refresh,
    )
    from kiosk_server.api import api_blueprint

    # Before any rule is added (see RowIdConverter).
    app.url_map.converters["int"] = RowIdConverter
    app.register_blueprint(health.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(voice_pages.bp)
    app.register_blueprint(enrolment_api.bp)
    app.register_blueprint(kiosk_api.bp)
    app.register_blueprint(certificate_pages.bp)
    app.register_blueprint(kiosk_queue_api.bp)
    app.register_blueprint(kiosk_guides_api.bp)
    app.register_blueprint(kiosk_training_api.bp)
    app.register_blueprint(kiosk_fairs_api.bp)  # 招聘会 (content.library.fairs.job_fairs)
    app.register_blueprint(kiosk_fairs_api.maps_bp)  # /media/fair-maps/<sha256>: booth maps
    app.register_blueprint(feed_pages.bp)  # /feeds/notices.rss: the policy notices as RSS (the demo's feed)
    app.register_blueprint(kiosk_print_api.bp)
    app.register_blueprint(job_phone_pages.bp)
    app.register_blueprint(counter_pages.bp)
    app.register_blueprint(ticket_pages.bp)
    app.register_blueprint(console.bp)
    app.register_blueprint(api_blueprint)
    alert_watch.init_app(app)  # screen alerts, watched on the publisher's leader
    widget_refresh.init_app(app)  # data feeds fetched, web pages probed, on the publisher's leader
    market_refresh.init_app(app)  # 供求分析 figures recomputed hourly, on the publisher's leader
    metrics.init_app(app)  # /metrics, and the publisher's latency
    match_book.init_app(app)  # the job-matching index, kept up to date from the outbox (issue 22)
    return app
