"""What is on screen X at time T: the real player rendering the resolved manifest, and why it shows that.

Permission: SCHEDULE (``content.accounts.access`` files the preview under it: it is the schedulers' check of
their own work); the screen must lie in the account's scope, else 404.

The instant is read in the screen's hall time zone. The page resolves the manifest once, with the
real ``Resolver`` (``content.signage.explanation.explain``), and uses that one result twice: for the "why"
and for the player, so the two can never disagree. The player runs in an ``iframe srcdoc``: the
real player modules (``wall.js`` and friends) with the manifest, the instant and the screen's
profile injected and ``data-preview`` set, in which mode the player renders what it was given on a
clock started at the instant and starts nothing else: no socket (so no hello, heartbeats or proof
of play), no service worker, no storage. The page never contains the screen's key, so it could not
connect as the screen even if it tried. The frame has the screen's pixel size, scaled to fit.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Final

from flask import g, render_template, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.accounts.access import Permission
from content.org.screens import Screen, ScreenGroup
from content.org.timezones import zone
from content.org.tree import Hall, OrgUnit
from content.signage.explanation import Explanation, explain
from content.signage.schedules import Schedule
from content.signage.targeting import TargetRule
from kiosk_server.api._schemas import EARLIEST_DAY, LATEST_DAY, day_problem
from kiosk_server.console import schedule_form as sf
from kiosk_server.console.base import bp, console_page, id_arg, in_scope
from kiosk_server.console.words import say
from kiosk_server.database import request_session
from kiosk_server.pages import SCREEN_STATIC_URL

FRAME_WIDTH: Final = 860  # the largest the scaled player may be, in CSS pixels
FRAME_HEIGHT: Final = 560
LOCAL_FORMAT: Final = "%Y-%m-%dT%H:%M"


def _profile(screen: Screen) -> dict[str, Any]:
    """What the welcome event tells a player about its screen (kiosk_server/screen_namespace.py), minus nothing secret."""
    return {
        "id": screen.id,
        "name": screen.name,
        "kind": screen.kind,
        "panel": screen.panel,
        "width": screen.width_px,
        "height": screen.height_px,
        "orientation": screen.orientation,
        "low_resolution": screen.low_resolution,
        "hall": {"id": screen.hall.id, "name": screen.hall.name, "timezone": screen.hall.timezone},
    }


def _rule_name(db: Session, rule: TargetRule) -> str:
    model = {"org": OrgUnit, "hall": Hall, "group": ScreenGroup, "screen": Screen}.get(rule.kind)
    if model is None:
        return rule.ref
    row = db.get(model, int(rule.ref)) if rule.ref.isdigit() else None
    return str(row.name) if isinstance(row, OrgUnit | Hall | ScreenGroup | Screen) else f"#{rule.ref}"


def _names(db: Session, why: Explanation) -> dict[tuple[str, str], str]:
    rules = [r for s in why.schedules for r in s.matched] + [r for e in why.emergencies for r in e.matched]
    return {(r.kind, r.ref): _rule_name(db, r) for r in rules}


def _scale(screen: Screen) -> float:
    return min(FRAME_WIDTH / screen.width_px, FRAME_HEIGHT / screen.height_px, 1.0)


def _instant(screen: Screen) -> tuple[datetime | None, str | None]:
    """The ``at`` argument in the hall's zone (default: now, to the minute), or an error."""
    tz = zone(screen.hall.timezone)
    text = request.args.get("at", "").strip()
    if not text:
        return g.now.astimezone(tz).replace(second=0, microsecond=0), None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None, say(g.lang, "schedules.preview.error.at")
    if moment.tzinfo is not None:
        return None, say(g.lang, "schedules.preview.error.at")
    if day_problem(moment.date()) is not None:  # the API's bounds: a horizon past 9999 cannot be computed
        return None, say(g.lang, "schedules.preview.error.range", first=EARLIEST_DAY, last=LATEST_DAY)
    return moment.replace(tzinfo=tz), None


@bp.get("/preview")
@console_page(Permission.SCHEDULE)
def preview() -> Any:
    db = request_session()
    allowed = sf.choices(db, g.scope)
    raw = request.args.get("screen", "").strip()
    context: dict[str, Any] = {
        "screens": allowed.screens,
        "screen": None,
        "why": None,
        "errors": {},
        "at": None,
        "describe": sf.describe,
    }
    if not raw:
        return render_template("console/preview.html", **context)
    ident = id_arg(raw)
    screen = db.get(Screen, ident) if ident is not None else None
    screen = in_scope(screen, screen is not None and g.scope.covers_hall(screen.hall))
    at, problem = _instant(screen)
    context.update(screen=screen, at_text=request.args.get("at", ""))
    if at is None:
        context["errors"] = {"at": problem}
        return render_template("console/preview.html", **context), 400
    why = explain(db, screen.id, at)
    local = at.astimezone(zone(screen.hall.timezone))
    frame = render_template(
        "console/preview_frame.html",
        static_url=SCREEN_STATIC_URL,
        screen=screen,
        data={"payload": why.payload, "at": at.isoformat(), "screen": _profile(screen)},
    )
    scale = _scale(screen)
    context.update(
        at=local,
        at_text=local.strftime(LOCAL_FORMAT),
        why=why,
        frame=frame,
        scale=scale,
        box=(round(screen.width_px * scale), round(screen.height_px * scale)),
        names=_names(db, why),
        earlier=(local - timedelta(hours=1)).strftime(LOCAL_FORMAT),
        later=(local + timedelta(hours=1)).strftime(LOCAL_FORMAT),
        until=why.until.astimezone(local.tzinfo),
        editable={s.id for s in why.schedules if _editable(db, allowed, s.id)},
        units={
            u.id: u.name
            for u in db.scalars(select(OrgUnit).where(OrgUnit.id.in_({s.org_unit_id for s in why.schedules})))
        },
    )
    return render_template("console/preview.html", **context)


def _editable(db: Session, allowed: sf.Choices, schedule_id: int) -> bool:
    row = db.get(Schedule, schedule_id)
    return row is not None and allowed.editable(row)
