"""PDF documents in the console: a list with each document's page thumbnails, upload, edit, archive, delete.

An upload goes through ``kiosk_server.pdf_pages`` (the REST API's renderer): every page rendered to
an image in a child process with time and memory limits, all pages stored or none. The form's rules
are the REST API's (``DocumentUpdate``, ``save_document``), said in the page's language.
"""

from __future__ import annotations

from pathlib import Path, PurePath
from typing import Any, Final

from flask import current_app, flash, g, redirect, render_template, request, url_for
from sqlalchemy import distinct, func, or_, select
from sqlalchemy.orm import Session, contains_eager

from content.accounts.access import Permission, may
from content.errors import ValidationError
from content.library.items import ItemStatus
from content.library.widgets.documents import Document
from content.org.tree import OrgUnit
from content.signage.playlists import PlaylistEntry
from kiosk_server import media_store, pdf_pages
from kiosk_server.api.documents import DocumentUpdate, save_document
from kiosk_server.console import library
from kiosk_server.console.base import bp, console_page
from kiosk_server.console.words import say
from kiosk_server.database import request_session
from kiosk_server.settings_access import settings

KIND: Final = "document"
AUDITED: Final = ("seconds_per_page", "sha256", "size_bytes", "page_hashes")
MB: Final = 1024 * 1024
FIELD_WORDS: Final = {"seconds_per_page": "documents.error.seconds"}


def _media_dir() -> Path:
    return settings(current_app).data_dir / "media"


def _page(values: dict[str, Any], errors: dict[str, str], status: int = 200) -> Any:
    db = request_session()
    text, shown = (request.args.get(name, "").strip() for name in ("q", "status"))
    query = (
        select(Document)
        .join(OrgUnit, OrgUnit.id == Document.org_unit_id)
        .where(library.visible(g.scope))
        .options(contains_eager(Document.org_unit))
        .order_by(Document.id.desc())
    )
    clause = library.status_clause(Document, shown)
    if clause is not None:
        query = query.where(clause)
    if text:
        query = query.where(or_(Document.title.contains(text, autoescape=True)))
    units = library.owners(db) if may(g.user, Permission.EDIT_CONTENT) else []
    return render_template(
        "console/documents.html",
        q=text,
        status=shown,
        values=values,
        errors=errors,
        units=units,
        max_mb=pdf_pages.MAX_BYTES // MB,
        max_pages=settings(current_app).document_max_pages,
        may_edit=library.may_edit,
        **library.listing(db, query),
    ), status


@bp.get("/documents")
@console_page(Permission.VIEW_CONTENT)
def documents() -> Any:
    return _page(library.form_values(None, ()) | {"seconds_per_page": "10"}, {})


def _read(db: Session, title: str) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    data: dict[str, Any] = {
        "org_unit_id": library.read_owner(db, errors),
        "valid_from": library.read_moment("valid_from", errors),
        "valid_until": library.read_moment("valid_until", errors),
    }
    seconds = request.form.get("seconds_per_page", "").strip()
    if seconds:  # empty: the default on upload (DEFAULT_SECONDS_PER_PAGE); required when editing
        data["seconds_per_page"] = seconds
    if title:
        data["title"] = title
    return library.check(DocumentUpdate, data, errors, FIELD_WORDS), errors


def refusal(refused: media_store.MediaRefused) -> str:
    """Why a PDF was refused, in the page's language (with the page counts or the page it was)."""
    if refused.reason == "size":
        return say(g.lang, "documents.file.size", mb=refused.limit)
    details = refused.details if isinstance(refused, pdf_pages.DocumentRefused) else {}
    if refused.reason == "pdf_pages":
        return say(g.lang, "documents.file.pdf_pages", total=details.get("total", 0), limit=details.get("limit", 0))
    if refused.reason == "pdf_page_size":
        return say(g.lang, "documents.file.pdf_page_size", page=details.get("page", 0))
    return say(g.lang, f"documents.file.{refused.reason}")


@bp.post("/documents")
@console_page(Permission.EDIT_CONTENT)
def upload_document() -> Any:
    db = request_session()
    upload = request.files.get("file")
    name = PurePath(upload.filename).stem[:200] if upload is not None and upload.filename else ""
    values, errors = _read(db, request.form.get("title", "").strip() or name)
    if not name:
        errors["file"] = say(g.lang, "documents.file.required")
    item, rendered = None, None
    try:  # the domain's checks before the file: nothing is rendered for a form that will be refused
        with db.no_autoflush:
            item = save_document(db, None, values)
    except ValidationError as err:
        library.merge(errors, library.window_errors(err))
    if not errors and upload is not None:
        try:
            rendered = pdf_pages.render_and_store(upload.stream, _media_dir(), settings(current_app).document_max_pages)
        except media_store.MediaRefused as refused:
            errors["file"] = refusal(refused)
    if errors or item is None or rendered is None:
        db.rollback()
        return _page(dict(request.form), errors, 400)
    item.sha256, item.size_bytes, item.page_mime = rendered.sha256, rendered.size_bytes, rendered.page_mime
    item.page_width, item.page_height, item.page_hashes = rendered.width, rendered.height, list(rendered.pages)
    item.title = item.title or rendered.sha256[:12]
    db.flush()
    library.record(db, item, KIND, "created", None, library.snapshot(item, AUDITED))
    db.commit()
    flash(say(g.lang, "documents.uploaded", title=item.title, count=len(rendered.pages)))
    return redirect(url_for("console.documents"))


def _form(item: Document, values: dict[str, Any], errors: dict[str, str], status: int = 200) -> Any:
    return render_template(
        "console/document_form.html", item=item, values=values, errors=errors, units=library.owners(request_session())
    ), status


@bp.route("/documents/<int:document_id>", methods=["GET", "POST"])
@console_page(Permission.EDIT_CONTENT)
def edit_document(document_id: int) -> Any:
    db = request_session()
    item = library.editable_or_404(db, Document, document_id)
    if request.method == "GET":
        return _form(item, library.form_values(item, ("title", "seconds_per_page")), {})
    before = library.snapshot(item, AUDITED)
    values, errors = _read(db, request.form.get("title", ""))
    for name in ("title", "seconds_per_page"):
        if name not in values and name not in errors:
            errors[name] = say(g.lang, "media.error.required")
    try:
        with db.no_autoflush:
            save_document(db, item, values)
    except ValidationError as err:
        library.merge(errors, library.window_errors(err))
    if errors:
        db.rollback()
        return _form(item, dict(request.form), errors, 400)
    db.flush()
    library.record(db, item, KIND, "updated", before, library.snapshot(item, AUDITED))
    db.commit()
    flash(say(g.lang, "saved"))
    return redirect(url_for("console.documents"))


@bp.post("/documents/<int:document_id>/archive")
@console_page(Permission.EDIT_CONTENT)
def archive_document(document_id: int) -> Any:
    db = request_session()
    item = library.editable_or_404(db, Document, document_id)
    restore = request.form.get("restore") == "1"
    if library.set_status(db, item, KIND, ItemStatus.PUBLISHED if restore else ItemStatus.ARCHIVED):
        db.commit()
        flash(say(g.lang, "media.done.restored" if restore else "media.done.archived"))
    return redirect(url_for("console.documents"))


@bp.post("/documents/<int:document_id>/delete")
@console_page(Permission.EDIT_CONTENT)
def delete_document(document_id: int) -> Any:
    """Delete the item (never while a playlist plays it). Page files stay: other documents may share them."""
    db = request_session()
    item = library.editable_or_404(db, Document, document_id)
    playlists = db.scalar(
        select(func.count(distinct(PlaylistEntry.playlist_id))).where(PlaylistEntry.item_id == item.id)
    )
    if playlists:
        values = library.form_values(item, ("title", "seconds_per_page"))
        return _form(item, values, {"delete": say(g.lang, "documents.delete.in_use", count=playlists)}, 409)
    title = item.title
    library.record(db, item, KIND, "deleted", library.snapshot(item, AUDITED), None)
    db.delete(item)
    db.commit()
    flash(say(g.lang, "documents.deleted", title=title))
    return redirect(url_for("console.documents"))
