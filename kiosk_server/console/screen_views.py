"""The screen page (/console/screens/<id>): what a screen is and how it does; edit, move, retire and restore it.

Anyone who sees the fleet reads the page; ``ENROL`` (field technicians, hall managers, org and
system admins) changes a screen inside its scope. The profile and tag rules are the REST API's
(``ScreenUpdate``, ``save_screen``); moves and retiring are ``content.org.structure``'s. Other parts
of the console hang their fragments on this page (enrolment, remote care, power schedule, alerts):
each is included if present and receives ``screen``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Final

from flask import current_app, flash, g, redirect, render_template, request, url_for
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from content.accounts.access import Permission, may
from content.errors import ValidationError
from content.org import structure
from content.org.screens import Orientation, Panel, Screen, ScreenGroup
from content.org.structure import (
    SCREEN,
    Change,
    StructureError,
    staged,
)
from content.org.tree import Hall, OrgUnit
from content.signage.fleet import MAX_PAGE_SIZE, MAX_SEARCH, FleetFilter, FleetRow
from kiosk_server.api.screens import ScreenUpdate, save_screen
from kiosk_server.console import _structure, library
from kiosk_server.console.base import bp, console_page, id_arg
from kiosk_server.console.words import say
from kiosk_server.database import request_session
from kiosk_server.fleet_status import fleet_for

# name → (width, height, orientation, panel): what halls mostly hang; "custom" keeps the typed values.
PRESETS: Final[dict[str, tuple[int, int, Orientation, Panel]]] = {
    "fhd_landscape": (1920, 1080, Orientation.LANDSCAPE, Panel.LCD),
    "fhd_portrait": (1080, 1920, Orientation.PORTRAIT, Panel.LCD),
    "uhd_landscape": (3840, 2160, Orientation.LANDSCAPE, Panel.LCD),
    "counter_strip": (1920, 540, Orientation.LANDSCAPE, Panel.LCD),
    "led_small": (768, 384, Orientation.LANDSCAPE, Panel.LED),
}
_TAG_SEPARATORS: Final = re.compile(r"[,，、;；\n]+")


def _snapshot(screen: Screen) -> dict[str, Any]:
    return {
        "name": screen.name,
        "width_px": screen.width_px,
        "height_px": screen.height_px,
        "orientation": screen.orientation,
        "panel": screen.panel,
        "tags": screen.tags,
        "group_ids": sorted(group.id for group in screen.groups),
    }


def _form_values(screen: Screen) -> dict[str, Any]:
    values = _snapshot(screen)
    values["tags"] = "，".join(screen.tags)
    values["group_ids"] = set(values["group_ids"])
    return values


def _status(screen: Screen) -> FleetRow | None:
    """The screen's row of the fleet view (state, last heard, versions, readers); None while retired."""
    if screen.retired_at is not None:
        return None
    filt = FleetFilter(hall_id=screen.hall_id, search=screen.name[:MAX_SEARCH], page_size=MAX_PAGE_SIZE)
    found = fleet_for(current_app, request_session(), filt, g.scope, now=g.now)
    return next((row for row in found.rows if row.screen_id == screen.id), None)


def _groups(db: Session, screen: Screen) -> list[ScreenGroup]:
    """Groups the screen may be put in: in service, owned by a node above its hall or inside the scope."""
    return list(
        db.scalars(
            select(ScreenGroup)
            .join(OrgUnit, OrgUnit.id == ScreenGroup.org_unit_id)
            .where(
                ScreenGroup.retired_at.is_(None),
                or_(
                    OrgUnit.path.in_(library.ancestor_paths(screen.hall.org_unit.path)),
                    g.scope.unit_clause(OrgUnit.path),
                ),
            )
            .order_by(OrgUnit.path, ScreenGroup.name)
        )
    )


def _page(screen: Screen, values: dict[str, Any], errors: dict[str, str], status: int = 200) -> Any:
    db = request_session()
    page = render_template(
        "console/screen.html",
        screen=screen,
        row=_status(screen),
        values=values,
        errors=errors,
        groups=_groups(db, screen),
        halls=[hall for hall in _structure.live_halls(db) if hall.id != screen.hall_id],
        presets=PRESETS,
        orientations=list(Orientation),
        panels=list(Panel),
        may_change=may(g.user, Permission.ENROL),
    )
    return page, status


@bp.get("/screens")
@console_page(Permission.VIEW_FLEET)
def screens() -> Any:
    """Screens in scope by hall and name, in service or (``?retired=1``) retired."""
    db = request_session()
    retired = _structure.showing_retired()
    text = request.args.get("q", "").strip()[:MAX_SEARCH]
    query = (
        select(Screen)
        .join(Hall, Hall.id == Screen.hall_id)
        .join(OrgUnit, OrgUnit.id == Hall.org_unit_id)
        .where(
            g.scope.hall_clause(Hall.id, OrgUnit.path),
            Screen.retired_at.is_not(None) if retired else Screen.retired_at.is_(None),
        )
        .order_by(Hall.name, Screen.name, Screen.id)
    )
    if text:
        query = query.where(Screen.name.icontains(text, autoescape=True))
    return render_template("console/screens.html", retired=retired, q=text, **library.listing(db, query))


@bp.get("/screens/<int:screen_id>")
@console_page(Permission.VIEW_FLEET)
def screen(screen_id: int) -> Any:
    found = _structure.screen_or_404(request_session(), screen_id)
    return _page(found, _form_values(found), {})


def _read(db: Session, screen: Screen, errors: dict[str, str]) -> dict[str, Any]:
    """The edit form's values, checked by the API's rules; groups only among those offered."""
    form = request.form
    data: dict[str, Any] = {
        "name": form.get("name", "").strip(),
        "width_px": form.get("width_px", "").strip(),
        "height_px": form.get("height_px", "").strip(),
        "orientation": form.get("orientation", ""),
        "panel": form.get("panel", ""),
        "tags": [tag.strip() for tag in _TAG_SEPARATORS.split(form.get("tags", "")) if tag.strip()],
    }
    preset = PRESETS.get(form.get("preset", ""))
    if preset is not None:
        data.update(zip(("width_px", "height_px", "orientation", "panel"), preset, strict=True))
    values = library.check(ScreenUpdate, data, errors)
    offered = {group.id for group in _groups(db, screen)}
    chosen = [id_arg(text) for text in form.getlist("group_ids")]
    if any(ident is None or ident not in offered for ident in chosen):
        errors["group_ids"] = say(g.lang, "screen.error.group")
    kept = [group.id for group in screen.groups if group.id not in offered]  # not ours to take away
    values["group_ids"] = kept + [ident for ident in chosen if ident is not None and ident in offered]
    return values


@bp.post("/screens/<int:screen_id>")
@console_page(Permission.ENROL)
def edit_screen(screen_id: int) -> Any:
    db = request_session()
    screen = _structure.screen_or_404(db, screen_id)
    if screen.retired_at is not None:
        flash(say(g.lang, "structure.error.retired", what=say(g.lang, "screen.what")))
        return redirect(url_for("console.screen", screen_id=screen.id))
    before = _snapshot(screen)
    errors: dict[str, str] = {}
    values = _read(db, screen, errors)
    if not errors:
        try:
            with db.no_autoflush:
                save_screen(db, screen, values)
        except ValidationError:  # a group removed meanwhile
            errors["group_ids"] = say(g.lang, "screen.error.group")
    if errors:
        db.rollback()  # nothing half-saved
        form = dict(request.form) | {"group_ids": {i for i in map(id_arg, request.form.getlist("group_ids")) if i}}
        return _page(screen, form, errors, 400)
    db.flush()
    staged(db, SCREEN, screen.id, "updated")
    old, new = _structure.changed_fields(before, _snapshot(screen))
    _structure.record(db, Change(SCREEN, screen.id, "updated", old, new, screen.hall.org_unit.path))
    db.commit()
    flash(say(g.lang, "structure.saved"))
    return redirect(url_for("console.screen", screen_id=screen.id))


@bp.post("/screens/<int:screen_id>/move")
@console_page(Permission.ENROL)
def move_screen(screen_id: int) -> Any:
    db = request_session()
    screen = _structure.screen_or_404(db, screen_id)
    wanted = id_arg(request.form.get("hall_id", ""))
    hall = next((h for h in _structure.live_halls(db) if h.id == wanted), None)
    if hall is None:  # missing, retired or outside the scope: all the same to the account
        flash(say(g.lang, "screen.error.hall"))
        return redirect(url_for("console.screen", screen_id=screen.id))
    return _apply(
        db, screen.id, lambda: structure.move_screen(db, screen, hall), say(g.lang, "screen.moved", hall=hall.name)
    )


@bp.post("/screens/<int:screen_id>/retire")
@console_page(Permission.ENROL)
def retire_screen(screen_id: int) -> Any:
    db = request_session()
    screen = _structure.screen_or_404(db, screen_id)
    if not _structure.confirmed():
        flash(say(g.lang, "structure.confirm.required"))
        return redirect(url_for("console.screen", screen_id=screen.id))
    return _apply(
        db, screen.id, lambda: structure.retire_screen(db, screen, g.now), say(g.lang, "structure.done.retired")
    )


@bp.post("/screens/<int:screen_id>/restore")
@console_page(Permission.ENROL)
def restore_screen(screen_id: int) -> Any:
    db = request_session()
    screen = _structure.screen_or_404(db, screen_id)
    return _apply(db, screen.id, lambda: structure.restore_screen(db, screen), say(g.lang, "structure.done.restored"))


def _apply(db: Session, screen_id: int, change: Callable[[], Change], done: str) -> Any:
    """Make one structural change, audit it and commit; the domain's refusal is flashed instead."""
    try:
        made = change()
    except StructureError as err:
        db.rollback()
        flash(_structure.refusal(err))
    else:
        _structure.record(db, made)
        db.commit()
        flash(done)
    return redirect(url_for("console.screen", screen_id=screen_id))
