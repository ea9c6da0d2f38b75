"""Job fairs (招聘会) in the console: a paged list in scope, a create/edit form with booths, delete, archive.

The rules are the REST API's (``FairUpdate`` field by field) and the domain's (``save_fair``: hours,
venue, booths unique per fair, positions only of the booth's employer); this module reads the form,
stores an uploaded booth map image through the media store (by content hash, like media), and says
the problems in the page's language, a booth's on its row. Every change is audited and reaches screens
through the outbox; nothing is saved when anything is wrong.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from flask import current_app, flash, g, redirect, render_template, request, url_for
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, contains_eager

from content.accounts.access import Permission
from content.errors import ValidationError
from content.library.fairs.job_fairs import THEME_EN, FairTheme, JobFair
from content.library.fairs.rules import MAX_BOOTHS, save_fair
from content.library.items import Employer, ItemStatus, Vacancy
from content.org.tree import Hall, OrgUnit
from kiosk_server.api.fairs import FairUpdate
from kiosk_server.console import library
from kiosk_server.console.base import bp, console_page, console_zone
from kiosk_server.console.words import say
from kiosk_server.database import request_session
from kiosk_server.media_store import MediaRefused, store
from kiosk_server.settings_access import settings

KIND: Final = "fair"
FIELDS: Final = ("title", "theme", "venue_name", "venue_address", "organiser")
AUDITED: Final = (*FIELDS[1:], "starts_at", "ends_at", "hall_id", "booth_map_sha256")
BLANK_ROWS: Final = 3
MAX_CHOICES: Final = 1000  # employers and vacancies offered in the form's lists


@bp.get("/fairs")
@console_page(Permission.VIEW_CONTENT)
def fairs() -> Any:
    db = request_session()
    text, shown = request.args.get("q", "").strip(), request.args.get("status", "")
    query = (
        select(JobFair)
        .join(OrgUnit, OrgUnit.id == JobFair.org_unit_id)
        .where(library.visible(g.scope))
        .options(contains_eager(JobFair.org_unit))
        .order_by(JobFair.starts_at.desc(), JobFair.id.desc())
    )
    clause = library.status_clause(JobFair, shown)
    if clause is not None:
        query = query.where(clause)
    if text:
        query = query.where(
            or_(JobFair.title.contains(text, autoescape=True), JobFair.venue_name.contains(text, autoescape=True))
        )
    return render_template(
        "console/fairs.html",
        q=text,
        status=shown,
        may_edit=library.may_edit,
        local=_local,
        **library.listing(db, query),
    )


def _local(moment: datetime | None) -> str:
    return moment.astimezone(console_zone()).strftime("%Y-%m-%d %H:%M") if moment else ""


def _snapshot(fair: JobFair) -> dict[str, Any]:
    found = library.snapshot(fair, AUDITED)
    found["booths"] = [f"{b.booth} {b.shown_name} ({len(b.positions)})" for b in fair.booths]
    return found


def _int(text: str) -> int | None:
    return int(text) if text.strip().isdigit() else None


def _read_booths(errors: dict[str, str]) -> list[dict[str, Any]]:
    """The booth rows of the form (``booth_N``, ``employer_N``, ``vacancies_N``); blank rows are skipped."""
    booths: list[dict[str, Any]] = []
    for n in range(MAX_BOOTHS + BLANK_ROWS):
        booth = request.form.get(f"booth_{n}")
        if booth is None:
            break
        employer = request.form.get(f"employer_{n}", "").strip()
        vacancies = [v for v in (_int(x) for x in request.form.getlist(f"vacancies_{n}")) if v is not None]
        if not booth.strip() and not employer and not vacancies:
            continue
        if not employer:
            errors[f"booths.{len(booths)}.employer_id"] = say(g.lang, "fairs.error.employer")
        booths.append({"booth": booth.strip(), "employer_id": _int(employer), "vacancy_ids": vacancies})
    return booths


def _read(db: Session) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    data: dict[str, Any] = {name: request.form.get(name, "").strip() for name in FIELDS}
    hall = request.form.get("hall_id", "").strip()
    data |= {
        "org_unit_id": library.read_owner(db, errors),
        "valid_from": library.read_moment("valid_from", errors),
        "valid_until": library.read_moment("valid_until", errors),
        "starts_at": library.read_moment("starts_at", errors),
        "ends_at": library.read_moment("ends_at", errors),
        "hall_id": _int(hall) if hall else None,
    }
    for name in ("starts_at", "ends_at"):
        if data[name] is None and name not in errors:
            errors[name] = say(g.lang, "media.error.required")
    values = library.check(FairUpdate, data, errors)
    values["booths"] = _read_booths(errors)
    return values, errors


def _said(field: str, message: str) -> str:
    """A domain problem in the page's language where we have words for it, else as the domain said it."""
    if field.endswith(".booth") and "展位号重复" in message:
        return say(g.lang, "fairs.error.duplicate")
    if field.endswith(".vacancy_ids") and "只能选择" in message:
        return say(g.lang, "fairs.error.foreign")
    if field == "ends_at":
        return say(g.lang, "fairs.error.hours")
    if field == "venue_name":
        return say(g.lang, "fairs.error.venue")
    return message


def _store_map(fair: JobFair, errors: dict[str, str]) -> None:
    upload = request.files.get("booth_map")
    if request.form.get("remove_map") == "1":
        fair.booth_map_sha256 = fair.booth_map_mime = None
    if upload is None or not upload.filename:
        return
    try:
        stored = store(upload.stream, settings(current_app).data_dir / "media", field="booth_map")
    except MediaRefused:
        errors["booth_map"] = say(g.lang, "fairs.error.map")
        return
    if stored.media_type != "image":
        errors["booth_map"] = say(g.lang, "fairs.error.map")
        return
    fair.booth_map_sha256, fair.booth_map_mime = stored.sha256, stored.mime


def _form(fair: JobFair | None, values: dict[str, Any], errors: dict[str, str], status: int = 200) -> Any:
    db = request_session()
    employers = db.scalars(select(Employer).order_by(Employer.name, Employer.id).limit(MAX_CHOICES)).all()
    vacancies = db.scalars(
        select(Vacancy)
        .where(Vacancy.status == ItemStatus.PUBLISHED.value)
        .order_by(Vacancy.employer_id, Vacancy.title, Vacancy.id)
        .limit(MAX_CHOICES)
    ).all()
    by_employer: dict[int, list[Vacancy]] = {}
    for v in vacancies:
        by_employer.setdefault(v.employer_id, []).append(v)
    booths = list(values.get("booths") or []) + [{"booth": "", "employer_id": None, "vacancy_ids": []}] * BLANK_ROWS
    return render_template(
        "console/fairs_form.html",
        item=fair,
        values=values,
        booths=booths,
        errors=errors,
        units=library.owners(db),
        halls=db.scalars(select(Hall).where(Hall.retired_at.is_(None)).order_by(Hall.name)).all(),
        themes=[(t.value, THEME_EN[t]) for t in FairTheme],
        employers=employers,
        by_employer=by_employer,
    ), status


def _save(db: Session, fair: JobFair | None) -> Any:
    before = _snapshot(fair) if fair is not None else None
    values, errors = _read(db)
    saved = None
    try:
        if not errors:
            with db.no_autoflush:
                saved = save_fair(db, fair, values)
                _store_map(saved, errors)
    except ValidationError as err:
        library.merge(errors, {field: _said(field, message) for field, message in err.errors.items()})
    if errors or saved is None:
        db.rollback()
        shown: dict[str, Any] = {
            k: request.form.get(k, "") for k in (*FIELDS, "starts_at", "ends_at", "hall_id", "org_unit_id")
        }
        shown |= {"valid_from": request.form.get("valid_from", ""), "valid_until": request.form.get("valid_until", "")}
        shown["booths"] = values.get("booths") or []
        return _form(fair, shown, errors, 400)
    db.flush()
    library.record(db, saved, KIND, "created" if fair is None else "updated", before, _snapshot(saved))
    db.commit()
    flash(say(g.lang, "fairs.saved", title=saved.title))
    return redirect(url_for("console.fairs"))


def _values(fair: JobFair | None) -> dict[str, Any]:
    values = library.form_values(fair, FIELDS)
    if fair is None:
        return values | {"theme": FairTheme.GENERAL.value, "booths": []}
    values |= {
        "starts_at": _local(fair.starts_at).replace(" ", "T"),
        "ends_at": _local(fair.ends_at).replace(" ", "T"),
        "hall_id": fair.hall_id or "",
        "booths": [
            {"booth": b.booth, "employer_id": b.employer_id, "vacancy_ids": [p.vacancy_id for p in b.positions]}
            for b in fair.booths
        ],
    }
    return {k: "" if v is None else v for k, v in values.items()}


@bp.route("/fairs/new", methods=["GET", "POST"])
@console_page(Permission.EDIT_CONTENT)
def new_fair() -> Any:
    if request.method == "GET":
        return _form(None, _values(None), {})
    return _save(request_session(), None)


@bp.route("/fairs/<int:fair_id>", methods=["GET", "POST"])
@console_page(Permission.EDIT_CONTENT)
def edit_fair(fair_id: int) -> Any:
    db = request_session()
    fair = library.editable_or_404(db, JobFair, fair_id)
    if request.method == "GET":
        return _form(fair, _values(fair), {})
    return _save(db, fair)


@bp.post("/fairs/<int:fair_id>/archive")
@console_page(Permission.EDIT_CONTENT)
def archive_fair(fair_id: int) -> Any:
    db = request_session()
    fair = library.editable_or_404(db, JobFair, fair_id)
    restore = request.form.get("restore") == "1"
    if library.set_status(db, fair, KIND, ItemStatus.PUBLISHED if restore else ItemStatus.ARCHIVED):
        db.commit()
        flash(say(g.lang, "media.done.restored" if restore else "media.done.archived"))
    return redirect(url_for("console.fairs"))


@bp.post("/fairs/<int:fair_id>/delete")
@console_page(Permission.EDIT_CONTENT)
def delete_fair(fair_id: int) -> Any:
    db = request_session()
    fair = library.editable_or_404(db, JobFair, fair_id)
    title, before = fair.title, _snapshot(fair)
    library.record(db, fair, KIND, "deleted", before, None)
    db.delete(fair)
    db.commit()
    flash(say(g.lang, "fairs.deleted", title=title))
    return redirect(url_for("console.fairs"))
