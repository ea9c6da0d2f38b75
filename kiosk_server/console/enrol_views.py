"""Device enrolment in the console: claim a device's code for a new or existing screen; revoke a device.

The device side (the code screen and its API) is ``kiosk_server/enrolment_api.py``; the rules are
``content/org/enrolment.py``. A claim creates the screen (or re-keys the one whose device is
replaced) and commits with an outbox row, so the screen directory and the manifest book know it
before the device's next poll; the device then connects with its key by itself, so the technician
never reloads anything (docs/console.md, "Enrolment by code").

Retired halls, groups and screens (``content/org/structure.py``) are not offered, and refused when
posted all the same (an old tab, a hand-made request): a device enrolled into one would be out of
service from its first second.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Final

from flask import current_app, flash, g, redirect, render_template, request, url_for
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, contains_eager

from content.accounts import audit
from content.accounts.access import Permission
from content.citizens.kiosk_agents import AgentCredential
from content.org.enrolment import (
    CodeRefused,
    Placement,
    TooManyRequests,
    check_attempts,
    claim,
    find_code,
    revoke_screen,
)
from content.org.screens import Orientation, Panel, Screen, ScreenGroup, ScreenKind
from content.org.tree import Hall, OrgUnit
from kiosk_server.console._structure import live_halls
from kiosk_server.console.base import bp, console_page, id_arg, in_scope
from kiosk_server.console.words import say
from kiosk_server.database import request_session
from kiosk_server.events import AGENT_NAMESPACE, agent_room
from kiosk_server.safe_redirect import safe_next
from kiosk_server.settings_access import runtime

MAX_TAGS: Final = 50
MAX_TAG: Final = 50


@dataclass(frozen=True)
class Preset:
    width_px: int
    height_px: int
    orientation: Orientation
    panel: Panel


# Panels halls buy most; "custom" takes the sizes typed on the form.
PRESETS: Final[dict[str, Preset]] = {
    "lcd_landscape": Preset(1920, 1080, Orientation.LANDSCAPE, Panel.LCD),
    "kiosk_portrait": Preset(1080, 1920, Orientation.PORTRAIT, Panel.LCD),
    "lcd_4k": Preset(3840, 2160, Orientation.LANDSCAPE, Panel.LCD),
    "led_strip": Preset(640, 64, Orientation.LANDSCAPE, Panel.LED),
    "led_wall": Preset(768, 384, Orientation.LANDSCAPE, Panel.LED),
}


def _groups(db: Session, halls: list[Hall]) -> list[ScreenGroup]:
    """The screen groups a screen of these halls may join: those of a node on some hall's org path."""
    node_ids = {node for hall in halls for node in hall.org_unit.ancestor_ids()}
    return list(
        db.scalars(
            select(ScreenGroup)
            .where(ScreenGroup.org_unit_id.in_(node_ids), ScreenGroup.retired_at.is_(None))
            .order_by(ScreenGroup.name)
        )
    )


def _screens(db: Session) -> list[Screen]:
    return list(
        db.scalars(
            select(Screen)
            .join(Hall)
            .join(OrgUnit)
            .options(contains_eager(Screen.hall))
            .where(g.scope.hall_clause(Hall.id, OrgUnit.path), Screen.retired_at.is_(None))
            .order_by(Hall.name, Screen.name)
            .limit(2000)
        )
    )


def _form(values: dict[str, Any], errors: dict[str, str], status: int = 200, done: Screen | None = None) -> Any:
    db = request_session()
    halls = live_halls(db)
    return (
        render_template(
            "console/enrol.html",
            values=values,
            errors=errors,
            halls=halls,
            groups=_groups(db, halls),
            screens=_screens(db),
            kinds=list(ScreenKind),
            presets=PRESETS,
            orientations=list(Orientation),
            panels=list(Panel),
            done_screen=done,
        ),
        status,
    )


@bp.get("/enrol")
@console_page(Permission.ENROL)
def enrol() -> Any:
    replace = id_arg(request.args.get("replace", ""))
    values: dict[str, Any] = {
        "code": request.args.get("code", "")[:20],
        "mode": "replace" if replace else "new",
        "replace": replace,
        "preset": "lcd_landscape",
        "kind": ScreenKind.WALL.value,
        "width_px": 1920,
        "height_px": 1080,
        "orientation": Orientation.LANDSCAPE.value,
        "panel": Panel.LCD.value,
        "group_ids": [],
    }
    db = request_session()
    halls = live_halls(db)
    if len(halls) == 1:
        values["hall_id"] = halls[0].id
    done = db.get(Screen, id_arg(request.args.get("done", "")) or 0)
    return _form(values, {}, done=done if done is not None and g.scope.covers_hall(done.hall) else None)


def _pixels(name: str, errors: dict[str, str]) -> int:
    text = request.form.get(name, "").strip()
    if not (text.isascii() and text.isdigit() and 16 <= int(text) <= 16384):
        errors[name] = say(g.lang, "enrol.error.pixels")
        return 0
    return int(text)


def _placement(db: Session, values: dict[str, Any], errors: dict[str, str]) -> Placement | None:
    """The new screen as the form describes it, with every field checked (errors filled in otherwise)."""
    hall = db.get(Hall, id_arg(values["hall_id"] or "") or 0)
    if hall is None or not g.scope.covers_hall(hall):
        errors["hall_id"] = say(g.lang, "enrol.error.hall")
    elif hall.retired_at is not None:
        errors["hall_id"] = say(g.lang, "enrol.error.hall_retired")
    name = values["name"]
    if not name:
        errors["name"] = say(g.lang, "enrol.error.required")
    elif len(name) > 120:
        errors["name"] = say(g.lang, "enrol.error.name")
    kind = values["kind"] if values["kind"] in {k.value for k in ScreenKind} else ScreenKind.WALL.value
    preset = PRESETS.get(values["preset"])
    if preset is None:
        width, height = _pixels("width_px", errors), _pixels("height_px", errors)
        orientation = Orientation(values["orientation"]) if values["orientation"] in set(Orientation) else None
        panel = Panel(values["panel"]) if values["panel"] in set(Panel) else None
        preset = Preset(width, height, orientation or Orientation.LANDSCAPE, panel or Panel.LCD)
    tags = [t.strip() for t in values["tags"].replace("，", ",").split(",") if t.strip()]
    if len(tags) > MAX_TAGS or any(len(t) > MAX_TAG for t in tags):
        errors["tags"] = say(g.lang, "enrol.error.tags")
    groups: list[ScreenGroup] = []
    if hall is not None and "hall_id" not in errors:
        path = hall.org_unit.ancestor_ids()
        for ident in values["group_ids"]:
            group = db.get(ScreenGroup, id_arg(ident) or 0)
            if group is None or group.org_unit_id not in path:
                errors["group_ids"] = say(g.lang, "enrol.error.group")
            elif group.retired_at is not None:
                errors["group_ids"] = say(g.lang, "enrol.error.group_retired")
            else:
                groups.append(group)
    if errors or hall is None:
        return None
    return Placement(
        hall=hall,
        name=name,
        kind=ScreenKind(kind),
        width_px=preset.width_px,
        height_px=preset.height_px,
        orientation=preset.orientation,
        panel=preset.panel,
        groups=tuple(groups),
        tags=tuple(tags),
    )


def _to_replace(db: Session, values: dict[str, Any], errors: dict[str, str]) -> Screen | None:
    screen = db.get(Screen, id_arg(str(values["replace"] or "")) or 0)
    if screen is None or not g.scope.covers_hall(screen.hall):
        errors["replace"] = say(g.lang, "enrol.error.screen")
        return None
    if screen.retired_at is not None:
        errors["replace"] = say(g.lang, "enrol.error.screen_retired")
        return None
    return screen


def _values() -> dict[str, Any]:
    form = request.form
    return {
        "code": form.get("code", "")[:20],
        "mode": "replace" if form.get("mode") == "replace" else "new",
        "replace": form.get("replace", ""),
        "hall_id": form.get("hall_id", ""),
        "name": form.get("name", "").strip(),
        "kind": form.get("kind", ""),
        "preset": form.get("preset", ""),
        "width_px": form.get("width_px", ""),
        "height_px": form.get("height_px", ""),
        "orientation": form.get("orientation", ""),
        "panel": form.get("panel", ""),
        "group_ids": form.getlist("group_ids")[:100],
        "tags": form.get("tags", "")[:2000],
    }


def _rate_limited(err: TooManyRequests) -> Any:
    minutes = max(1, math.ceil(err.retry_after / 60))
    return say(g.lang, "enrol.error.rate_limited", minutes=minutes)


@bp.post("/enrol")
@console_page(Permission.ENROL)
def enrol_post() -> Any:
    db = request_session()
    values = _values()
    errors: dict[str, str] = {}
    try:
        check_attempts(db, g.console_actor, g.now)
    except TooManyRequests as err:
        return _form(values, {"code": _rate_limited(err)}, 429)
    replace = _to_replace(db, values, errors) if values["mode"] == "replace" else None
    placement = _placement(db, values, errors) if values["mode"] == "new" else None
    if errors:  # the form first: a typo in the name must not cost one of the code attempts
        return _form(values, errors, 400)
    try:
        row = find_code(db, values["code"], actor=g.console_actor, now=g.now)
        claimed = claim(db, row, actor=g.console_actor, now=g.now, placement=placement, replace=replace)
    except CodeRefused as err:
        audit.record(
            db,
            actor=g.console_actor,
            action="enrolment.wrong_code",
            obj_kind="enrolment_code",
            obj_id="-",
            summary={"reason": err.reason},
        )
        db.commit()  # the attempt counts, and is audited
        return _form(values, {"code": say(g.lang, f"enrol.error.{err.reason}")}, 400)
    screen = claimed.screen
    audit.record(
        db,
        actor=g.console_actor,
        action="enrolment.claimed",
        obj_kind="screen",
        obj_id=screen.id,
        summary={
            "code_id": claimed.code_id,
            "replaced": claimed.replaced,
            "name": screen.name,
            "kind": screen.kind,
            "hall_id": screen.hall_id,
            "size": f"{screen.width_px}x{screen.height_px}",
            "panel": screen.panel,
        },
        org_path=screen.hall.org_unit.path,
    )
    db.commit()
    words = "enrol.done.replaced" if claimed.replaced else "enrol.done"
    flash(say(g.lang, words, name=screen.name, hall=screen.hall.name))
    return redirect(url_for("console.enrol", done=screen.id))


@bp.post("/screens/<int:screen_id>/revoke")
@console_page(Permission.ENROL)
def revoke(screen_id: int) -> Any:
    """Cut the screen's device off: a new key (its socket is dropped at its next beat) and no agent credential.

    The kiosk's agent, if connected, is cut off too: its room is closed in every process (through the
    message queue: no remote-care command or power schedule reaches it any more), this process
    disconnects it at once, and any other process at its next re-check (kiosk_server/agent_namespace.py).
    """
    db = request_session()
    found = db.get(Screen, screen_id)
    screen = in_scope(found, found is not None and g.scope.covers_hall(found.hall))
    pending = revoke_screen(db, screen)
    credential = db.execute(delete(AgentCredential).where(AgentCredential.screen_id == screen.id))
    audit.record(
        db,
        actor=g.console_actor,
        action="enrolment.revoked",
        obj_kind="screen",
        obj_id=screen.id,
        summary={
            "name": screen.name,
            "agent_credential": "revoked" if getattr(credential, "rowcount", 0) else "none",
            "codes_revoked": pending,
        },
        org_path=screen.hall.org_unit.path,
    )
    db.commit()
    _cut_off_agent(screen.id)
    flash(say(g.lang, "device.revoked", name=screen.name))
    back = safe_next(request.form.get("next"), under="/console")
    return redirect(back or url_for("console.enrol"))


def _cut_off_agent(screen_id: int) -> None:
    live = runtime(current_app)
    live.socketio.close_room(agent_room(screen_id), namespace=AGENT_NAMESPACE)
    live.agents.recheck()
