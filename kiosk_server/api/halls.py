"""Halls (服务大厅): where screens hang, with the time zone their schedules run in.

Retired halls are listed only with ``?retired=true`` and cannot be changed (``_retired.py``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app
from pydantic import Field
from sqlalchemy.orm import Session

from content.org.timezones import validate_timezone
from content.org.tree import Hall, OrgUnit
from kiosk_server.api._crud import Id, Resource, register, upsert
from kiosk_server.api._retired import RETIRED_AT, RetiredFilters, refuse_retired
from kiosk_server.api._schemas import Body, Out, partial
from kiosk_server.auth import Need
from kiosk_server.settings_access import settings


class HallCreate(Body):
    org_unit_id: Id = Field(description="the org node the hall belongs to")
    name: str = Field(min_length=1, max_length=120)
    address: str = Field("", max_length=255)
    timezone: str | None = Field(
        None, max_length=64, description="IANA name; the server's default (Asia/Shanghai) when omitted"
    )


HallUpdate = partial(HallCreate)


class HallOut(Out):
    id: int
    org_unit_id: int
    name: str
    address: str
    timezone: str
    created_at: datetime
    retired_at: datetime | None = RETIRED_AT


class HallFilters(RetiredFilters):
    org_unit_id: Id | None = None


def save_hall(session: Session, hall: Hall | None, values: dict[str, Any]) -> Hall:
    refuse_retired("hall", hall)
    if "timezone" in values:
        values["timezone"] = values["timezone"] or settings(current_app).default_timezone
        values["timezone"] = validate_timezone(values["timezone"]).key
    return upsert(session, Hall, hall, values)


HALLS: Resource[Hall] = Resource(
    path="halls",
    kind="hall",
    model=Hall,
    out=HallOut,
    save=save_hall,
    create=HallCreate,
    update=HallUpdate,
    filters=HallFilters,
    refs={"org_unit_id": (OrgUnit, "org unit")},
    write_need=Need.ADMIN,
)
register(HALLS, extra_errors=(409,))
