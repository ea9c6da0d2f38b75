"""Screen groups (e.g. 全市大厅入口屏): named sets of screens that content can target.

Retired groups are listed only with ``?retired=true`` and cannot be changed (``_retired.py``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field
from sqlalchemy.orm import Session, selectinload

from content.org.screens import ScreenGroup
from content.org.tree import OrgUnit
from kiosk_server.api._crud import Id, Resource, register, upsert
from kiosk_server.api._retired import RETIRED_AT, RetiredFilters, refuse_retired
from kiosk_server.api._schemas import Body, Out, partial


class ScreenGroupCreate(Body):
    org_unit_id: Id = Field(description="the org node that owns the group")
    name: str = Field(min_length=1, max_length=100)


ScreenGroupUpdate = partial(ScreenGroupCreate)


class ScreenGroupOut(Out):
    id: int
    org_unit_id: int
    name: str
    screen_ids: list[int] = Field(description="members; set them through each screen's group_ids")
    retired_at: datetime | None = RETIRED_AT


class ScreenGroupFilters(RetiredFilters):
    org_unit_id: Id | None = None


def save_group(session: Session, group: ScreenGroup | None, values: dict[str, Any]) -> ScreenGroup:
    refuse_retired("screen_group", group)
    return upsert(session, ScreenGroup, group, values)


SCREEN_GROUPS: Resource[ScreenGroup] = Resource(
    path="screen-groups",
    kind="screen_group",
    model=ScreenGroup,
    out=ScreenGroupOut,
    save=save_group,
    create=ScreenGroupCreate,
    update=ScreenGroupUpdate,
    filters=ScreenGroupFilters,
    refs={"org_unit_id": (OrgUnit, "org unit")},
    computed=lambda group: {"screen_ids": sorted(screen.id for screen in group.screens)},
    load=(selectinload(ScreenGroup.screens),),
)
register(SCREEN_GROUPS, extra_errors=(409,))
