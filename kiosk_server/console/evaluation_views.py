"""好差评 in the console: statistics (and CSV), the follow-up (整改) list, and which evaluator serves which counter.

Everything is confined to the halls in the account's scope: another hall's ratings are neither
counted nor listed, and its follow-ups and counters answer 404 as if they did not exist. Saving a
follow-up and binding an evaluator are audited in the hall's org path, so its managers see them.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Final

from flask import Response, current_app, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.accounts import audit
from content.accounts.access import Permission
from content.errors import NotFound, ValidationError
from content.org.screens import Screen, ScreenKind
from content.org.tree import Hall
from content.queue.evaluation_followups import (
    MAX_NOTE_LENGTH,
    FollowUpStatus,
    low_rating,
    low_ratings,
    save_follow_up,
)
from content.queue.evaluation_stats import GroupBy, csv_of, load_rows, percent, tally
from content.queue.evaluations import bind_evaluator, expire_stale
from content.queue.models import Counter
from kiosk_server.api._schemas import day_problem
from kiosk_server.console._structure import live_halls
from kiosk_server.console.base import bp, console_page, console_zone, id_arg, in_scope
from kiosk_server.console.words import say
from kiosk_server.database import request_session
from kiosk_server.settings_access import settings

LONGEST: Final = timedelta(days=366)


def _day(name: str, default: date, errors: dict[str, str]) -> date:
    text = request.args.get(name, "").strip()
    if not text:
        return default
    try:
        day = date.fromisoformat(text)
    except ValueError:
        errors[name] = say(g.lang, "ev.day.invalid")
        return default
    if day_problem(day) is not None:
        errors[name] = say(g.lang, "ev.day.invalid")
        return default
    return day


def _period_and_halls(db: Session) -> tuple[date, date, list[Hall], list[Hall], dict[str, str], dict[str, str]]:
    """The query's period (default: the last 7 days), the halls in scope and those chosen, errors, and the args."""
    today = g.now.astimezone(console_zone()).date()
    errors: dict[str, str] = {}
    first = _day("from", today - timedelta(days=6), errors)
    last = _day("to", today, errors)
    if not errors and (last < first or last - first > LONGEST):
        errors["to"] = say(g.lang, "ev.period.invalid")
    halls = live_halls(db)
    hall_text = request.args.get("hall", "").strip()
    chosen_id = id_arg(hall_text)
    chosen = [h for h in halls if h.id == chosen_id] if chosen_id is not None else halls
    args = {"from": first.isoformat(), "to": last.isoformat(), "hall": str(chosen_id) if chosen_id else ""}
    return first, last, halls, chosen, errors, args


def _expire(db: Session) -> None:
    """Pending evaluations whose wait window has passed are 未评价 by now, whether or not a tablet said so."""
    if expire_stale(db, g.now, timedelta(seconds=settings(current_app).evaluation_wait_seconds)):
        db.commit()


@bp.get("/evaluations")
@console_page(Permission.VIEW_REPORTS)
def evaluations() -> Any:
    db = request_session()
    _expire(db)
    first, last, halls, chosen, errors, args = _period_and_halls(db)
    group_text = request.args.get("group", GroupBy.COUNTER.value)
    group_by = GroupBy(group_text) if group_text in GroupBy._value2member_map_ else GroupBy.COUNTER
    args["group"] = group_by.value
    tallies = tally(load_rows(db, [h.id for h in chosen], first, last), group_by) if not errors else []
    if request.args.get("format") == "csv" and not errors:
        name = f"evaluations-{group_by.value}-{first.isoformat()}-{last.isoformat()}.csv"
        return Response(
            csv_of(tallies, group_by),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    return render_template(
        "console/evaluations.html",
        tallies=tallies,
        errors=errors,
        args=args,
        halls=halls,
        groups=list(GroupBy),
        levels=(5, 4, 3, 2, 1),
        percent=percent,
    ), 400 if errors else 200


def _followups_page(db: Session, form_errors: dict[int, dict[str, str]] | None = None, status_code: int = 200) -> Any:
    first, last, halls, chosen, errors, args = _period_and_halls(db)
    status = request.args.get("status", "")
    status = status if status in FollowUpStatus._value2member_map_ else ""
    args["status"] = status
    rows = low_ratings(db, [h.id for h in chosen], first, last, status or None) if not errors else []
    return render_template(
        "console/evaluation_followups.html",
        rows=rows,
        errors=errors,
        form_errors=form_errors or {},
        args=args,
        halls=halls,
        statuses=list(FollowUpStatus),
        max_note=MAX_NOTE_LENGTH,
    ), 400 if errors else status_code


@bp.get("/evaluations/follow-ups")
@console_page(Permission.VIEW_REPORTS)
def evaluation_followups() -> Any:
    return _followups_page(request_session())


def _hall_in_scope(db: Session, hall_id: int) -> Hall:
    hall = db.get(Hall, hall_id)
    return in_scope(hall, hall is not None and g.scope.covers_hall(hall))


@bp.post("/evaluations/follow-ups/<int:evaluation_id>")
@console_page(Permission.FOLLOW_UP)
def save_evaluation_followup(evaluation_id: int) -> Any:
    db = request_session()
    try:
        evaluation = low_rating(db, evaluation_id)
    except NotFound:
        evaluation = None
    hall = _hall_in_scope(db, evaluation.hall_id if evaluation is not None else -1)
    status = request.form.get("status", "")
    note = request.form.get("note", "")
    try:
        change = save_follow_up(db, evaluation_id, status, note, g.console_actor, g.now)
    except ValidationError as err:
        db.rollback()
        words = {}
        if "status" in err.errors:
            words["status"] = say(g.lang, "fu.error.status")
        if "note" in err.errors:
            key = "fu.error.note_long" if "at most" in err.errors["note"] else "fu.error.note_needed"
            words["note"] = say(g.lang, key, max=MAX_NOTE_LENGTH)
        return _followups_page(db, {evaluation_id: words}, 400)
    before = change.before or {}
    audit.record(
        db,
        actor=g.console_actor,
        action="evaluation.followed_up",
        obj_kind="evaluation",
        obj_id=evaluation_id,
        summary={
            "status": {"before": before.get("status"), "after": change.after["status"]},
            "note": {"before": before.get("note"), "after": change.after["note"]},
        },
        org_path=hall.org_unit.path,
    )
    db.commit()
    flash(say(g.lang, "fu.saved"))
    back: dict[str, Any] = _back_args()
    return redirect(url_for("console.evaluation_followups", **back) + f"#ev-{evaluation_id}")


def _back_args() -> dict[str, str]:
    """The list's query, carried through the form so a save returns to the same view."""
    return {k: v for k in ("from", "to", "hall", "status") if (v := request.form.get(f"back_{k}", "").strip())}


@bp.get("/evaluations/evaluators")
@console_page(Permission.ENROL)
def evaluators() -> Any:
    db = request_session()
    halls = live_halls(db)
    hall_ids = [h.id for h in halls]
    counters = list(
        db.scalars(select(Counter).where(Counter.hall_id.in_(hall_ids)).order_by(Counter.hall_id, Counter.number))
    )
    screens = list(
        db.scalars(
            select(Screen)
            .where(
                Screen.hall_id.in_(hall_ids),
                Screen.kind == ScreenKind.EVALUATOR.value,
                Screen.retired_at.is_(None),
            )
            .order_by(Screen.name)
        )
    )
    by_hall: dict[int, list[Screen]] = {}
    for screen in screens:
        by_hall.setdefault(screen.hall_id, []).append(screen)
    names = {h.id: h.name for h in halls}
    return render_template("console/evaluators.html", counters=counters, by_hall=by_hall, hall_names=names)


@bp.post("/evaluations/evaluators/<int:counter_id>")
@console_page(Permission.ENROL)
def bind_counter_evaluator(counter_id: int) -> Any:
    db = request_session()
    counter = db.get(Counter, counter_id)
    hall = _hall_in_scope(db, counter.hall_id if counter is not None else -1)
    assert counter is not None  # in scope means found
    screen_id = id_arg(request.form.get("screen_id", ""))
    try:
        before, after = bind_evaluator(db, counter.id, screen_id, g.now)
    except ValidationError:
        db.rollback()
        flash(say(g.lang, "evr.invalid"), "error")
        return redirect(url_for("console.evaluators"))
    if before != after:
        audit.record(
            db,
            actor=g.console_actor,
            action="counter.evaluator_bound",
            obj_kind="counter",
            obj_id=counter.id,
            summary={"counter_name": counter.name, "evaluator_screen_id": {"before": before, "after": after}},
            org_path=hall.org_unit.path,
        )
    db.commit()
    flash(say(g.lang, "evr.saved", counter=counter.name))
    return redirect(url_for("console.evaluators"))
