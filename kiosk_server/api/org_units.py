"""Org units (省/市/县/街道/社区): the tree everything is published and targeted along."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field
from sqlalchemy.orm import Session

from content.org.tree import OrgLevel, OrgUnit, add_org_unit
from kiosk_server.api._crud import Id, Resource, assign, find, register
from kiosk_server.api._schemas import Body, Filters, Out
from kiosk_server.auth import Need

# GB/T 2260 county-level codes have 6 digits; street (9) and community (12) codes extend them.
DIVISION_CODE = r"^\d{6}(\d{3}(\d{3})?)?$"


class OrgUnitCreate(Body):
    name: str = Field(min_length=1, max_length=100)
    level: OrgLevel
    parent_id: Id | None = Field(None, description="the node directly above; only a province has none")
    division_code: str | None = Field(None, pattern=DIVISION_CODE, description="GB/T 2260 division code")


class OrgUnitUpdate(Body):
    """Renaming only: moving a node would silently re-target everything below it."""

    # None only when left out (no rename); typed str so that an explicit null is refused.
    name: str = Field(None, min_length=1, max_length=100)  # type: ignore[assignment]
    division_code: str | None = Field(None, pattern=DIVISION_CODE)


class OrgUnitOut(Out):
    id: int
    parent_id: int | None
    level: OrgLevel
    name: str
    division_code: str | None
    path: str
    created_at: datetime


class OrgUnitFilters(Filters):
    parent_id: Id | None = None
    level: OrgLevel | None = None


def save_org_unit(session: Session, unit: OrgUnit | None, values: dict[str, Any]) -> OrgUnit:
    if unit is None:
        parent = find(session, OrgUnit, values["parent_id"])
        return add_org_unit(
            session, name=values["name"], level=values["level"], parent=parent, division_code=values["division_code"]
        )
    assign(unit, values)
    return unit


ORG_UNITS: Resource[OrgUnit] = Resource(
    path="org-units",
    kind="org_unit",
    model=OrgUnit,
    out=OrgUnitOut,
    save=save_org_unit,
    create=OrgUnitCreate,
    update=OrgUnitUpdate,
    filters=OrgUnitFilters,
    refs={"parent_id": (OrgUnit, "org unit")},
    write_need=Need.ADMIN,
)
register(ORG_UNITS)
