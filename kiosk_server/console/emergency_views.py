"""Emergency broadcast: one form, a confirmation that says how many screens it reaches, then on air.

An emergency always expires by itself; "end now" takes it off at once. It starts now, or at a chosen
instant within 30 days (shown as 待生效 until then; screens get it from that instant, the manifest's
timeline holding it until its start). Targets are org nodes,
halls and screen groups inside the sender's scope (a hall manager: their own hall). Every start
and end is audited. Screens get it through the manifest like everything else (outbox → publisher).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from flask import abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import exists, false, func, or_, select
from sqlalchemy.orm import Session, selectinload

from content import outbox
from content.accounts import audit
from content.accounts.access import Permission, Scope
from content.errors import ValidationError
from content.org.screens import Screen, ScreenGroup, screen_group_members
from content.org.tree import Hall, OrgUnit
from content.signage import emergency_proposals as proposals
from content.signage.emergencies import Emergency, Severity
from content.signage.emergency_proposals import go_on_air
from content.signage.targeting import TargetKind
from kiosk_server.console.base import bp, console_page, console_zone, in_scope
from kiosk_server.console.words import say
from kiosk_server.database import request_session

# How long it stays up: the form offers these; there is no "forever".
DURATIONS: Final = (15, 30, 60, 120, 240, 480, 1440)
LONGEST: Final = timedelta(days=7)  # "until" a chosen instant: within a week of its start
LATEST_START: Final = timedelta(days=30)  # a later start: within a month
TITLE_MAX: Final = 120
BODY_MAX: Final = 2000


@dataclass(frozen=True)
class Draft:
    title: str
    body: str
    severity: Severity
    minutes: int  # 0 when it runs until a chosen instant
    until: datetime | None
    unit_ids: tuple[int, ...]
    hall_ids: tuple[int, ...]
    group_ids: tuple[int, ...]
    starts: datetime | None = None  # None: on air at once

    def starts_at(self, now: datetime) -> datetime:
        """When it shows if sent at ``now``: the chosen start, unless that has passed."""
        return max(now, self.starts) if self.starts is not None else now

    def expires_at(self, now: datetime) -> datetime:
        return self.until if self.until is not None else self.starts_at(now) + timedelta(minutes=self.minutes)

    def domain(self, org_unit_id: int) -> proposals.Draft:
        """The checked emergency as ``content.signage.emergency_proposals`` takes it, issued by ``org_unit_id``."""
        rules = (
            [(TargetKind.ORG.value, i) for i in self.unit_ids]
            + [(TargetKind.HALL.value, i) for i in self.hall_ids]
            + [(TargetKind.GROUP.value, i) for i in self.group_ids]
        )
        return proposals.Draft(
            org_unit_id,
            self.title,
            self.body,
            self.severity,
            self.minutes or None,
            self.until,
            tuple(rules),
            self.starts,
        )


def _until(text: str) -> datetime | None:
    """A ``datetime-local`` value, read as Beijing time like everything the console shows (None: not one)."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return moment.replace(tzinfo=console_zone()) if moment.tzinfo is None else None


def _ids(name: str) -> tuple[int, ...]:
    return tuple(sorted({int(v) for v in request.form.getlist(name) if v.isdigit()}))


def choices(db: Session, scope: Scope) -> dict[str, list[Any]]:
    units = list(db.scalars(select(OrgUnit).where(scope.unit_clause(OrgUnit.path)).order_by(OrgUnit.path)))
    halls = list(
        db.scalars(
            select(Hall).join(OrgUnit).where(scope.hall_clause(Hall.id, OrgUnit.path)).order_by(OrgUnit.path, Hall.name)
        )
    )
    groups = list(
        db.scalars(select(ScreenGroup).join(OrgUnit).where(scope.unit_clause(OrgUnit.path)).order_by(ScreenGroup.name))
    )
    return {"units": units, "halls": halls, "groups": groups}


def read_draft(db: Session) -> tuple[Draft, dict[str, str]]:
    lang, errors = g.lang, {}
    title, body = request.form.get("title", "").strip(), request.form.get("body", "").strip()
    if not title:
        errors["title"] = say(lang, "emergency.title.required")
    elif len(title) > TITLE_MAX:
        errors["title"] = say(lang, "emergency.too_long", limit=TITLE_MAX)
    if len(body) > BODY_MAX:
        errors["body"] = say(lang, "emergency.too_long", limit=BODY_MAX)
    try:
        severity = Severity(request.form.get("severity", ""))
    except ValueError:
        severity = Severity.CRITICAL
        errors["severity"] = say(lang, "users.choose")
    starts, typed = None, request.form.get("starts", "").strip()
    if typed:  # empty: at once; a start that has passed (the confirmation stood open): at once too
        starts = _until(typed)
        if starts is None:
            errors["starts"] = say(lang, "emergency.starts.invalid")
        elif starts > g.now + LATEST_START:
            errors["starts"] = say(lang, "emergency.starts.range", days=LATEST_START.days)
        elif starts <= g.now:
            starts = None
    begins = starts or g.now
    minutes, until = 0, None
    choice = request.form.get("minutes", "")
    if choice == "until":
        until = _until(request.form.get("until", ""))
        if until is None:
            errors["until"] = say(lang, "emergency.until.invalid")
        elif not begins < until <= begins + LONGEST:
            errors["until"] = say(lang, "emergency.until.after_start" if starts else "emergency.until.range")
    elif choice.isdigit() and int(choice) in DURATIONS:
        minutes = int(choice)
    else:
        errors["minutes"] = say(lang, "emergency.expiry.required")
    offered = choices(db, g.scope)
    allowed = {
        "units": {u.id for u in offered["units"]},
        "halls": {h.id for h in offered["halls"]},
        "groups": {x.id for x in offered["groups"]},
    }
    draft = Draft(title, body, severity, minutes, until, _ids("unit"), _ids("hall"), _ids("group"), starts)
    if not (draft.unit_ids or draft.hall_ids or draft.group_ids):
        errors["targets"] = say(lang, "emergency.targets.required")
    elif (
        set(draft.unit_ids) - allowed["units"]
        or set(draft.hall_ids) - allowed["halls"]
        or set(draft.group_ids) - allowed["groups"]
    ):
        errors["targets"] = say(lang, "forbidden")
    return draft, errors


def reached_screens(db: Session, draft: Draft, issuer: int) -> int:
    """How many screens the draft's targets take in from the issuing node ``issuer``.

    The manifest resolver applies the same rules: any of the targets, and never outside the issuer's subtree.
    """
    paths = [u.path for u in db.scalars(select(OrgUnit).where(OrgUnit.id.in_(draft.unit_ids)))]
    in_group = exists().where(
        screen_group_members.c.screen_id == Screen.id, screen_group_members.c.group_id.in_(draft.group_ids)
    )
    conditions = [OrgUnit.path.startswith(p) for p in paths] + [Screen.hall_id.in_(draft.hall_ids), in_group]
    home = db.get(OrgUnit, issuer)
    inside = OrgUnit.path.startswith(home.path) if home is not None else false()
    return db.scalar(select(func.count(Screen.id)).join(Hall).join(OrgUnit).where(or_(*conditions), inside)) or 0


def on_air(db: Session, scope: Scope, now: datetime) -> list[Emergency]:
    """The emergencies showing now (or about to) that this scope may see and end."""
    query = (
        select(Emergency)
        .join(OrgUnit, OrgUnit.id == Emergency.org_unit_id)
        .where(Emergency.expires_at > now, or_(Emergency.ended_at.is_(None), Emergency.ended_at > now))
        .options(selectinload(Emergency.targets))
        .order_by(Emergency.starts_at.desc())
    )
    return [e for e in db.scalars(query) if _covers(db, scope, e)]


def _covers(db: Session, scope: Scope, emergency: Emergency) -> bool:
    if scope.hall_id is not None:  # a hall manager: the ones aimed at their hall and nothing wider
        return bool(emergency.targets) and all(
            t.kind == TargetKind.HALL and t.ref == str(scope.hall_id) for t in emergency.targets
        )
    unit = db.get(OrgUnit, emergency.org_unit_id)
    return unit is not None and scope.covers_unit(unit)


def issuing_unit(db: Session) -> int:
    if g.user.hall_id is not None:
        hall = db.get(Hall, g.user.hall_id)
        return hall.org_unit_id if hall else abort(403)
    if g.user.org_unit_id is not None:
        return int(g.user.org_unit_id)
    root = db.scalar(select(OrgUnit.id).where(OrgUnit.parent_id.is_(None)).order_by(OrgUnit.id))
    return int(root) if root is not None else abort(409)


def pending_proposals(db: Session, scope: Scope) -> list[proposals.EmergencyProposal]:
    """Proposals waiting for review whose node lies in ``scope``."""
    query = (
        select(proposals.EmergencyProposal)
        .join(OrgUnit, OrgUnit.id == proposals.EmergencyProposal.org_unit_id)
        .where(
            proposals.EmergencyProposal.status == proposals.ProposalStatus.IN_REVIEW.value,
            scope.unit_clause(OrgUnit.path),
        )
        .order_by(proposals.EmergencyProposal.proposed_at)
    )
    return list(db.scalars(query))


def form_page(draft: Draft | None, errors: dict[str, str], status: int = 200, *, proposing: bool = False) -> Any:
    """The emergencies page: on air, the form (to send, or to propose for an editor), proposals, recent ones."""
    db = request_session()
    recent = list(
        db.scalars(select(Emergency).options(selectinload(Emergency.targets)).order_by(Emergency.id.desc()).limit(20))
    )
    return render_template(
        "console/emergencies.html",
        draft=draft,
        errors=errors,
        durations=DURATIONS,
        severities=list(Severity),
        on_air=on_air(db, g.scope, g.now),
        proposing=proposing,
        pending=[] if proposing else pending_proposals(db, g.scope),
        recent=[e for e in recent if _covers(db, g.scope, e)],
        **choices(db, g.scope),
    ), status


@bp.get("/emergencies")
@console_page(Permission.EMERGENCY)
def emergencies() -> Any:
    return form_page(None, {})


@bp.post("/emergencies")
@console_page(Permission.EMERGENCY)
def send_emergency() -> Any:
    db = request_session()
    draft, errors = read_draft(db)
    if errors:
        return form_page(draft, errors, 400)
    if request.form.get("confirmed") == "back":
        return form_page(draft, {})
    if request.form.get("confirmed") != "yes":
        names = choices(db, g.scope)
        return render_template(
            "console/emergency_confirm.html",
            reached=reached_screens(db, draft, issuing_unit(db)),
            draft=draft,
            expires_at=draft.expires_at(g.now),
            starts_at=draft.starts_at(g.now),
            **names,
        )
    issuer = issuing_unit(db)
    try:
        go_on_air(
            db, draft.domain(issuer), actor=g.console_actor, now=g.now, reached=reached_screens(db, draft, issuer)
        )
    except ValidationError:  # the chosen end passed while the confirmation was open
        db.rollback()
        return form_page(draft, {"until": say(g.lang, "emergency.until.range")}, 400)
    db.commit()
    flash(say(g.lang, "emergency.sent"))
    return redirect(url_for("console.emergencies"))


@bp.post("/emergencies/<int:emergency_id>/end")
@console_page(Permission.EMERGENCY)
def end_emergency(emergency_id: int) -> Any:
    db = request_session()
    emergency = db.get(Emergency, emergency_id)
    emergency = in_scope(emergency, emergency is not None and _covers(db, g.scope, emergency))
    if emergency.effective_end > g.now:
        emergency.ended_at = g.now
        outbox.add_event(db, "content", kind="emergency", id=emergency.id, action="ended")
        unit = db.get(OrgUnit, emergency.org_unit_id)
        audit.record(
            db,
            actor=g.console_actor,
            action="ended",
            obj_kind="emergency",
            obj_id=emergency.id,
            summary={"changed": {"ended_at": [None, g.now.isoformat()]}},
            org_path=unit.path if unit else None,
        )
        db.commit()
        flash(say(g.lang, "emergency.ended"))
    return redirect(url_for("console.emergencies"))
