"""Layouts: named regions in fractions of the screen, each showing a widget (and a default playlist)."""

from __future__ import annotations

import math
from typing import Annotated, Any

from pydantic import AfterValidator, Field
from sqlalchemy.orm import Session, selectinload

from content.errors import ValidationError
from content.org.tree import OrgUnit
from content.signage.layouts import Layout, LayoutRegion, Widget, check_region_geometry
from content.signage.playlists import Playlist
from kiosk_server.api._crud import Id, Resource, find, register, upsert
from kiosk_server.api._schemas import Body, Filters, Out, partial


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise ValueError("must be a finite number")
    return value


Fraction = Annotated[float, AfterValidator(_finite), Field(description="fraction of the screen, 0..1")]


class RegionIn(Body):
    name: str = Field(min_length=1, max_length=40, description="unique in the layout, e.g. main, ticker")
    widget: Widget = Widget.PLAYLIST
    x: Fraction = 0.0
    y: Fraction = 0.0
    w: Fraction = 1.0
    h: Fraction = 1.0
    z: int = Field(0, ge=0, le=100, description="stacking order, higher on top")
    playlist_id: Id | None = Field(None, description="what the region plays unless a schedule says otherwise")


class LayoutCreate(Body):
    org_unit_id: Id
    name: str = Field(min_length=1, max_length=100)
    background: str = Field("#0b1f3a", pattern=r"^#[0-9a-fA-F]{6}$")
    regions: list[RegionIn] = Field(default_factory=list, max_length=32)


LayoutUpdate = partial(LayoutCreate)


class RegionOut(Out):
    id: int
    name: str
    widget: Widget
    x: float
    y: float
    w: float
    h: float
    z: int
    playlist_id: int | None


class LayoutOut(Out):
    id: int
    org_unit_id: int
    name: str
    background: str
    regions: list[RegionOut]


class LayoutFilters(Filters):
    org_unit_id: Id | None = None


def check_regions(session: Session, regions: list[dict[str, Any]]) -> None:
    """Unique names, geometry inside the screen, existing playlists; errors name ``regions.<index>.<field>``."""
    errors: dict[str, str] = {}
    seen: dict[str, int] = {}
    for index, region in enumerate(regions):
        name = region["name"]
        if name in seen:
            errors[f"regions.{index}.name"] = f"{name!r} is already the name of region {seen[name]}"
        seen.setdefault(name, index)
        try:
            check_region_geometry(name, region["x"], region["y"], region["w"], region["h"])
        except ValidationError as err:
            prefix = f"regions.{name}."
            errors.update({f"regions.{index}.{key.removeprefix(prefix)}": msg for key, msg in err.errors.items()})
        if region["playlist_id"] is not None and find(session, Playlist, region["playlist_id"]) is None:
            errors[f"regions.{index}.playlist_id"] = f"no playlist with id {region['playlist_id']}"
    if errors:
        raise ValidationError(errors)


def save_layout(session: Session, layout: Layout | None, values: dict[str, Any]) -> Layout:
    if "regions" in values:
        check_regions(session, values["regions"])
    layout = upsert(session, Layout, layout, values, skip=frozenset({"regions"}))
    if "regions" in values:
        if layout.regions:
            # Old rows go first: a region sent again under its name must not clash with itself.
            layout.regions.clear()
            session.flush()
        # In stacking order, as the relationship loads them, so the answer matches a later GET.
        layout.regions.extend(LayoutRegion(**r) for r in sorted(values["regions"], key=lambda r: r["z"]))
    return layout


LAYOUTS: Resource[Layout] = Resource(
    path="layouts",
    kind="layout",
    model=Layout,
    out=LayoutOut,
    save=save_layout,
    create=LayoutCreate,
    update=LayoutUpdate,
    filters=LayoutFilters,
    refs={"org_unit_id": (OrgUnit, "org unit")},
    load=(selectinload(Layout.regions),),
)
register(LAYOUTS)
