"""Schedules: a week calendar of what plays when, and the form to create, change or disable a schedule.

Who sees what (the rule itself is in ``schedule_form``): an org account lists the schedules that
belong to nodes in its subtree; a hall manager lists everything aimed at their hall. Filtering by a
hall or a screen in the scope lists every schedule aimed at it, inherited ones included (the
province's default, say): those the account may not change open read-only, and a POST to them is
refused with 403. Anything else is a 404, as if it did not exist. The calendar is in the filtered
hall's time zone, otherwise in Beijing time; the occurrences are the domain's (``occurrences``).

Every save goes through the REST API's ``save_schedule`` (the same domain checks), then an outbox
row (screens may show something else now) and an audit row in the same transaction.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import flash, g, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from content import outbox
from content.accounts import audit
from content.accounts.access import Permission
from content.errors import ValidationError
from content.org.screens import Screen
from content.org.timezones import zone
from content.org.tree import Hall, OrgUnit
from content.signage.explanation import aimed_at, hall_contexts
from content.signage.manifest import Resolver
from content.signage.schedules import SCHEDULE_LAYERS, Layer, Schedule
from content.signage.targeting import ScreenContext
from kiosk_server.api._schemas import day_problem
from kiosk_server.api.schedules import save_schedule
from kiosk_server.console import play_now_views, schedule_reach
from kiosk_server.console import schedule_form as sf
from kiosk_server.console.base import bp, console_page, console_zone, id_arg, in_scope, refuse
from kiosk_server.console.schedule_calendar import build_week, monday_of
from kiosk_server.console.words import say
from kiosk_server.database import request_session


def _scope_contexts(db: Session, allowed: sf.Choices) -> list[ScreenContext]:
    """Every screen in the scope, and each hall in it as such."""
    contexts = Resolver.contexts(db, [s.id for s in allowed.screens]) if allowed.screens else []
    for hall in allowed.halls:
        contexts.extend(c for c in hall_contexts(db, hall.id) if c.screen_id == 0)
    return contexts


def _visible(db: Session, allowed: sf.Choices, schedule: Schedule) -> bool:
    """Listed for this account: its own, or aimed at something in its scope."""
    if allowed.editable(schedule) or (allowed.hall_unit is None and allowed.owns(schedule.org_unit_id)):
        return True
    return schedule.enabled and any(row.id == schedule.id for row in aimed_at(db, _scope_contexts(db, allowed)))


def _owned(db: Session, allowed: sf.Choices) -> list[Schedule]:
    """The schedules of nodes in an org account's subtree; for a hall manager, their own disabled ones."""
    if allowed.hall_unit is not None:
        query = select(Schedule).where(Schedule.org_unit_id == allowed.hall_unit, Schedule.enabled.is_(False))
    else:
        query = (
            select(Schedule).join(OrgUnit, OrgUnit.id == Schedule.org_unit_id).where(g.scope.unit_clause(OrgUnit.path))
        )
    rows = db.scalars(query.options(selectinload(Schedule.targets)))
    return [s for s in rows if allowed.hall_unit is None or allowed.editable(s)]


def _week_start(tz: ZoneInfo) -> date:
    """The Monday of the ``week`` argument; this week when it is missing, malformed or outside the API's days."""
    try:
        day = date.fromisoformat(request.args.get("week", ""))
    except ValueError:
        day = None
    if day is None or day_problem(day) is not None:
        day = g.now.astimezone(tz).date()
    return monday_of(day)


def _ordered(rows: list[Schedule]) -> list[Schedule]:
    return sorted(rows, key=lambda s: (not s.enabled, -Layer.parse(s.layer), -s.priority, s.name, s.id))


@bp.get("/schedules")
@console_page(Permission.SCHEDULE)
def schedules() -> Any:
    db = request_session()
    allowed = sf.choices(db, g.scope)
    hall_arg, screen_arg = request.args.get("hall", ""), request.args.get("screen", "")
    hall = screen = None
    if screen_arg:
        screen_id = id_arg(screen_arg)
        screen = db.get(Screen, screen_id) if screen_id is not None else None
        screen = in_scope(screen, screen is not None and allowed.inside("screen", screen_arg))
        hall = screen.hall
    elif hall_arg or g.scope.hall_id is not None:
        hall_id = id_arg(hall_arg)
        hall = db.get(Hall, hall_id) if hall_id is not None else (allowed.halls[0] if allowed.halls else None)
        hall = in_scope(hall, hall is not None and allowed.inside("hall", str(hall.id)))
    if screen is not None:
        rows = aimed_at(db, Resolver.contexts(db, [screen.id]))
    elif hall is not None:
        rows = aimed_at(db, hall_contexts(db, hall.id)) + (_owned(db, allowed) if not hall_arg else [])
    else:
        rows = _owned(db, allowed)
    tz = zone(hall.timezone) if hall is not None else console_zone()
    monday = _week_start(tz)
    week = build_week([s for s in rows if s.enabled], tz, monday, g.now)
    units = {u.id: u.name for u in db.scalars(select(OrgUnit).where(OrgUnit.id.in_({s.org_unit_id for s in rows})))}
    args = {k: v for k, v in (("hall", hall_arg), ("screen", screen_arg)) if v}
    return render_template(
        "console/schedules.html",
        rows=_ordered(rows),
        week=week,
        allowed=allowed,
        units=units,
        hall=hall,
        screen=screen,
        args=args,
        zone_name=tz.key,
        prev_week=(monday - timedelta(days=7)).isoformat(),
        next_week=(monday + timedelta(days=7)).isoformat(),
        days=sf.DAYS,
        describe=sf.describe,
    )


def _render_form(
    schedule: Schedule | None,
    form: dict[str, Any],
    errors: dict[str, str],
    allowed: sf.Choices,
    status: int = 200,
    read_only: bool = False,
) -> Any:
    return render_template(
        "console/schedules_form.html",
        schedule=schedule,
        form=form,
        errors=errors,
        allowed=allowed,
        read_only=read_only,
        layers=SCHEDULE_LAYERS,
        days=sf.DAYS,
        region_fields=sf.region_fields,
        reach=schedule_reach.reach_of(request_session(), allowed, form).words(g.lang),
    ), status


def _save(db: Session, allowed: sf.Choices, schedule: Schedule | None) -> Any:
    form = sf.posted_form(request.form)
    values, errors = sf.values_of(form, allowed)
    before = sf.summary(schedule) if schedule is not None else None
    saved = None
    try:
        with db.no_autoflush:  # half-assigned rows must not reach the database while we still check
            saved = save_schedule(db, schedule, values)
    except ValidationError as err:
        for key, message in sf.domain_errors(err, form).items():
            errors.setdefault(key, message)  # a field that did not parse keeps that message
    if errors or saved is None:
        db.rollback()  # nothing half-assigned stays behind
        return _render_form(schedule, form, errors, allowed, 400)
    db.flush()
    after = sf.summary(saved)
    if before is None:
        action, change = "created", {"after": after}
    else:
        action, change = "updated", {"changed": {k: [before[k], after[k]] for k in after if before[k] != after[k]}}
    _record(db, saved, action, change)
    reach = schedule_reach.reach_of(db, allowed, form)
    db.commit()
    seconds = play_now_views.schedule_seconds([screen.id for screen in reach.screens])
    flash(say(g.lang, "schedules.saved.eta", name=saved.name, seconds=seconds))
    if reach.misfits and reach.layout is not None:
        flash(say(g.lang, "schedules.saved.misfit", layout=reach.layout.name, n=len(reach.misfits)))
    return redirect(url_for("console.schedules"))


def _record(db: Session, schedule: Schedule, action: str, change: dict[str, Any]) -> None:
    outbox.add_event(db, "content", kind="schedule", id=schedule.id, action=action)
    unit = db.get(OrgUnit, schedule.org_unit_id)
    audit.record(
        db,
        actor=g.console_actor,
        action=action,
        obj_kind="schedule",
        obj_id=schedule.id,
        summary=change,
        org_path=unit.path if unit else None,
    )


@bp.route("/schedules/new", methods=["GET", "POST"])
@console_page(Permission.SCHEDULE)
def new_schedule() -> Any:
    db = request_session()
    allowed = sf.choices(db, g.scope)
    if request.method == "POST":
        return _save(db, allowed, None)
    return _render_form(None, sf.blank_form(allowed.hall_unit or g.user.org_unit_id), {}, allowed)


def _found(db: Session, allowed: sf.Choices, schedule_id: int) -> Schedule:
    schedule = db.scalar(select(Schedule).where(Schedule.id == schedule_id).options(selectinload(Schedule.targets)))
    return in_scope(schedule, schedule is not None and _visible(db, allowed, schedule))


@bp.route("/schedules/<int:schedule_id>", methods=["GET", "POST"])
@console_page(Permission.SCHEDULE)
def edit_schedule(schedule_id: int) -> Any:
    db = request_session()
    allowed = sf.choices(db, g.scope)
    schedule = _found(db, allowed, schedule_id)
    editable = allowed.editable(schedule)
    if request.method == "GET":
        return _render_form(schedule, sf.form_of(schedule), {}, allowed, read_only=not editable)
    if not editable:
        return refuse(403)
    return _save(db, allowed, schedule)


@bp.post("/schedules/<int:schedule_id>/disable")
@console_page(Permission.SCHEDULE)
def disable_schedule(schedule_id: int) -> Any:
    db = request_session()
    allowed = sf.choices(db, g.scope)
    schedule = _found(db, allowed, schedule_id)
    if not allowed.editable(schedule):
        return refuse(403)
    if schedule.enabled:
        schedule.enabled = False
        _record(db, schedule, "disabled", {"changed": {"enabled": [True, False]}})
        db.commit()
        flash(say(g.lang, "schedules.disabled", name=schedule.name))
    return redirect(url_for("console.schedules"))
