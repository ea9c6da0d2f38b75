"""Pages served to displays: the player shell, its manifest fallback, service worker, static files, media."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, jsonify, render_template, send_from_directory
from sqlalchemy import select
from sqlalchemy.orm import joinedload

import display_client
from content.library.items import Media
from content.library.widgets.documents import page_mime
from content.org.screens import Screen, ScreenKind
from content.org.tree import Hall
from kiosk_server.database import request_session
from kiosk_server.media_store import make_thumbnail
from kiosk_server.settings_access import runtime, settings

bp = Blueprint("pages", __name__)

SCREEN_STATIC_URL = "/display-static"


def screen_by_key_or_404(key: str) -> Screen:
    screen = request_session().scalar(select(Screen).where(Screen.key == key))
    if screen is None:
        abort(404, description="unknown screen")
    return screen


@bp.get("/")
def index() -> Any:
    """A start page; in a demo (``KIOSK_PUBLIC_INDEX``) it lists every live hall's live screens to open.

    Screen keys are the displays' credentials, so a production server never lists them here.
    """
    if not settings(current_app).public_index:
        return render_template("index.html", halls=[], by_hall={}, listing=False)
    db = request_session()
    # Retired screens hold a key no device knows and retired halls no live screen: neither is worth opening.
    halls = db.scalars(
        select(Hall).options(joinedload(Hall.org_unit)).where(Hall.retired_at.is_(None)).order_by(Hall.id)
    ).all()
    screens = db.scalars(select(Screen).where(Screen.retired_at.is_(None)).order_by(Screen.hall_id, Screen.id)).all()
    by_hall: dict[int, list[Screen]] = {}
    for screen in screens:
        by_hall.setdefault(screen.hall_id, []).append(screen)
    return render_template("index.html", halls=halls, by_hall=by_hall, listing=True)


@bp.get("/screen/<key>")
def player(key: str) -> Any:
    screen = screen_by_key_or_404(key)
    if screen.kind == ScreenKind.EVALUATOR.value:  # 好差评 tablet: its own page (display_client/static/js/evaluator/)
        return render_template("evaluator.html", screen_key=screen.key, static_url=SCREEN_STATIC_URL, lang="zh-CN")
    return render_template(
        "player.html", screen_key=screen.key, static_url=SCREEN_STATIC_URL, lang="zh-CN", screen_kind=screen.kind
    )


@bp.get("/screen/<key>/manifest.json")
def manifest_json(key: str) -> Any:
    screen = screen_by_key_or_404(key)
    snap = runtime(current_app).book.current()
    found = snap.for_screen(screen.id)
    if found is None:
        snap = runtime(current_app).book.current(force_check=True)
        found = snap.for_screen(screen.id)
        if found is None:
            abort(404, description="screen has no manifest yet")
    response = jsonify(snap.payload(found[0]))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/screen/sw.js")
def service_worker() -> Any:
    response = send_from_directory(display_client.STATIC_DIR, "sw.js", mimetype="text/javascript", max_age=0)
    response.headers["Service-Worker-Allowed"] = "/screen/"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get(f"{SCREEN_STATIC_URL}/<path:filename>")
def display_static(filename: str) -> Any:
    response = send_from_directory(display_client.STATIC_DIR, filename, max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/media/<sha256>")
def media(sha256: str) -> Any:
    item = request_session().scalar(select(Media).where(Media.sha256 == sha256).limit(1))
    mime = item.mime if item is not None else page_mime(request_session(), sha256)  # or a PDF document's page
    if mime is None:
        abort(404, description="unknown media")
    media_dir = settings(current_app).data_dir / "media"
    response = send_from_directory(media_dir, sha256, mimetype=mime, max_age=86400 * 365)
    response.headers["X-Content-Type-Options"] = "nosniff"  # the sniffed type, never a browser's guess
    return response


@bp.get("/media/<sha256>/thumb")
def media_thumb(sha256: str) -> Any:
    """A stored image's thumbnail (the console's grid); made now if the upload came without one (the API)."""
    item = request_session().scalar(select(Media).where(Media.sha256 == sha256, Media.media_type == "image").limit(1))
    if item is None and page_mime(request_session(), sha256) is None:  # nor a PDF document's page
        abort(404, description="unknown image")
    media_dir = settings(current_app).data_dir / "media"
    if not (media_dir / sha256).exists():
        abort(404, description="the image file is missing")
    try:
        made = make_thumbnail(media_dir, sha256)
    except (OSError, ValueError, SyntaxError):  # stored before uploads were decoded in full: no thumbnail, no 500
        abort(404, description="the image cannot be decoded")
    response = send_from_directory(media_dir, made.name, mimetype="image/webp", max_age=86400 * 365)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
