"""Accounts: org admins manage the accounts below their node; system admins manage all of them.

An account is in the manager's scope when its node lies strictly below the manager's node, or it
belongs to a hall in the manager's subtree (``content.accounts.access.manages_place``): peers on
the manager's own node are managed from above. Roles above the manager's own are never granted
(``content.accounts.access.GRANTABLE``). Every change is audited with a before/after summary,
never with the password.
"""

from __future__ import annotations

from typing import Any

from flask import flash, g, redirect, render_template, request, url_for
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from content.accounts import audit
from content.accounts.access import GRANTABLE, Permission, Scope, manages_place, may_grant
from content.accounts.staff import (
    FREE_FAILURES,
    HALL_ROLES,
    Role,
    StaffAccount,
    add_account,
    clear_sign_in_failures,
    email_or_none,
    end_sessions,
    placement_errors,
    set_password,
)
from content.errors import ValidationError
from content.org.tree import Hall, OrgUnit
from kiosk_server.console.base import PAGE_SIZE, bp, console_page, in_scope, page_number
from kiosk_server.console.words import say
from kiosk_server.database import request_session


def _account_path(db: Session, account: StaffAccount) -> str | None:
    unit = db.get(OrgUnit, account.org_unit_id) if account.org_unit_id is not None else None
    return unit.path if unit else None


def _covers_account(db: Session, scope: Scope, account: StaffAccount) -> bool:
    if scope.everything:
        return True
    path = _account_path(db, account)
    return path is not None and manages_place(scope, Role(account.role), path)


def _places(db: Session, scope: Scope) -> tuple[list[OrgUnit], list[Hall]]:
    """The nodes and halls an account may be put on: the manager's own node is not offered (no peers)."""
    query = select(OrgUnit).where(scope.unit_clause(OrgUnit.path))
    if scope.path is not None:
        query = query.where(OrgUnit.path != scope.path)
    units = list(db.scalars(query.order_by(OrgUnit.path)))
    halls = list(
        db.scalars(
            select(Hall).join(OrgUnit).where(scope.hall_clause(Hall.id, OrgUnit.path)).order_by(OrgUnit.path, Hall.name)
        )
    )
    return units, halls


def _summary(account: StaffAccount) -> dict[str, Any]:
    return {
        "username": account.username,
        "display_name": account.display_name,
        "email": account.email or "",
        "role": account.role,
        "org_unit_id": account.org_unit_id,
        "hall_id": account.hall_id,
        "active": account.active,
    }


def _int_or_none(name: str) -> int | None:
    value = request.form.get(name, "").strip()
    return int(value) if value.isdigit() else None


def _field_errors(err: ValidationError) -> dict[str, str]:
    """The domain's messages in the page's language (the domain says them in English)."""
    words = {
        "password": "users.password.short",
        "email": "users.email.invalid",
        "hall_id": "users.choose",
        "org_unit_id": "users.choose",
    }
    found = {}
    for field, message in err.errors.items():
        if field == "username":
            key = "users.username.taken" if "taken" in message else "users.username.invalid"
        else:
            key = words.get(field, "")
        found[field] = say(g.lang, key) if key else message
    return found


@bp.get("/users")
@console_page(Permission.MANAGE_USERS)
def users() -> Any:
    db = request_session()
    query = select(StaffAccount).outerjoin(OrgUnit, OrgUnit.id == StaffAccount.org_unit_id)
    if not g.scope.everything:
        query = query.where(
            g.scope.unit_clause(OrgUnit.path),
            StaffAccount.role != Role.SYSTEM_ADMIN.value,
            or_(StaffAccount.hall_id.is_not(None), OrgUnit.path != g.scope.path),  # no peers (manages_place)
        )
    text = request.args.get("q", "").strip()
    if text:
        query = query.where(
            or_(
                StaffAccount.username.contains(text),
                StaffAccount.display_name.contains(text),
                StaffAccount.email.contains(text),
            )
        )
    total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = page_number()
    rows = list(db.scalars(query.order_by(StaffAccount.username).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)))
    units = {u.id: u.name for u in db.scalars(select(OrgUnit).where(OrgUnit.id.in_({r.org_unit_id for r in rows})))}
    halls = {h.id: h.name for h in db.scalars(select(Hall).where(Hall.id.in_({r.hall_id for r in rows})))}
    return render_template(
        "console/users.html",
        accounts=rows,
        free_failures=FREE_FAILURES,
        units=units,
        halls=halls,
        q=text,
        page=page,
        total=total,
        pages=max(1, -(-total // PAGE_SIZE)),
    )


def _grantable() -> list[Role]:
    return [role for role in Role if role in GRANTABLE.get(Role(g.user.role), frozenset())]


def _check_place(db: Session, role: Role, hall_id: int | None, org_unit_id: int | None) -> dict[str, str]:
    """The domain's placement rules, then: the node or hall lies inside the manager's own scope."""
    errors = placement_errors(db, role, hall_id, org_unit_id)
    if role is Role.SYSTEM_ADMIN or errors:
        return errors
    if role in HALL_ROLES:
        hall = db.get(Hall, hall_id)
        if hall is None or not g.scope.covers_hall(hall):
            errors["hall_id"] = say(g.lang, "forbidden")
    else:
        unit = db.get(OrgUnit, org_unit_id)
        if unit is None or not g.scope.covers_unit(unit):
            errors["org_unit_id"] = say(g.lang, "forbidden")
        elif not manages_place(g.scope, role, unit.path):
            errors["org_unit_id"] = say(g.lang, "users.below_only")
    return errors


def _role_from_form(errors: dict[str, str]) -> Role | None:
    try:
        role = Role(request.form.get("role", ""))
    except ValueError:
        errors["role"] = say(g.lang, "users.choose")
        return None
    if not may_grant(g.user, role):
        errors["role"] = say(g.lang, "forbidden")
        return None
    return role


def _render_form(account: StaffAccount | None, values: dict[str, Any], errors: dict[str, str], status: int) -> Any:
    units, halls = _places(request_session(), g.scope)
    return render_template(
        "console/user_form.html",
        account=account,
        values=values,
        errors=errors,
        roles=_grantable(),
        units=units,
        halls=halls,
    ), status


@bp.route("/users/new", methods=["GET", "POST"])
@console_page(Permission.MANAGE_USERS)
def new_user() -> Any:
    if request.method == "GET":
        return _render_form(None, {}, {}, 200)
    db = request_session()
    values = dict(request.form)
    errors: dict[str, str] = {}
    role = _role_from_form(errors)
    hall_id, org_unit_id = _int_or_none("hall_id"), _int_or_none("org_unit_id")
    account = None
    if role is not None:
        errors.update(_check_place(db, role, hall_id, org_unit_id))
        try:  # even with a bad place: every field's problem is reported at once, and a rollback follows
            account = add_account(
                db,
                username=request.form.get("username", ""),
                password=request.form.get("password", ""),
                display_name=request.form.get("display_name", ""),
                role=role,
                hall_id=hall_id,
                org_unit_id=org_unit_id,
                email=request.form.get("email", ""),
            )
        except ValidationError as err:
            errors.update(_field_errors(err))
    if errors or account is None:
        db.rollback()
        return _render_form(None, values, errors, 400)
    audit.record(
        db,
        actor=g.console_actor,
        action="created",
        obj_kind="account",
        obj_id=account.id,
        summary={"after": _summary(account)},
        org_path=_account_path(db, account),
    )
    db.commit()
    flash(say(g.lang, "saved"))
    return redirect(url_for("console.users"))


@bp.route("/users/<int:account_id>", methods=["GET", "POST"])
@console_page(Permission.MANAGE_USERS)
def edit_user(account_id: int) -> Any:
    db = request_session()
    account = db.get(StaffAccount, account_id)
    account = in_scope(account, account is not None and _covers_account(db, g.scope, account))
    if request.method == "GET":
        return _render_form(account, _summary(account), {}, 200)
    before = _summary(account)
    values = dict(request.form)
    errors: dict[str, str] = {}
    role = _role_from_form(errors)
    hall_id, org_unit_id = _int_or_none("hall_id"), _int_or_none("org_unit_id")
    if role is not None:
        errors.update(_check_place(db, role, hall_id, org_unit_id))
    password = request.form.get("password", "")
    if account.id == g.user.id and (role != Role(account.role) or "active" not in request.form):
        errors["role"] = say(g.lang, "forbidden")  # nobody demotes or disables themselves out of the console
    email = None
    try:
        email = email_or_none(request.form.get("email", ""))
    except ValidationError as err:
        errors.update(_field_errors(err))
    if password:
        try:
            set_password(account, password)
        except ValidationError as err:
            errors.update(_field_errors(err))
    if errors or role is None:
        db.rollback()
        return _render_form(account, values, errors, 400)
    account.display_name = request.form.get("display_name", "").strip() or account.username
    account.email = email
    account.role = role.value
    if role in HALL_ROLES:
        hall = db.get(Hall, hall_id)
        account.hall_id, account.org_unit_id = hall_id, hall.org_unit_id if hall else None
    else:
        account.hall_id, account.org_unit_id = None, None if role is Role.SYSTEM_ADMIN else org_unit_id
    account.active = "active" in request.form
    cleared = account.failed_logins if "unlock" in request.form else 0
    if cleared:
        clear_sign_in_failures(account)
    after = _summary(account)
    moved = any(before[k] != after[k] for k in ("role", "org_unit_id", "hall_id"))
    if not password and (moved or (before["active"] and not account.active)):
        end_sessions(account)  # set_password already did; a copied cookie must not keep the old powers
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if password:
        changed["password"] = ["…", "…"]
    if cleared:
        changed["failed_logins"] = [cleared, 0]
    audit.record(
        db,
        actor=g.console_actor,
        action="updated",
        obj_kind="account",
        obj_id=account.id,
        summary={"changed": changed},
        org_path=_account_path(db, account),
    )
    db.commit()
    flash(say(g.lang, "saved"))
    return redirect(url_for("console.users"))
