"""Policy notices in the console: list, Markdown editor with a sanitized preview, review steps, notifications.

The workflow itself is ``content.library.approval``; these views read forms, call one step and say the
outcome in the page's language. Editors and approvers see the notices published in their subtree;
a hall manager (a hall scope holds no whole node) sees the published notices that reach their
hall's screens, and may act on none. Anything else answers 404, as if it did not exist.

The preview is rendered by the server with the same sanitizer as the screens: on the form's
"预览" button, and, as you type, through ``notice_preview`` (``js/console/notice-preview.js``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Final

from flask import flash, g, jsonify, redirect, render_template, request, url_for
from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from content.accounts import notifications
from content.accounts.access import AccessDenied, Permission, may
from content.accounts.staff import StaffAccount
from content.errors import NotFound, ValidationError
from content.library import approval
from content.library.approval import NoticeFields, Problem, ReviewRefused, Step
from content.library.guides import service_guides
from content.library.items import ItemStatus, PolicyNotice
from content.library.sanitize import render_markdown, sanitize_html
from content.org.tree import OrgUnit
from kiosk_server.console.base import PAGE_SIZE, bp, console_page, console_zone, in_scope, page_number, refuse
from kiosk_server.console.words import say
from kiosk_server.database import request_session

STATUSES: Final = tuple(ItemStatus)
PREVIEW_MAX: Final = approval.LIMITS["body_markdown"]


# -- what an account sees ----------------------------------------------------------------------------


def _hall_ancestors() -> list[int]:
    """For a hall scope: the org nodes from the root down to the hall's, whose notices its screens show."""
    return [int(part) for part in (g.scope.path or "").strip("/").split("/") if part.isdigit()]


def _visible() -> ColumnElement[bool]:
    """SQL: the notices (joined with their OrgUnit) this account may see."""
    if g.scope.hall_id is not None:
        return and_(PolicyNotice.status == ItemStatus.PUBLISHED.value, PolicyNotice.org_unit_id.in_(_hall_ancestors()))
    return g.scope.unit_clause(OrgUnit.path)


def _sees(db: Session, notice: PolicyNotice) -> bool:
    if g.scope.hall_id is not None:
        return notice.status == ItemStatus.PUBLISHED.value and notice.org_unit_id in _hall_ancestors()
    unit = db.get(OrgUnit, notice.org_unit_id)
    return unit is not None and g.scope.covers_unit(unit)


def _notice(db: Session, notice_id: int) -> PolicyNotice:
    found = db.get(PolicyNotice, notice_id)
    return in_scope(found, found is not None and _sees(db, found))


def _units(db: Session) -> list[OrgUnit]:
    """The nodes an editor may publish at: their subtree."""
    return list(db.scalars(select(OrgUnit).where(g.scope.unit_clause(OrgUnit.path)).order_by(OrgUnit.path)))


def _waiting(db: Session) -> int:
    stmt = (
        select(func.count(PolicyNotice.id))
        .join(OrgUnit, OrgUnit.id == PolicyNotice.org_unit_id)
        .where(_visible(), PolicyNotice.status == ItemStatus.IN_REVIEW.value)
    )
    return int(db.scalar(stmt) or 0)


# -- the list, one notice, the review queue -----------------------------------------------------------


@bp.get("/notices")
@console_page(Permission.VIEW_CONTENT)
def notices() -> Any:
    db = request_session()
    chosen = request.args.get("status", "")
    status = chosen if chosen in {s.value for s in STATUSES} else ""
    text = request.args.get("q", "").strip()
    query = select(PolicyNotice).join(OrgUnit, OrgUnit.id == PolicyNotice.org_unit_id).where(_visible())
    if status:
        query = query.where(PolicyNotice.status == status)
    if text:
        query = query.where(PolicyNotice.title.contains(text))
    total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = page_number()
    rows = list(
        db.scalars(
            query.order_by(PolicyNotice.updated_at.desc(), PolicyNotice.id.desc())
            .offset((page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE)
        )
    )
    names = {u.id: u.name for u in db.scalars(select(OrgUnit).where(OrgUnit.id.in_({r.org_unit_id for r in rows})))}
    return render_template(
        "console/notices.html",
        rows=rows,
        names=names,
        status=status,
        q=text,
        statuses=STATUSES,
        page=page,
        total=total,
        pages=max(1, -(-total // PAGE_SIZE)),
        waiting=_waiting(db),
    )


@bp.get("/notices/review")
@console_page(Permission.APPROVE)
def review_queue() -> Any:
    db = request_session()
    query = (
        select(PolicyNotice)
        .join(OrgUnit, OrgUnit.id == PolicyNotice.org_unit_id)
        .where(_visible(), PolicyNotice.status.in_([ItemStatus.IN_REVIEW.value, ItemStatus.APPROVED.value]))
        .order_by(PolicyNotice.updated_at, PolicyNotice.id)
    )
    rows = list(db.scalars(query))
    names = {u.id: u.name for u in db.scalars(select(OrgUnit).where(OrgUnit.id.in_({r.org_unit_id for r in rows})))}
    submitters = {r.id: approval.submitter_id(db, r) for r in rows}
    people = {
        a.id: a.display_name
        for a in db.scalars(
            select(StaffAccount).where(StaffAccount.id.in_({i for i in submitters.values() if i is not None}))
        )
    }
    return render_template(
        "console/notices_review.html",
        names=names,
        submitted_by={n: people.get(a or 0, "") for n, a in submitters.items()},
        in_review=[r for r in rows if r.status == ItemStatus.IN_REVIEW.value],
        approved=[r for r in rows if r.status == ItemStatus.APPROVED.value],
        yours={r.id for r in rows if approval.authored_by(db, r, g.user)},
    )


def _detail(
    db: Session,
    notice: PolicyNotice,
    *,
    errors: dict[str, str] | None = None,
    refusal: str = "",
    reason: str = "",
    status: int = 200,
) -> Any:
    steps = approval.allowed_steps(db, notice, g.user)
    blocked = approval.four_eyes_blocks(db, notice, g.user)
    unit = db.get(OrgUnit, notice.org_unit_id)
    return render_template(
        "console/notices_detail.html",
        notice=notice,
        node=unit.name if unit else "",
        body=sanitize_html(notice.body_html or ""),
        steps=steps,
        four_eyes=blocked,
        history=approval.history(db, notice),
        errors=errors or {},
        refusal=refusal,
        reason=reason,
        Step=Step,
    ), status


@bp.get("/notices/<int:notice_id>")
@console_page(Permission.VIEW_CONTENT)
def notice(notice_id: int) -> Any:
    db = request_session()
    return _detail(db, _notice(db, notice_id))


# -- the editor --------------------------------------------------------------------------------------


def _moment(name: str, errors: dict[str, str]) -> datetime | None:
    """A ``datetime-local`` value, read as Beijing time like everything the console shows."""
    text = request.form.get(name, "").strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is not None:
        errors[name] = say(g.lang, "notices.problem.moment")
        return None
    return moment.replace(tzinfo=console_zone())


def _day(name: str, errors: dict[str, str]) -> date | None:
    text = request.form.get(name, "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[name] = say(g.lang, "notices.problem.date")
        return None


def _problem_words(name: str, problem: Problem) -> str:
    if problem is Problem.REQUIRED:
        return say(g.lang, f"notices.required.{name}")
    if problem is Problem.TOO_LONG:
        return say(g.lang, "notices.problem.too_long", limit=approval.LIMITS[name])
    if problem is Problem.NOT_AFTER_START:
        return say(g.lang, "notices.problem.not_after_start")
    return say(g.lang, "notices.problem.outside")


def _read_form(db: Session) -> tuple[NoticeFields, dict[str, str]]:
    errors: dict[str, str] = {}
    node = request.form.get("org_unit_id", "").strip()
    values = NoticeFields(
        org_unit_id=int(node) if node.isdigit() else None,
        title=request.form.get("title", ""),
        body_markdown=request.form.get("body_markdown", "").replace("\r\n", "\n"),
        topic=request.form.get("topic", ""),
        issuing_office=request.form.get("issuing_office", ""),
        effective_date=_day("effective_date", errors),
        valid_from=_moment("valid_from", errors),
        valid_until=_moment("valid_until", errors),
    ).cleaned()
    for name, problem in approval.problems(db, g.user, values).items():
        errors.setdefault(name, _problem_words(name, problem))
    return values, errors


def _form(
    db: Session,
    notice: PolicyNotice | None,
    values: NoticeFields,
    errors: dict[str, str],
    *,
    refusal: str = "",
    revision: int | str | None = None,
    status: int = 200,
) -> Any:
    """The editor; ``revision`` is the one the form was opened on (the notice's own when None)."""
    preview = render_markdown(values.body_markdown) if values.body_markdown else ""
    if revision is None:
        revision = request.form.get("revision") or (notice.revision if notice else "")
    return render_template(
        "console/notices_form.html",
        notice=notice,
        values=values,
        errors=errors,
        units=_units(db),
        preview=preview,
        refusal=refusal,
        revision=revision,
    ), status


def _blank() -> NoticeFields:
    unit = g.user.org_unit_id
    return NoticeFields(org_unit_id=unit, title="", body_markdown="")


@bp.route("/notices/new", methods=["GET", "POST"])
@console_page(Permission.EDIT_CONTENT)
def new_notice() -> Any:
    db = request_session()
    if request.method == "GET":
        return _form(db, None, _blank(), {})
    values, errors = _read_form(db)
    action = request.form.get("action", "save")
    if action == "preview":
        return _form(db, None, values, {})
    if errors:
        return _form(db, None, values, errors, status=400)
    created = approval.create(db, g.user, values, now=g.now)
    done = "created"
    if action == "submit":
        approval.submit(db, created, g.user, now=g.now)
        done = "submitted"
    db.commit()
    flash(say(g.lang, f"notices.done.{done}"))
    return redirect(url_for("console.notice", notice_id=created.id))


@bp.route("/notices/<int:notice_id>/edit", methods=["GET", "POST"])
@console_page(Permission.EDIT_CONTENT)
def edit_notice(notice_id: int) -> Any:
    db = request_session()
    found = _notice(db, notice_id)
    if request.method == "GET":
        return _form(db, found, NoticeFields.of(found), {})
    values, errors = _read_form(db)
    action = request.form.get("action", "save")
    if action == "preview":
        return _form(db, found, values, {})
    if errors:
        return _form(db, found, values, errors, status=400)
    sent = request.form.get("revision", "")
    try:
        changed = approval.edit(db, found, g.user, values, revision=int(sent) if sent.isdigit() else None, now=g.now)
        done = "edited" if changed else "unchanged"
        if action == "submit" and found.status == ItemStatus.DRAFT.value:
            approval.submit(db, found, g.user, now=g.now)
            done = "submitted"
    except ReviewRefused as err:  # changed meanwhile: keep their text, and let a second save knowingly replace it
        db.rollback()
        current = db.get(PolicyNotice, notice_id)
        return _form(
            db,
            current,
            values,
            {},
            refusal=say(g.lang, f"notices.refused.{err.reason}"),
            revision=current.revision if current else None,
            status=409,
        )
    except AccessDenied:
        db.rollback()
        return refuse(403)
    db.commit()
    flash(say(g.lang, f"notices.done.{done}"))
    return redirect(url_for("console.notice", notice_id=found.id))


@bp.post("/notices/preview")
@console_page(Permission.EDIT_CONTENT)
def notice_preview() -> Any:
    """The sanitized HTML of the Markdown sent, for the editor's live preview (nothing is saved)."""
    text = request.form.get("body_markdown", "")
    if len(text) > PREVIEW_MAX:
        return jsonify(html="", error=say(g.lang, "notices.problem.too_long", limit=PREVIEW_MAX)), 400
    return jsonify(html=render_markdown(text))


# -- the review steps --------------------------------------------------------------------------------


def _take(notice_id: int, step: Step, act: Callable[..., None]) -> Any:
    """Run one review step from a POST: 404 outside the subtree, the page again with the reason when refused."""
    db = request_session()
    found = _notice(db, notice_id)
    sent = request.form.get("revision", "")
    reason = request.form.get("reason", "")
    kwargs: dict[str, Any] = {"now": g.now}
    if step is not Step.ARCHIVED:
        kwargs["revision"] = int(sent) if sent.isdigit() else None
    if step is Step.REJECTED:
        kwargs["reason"] = reason
    try:
        act(db, found, g.user, **kwargs)
    except AccessDenied:
        db.rollback()
        return refuse(403)
    except ValidationError:
        db.rollback()
        too_long = len(reason.strip()) > approval.REASON_MAX
        words = (
            say(g.lang, "notices.problem.too_long", limit=approval.REASON_MAX)
            if too_long
            else say(g.lang, "notices.reject.reason.required")
        )
        return _detail(db, found, errors={"reason": words}, reason=reason, status=400)
    except ReviewRefused as err:
        db.rollback()
        found = _notice(db, notice_id)
        words = say(
            g.lang,
            f"notices.refused.{err.reason}",
            status=say(g.lang, f"notices.status.{found.status}"),
            step=say(g.lang, f"notices.action.{step.value}"),
        )
        return _detail(db, found, refusal=words, status=403 if err.reason == "four_eyes" else 409)
    db.commit()
    flash(say(g.lang, f"notices.done.{step.value}"))
    return redirect(url_for("console.notice", notice_id=notice_id))


@bp.post("/notices/<int:notice_id>/submit")
@console_page(Permission.EDIT_CONTENT)
def submit_notice(notice_id: int) -> Any:
    return _take(notice_id, Step.SUBMITTED, approval.submit)


@bp.post("/notices/<int:notice_id>/approve")
@console_page(Permission.APPROVE)
def approve_notice(notice_id: int) -> Any:
    return _take(notice_id, Step.APPROVED, approval.approve)


@bp.post("/notices/<int:notice_id>/reject")
@console_page(Permission.APPROVE)
def reject_notice(notice_id: int) -> Any:
    return _take(notice_id, Step.REJECTED, approval.reject)


@bp.post("/notices/<int:notice_id>/publish")
@console_page(Permission.APPROVE)
def publish_notice(notice_id: int) -> Any:
    return _take(notice_id, Step.PUBLISHED, approval.publish)


@bp.post("/notices/<int:notice_id>/archive")
@console_page(Permission.VIEW_CONTENT)  # editors and approvers both may: content.library.approval decides
def archive_notice(notice_id: int) -> Any:
    return _take(notice_id, Step.ARCHIVED, approval.archive)


# -- notifications -----------------------------------------------------------------------------------


@bp.context_processor
def _unread_notifications() -> dict[str, Any]:
    """The top bar's unread count, on every console page of a signed-in account."""
    user = g.get("user")
    if user is None:
        return {}
    return {"unread_notifications": notifications.unread_count(request_session(), user.id)}


def _link(note: notifications.Notification) -> str:
    if note.subject_kind == approval.OBJ_KIND and note.subject_id is not None:
        return url_for("console.notice", notice_id=note.subject_id)
    if note.subject_kind == service_guides.OBJ_KIND and note.subject_id is not None:
        return url_for("console.guide", guide_id=note.subject_id)
    if note.subject_kind == "emergency_proposal":
        return url_for("console.emergencies" if may(g.user, Permission.EMERGENCY) else "console.propose_emergency_page")
    return url_for("console.notifications")


def _words(note: notifications.Notification) -> str:
    key = f"notices.notify.{note.kind}"
    params = {k: str(v) for k, v in (note.params or {}).items()}
    try:
        return say(g.lang, key, **params)
    except KeyError:  # a kind this version does not know: show what it is about
        return str(params.get("title", note.kind))


@bp.get("/notifications", endpoint="notifications")
@console_page(Permission.USE_CONSOLE)
def notifications_page() -> Any:
    rows = notifications.recent(request_session(), g.user.id)
    return render_template(
        "console/notices_notifications.html",
        rows=[(n, _words(n)) for n in rows],
        unread=sum(1 for n in rows if n.unread),
    )


@bp.post("/notifications/<int:notification_id>/open")
@console_page(Permission.USE_CONSOLE)
def open_notification(notification_id: int) -> Any:
    db = request_session()
    try:
        note = notifications.mark_read(db, g.user.id, notification_id, g.now)
    except NotFound:
        return refuse(404)
    db.commit()
    return redirect(_link(note))


@bp.post("/notifications/read")
@console_page(Permission.USE_CONSOLE)
def read_notifications() -> Any:
    db = request_session()
    notifications.mark_all_read(db, g.user.id, g.now)
    db.commit()
    flash(say(g.lang, "notices.notifications.marked"))
    return redirect(url_for("console.notifications"))
