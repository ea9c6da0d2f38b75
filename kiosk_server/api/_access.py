"""Where an API key may act: the row lookups, list filters and write targets confined to its subtree or hall.

``require_auth`` has already checked what the key may do (``Need``); these checks say where. A row
outside answers 404, as in the console (nobody learns what lies outside their part of the tree); a
write that would place something outside answers 403 naming the field. The bootstrap token and full
keys cover everything, so for them every check is a no-op.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session
from werkzeug.exceptions import Forbidden

from content.accounts.access import Scope
from content.errors import NotFound
from content.org.tree import Hall, OrgUnit
from kiosk_server.auth import current_principal


def _area() -> Scope | None:
    """The calling key's area, or None when it covers everything (or no key called: the console)."""
    principal = current_principal()
    if principal is None or principal.area.everything:
        return None
    return principal.area


def _covers(session: Session, area: Scope, obj: object) -> bool | None:
    """Whether ``obj`` lies in ``area``; None when the row has no place in the tree (employers)."""
    if isinstance(obj, OrgUnit):
        return area.covers_unit(obj)
    if isinstance(obj, Hall):
        return area.covers_hall(obj)
    hall_id = getattr(obj, "hall_id", None)
    if isinstance(hall_id, int):
        hall = session.get(Hall, hall_id)
        return hall is not None and area.covers_hall(hall)
    unit_id = getattr(obj, "org_unit_id", None)
    if isinstance(unit_id, int):
        unit = session.get(OrgUnit, unit_id)
        return unit is not None and area.covers_unit(unit)
    return None


def check_row(session: Session, obj: object, kind: str, ident: object) -> None:
    """404 (like a missing row) when the calling key's area does not hold ``obj``."""
    area = _area()
    if area is not None and _covers(session, area, obj) is False:
        raise NotFound(kind.replace("_", " "), ident)


def check_values(session: Session, values: Mapping[str, Any]) -> None:
    """403 when a write would put a row at an org node or hall outside the calling key's area."""
    area = _area()
    if area is None:
        return
    unit_id, hall_id = values.get("org_unit_id"), values.get("hall_id")
    unit = session.get(OrgUnit, unit_id) if isinstance(unit_id, int) else None
    if unit is not None and not area.covers_unit(unit):
        raise Forbidden(f"org_unit_id: org unit {unit_id} lies outside this key's part of the org tree")
    hall = session.get(Hall, hall_id) if isinstance(hall_id, int) else None
    if hall is not None and not area.covers_hall(hall):
        raise Forbidden(f"hall_id: hall {hall_id} lies outside this key's part of the org tree")


def list_clause(model: Any) -> ColumnElement[bool]:
    """A SQL condition keeping a list to the calling key's area (true for rows with no place in the tree)."""
    area = _area()
    if area is None:
        return true()
    if model is OrgUnit:
        return area.unit_clause(OrgUnit.path)
    in_halls = (
        select(Hall.id).join(OrgUnit, Hall.org_unit_id == OrgUnit.id).where(area.hall_clause(Hall.id, OrgUnit.path))
    )
    if model is Hall:
        return Hall.id.in_(in_halls)
    if hasattr(model, "hall_id"):
        return model.hall_id.in_(in_halls)
    if hasattr(model, "org_unit_id"):
        return model.org_unit_id.in_(select(OrgUnit.id).where(area.unit_clause(OrgUnit.path)))
    return true()


def sees_secrets() -> bool:
    """Whether the caller may read screens' keys: the console, the bootstrap token and full keys."""
    principal = current_principal()
    return principal is None or principal.may_admin
