"""Training courses (培训信息) in the console: a paged list in scope, create and edit forms, archive, import.

The rules are the REST API's (``TrainingUpdate`` field by field, ``save_course`` for places against
each other and the dates); this module reads the form and says their problems in the page's language.
The import page uploads a CSV or XLSX to ``content.library.training.course_import``: all rows or none, every
bad cell listed by row and column. Every change is audited and reaches screens through the outbox.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Final

from flask import current_app, flash, g, redirect, render_template, request, url_for
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, contains_eager

from content.accounts.access import Permission
from content.errors import ValidationError
from content.library.items import ItemStatus
from content.library.training.course_import import ImportRefused, TrainingImportRejected, import_courses
from content.library.training.courses import SubsidyGroup, TrainingCourse, dates_problem
from content.org.tree import OrgUnit
from kiosk_server.api.training import TrainingUpdate, save_course
from kiosk_server.console import library
from kiosk_server.console.base import bp, console_page
from kiosk_server.console.words import say
from kiosk_server.database import request_session
from kiosk_server.settings_access import settings

KIND: Final = "training"
FIELDS: Final = (
    "title",
    "provider",
    "occupation_code",
    "subsidy_text",
    "starts_on",
    "ends_on",
    "class_times",
    "places_total",
    "places_left",
    "fee_yuan",
    "venue",
    "district",
    "enrol_phone",
    "enrol_url",
    "requirements",
)
AUDITED: Final = (*FIELDS[1:], "subsidy_groups")
MAX_UPLOAD: Final = 8 * 1024 * 1024
FIELD_WORDS: Final = {"occupation_code": "training.error.occupation", "enrol_url": "training.error.url"}


@bp.get("/training")
@console_page(Permission.VIEW_CONTENT)
def training() -> Any:
    db = request_session()
    text, shown = request.args.get("q", "").strip(), request.args.get("status", "")
    query = (
        select(TrainingCourse)
        .join(OrgUnit, OrgUnit.id == TrainingCourse.org_unit_id)
        .where(library.visible(g.scope))
        .options(contains_eager(TrainingCourse.org_unit))
        .order_by(TrainingCourse.starts_on.desc(), TrainingCourse.id.desc())
    )
    clause = library.status_clause(TrainingCourse, shown)
    if clause is not None:
        query = query.where(clause)
    if text:
        query = query.where(
            or_(
                TrainingCourse.title.contains(text, autoescape=True),
                TrainingCourse.provider.contains(text, autoescape=True),
                TrainingCourse.district.contains(text, autoescape=True),
            )
        )
    return render_template(
        "console/training.html", q=text, status=shown, may_edit=library.may_edit, **library.listing(db, query)
    )


def _snapshot(course: TrainingCourse) -> dict[str, Any]:
    """The audit's view of a course: days as ISO text (JSON has no dates)."""
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in library.snapshot(course, AUDITED).items()}


def _read(db: Session) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    data: dict[str, Any] = {name: request.form.get(name, "").strip() for name in FIELDS}
    for name in ("occupation_code", "places_total", "places_left", "fee_yuan", "starts_on", "ends_on"):
        data[name] = data[name] or None
    data["fee_yuan"] = data["fee_yuan"] or 0
    data |= {
        "subsidy_groups": request.form.getlist("subsidy_groups"),
        "org_unit_id": library.read_owner(db, errors),
        "valid_from": library.read_moment("valid_from", errors),
        "valid_until": library.read_moment("valid_until", errors),
    }
    values = library.check(TrainingUpdate, data, errors, FIELD_WORDS)
    if values.get("starts_on") and values.get("ends_on") and dates_problem(values["starts_on"], values["ends_on"]):
        errors["ends_on"] = say(g.lang, "training.error.dates")  # said with the others, not after they are fixed
    return values, errors


def _domain_errors(err: ValidationError) -> dict[str, str]:
    found: dict[str, str] = {}
    for field in err.errors:
        if field in ("places_left", "places_total"):
            found[field] = say(g.lang, "training.error.places")
        elif field == "ends_on":
            found[field] = say(g.lang, "training.error.dates")
        else:
            found |= library.window_errors(ValidationError.single(field, ""))
    return found


def _form(course: TrainingCourse | None, values: dict[str, Any], errors: dict[str, str], status: int = 200) -> Any:
    return render_template(
        "console/training_form.html",
        item=course,
        values=values,
        errors=errors,
        units=library.owners(request_session()),
        groups=[g.value for g in SubsidyGroup],
    ), status


def _save(db: Session, course: TrainingCourse | None) -> Any:
    """Check the form and save it (create when ``course`` is None): redirect, or the form again with its problems."""
    before = _snapshot(course) if course is not None else None
    values, errors = _read(db)
    saved = None
    try:
        if not errors:
            with db.no_autoflush:
                saved = save_course(db, course, values)
    except ValidationError as err:
        library.merge(errors, _domain_errors(err))
    if errors or saved is None:
        db.rollback()
        shown = dict(request.form) | {"subsidy_groups": request.form.getlist("subsidy_groups")}
        return _form(course, shown, errors, 400)
    db.flush()
    library.record(db, saved, KIND, "created" if course is None else "updated", before, _snapshot(saved))
    db.commit()
    flash(say(g.lang, "training.saved", title=saved.title))
    return redirect(url_for("console.training"))


def _values(course: TrainingCourse | None) -> dict[str, Any]:
    values = library.form_values(course, FIELDS)
    values["subsidy_groups"] = list(course.subsidy_groups or []) if course is not None else []
    if course is None:
        values |= {"fee_yuan": 0}
    return {k: "" if v is None else v for k, v in values.items()}


@bp.route("/training/new", methods=["GET", "POST"])
@console_page(Permission.EDIT_CONTENT)
def new_course() -> Any:
    if request.method == "GET":
        return _form(None, _values(None), {})
    return _save(request_session(), None)


@bp.route("/training/<int:course_id>", methods=["GET", "POST"])
@console_page(Permission.EDIT_CONTENT)
def edit_course(course_id: int) -> Any:
    db = request_session()
    course = library.editable_or_404(db, TrainingCourse, course_id)
    if request.method == "GET":
        return _form(course, _values(course), {})
    return _save(db, course)


@bp.post("/training/<int:course_id>/archive")
@console_page(Permission.EDIT_CONTENT)
def archive_course(course_id: int) -> Any:
    db = request_session()
    course = library.editable_or_404(db, TrainingCourse, course_id)
    restore = request.form.get("restore") == "1"
    if library.set_status(db, course, KIND, ItemStatus.PUBLISHED if restore else ItemStatus.ARCHIVED):
        db.commit()
        flash(say(g.lang, "media.done.restored" if restore else "media.done.archived"))
    return redirect(url_for("console.training"))


def _import_page(status: int = 200, **values: Any) -> Any:
    values.setdefault("errors", {})
    return render_template("console/training_import.html", units=library.owners(request_session()), **values), status


@bp.get("/training/import")
@console_page(Permission.EDIT_CONTENT)
def import_training_page() -> Any:
    return _import_page(org_unit_id=library.default_owner(), publish=True)


@bp.post("/training/import")
@console_page(Permission.EDIT_CONTENT)
def import_training() -> Any:
    db, lang = request_session(), g.lang
    errors: dict[str, str] = {}
    unit_id = library.read_owner(db, errors)
    publish = request.form.get("publish") == "1"
    upload = request.files.get("file")
    data = upload.read(MAX_UPLOAD + 1) if upload is not None and upload.filename else b""
    if not data:
        errors["file"] = say(lang, "training.import.file.required")
    if errors or unit_id is None or upload is None:
        return _import_page(400, errors=errors, org_unit_id=unit_id, publish=publish)
    filename = upload.filename or "upload.csv"
    try:
        result = import_courses(
            db,
            data,
            filename,
            org_unit_id=unit_id,
            actor=g.console_actor,
            now=g.now,
            publish=publish,
            timezone=settings(current_app).default_timezone,
        )
    except (ImportRefused, TrainingImportRejected) as failed:
        db.rollback()
        kind = "refused" if isinstance(failed, ImportRefused) else "rejected"
        return _import_page(400, org_unit_id=unit_id, publish=publish, filename=filename, **{kind: failed})
    db.commit()
    unit = db.get(OrgUnit, unit_id)
    flash(say(lang, "training.import.done", count=result.courses, name=unit.name if unit else ""))
    return redirect(url_for("console.training"))
