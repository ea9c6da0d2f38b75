"""API keys: system and org admins create named keys for integrations, see when each was last used, revoke them.

The rules (who may make which scope where) live in ``content/accounts/api_keys.py``; this page
offers only the nodes and halls of the admin's own subtree, shows a new key's secret once, and
audits every create and revoke.
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select

from content.accounts.access import AccessDenied, Permission
from content.accounts.api_keys import (
    ApiKey,
    KeyScope,
    audit_created,
    audit_revoked,
    create_key,
    find_key,
    revoke,
    visible_keys,
)
from content.accounts.staff import Role
from content.errors import NotFound, ValidationError
from content.org.tree import Hall, OrgUnit
from kiosk_server.auth import api_key_hash_key
from kiosk_server.console.base import bp, console_page
from kiosk_server.console.words import catalogue, say
from kiosk_server.database import request_session
from kiosk_server.settings_access import settings


def _scopes() -> list[KeyScope]:
    full = Role(g.user.role) is Role.SYSTEM_ADMIN
    return [s for s in KeyScope if s is not KeyScope.FULL or full]


def _render(
    values: dict[str, Any], errors: dict[str, str], status: int, secret: str | None = None, new_name: str = ""
) -> Any:
    db = request_session()
    units = list(db.scalars(select(OrgUnit).where(g.scope.unit_clause(OrgUnit.path)).order_by(OrgUnit.path)))
    halls = list(
        db.scalars(
            select(Hall)
            .join(OrgUnit)
            .where(g.scope.hall_clause(Hall.id, OrgUnit.path))
            .order_by(OrgUnit.path, Hall.name)
        )
    )
    keys = visible_keys(db, g.user)
    return render_template(
        "console/api_keys.html",
        keys=keys,
        units=units,
        halls=halls,
        unit_names={
            u.id: u.name for u in db.scalars(select(OrgUnit).where(OrgUnit.id.in_({k.org_unit_id for k in keys})))
        },
        hall_names={h.id: h.name for h in db.scalars(select(Hall).where(Hall.id.in_({k.hall_id for k in keys})))},
        scopes=_scopes(),
        values=values,
        errors=errors,
        secret=secret,
        keys_new_name=new_name,
    ), status


def _int_or_none(name: str) -> int | None:
    value = request.form.get(name, "").strip()
    return int(value) if value.isdigit() else None


@bp.get("/api-keys")
@console_page(Permission.MANAGE_USERS)
def api_keys() -> Any:
    return _render({}, {}, 200)


@bp.post("/api-keys")
@console_page(Permission.MANAGE_USERS)
def create_api_key() -> Any:
    db = request_session()
    values = dict(request.form)
    try:
        row, secret = create_key(
            db,
            name=request.form.get("name", ""),
            scope=request.form.get("scope", ""),
            key=api_key_hash_key(settings(current_app).secret_key),
            creator=g.user,
            org_unit_id=_int_or_none("org_unit_id"),
            hall_id=_int_or_none("hall_id"),
            now=g.now,
        )
    except ValidationError as err:
        db.rollback()
        names = {"node": "org_unit_id", "hall": "hall_id"}
        errors = {names.get(k, k): v for k, v in err.errors.items()}
        return _render(values, {k: _field_error(k, v) for k, v in errors.items()}, 400)
    except AccessDenied:
        db.rollback()
        return _render(values, {"scope": say(g.lang, "forbidden")}, 403)
    audit_created(db, row, g.console_actor)
    db.commit()
    return _render({}, {}, 201, secret=secret, new_name=row.name)


@bp.post("/api-keys/<int:key_id>/revoke")
@console_page(Permission.MANAGE_USERS)
def revoke_api_key(key_id: int) -> Any:
    db = request_session()
    found = db.get(ApiKey, key_id)
    try:
        row = find_key(db, g.user, found.name if found else "")
    except NotFound:
        abort(404)  # also a key outside the admin's subtree
    if revoke(db, row, g.now):
        audit_revoked(db, row, g.console_actor)
        db.commit()
    flash(say(g.lang, "api_keys.revoked.done"))
    return redirect(url_for("console.api_keys"))


def _field_error(field: str, detail: str) -> str:
    """The refusal of one form field in the page's language (the domain's own text in English)."""
    key = f"api_keys.error.{field}"
    return say(g.lang, key, detail=detail) if key in catalogue() else detail
