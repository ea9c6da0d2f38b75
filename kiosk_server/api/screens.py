"""Screens (walls, kiosks, counter strips): their profile, tags and groups, and what they show.

Retired screens are listed only with ``?retired=true`` and cannot be changed; nor can a screen be
put into a retired hall or group (``_retired.py``).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, Field, StringConstraints, field_validator
from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session, selectinload

from content.errors import ValidationError
from content.org.screens import Orientation, Panel, Screen, ScreenGroup, ScreenKind, ScreenTag
from content.org.tree import Hall
from content.signage.manifest import resolve
from kiosk_server.api._access import sees_secrets
from kiosk_server.api._crud import Id, Resource, assign, find, register
from kiosk_server.api._retired import RETIRED_AT, RetiredFilters, refuse_retired
from kiosk_server.api._routing import Operation, now, parse_query, route
from kiosk_server.api._schemas import Body, Instant, Out, partial
from kiosk_server.auth import Need
from kiosk_server.database import request_session

Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
Pixels = Annotated[int, Field(ge=16, le=16384)]


class ScreenCreate(Body):
    hall_id: Id
    name: str = Field(min_length=1, max_length=120)
    kind: ScreenKind = ScreenKind.WALL
    width_px: Pixels = 1920
    height_px: Pixels = 1080
    orientation: Orientation = Orientation.LANDSCAPE
    panel: Panel = Panel.LCD
    tags: list[Tag] = Field(default_factory=list, max_length=50)
    group_ids: list[Id] = Field(default_factory=list, max_length=100)


ScreenUpdate = partial(ScreenCreate)


class ScreenRow(Out):
    id: int
    hall_id: int
    name: str
    kind: ScreenKind
    width_px: int
    height_px: int
    orientation: Orientation
    panel: Panel
    low_resolution: bool = Field(description="LED walls under about a megapixel get the big-text profile")
    tags: list[str]
    group_ids: list[int]
    created_at: datetime
    retired_at: datetime | None = RETIRED_AT


class ScreenOut(ScreenRow):
    key: str = Field(
        description="the secret a display presents to connect (GET /screen/<key>); empty unless the key has full scope"
    )


class ScreenFilters(RetiredFilters):
    hall_id: Id | None = None
    kind: ScreenKind | None = None
    tag: Tag | None = Field(None, description="screens carrying this tag")
    group_id: Id | None = Field(None, description="members of this screen group")

    special: ClassVar[frozenset[str]] = RetiredFilters.special | {"tag", "group_id"}

    def clauses(self, model: Any) -> list[ColumnElement[bool]]:
        found = super().clauses(model)
        if self.tag is not None:
            found.append(Screen.tag_rows.any(ScreenTag.tag == self.tag))
        if self.group_id is not None:
            found.append(Screen.groups.any(ScreenGroup.id == self.group_id))
        return found


def save_screen(session: Session, screen: Screen | None, values: dict[str, Any]) -> Screen:
    refuse_retired("screen", screen)
    if "hall_id" in values:  # check_refs has made sure it names a hall
        refuse_retired("hall", find(session, Hall, values["hall_id"]))
    groups: list[ScreenGroup] | None = None
    if "group_ids" in values:
        found = {i: find(session, ScreenGroup, ident) for i, ident in enumerate(values["group_ids"])}
        missing = {
            f"group_ids.{i}": f"no screen group with id {values['group_ids'][i]}" for i, g in found.items() if g is None
        }
        if missing:
            raise ValidationError(missing)
        groups = list({g.id: g for g in found.values() if g is not None}.values())
        for group in groups:
            refuse_retired("screen_group", group)
    if screen is None:
        screen = Screen()
        session.add(screen)
    assign(screen, values, skip=frozenset({"tags", "group_ids"}))
    if "tags" in values:
        screen.set_tags(values["tags"])
    if groups is not None:
        screen.groups = groups
    return screen


SCREENS: Resource[Screen] = Resource(
    path="screens",
    kind="screen",
    model=Screen,
    out=ScreenOut,
    list_out=ScreenRow,
    save=save_screen,
    create=ScreenCreate,
    update=ScreenUpdate,
    filters=ScreenFilters,
    refs={"hall_id": (Hall, "hall")},
    computed=lambda screen: {
        "group_ids": sorted(group.id for group in screen.groups),
        **({} if sees_secrets() else {"key": ""}),  # a screen's key is its credential: admin only
    },
    load=(selectinload(Screen.groups), selectinload(Screen.tag_rows)),
    write_need=Need.ADMIN,  # a new screen's answer carries its key
)
register(SCREENS, extra_errors=(409,))


class ManifestQuery(Body):
    at: Instant | None = Field(None, description="an instant with its UTC offset; now when omitted")

    @field_validator("at", mode="before")
    @classmethod
    def _plus_from_query(cls, value: object) -> object:
        # An unencoded "+08:00" arrives as " 08:00": put the plus back rather than refuse the clock.
        return re.sub(r" (\d{2}:?\d{2})$", r"+\1", value) if isinstance(value, str) else value


class ManifestAnswer(BaseModel):
    group: str = Field(description="the manifest group of the screen")
    version: str = Field(description="content hash of the manifest")
    manifest: dict[str, Any] = Field(description="see docs/protocol.md §2")


@route(
    "/screens/<int:ident>/manifest",
    "GET",
    "screens_manifest",
    Operation(
        "The manifest a screen shows at an instant (read-only preview)",
        "screens",
        query=ManifestQuery,
        response=ManifestAnswer,
        errors=(404,),
    ),
)
def screen_manifest(ident: int) -> Any:
    session = request_session()
    screen = SCREENS.get(session, ident)
    at = parse_query(ManifestQuery).at or now()
    manifest = resolve(session, screen, at)
    return {"group": manifest.group, "version": manifest.version, "manifest": manifest.body}
