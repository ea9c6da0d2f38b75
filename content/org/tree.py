"""The administrative org tree (province → city → county → street → community) and the halls on it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Final

from sqlalchemy import Float, ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from content.db import Base, utcnow
from content.errors import NotFound, ValidationError


class OrgLevel(StrEnum):
    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"
    STREET = "street"
    COMMUNITY = "community"


LEVEL_ORDER: Final = tuple(OrgLevel)


class OrgUnit(Base):
    """A node of the org tree. ``path`` is ``/1/4/9/`` (ancestor ids, self last) for subtree queries."""

    __tablename__ = "org_units"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id", ondelete="RESTRICT"), index=True)
    level: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100))
    division_code: Mapped[str | None] = mapped_column(String(12))  # GB/T 2260 administrative division code
    path: Mapped[str] = mapped_column(String(255), index=True, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    parent: Mapped[OrgUnit | None] = relationship(remote_side=[id])

    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to this node, inclusive."""
        return [int(part) for part in self.path.strip("/").split("/") if part]


class Hall(Base):
    """A service hall (人力资源市场 / 社会保障服务中心 / 便民服务站) attached to an org node."""

    __tablename__ = "halls"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    address: Mapped[str] = mapped_column(String(255), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    latitude: Mapped[float | None] = mapped_column(Float)  # WGS 84 degrees, for distances to employers; None: unknown
    longitude: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    retired_at: Mapped[datetime | None]  # retired (only without live screens): offered nowhere, kept for history

    org_unit: Mapped[OrgUnit] = relationship()


def add_org_unit(
    session: Session, *, name: str, level: str, parent: OrgUnit | None = None, division_code: str | None = None
) -> OrgUnit:
    """Create a node under ``parent``, checking the level sits directly below the parent's."""
    try:
        lvl = OrgLevel(level)
    except ValueError as err:
        raise ValidationError.single("level", f"unknown level {level!r}; use one of {', '.join(LEVEL_ORDER)}") from err
    if parent is None and lvl is not OrgLevel.PROVINCE:
        raise ValidationError.single("parent_id", f"a {lvl} needs a parent node")
    if parent is not None:
        parent_rank = LEVEL_ORDER.index(OrgLevel(parent.level))
        if LEVEL_ORDER.index(lvl) <= parent_rank:
            raise ValidationError.single("level", f"a {lvl} cannot sit below a {parent.level}")
    unit = OrgUnit(name=name, level=lvl.value, parent=parent, division_code=division_code)
    session.add(unit)
    session.flush()
    unit.path = f"{parent.path if parent else '/'}{unit.id}/"
    return unit


def get_org_unit(session: Session, unit_id: int) -> OrgUnit:
    unit = session.get(OrgUnit, unit_id)
    if unit is None:
        raise NotFound("org unit", unit_id)
    return unit


def subtree_ids(session: Session, unit: OrgUnit) -> list[int]:
    """Ids of ``unit`` and every node below it."""
    return list(session.scalars(select(OrgUnit.id).where(OrgUnit.path.startswith(unit.path))))
