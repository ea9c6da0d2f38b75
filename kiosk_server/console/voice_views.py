"""Call voice in the console: a screen's volume and quiet hours, and its hall's voice pack.

The screen page (``/console/screens/<id>``) includes ``console/_screen_voice.html``, which asks
``voice_of(screen)`` what to show; ``/console/screens/<id>/voice`` shows the card alone (and again,
with the problems named, when a form cannot be saved). Who may change what:

- the screen's volume and quiet hours: REMOTE_CARE in scope, like its power schedule;
- the hall's voice pack (an upload of recordings): MANAGE_ORG in scope, or the hall's own manager
  (``may_set_hall_hours``): the voice is the hall's business, not a device's.

A save commits with its outbox row; the publisher then sends the screens their new manifest
(``voice``: docs/protocol.md §2, "Voice"). An upload is checked whole before anything is stored
(``content.signage.voice_packs.check_segments``), so a refused one leaves the hall's pack as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from flask import current_app, flash, g, redirect, render_template, url_for
from flask import request as http
from sqlalchemy.orm import Session

from content.accounts import audit
from content.accounts.access import Permission, may
from content.errors import ValidationError
from content.org import screen_voice
from content.org.screen_voice import QuietMode, VoiceSettings
from content.org.screens import Screen
from content.signage import voice_packs
from content.signage.voice_packs import PackRefused, Problem, VoicePack
from kiosk_server.console.base import bp, console_page, id_arg, in_scope
from kiosk_server.console.power_views import may_set_hall_hours
from kiosk_server.console.words import say
from kiosk_server.database import request_session
from kiosk_server.settings_access import settings
from kiosk_server.voice_store import store_pack

ZIP_MAGIC: Final = b"PK\x03\x04"


@dataclass(frozen=True)
class VoiceView:
    """What the voice card shows for one screen."""

    screen_id: int
    settings: VoiceSettings
    pack: VoicePack | None
    pack_is_hall_own: bool
    may_screen: bool
    may_hall: bool


def voice_of(screen: Screen) -> VoiceView:
    """What ``_screen_voice.html`` shows for ``screen`` (the template's ``voice_of``)."""
    db = request_session()
    pack = voice_packs.pack_for_hall(db, screen.hall_id)
    return VoiceView(
        screen_id=screen.id,
        settings=screen_voice.settings_of(db, screen.id),
        pack=pack,
        pack_is_hall_own=pack is not None and pack.hall_id == screen.hall_id,
        may_screen=may(g.user, Permission.REMOTE_CARE) and screen.retired_at is None,
        may_hall=may_set_hall_hours(g.user, g.scope, screen.hall) and screen.retired_at is None,
    )


def problem_words(lang: str, problem: Problem) -> str:
    """One refused file, in the page's language: ``A.wav：不是 WAV、MP3 或 OGG 录音``."""
    return say(lang, f"voice.problem.{problem.reason}", detail=problem.detail)


@bp.context_processor
def _voice() -> dict[str, Any]:
    return {"voice_of": voice_of, "voice_problem": problem_words, "quiet_modes": list(QuietMode)}


def _screen_or_404(db: Session, screen_id: int) -> Screen:
    found = db.get(Screen, screen_id) if id_arg(str(screen_id)) else None
    return in_scope(found, found is not None and g.scope.covers_hall(found.hall))


def _page(screen: Screen, form: dict[str, Any] | None = None, status: int = 200) -> Any:
    """The card alone; ``form`` (which form, what was typed, the problems) when a save was refused."""
    return render_template("console/voice.html", screen=screen, voice_form=form or {}), status


def _back(screen: Screen) -> Any:
    return redirect(url_for("console.screen", screen_id=screen.id) + "#voice")


@bp.get("/screens/<int:screen_id>/voice")
@console_page(Permission.VIEW_FLEET)
def screen_voice_card(screen_id: int) -> Any:
    return _page(_screen_or_404(request_session(), screen_id))


@bp.post("/screens/<int:screen_id>/voice")
@console_page(Permission.REMOTE_CARE)
def set_screen_voice(screen_id: int) -> Any:
    """Set the screen's volume and quiet hours."""
    db = request_session()
    screen = _screen_or_404(db, screen_id)
    if screen.retired_at is not None:
        flash(say(g.lang, "voice.refused.retired"))
        return _back(screen)
    typed = {key: http.form.get(key, "") for key in ("volume", "quiet_from", "quiet_to", "quiet_mode")}
    try:
        wanted = screen_voice.validate(typed["volume"], typed["quiet_from"], typed["quiet_to"], typed["quiet_mode"])
    except ValidationError as err:
        fields = {field: say(g.lang, f"voice.field_problem.{field}") for field in err.errors}
        return _page(screen, {"form": "screen", **typed, "problems": fields}, 400)
    before = screen_voice.settings_of(db, screen.id)
    screen_voice.save(db, screen.id, wanted)
    audit.record(
        db,
        actor=g.console_actor,
        action="voice_settings_set",
        obj_kind="screen",
        obj_id=screen.id,
        summary={
            "volume": wanted.volume,
            "quiet_hours": _hours(wanted),
            "before": {"volume": before.volume, "quiet_hours": _hours(before)},
        },
        org_path=screen.hall.org_unit.path,
    )
    db.commit()
    flash(say(g.lang, "voice.saved.screen"))
    return _back(screen)


def _hours(settings_: VoiceSettings) -> str:
    if not settings_.quiet_from:
        return ""
    return f"{settings_.quiet_from}–{settings_.quiet_to} {settings_.quiet_mode}"


def _uploaded_files() -> dict[str, bytes]:
    """The files of the form, a zip archive unpacked (told by its first bytes, not its name)."""
    files: dict[str, bytes] = {}
    for upload in http.files.getlist("files"):
        if not upload or not upload.filename:
            continue
        data = upload.read()
        if data.startswith(ZIP_MAGIC):
            files.update(voice_packs.files_from_zip(data))
        else:
            files[upload.filename] = data
    return files


@bp.post("/screens/<int:screen_id>/voice/pack")
@console_page(Permission.VIEW_FLEET)
def upload_voice_pack(screen_id: int) -> Any:
    """Replace the screen's hall's voice pack with uploaded recordings (a zip, or one file per segment)."""
    db = request_session()
    screen = _screen_or_404(db, screen_id)
    if screen.retired_at is not None or not may_set_hall_hours(g.user, g.scope, screen.hall):
        return _page(screen, {"form": "pack", "problems": [say(g.lang, "voice.refused.hall")]}, 403)
    try:
        files = _uploaded_files()
        if not files:
            raise PackRefused([Problem("files", "none")])
        segments = voice_packs.check_segments(files)
    except PackRefused as err:
        listed = [
            (p.file if p.file not in {"file", "files", "segments"} else "", problem_words(g.lang, p))
            for p in err.problems
        ]
        return _page(screen, {"form": "pack", "refused": listed}, 400)
    pack = store_pack(db, settings(current_app).data_dir, screen.hall_id, segments, "upload", screen.hall.name)
    audit.record(
        db,
        actor=g.console_actor,
        action="voice_pack_uploaded",
        obj_kind="hall",
        obj_id=screen.hall_id,
        summary={"segments": len(segments), "version": pack.index_sha256[:16]},
        org_path=screen.hall.org_unit.path,
    )
    db.commit()
    flash(say(g.lang, "voice.saved.pack", count=len(segments)))
    return _back(screen)
