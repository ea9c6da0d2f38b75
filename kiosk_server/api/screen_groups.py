"""Screen groups (e.g. 全市大厅入口屏): named sets of screens that content can target."""

from __future__ import annotations

from pydantic import Field
from sqlalchemy.orm import selectinload

from content.org.screens import ScreenGroup
from content.org.tree import OrgUnit
from kiosk_server.api._crud import Id, Resource, plain_save, register
from kiosk_server.api._schemas import Body, Filters, Out, partial


class ScreenGroupCreate(Body):
    org_unit_id: Id = Field(description="the org node that owns the group")
    name: str = Field(min_length=1, max_length=100)


ScreenGroupUpdate = partial(ScreenGroupCreate)


class ScreenGroupOut(Out):
    id: int
    org_unit_id: int
    name: str
    screen_ids: list[int] = Field(description="members; set them through each screen's group_ids")


class ScreenGroupFilters(Filters):
    org_unit_id: Id | None = None


SCREEN_GROUPS: Resource[ScreenGroup] = Resource(
    path="screen-groups",
    kind="screen_group",
    model=ScreenGroup,
    out=ScreenGroupOut,
    save=plain_save(ScreenGroup),
    create=ScreenGroupCreate,
    update=ScreenGroupUpdate,
    filters=ScreenGroupFilters,
    refs={"org_unit_id": (OrgUnit, "org unit")},
    computed=lambda group: {"screen_ids": sorted(screen.id for screen in group.screens)},
    load=(selectinload(ScreenGroup.screens),),
)
register(SCREEN_GROUPS)
