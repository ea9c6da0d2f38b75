"""Service guides in the console: list, form, review steps and import (JSON or CSV).

The rules are the domain's: ``GuideFields.parse`` for every field (plain text, bounded lists, http(s)
links), ``content.library.guides.review`` for the steps and the four-eyes rule, ``guide_import`` for
files (all or nothing, problems by entry and field). These views read forms, call one of them and
say the outcome in the page's language. Editors and approvers see the guides of their subtree.
"""

from __future__ import annotations

import re
from typing import Any, Final

from flask import flash, g, redirect, render_template, request, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from content.accounts.access import AccessDenied, Permission
from content.errors import ValidationError
from content.library.approval import ReviewRefused, Step
from content.library.guides import review as guide_review
from content.library.guides.fields import GuideFields, Material
from content.library.guides.guide_import import GuideImportRejected, import_guides, material_from_text
from content.library.guides.service_guides import CATEGORIES, ServiceGuide
from content.library.items import ItemStatus
from content.org.tree import OrgUnit
from kiosk_server.console.base import PAGE_SIZE, bp, console_page, in_scope, page_number, refuse
from kiosk_server.console.words import say
from kiosk_server.database import request_session

STEPS: Final = {s.value: s for s in (Step.SUBMITTED, Step.APPROVED, Step.REJECTED, Step.PUBLISHED, Step.ARCHIVED)}
TEXT_FIELDS: Final = ("title", "category", "conditions", "time_limit", "fee", "location", "counter", "hours")
MORE_FIELDS: Final = ("legal_basis", "online_url", "phone")
# The domain's problem texts (English, for logs and the API) in the page's language.
_PROBLEMS: Final = (
    (re.compile(r"^is required$"), "guides.problem.required"),
    (re.compile(r"^needs at least one step$"), "guides.problem.no_steps"),
    (re.compile(r"^is empty$"), "guides.problem.empty"),
    (re.compile(r"^is (?P<n>\d+) characters long, at most (?P<most>\d+)$"), "guides.problem.too_long"),
    (re.compile(r"^has (?P<n>\d+) entries, at most (?P<most>\d+)$"), "guides.problem.too_many"),
    (
        re.compile(r"^holds the control character (?P<char>U\+[0-9A-F]+) at character (?P<n>\d+)$"),
        "guides.problem.control",
    ),
    (re.compile(r"^must be an http"), "guides.problem.url"),
    (re.compile(r"^must come after valid_from$"), "guides.problem.window"),
    (re.compile(r"^lies outside your part of the org tree$"), "guides.problem.outside"),
    (re.compile(r"^names no org node$|^is required$"), "guides.problem.required"),
)


def problem_words(message: str) -> str:
    """A domain problem said in the page's language (as it came, when no words are known for it)."""
    for pattern, key in _PROBLEMS:
        found = pattern.match(message)
        if found:
            return say(g.lang, key, **found.groupdict())
    return message


def _units(db: Session) -> list[OrgUnit]:
    return list(db.scalars(select(OrgUnit).where(g.scope.unit_clause(OrgUnit.path)).order_by(OrgUnit.path)))


def _guide(db: Session, guide_id: int) -> ServiceGuide:
    found = db.get(ServiceGuide, guide_id)
    unit = db.get(OrgUnit, found.org_unit_id) if found is not None else None
    return in_scope(found, unit is not None and g.scope.covers_unit(unit))


@bp.get("/guides")
@console_page(Permission.VIEW_CONTENT)
def guides() -> Any:
    db = request_session()
    status = request.args.get("status", "")
    status = status if status in {s.value for s in ItemStatus} else ""
    text = request.args.get("q", "").strip()[:100]
    query = select(ServiceGuide).join(OrgUnit, OrgUnit.id == ServiceGuide.org_unit_id)
    query = query.where(g.scope.unit_clause(OrgUnit.path))
    if status:
        query = query.where(ServiceGuide.status == status)
    if text:
        query = query.where(ServiceGuide.title.contains(text))
    total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = page_number()
    rows = list(
        db.scalars(
            query.order_by(ServiceGuide.updated_at.desc(), ServiceGuide.id.desc())
            .offset((page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE)
        )
    )
    names = {u.id: u.name for u in db.scalars(select(OrgUnit).where(OrgUnit.id.in_({r.org_unit_id for r in rows})))}
    return render_template(
        "console/guides.html",
        rows=rows,
        names=names,
        status=status,
        q=text,
        statuses=tuple(ItemStatus),
        page=page,
        total=total,
        pages=max(1, -(-total // PAGE_SIZE)),
    )


def _detail(db: Session, guide: ServiceGuide, *, refusal: str = "", status: int = 200) -> Any:
    unit = db.get(OrgUnit, guide.org_unit_id)
    return render_template(
        "console/guide_detail.html",
        guide=guide,
        node=unit.name if unit else "",
        steps=guide_review.allowed_steps(db, guide, g.user),
        history=guide_review.history(db, guide),
        refusal=refusal,
        Step=Step,
    ), status


@bp.get("/guides/<int:guide_id>")
@console_page(Permission.VIEW_CONTENT)
def guide(guide_id: int) -> Any:
    db = request_session()
    return _detail(db, _guide(db, guide_id))


@bp.post("/guides/<int:guide_id>/step")
@console_page(Permission.VIEW_CONTENT)
def guide_step(guide_id: int) -> Any:
    db = request_session()
    found = _guide(db, guide_id)
    step = STEPS.get(request.form.get("step", ""))
    if step is None:
        return refuse(404)
    sent = request.form.get("revision", "")
    try:
        guide_review.take_step(
            db,
            found,
            g.user,
            step,
            reason=request.form.get("reason", "")[:1000],
            revision=int(sent) if sent.isdigit() else None,
            now=g.now,
        )
    except AccessDenied:
        db.rollback()
        return refuse(403)
    except (ReviewRefused, ValidationError) as err:
        db.rollback()
        key = f"guides.refused.{err.reason}" if isinstance(err, ReviewRefused) else "guides.refused.reason"
        return _detail(db, _guide(db, guide_id), refusal=say(g.lang, key), status=409)
    db.commit()
    flash(say(g.lang, f"guides.done.{step.value}"))
    return redirect(url_for("console.guide", guide_id=guide_id))


# -- the form ------------------------------------------------------------------------------------------


def _lines(name: str) -> list[str]:
    return [line.strip() for line in request.form.get(name, "").replace("\r\n", "\n").split("\n") if line.strip()]


def _material_line(m: Material) -> str:
    mark = "（原件）" if m.original else ""
    return f"{m.name}{mark}×{m.copies}" if m.copies != 1 else f"{m.name}{mark}"


def _read_form() -> tuple[dict[str, Any], dict[str, str]]:
    node = request.form.get("org_unit_id", "").strip()
    raw: dict[str, Any] = {name: request.form.get(name, "") for name in (*TEXT_FIELDS, *MORE_FIELDS)}
    raw["org_unit_id"] = int(node) if node.isdigit() and len(node) < 10 else None
    raw["steps"] = _lines("steps")
    raw["materials"] = [material_from_text(line) for line in _lines("materials")]
    try:
        GuideFields.parse(raw)
    except ValidationError as err:
        return raw, {name.split(".")[0]: problem_words(message) for name, message in err.errors.items()}
    return raw, {}


def _form(
    db: Session, guide: ServiceGuide | None, raw: dict[str, Any], errors: dict[str, str], status: int = 200
) -> Any:
    return render_template(
        "console/guide_form.html",
        guide=guide,
        values=raw,
        steps_text="\n".join(raw.get("steps") or ()),
        materials_text="\n".join(_material_line(Material(**m)) for m in raw.get("materials") or ()),
        errors=errors,
        units=_units(db),
        categories=CATEGORIES,
    ), status


def _save(db: Session, guide: ServiceGuide | None) -> Any:
    raw, errors = _read_form()
    if errors:
        return _form(db, guide, raw, errors, 400)
    values = GuideFields.parse(raw)
    try:
        if guide is None:
            guide = guide_review.create(db, g.user, values, now=g.now)
        else:
            sent = request.form.get("revision", "")
            guide_review.edit(db, guide, g.user, values, revision=int(sent) if sent.isdigit() else None, now=g.now)
    except ValidationError as err:
        db.rollback()
        return _form(db, guide, raw, {k: problem_words(v) for k, v in err.errors.items()}, 400)
    except AccessDenied:
        db.rollback()
        return refuse(403)
    except ReviewRefused as err:
        db.rollback()
        return _form(db, guide, raw, {"revision": say(g.lang, f"guides.refused.{err.reason}")}, 409)
    db.commit()
    flash(say(g.lang, "guides.done.saved"))
    return redirect(url_for("console.guide", guide_id=guide.id))


@bp.route("/guides/new", methods=["GET", "POST"])
@console_page(Permission.EDIT_CONTENT)
def new_guide() -> Any:
    db = request_session()
    if request.method == "GET":
        return _form(db, None, {"org_unit_id": g.user.org_unit_id, "fee": "不收费", "category": CATEGORIES[0]}, {})
    return _save(db, None)


@bp.route("/guides/<int:guide_id>/edit", methods=["GET", "POST"])
@console_page(Permission.EDIT_CONTENT)
def edit_guide(guide_id: int) -> Any:
    db = request_session()
    found = _guide(db, guide_id)
    if request.method == "GET":
        return _form(db, found, GuideFields.of(found).columns(), {})
    return _save(db, found)


# -- import --------------------------------------------------------------------------------------------


@bp.route("/guides/import", methods=["GET", "POST"])
@console_page(Permission.EDIT_CONTENT)
def import_guides_page() -> Any:
    db = request_session()
    problems: list[str] = []
    if request.method == "POST":
        upload = request.files.get("file")
        node = request.form.get("org_unit_id", "")
        if upload is None or not upload.filename:
            problems = [say(g.lang, "guides.import.no_file")]
        else:
            try:
                added = import_guides(
                    db, g.user, upload.read(), upload.filename, int(node) if node.isdigit() else 0, now=g.now
                )
            except GuideImportRejected as err:
                db.rollback()
                problems = [
                    say(
                        g.lang,
                        "guides.import.problem" if p.entry else "guides.import.file_problem",
                        entry=p.entry,
                        field=p.field or "-",
                        message=problem_words(p.message),
                    )
                    for p in err.problems
                ]
            else:
                db.commit()
                flash(say(g.lang, "guides.import.done", count=len(added)))
                return redirect(url_for("console.guides", status=ItemStatus.DRAFT.value))
    return render_template("console/guide_import.html", units=_units(db), problems=problems), (400 if problems else 200)
