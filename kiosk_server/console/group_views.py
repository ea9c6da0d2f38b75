"""Screen groups in the console: the list in scope, create and edit forms with their members, retire and restore.

Name and owner node follow the REST API's rules (``ScreenGroupUpdate``); members are picked from the
screens in service inside the account's scope, and members outside it stay as they are
(``content.org.structure.set_members``). Only ``MANAGE_ORG`` changes groups.
"""

from __future__ import annotations

from typing import Any, Final

from flask import flash, g, redirect, render_template, request, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from content.accounts.access import Permission
from content.org import structure
from content.org.screens import Screen, ScreenGroup, screen_group_members
from content.org.structure import (
    SCREEN_GROUP,
    Change,
    StructureError,
    set_members,
    staged,
)
from content.org.tree import Hall, OrgUnit
from kiosk_server.api._crud import plain_save
from kiosk_server.api.screen_groups import ScreenGroupUpdate
from kiosk_server.console import _structure, library
from kiosk_server.console.base import bp, console_page, id_arg
from kiosk_server.console.words import say
from kiosk_server.database import request_session

MAX_CANDIDATES: Final = 500  # member checkboxes on one form; narrow by hall beyond that
_save_group = plain_save(ScreenGroup)


def _snapshot(group: ScreenGroup) -> dict[str, Any]:
    return {"name": group.name, "org_unit_id": group.org_unit_id}


@bp.get("/groups")
@console_page(Permission.MANAGE_ORG)
def groups() -> Any:
    db = request_session()
    retired = _structure.showing_retired()
    members = (
        select(func.count())
        .select_from(screen_group_members)
        .where(screen_group_members.c.group_id == ScreenGroup.id)
        .correlate(ScreenGroup)
        .scalar_subquery()
    )
    query = (
        select(ScreenGroup, OrgUnit, members)
        .join(OrgUnit, OrgUnit.id == ScreenGroup.org_unit_id)
        .where(
            g.scope.unit_clause(OrgUnit.path),
            ScreenGroup.retired_at.is_not(None) if retired else ScreenGroup.retired_at.is_(None),
        )
        .order_by(OrgUnit.path, ScreenGroup.name)
    )
    return render_template("console/groups.html", rows=db.execute(query).all(), retired=retired)


def _hall_filter() -> int | None:
    return id_arg(request.values.get("hall", ""))


def _candidates(db: Session, hall_id: int | None) -> list[Screen]:
    """Screens in service inside the scope (of one hall when given) that the form lists, by hall and name."""
    query = (
        select(Screen)
        .join(Hall, Hall.id == Screen.hall_id)
        .join(OrgUnit, OrgUnit.id == Hall.org_unit_id)
        .where(g.scope.hall_clause(Hall.id, OrgUnit.path), Screen.retired_at.is_(None))
        .order_by(Hall.name, Screen.name, Screen.id)
        .limit(MAX_CANDIDATES + 1)
    )
    if hall_id is not None:
        query = query.where(Screen.hall_id == hall_id)
    return list(db.scalars(query))


def _form(group: ScreenGroup | None, values: dict[str, Any], errors: dict[str, str], status: int = 200) -> Any:
    db = request_session()
    hall_id = _hall_filter()
    found = _candidates(db, hall_id)
    listed = {screen.id for screen in found[:MAX_CANDIDATES]}
    kept = sum(1 for screen in group.screens if screen.id not in listed) if group else 0
    page = render_template(
        "console/group_form.html",
        group=group,
        values=values,
        errors=errors,
        units=_structure.units(db),
        halls=_structure.live_halls(db),
        hall_id=hall_id,
        candidates=found[:MAX_CANDIDATES],
        more=len(found) > MAX_CANDIDATES,
        limit=MAX_CANDIDATES,
        kept=kept,
    )
    return page, status


def _members(db: Session, errors: dict[str, str]) -> tuple[list[Screen], set[int]]:
    """(the screens ticked, the ids the form listed): a ticked screen not listed is refused."""
    listed = {screen.id: screen for screen in _candidates(db, _hall_filter())[:MAX_CANDIDATES]}
    wanted: list[Screen] = []
    for text in request.form.getlist("screen_ids"):
        ident = id_arg(text)
        if ident is None or ident not in listed:
            errors["screen_ids"] = say(g.lang, "group.error.member")
            continue
        wanted.append(listed[ident])
    return wanted, set(listed)


def _save(db: Session, group: ScreenGroup | None) -> Any:
    before = _snapshot(group) if group is not None else {}
    errors: dict[str, str] = {}
    owner = library.read_owner(db, errors)
    values = library.check(ScreenGroupUpdate, {"name": request.form.get("name", "").strip()}, errors)
    wanted, listed = _members(db, errors)
    if errors or owner is None:
        db.rollback()
        form: dict[str, Any] = {
            "name": request.form.get("name", ""),
            "org_unit_id": request.form.get("org_unit_id", ""),
        }
        form["screen_ids"] = {i for i in map(id_arg, request.form.getlist("screen_ids")) if i}
        return _form(group, form, errors, 400)
    with db.no_autoflush:
        saved = _save_group(db, group, values | {"org_unit_id": owner})
    db.flush()
    action = "created" if group is None else "updated"
    staged(db, SCREEN_GROUP, saved.id, action)
    old, new = _structure.changed_fields(before, _snapshot(saved))
    unit = db.get(OrgUnit, saved.org_unit_id)
    _structure.record(db, Change(SCREEN_GROUP, saved.id, action, old, new, unit.path if unit else None))
    members = set_members(db, saved, wanted, listed)
    if members.before != members.after:
        _structure.record(db, members)
    db.commit()
    flash(say(g.lang, "structure.saved"))
    return redirect(url_for("console.groups"))


@bp.route("/groups/new", methods=["GET", "POST"])
@console_page(Permission.MANAGE_ORG)
def new_group() -> Any:
    if request.method == "GET":
        return _form(None, {"org_unit_id": g.user.org_unit_id, "screen_ids": set()}, {})
    return _save(request_session(), None)


@bp.route("/groups/<int:group_id>", methods=["GET", "POST"])
@console_page(Permission.MANAGE_ORG)
def edit_group(group_id: int) -> Any:
    db = request_session()
    group = _structure.group_or_404(db, group_id)
    if request.method == "GET":
        return _form(group, _snapshot(group) | {"screen_ids": {s.id for s in group.screens}}, {})
    if group.retired_at is not None:
        flash(say(g.lang, "structure.error.retired", what=say(g.lang, "group.what")))
        return redirect(url_for("console.edit_group", group_id=group.id))
    return _save(db, group)


@bp.post("/groups/<int:group_id>/retire")
@console_page(Permission.MANAGE_ORG)
def retire_group(group_id: int) -> Any:
    db = request_session()
    group = _structure.group_or_404(db, group_id)
    if not _structure.confirmed():
        flash(say(g.lang, "structure.confirm.required"))
        return redirect(url_for("console.edit_group", group_id=group.id))
    try:
        _structure.record(db, structure.retire_group(db, group, g.now))
    except StructureError as err:
        db.rollback()
        flash(_structure.refusal(err))
        return redirect(url_for("console.edit_group", group_id=group.id))
    db.commit()
    flash(say(g.lang, "structure.done.retired"))
    return redirect(url_for("console.groups"))


@bp.post("/groups/<int:group_id>/restore")
@console_page(Permission.MANAGE_ORG)
def restore_group(group_id: int) -> Any:
    db = request_session()
    group = _structure.group_or_404(db, group_id)
    try:
        _structure.record(db, structure.restore_group(db, group))
    except StructureError as err:
        db.rollback()
        flash(_structure.refusal(err))
        return redirect(url_for("console.edit_group", group_id=group.id))
    db.commit()
    flash(say(g.lang, "structure.done.restored"))
    return redirect(url_for("console.edit_group", group_id=group.id))
