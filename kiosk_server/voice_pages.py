"""``/voice/<sha256>``: voice pack indexes and segments, content-addressed, cacheable for good."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, send_from_directory

from content.signage.voice_packs import AUDIO_MIME, audio_kind
from kiosk_server.settings_access import settings
from kiosk_server.voice_store import SHA256, voice_dir

bp = Blueprint("voice", __name__)


@bp.get("/voice/<sha256>")
def voice_file(sha256: str) -> Any:
    directory = voice_dir(settings(current_app).data_dir)
    path = directory / sha256
    if not SHA256.match(sha256) or not path.is_file():
        abort(404, description="unknown voice file")
    with path.open("rb") as handle:
        kind = audio_kind(handle.read(16))
    mime = AUDIO_MIME[kind] if kind else "application/json"  # a pack index otherwise
    response = send_from_directory(directory, sha256, mimetype=mime, max_age=86400 * 365)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
