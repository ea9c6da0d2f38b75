"""The media library in the console: a grid of thumbnails in scope, upload, edit, archive, delete.

An upload goes through ``kiosk_server.media_store`` (the REST API's store): the type comes from the
first bytes, the size is capped, an image is decoded in full (so a script behind an image's first
bytes is refused), and the file lands under its SHA-256, shared by every upload of the same bytes.
Images get a 320 px WebP thumbnail beside the file, served at ``/media/<sha256>/thumb`` (``pages.media_thumb``).
The form's rules are the REST API's (``MediaUpdate``, ``save_media``), said in the page's language.
"""

from __future__ import annotations

from pathlib import Path, PurePath
from typing import Any, Final

from flask import current_app, flash, g, redirect, render_template, request, url_for
from sqlalchemy import distinct, func, or_, select
from sqlalchemy.orm import Session, contains_eager

from content.accounts.access import Permission, may
from content.errors import ValidationError
from content.library.items import ItemStatus, Media
from content.org.tree import OrgUnit
from content.signage.playlists import PlaylistEntry
from kiosk_server import media_store
from kiosk_server.api.media import MediaUpdate, save_media
from kiosk_server.console import library
from kiosk_server.console.base import bp, console_page
from kiosk_server.console.words import say
from kiosk_server.database import request_session
from kiosk_server.settings_access import settings

KIND: Final = "media"
AUDITED: Final = ("duration_seconds", "media_type", "mime", "sha256", "size_bytes")
MB: Final = 1024 * 1024


def _media_dir() -> Path:
    return settings(current_app).data_dir / "media"


def _page(values: dict[str, Any], errors: dict[str, str], status: int = 200) -> Any:
    db = request_session()
    text, shown, kind = (request.args.get(name, "").strip() for name in ("q", "status", "kind"))
    query = (
        select(Media)
        .join(OrgUnit, OrgUnit.id == Media.org_unit_id)
        .where(library.visible(g.scope))
        .options(contains_eager(Media.org_unit))
        .order_by(Media.id.desc())
    )
    clause = library.status_clause(Media, shown)
    if clause is not None:
        query = query.where(clause)
    if kind in ("image", "video"):
        query = query.where(Media.media_type == kind)
    if text:
        query = query.where(or_(Media.title.contains(text, autoescape=True), Media.sha256.startswith(text.lower())))
    units = library.owners(db) if may(g.user, Permission.EDIT_CONTENT) else []
    return render_template(
        "console/media.html",
        q=text,
        status=shown,
        kind=kind,
        values=values,
        errors=errors,
        units=units,
        max_mb=media_store.MAX_BYTES // MB,
        may_edit=library.may_edit,
        **library.listing(db, query),
    ), status


@bp.get("/media")
@console_page(Permission.VIEW_CONTENT)
def media() -> Any:
    return _page(library.form_values(None, ()), {})


def _or_none(name: str) -> str | None:
    return request.form.get(name, "").strip() or None


def _read(db: Session, title: str) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    data: dict[str, Any] = {
        "org_unit_id": library.read_owner(db, errors),
        "valid_from": library.read_moment("valid_from", errors),
        "valid_until": library.read_moment("valid_until", errors),
        "duration_seconds": _or_none("duration_seconds"),
    }
    if title:
        data["title"] = title
    return library.check(MediaUpdate, data, errors), errors


def refusal(refused: media_store.MediaRefused) -> str:
    """Why the store refused a file, in the page's language (naming the accepted types, or the cap in MB)."""
    if refused.reason == "size":
        return say(g.lang, "media.file.size", mb=refused.limit)
    if refused.reason == "pixels":
        return say(g.lang, "media.file.pixels", limit=media_store.MAX_PIXELS // 1_000_000)
    return say(g.lang, f"media.file.{refused.reason}")


@bp.post("/media")
@console_page(Permission.EDIT_CONTENT)
def upload_media() -> Any:
    db = request_session()
    upload = request.files.get("file")
    name = PurePath(upload.filename).stem[:200] if upload is not None and upload.filename else ""
    values, errors = _read(db, request.form.get("title", "").strip() or name)
    if not name:
        errors["file"] = say(g.lang, "media.file.required")
    item, stored = None, None
    try:  # the domain's checks before the file: nothing is written for a form that will be refused
        with db.no_autoflush:
            item = save_media(db, None, values)
    except ValidationError as err:
        library.merge(errors, library.window_errors(err))
    if not errors and upload is not None:
        try:
            stored = media_store.store(upload.stream, _media_dir())
        except media_store.MediaRefused as refused:
            errors["file"] = refusal(refused)
    if errors or item is None or stored is None:
        db.rollback()
        return _page(dict(request.form), errors, 400)
    item.sha256, item.size_bytes, item.media_type, item.mime = (
        stored.sha256,
        stored.size_bytes,
        stored.media_type,
        stored.mime,
    )
    item.title = item.title or stored.sha256[:12]
    if stored.media_type == "image":
        media_store.make_thumbnail(_media_dir(), stored.sha256)
    db.flush()
    library.record(db, item, KIND, "created", None, library.snapshot(item, AUDITED))
    db.commit()
    flash(say(g.lang, "media.reused" if stored.existed else "media.uploaded", title=item.title))
    return redirect(url_for("console.media"))


def _form(item: Media, values: dict[str, Any], errors: dict[str, str], status: int = 200) -> Any:
    return render_template(
        "console/media_form.html", item=item, values=values, errors=errors, units=library.owners(request_session())
    ), status


def _values(item: Media) -> dict[str, Any]:
    values = library.form_values(item, ("title", "duration_seconds"))
    return {k: "" if v is None else v for k, v in values.items()}


@bp.route("/media/<int:media_id>", methods=["GET", "POST"])
@console_page(Permission.EDIT_CONTENT)
def edit_media(media_id: int) -> Any:
    db = request_session()
    item = library.editable_or_404(db, Media, media_id)
    if request.method == "GET":
        return _form(item, _values(item), {})
    before = library.snapshot(item, AUDITED)
    values, errors = _read(db, request.form.get("title", ""))
    if "title" not in values and "title" not in errors:
        errors["title"] = say(g.lang, "media.error.required")
    if "duration_seconds" not in errors:
        values.setdefault("duration_seconds", None)  # an emptied field clears it
    try:
        with db.no_autoflush:
            save_media(db, item, values)
    except ValidationError as err:
        library.merge(errors, library.window_errors(err))
    if errors:
        db.rollback()
        return _form(item, dict(request.form), errors, 400)
    db.flush()
    library.record(db, item, KIND, "updated", before, library.snapshot(item, AUDITED))
    db.commit()
    flash(say(g.lang, "saved"))
    return redirect(url_for("console.media"))


@bp.post("/media/<int:media_id>/archive")
@console_page(Permission.EDIT_CONTENT)
def archive_media(media_id: int) -> Any:
    db = request_session()
    item = library.editable_or_404(db, Media, media_id)
    restore = request.form.get("restore") == "1"
    if library.set_status(db, item, KIND, ItemStatus.PUBLISHED if restore else ItemStatus.ARCHIVED):
        db.commit()
        flash(say(g.lang, "media.done.restored" if restore else "media.done.archived"))
    return redirect(url_for("console.media"))


@bp.post("/media/<int:media_id>/delete")
@console_page(Permission.EDIT_CONTENT)
def delete_media(media_id: int) -> Any:
    """Delete the item (never while a playlist plays it). The file stays: other items may share its bytes."""
    db = request_session()
    item = library.editable_or_404(db, Media, media_id)
    playlists = db.scalar(
        select(func.count(distinct(PlaylistEntry.playlist_id))).where(PlaylistEntry.item_id == item.id)
    )
    if playlists:
        return _form(item, _values(item), {"delete": say(g.lang, "media.delete.in_use", count=playlists)}, 409)
    title = item.title
    library.record(db, item, KIND, "deleted", library.snapshot(item, AUDITED), None)
    db.delete(item)
    db.commit()
    flash(say(g.lang, "media.deleted", title=title))
    return redirect(url_for("console.media"))
