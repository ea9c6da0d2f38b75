"""Halls in the console: the list in scope (in service or retired), create and edit forms, retire and restore.

The field rules are the REST API's (``HallUpdate``, ``save_hall``: the time zone checked and
defaulted there); this module reads the form, keeps the org node inside the account's scope and
says the problems in the page's language. Only ``MANAGE_ORG`` (org and system admins) changes halls.
"""

from __future__ import annotations

from typing import Any

from flask import flash, g, redirect, render_template, request, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from content.accounts.access import Permission
from content.errors import ValidationError
from content.org import structure
from content.org.screens import Screen
from content.org.structure import HALL, Change, StructureError, staged
from content.org.timezones import DEFAULT_TIMEZONE
from content.org.tree import Hall, OrgUnit
from kiosk_server.api.halls import HallUpdate, save_hall
from kiosk_server.console import _structure, library
from kiosk_server.console.base import bp, console_page
from kiosk_server.console.words import say
from kiosk_server.database import request_session

# Offered in the time zone field; any IANA name is accepted.
ZONES = ("Asia/Shanghai", "Asia/Urumqi")


def _snapshot(hall: Hall) -> dict[str, Any]:
    return {"name": hall.name, "address": hall.address, "org_unit_id": hall.org_unit_id, "timezone": hall.timezone}


@bp.get("/halls")
@console_page(Permission.MANAGE_ORG)
def halls() -> Any:
    db = request_session()
    retired = _structure.showing_retired()
    live = (
        select(func.count(Screen.id))
        .where(Screen.hall_id == Hall.id, Screen.retired_at.is_(None))
        .correlate(Hall)
        .scalar_subquery()
    )
    query = (
        select(Hall, OrgUnit, live)
        .join(OrgUnit, OrgUnit.id == Hall.org_unit_id)
        .where(
            g.scope.hall_clause(Hall.id, OrgUnit.path),
            Hall.retired_at.is_not(None) if retired else Hall.retired_at.is_(None),
        )
        .order_by(OrgUnit.path, Hall.name)
    )
    return render_template("console/halls.html", rows=db.execute(query).all(), retired=retired)


def _read(db: Session) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    data = {
        "name": request.form.get("name", "").strip(),
        "address": request.form.get("address", "").strip(),
        "timezone": request.form.get("timezone", "").strip() or None,
    }
    owner = library.read_owner(db, errors)
    values = library.check(HallUpdate, data, errors)
    if owner is not None:
        values["org_unit_id"] = owner
    return values, errors


def _form(hall: Hall | None, values: dict[str, Any], errors: dict[str, str], status: int = 200) -> Any:
    page = render_template(
        "console/hall_form.html",
        hall=hall,
        values=values,
        errors=errors,
        units=_structure.units(request_session()),
        zones=ZONES,
    )
    return page, status


def _save(db: Session, hall: Hall | None) -> Any:
    """Check the form and save it (create when ``hall`` is None): redirect, or the form again with its problems."""
    before = _snapshot(hall) if hall is not None else {}
    values, errors = _read(db)
    saved = None
    if not errors:
        try:
            with db.no_autoflush:
                saved = save_hall(db, hall, values)
        except ValidationError as err:  # the time zone: the one rule the API's save checks itself
            errors.update({field: say(g.lang, "hall.error.timezone") for field in err.errors})
    if errors or saved is None:
        db.rollback()  # nothing half-saved
        return _form(hall, dict(request.form), errors, 400)
    db.flush()
    action = "created" if hall is None else "updated"
    staged(db, HALL, saved.id, action)
    old, new = _structure.changed_fields(before, _snapshot(saved))
    unit = db.get(OrgUnit, saved.org_unit_id)
    _structure.record(db, Change(HALL, saved.id, action, old, new, unit.path if unit else None))
    db.commit()
    flash(say(g.lang, "structure.saved"))
    return redirect(url_for("console.halls"))


@bp.route("/halls/new", methods=["GET", "POST"])
@console_page(Permission.MANAGE_ORG)
def new_hall() -> Any:
    if request.method == "GET":
        return _form(None, {"org_unit_id": g.user.org_unit_id, "timezone": DEFAULT_TIMEZONE}, {})
    return _save(request_session(), None)


@bp.route("/halls/<int:hall_id>", methods=["GET", "POST"])
@console_page(Permission.MANAGE_ORG)
def edit_hall(hall_id: int) -> Any:
    db = request_session()
    hall = _structure.hall_or_404(db, hall_id)
    if request.method == "GET":
        return _form(hall, _snapshot(hall), {})
    return _save(db, hall)


@bp.post("/halls/<int:hall_id>/retire")
@console_page(Permission.MANAGE_ORG)
def retire_hall(hall_id: int) -> Any:
    db = request_session()
    hall = _structure.hall_or_404(db, hall_id)
    if not _structure.confirmed():
        flash(say(g.lang, "structure.confirm.required"), "error")
        return redirect(url_for("console.edit_hall", hall_id=hall.id))
    try:
        _structure.record(db, structure.retire_hall(db, hall, g.now))
    except StructureError as err:
        db.rollback()
        flash(_structure.refusal(err), "error")
        return redirect(url_for("console.edit_hall", hall_id=hall.id))
    db.commit()
    flash(say(g.lang, "structure.done.retired"))
    return redirect(url_for("console.halls"))


@bp.post("/halls/<int:hall_id>/restore")
@console_page(Permission.MANAGE_ORG)
def restore_hall(hall_id: int) -> Any:
    db = request_session()
    hall = _structure.hall_or_404(db, hall_id)
    try:
        _structure.record(db, structure.restore_hall(db, hall))
    except StructureError as err:
        db.rollback()
        flash(_structure.refusal(err), "error")
        return redirect(url_for("console.edit_hall", hall_id=hall.id))
    db.commit()
    flash(say(g.lang, "structure.done.restored"))
    return redirect(url_for("console.edit_hall", hall_id=hall.id))
