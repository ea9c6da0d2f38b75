"""Bulk import of vacancies from CSV or XLSX: upload, read the report, fix the mapping, import all or nothing.

An uploaded file is kept under ``<data_dir>/imports/`` for an hour under a random token, so a
manager who has to correct the header mapping does not upload it again; a successful import
deletes it. Nothing is committed unless every row is good (``content.library.vacancy_import``).
Rows that match a vacancy already there are reported unless the manager chose to update them.
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path
from typing import Any, Final

from flask import current_app, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select

from content.accounts.access import Permission
from content.library import vacancy_import
from content.library.vacancy_import import (
    FIELDS,
    Duplicates,
    ImportPreview,
    ImportRefused,
    ImportRejected,
    preview_import,
)
from content.org.tree import OrgUnit
from kiosk_server.console.base import bp, console_page
from kiosk_server.console.words import say
from kiosk_server.database import request_session
from kiosk_server.settings_access import settings

MAX_UPLOAD: Final = 20 * 1024 * 1024
KEEP_SECONDS: Final = 3600
SHOWN_PROBLEMS: Final = 500
_TOKEN_CHARS: Final = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


def _folder() -> Path:
    folder = Path(settings(current_app).data_dir) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    now = time.time()
    for old in folder.iterdir():  # uploads nobody came back for
        if now - old.stat().st_mtime > KEEP_SECONDS:
            old.unlink(missing_ok=True)
    return folder


def _kept(token: str) -> Path | None:
    if not token or len(token) > 64 or not set(token) <= _TOKEN_CHARS:
        return None
    found = [p for p in _folder().glob(f"{token}.*") if p.suffix in (".csv", ".tsv", ".txt", ".xlsx")]
    return found[0] if found else None


def _units() -> list[OrgUnit]:
    return list(
        request_session().scalars(select(OrgUnit).where(g.scope.unit_clause(OrgUnit.path)).order_by(OrgUnit.path))
    )


def _missing_labels(preview: ImportPreview) -> list[str]:
    labels = {f.name: f.label_en if g.lang == "en" else f.label_zh for f in FIELDS}
    return [labels.get(name, name) for name in preview.missing]


def _page(status: int = 200, **values: Any) -> Any:
    values.setdefault("errors", {})
    values.setdefault("duplicates", Duplicates.REPORT.value)
    return render_template(
        "console/import.html",
        units=_units(),
        fields=FIELDS,
        shown=SHOWN_PROBLEMS,
        missing_labels=_missing_labels,
        **values,
    ), status


@bp.get("/vacancies/import")
@console_page(Permission.EDIT_CONTENT)
def import_vacancies_page() -> Any:
    return _page()


def _mapping_from_form(preview: ImportPreview | None) -> dict[str, str] | None:
    if preview is None or "remap" not in request.form:
        return None
    chosen = {}
    for index, column in enumerate(preview.columns):
        value = request.form.get(f"map-{index}")
        if value is not None:
            chosen[column] = value
    return chosen


@bp.post("/vacancies/import")
@console_page(Permission.EDIT_CONTENT)
def import_vacancies() -> Any:
    lang, errors = g.lang, {}
    chosen = request.form.get("duplicates", Duplicates.REPORT.value)
    duplicates = Duplicates(chosen) if chosen in set(Duplicates) else Duplicates.REPORT
    unit_text = request.form.get("org_unit_id", "")
    unit = request_session().get(OrgUnit, int(unit_text)) if unit_text.isdigit() else None
    if unit is None or not g.scope.covers_unit(unit):
        errors["org_unit_id"] = say(lang, "import.org.required")
    upload = request.files.get("file")
    token = request.form.get("token", "")
    path = _kept(token)
    if upload is not None and upload.filename:
        data = upload.read(MAX_UPLOAD + 1)
        if len(data) > MAX_UPLOAD:
            errors["file"] = say(lang, "import.file.too_big", mb=MAX_UPLOAD // (1024 * 1024))
        else:
            suffix = Path(upload.filename).suffix.lower()
            token = secrets.token_urlsafe(16)
            path = _folder() / f"{token}{suffix if suffix in ('.csv', '.tsv', '.txt', '.xlsx') else '.bin'}"
            path.write_bytes(data)
            filename = upload.filename
    elif path is not None:
        filename = request.form.get("filename", path.name)
    else:
        errors["file"] = say(lang, "import.file.required")
    if errors or unit is None:  # a missing unit is among the errors already
        return _page(400, errors=errors, org_unit_id=unit.id if unit else None, duplicates=duplicates.value)
    assert path is not None
    data = path.read_bytes()
    try:
        preview = preview_import(data, filename)
        mapping = _mapping_from_form(preview)
        if mapping is not None:
            preview = preview_import(data, filename, mapping=mapping)
    except ImportRefused as refused:
        return _page(400, refused=refused, filename=filename, org_unit_id=unit.id, duplicates=duplicates.value)
    db = request_session()
    try:
        result = vacancy_import.import_vacancies(
            db,
            data,
            filename,
            org_unit_id=unit.id,
            actor=g.console_actor,
            now=g.now,
            mapping=mapping,
            duplicates=duplicates,
            timezone=settings(current_app).default_timezone,  # dates without a time are days in the console's zone
        )
    except (ImportRefused, ImportRejected) as failed:
        db.rollback()
        again = {"preview": preview, "token": token, "filename": filename, "org_unit_id": unit.id}
        if isinstance(failed, ImportRefused):
            return _page(400, refused=failed, duplicates=duplicates.value, **again)
        return _page(400, rejected=failed, duplicates=duplicates.value, **again)
    db.commit()
    path.unlink(missing_ok=True)
    flash(say(lang, "import.done", count=result.vacancies, created=result.employers_created, name=unit.name))
    if result.vacancies_updated:
        flash(say(lang, "import.updated", count=result.vacancies_updated))
    if result.salaries_converted:
        flash(say(lang, "import.converted", count=result.salaries_converted))
    return redirect(url_for("console.import_vacancies_page"))
