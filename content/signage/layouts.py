"""Layouts: named regions whose geometry is in fractions of the screen, so one layout fits any size."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from content.db import Base
from content.errors import ValidationError


class Widget(StrEnum):
    PLAYLIST = "playlist"  # plays the entries of its playlist in turn
    TICKER = "ticker"  # scrolls ticker texts as a marquee
    CLOCK = "clock"  # date, weekday and time in the hall's time zone
    HEADER = "header"  # hall name and logo line
    QUEUE = "queue"  # the hall's queue board: current calls, each line's length and estimated wait


class Layout(Base):
    __tablename__ = "layouts"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    background: Mapped[str] = mapped_column(String(32), default="#0b1f3a")

    regions: Mapped[list[LayoutRegion]] = relationship(
        cascade="all, delete-orphan", order_by="LayoutRegion.z, LayoutRegion.id"
    )


class LayoutRegion(Base):
    __tablename__ = "layout_regions"
    __table_args__ = (UniqueConstraint("layout_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    layout_id: Mapped[int] = mapped_column(ForeignKey("layouts.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    widget: Mapped[str] = mapped_column(String(16), default=Widget.PLAYLIST.value)
    x: Mapped[float] = mapped_column(default=0.0)
    y: Mapped[float] = mapped_column(default=0.0)
    w: Mapped[float] = mapped_column(default=1.0)
    h: Mapped[float] = mapped_column(default=1.0)
    z: Mapped[int] = mapped_column(default=0)
    playlist_id: Mapped[int | None] = mapped_column(ForeignKey("playlists.id", ondelete="SET NULL"))


def check_region_geometry(name: str, x: float, y: float, w: float, h: float) -> None:
    """Raise ValidationError unless the region lies inside the unit square with a positive size."""
    errors: dict[str, str] = {}
    for field, value in (("x", x), ("y", y)):
        if not 0.0 <= value < 1.0:
            errors[f"regions.{name}.{field}"] = f"{value} is outside 0 ≤ {field} < 1"
    for field, value, origin in (("w", w, x), ("h", h, y)):
        if value <= 0:
            errors[f"regions.{name}.{field}"] = f"{field} must be positive, got {value}"
        elif origin + value > 1.0 + 1e-9:
            errors[f"regions.{name}.{field}"] = f"region ends at {origin + value:.3f}, beyond the screen edge 1.0"
    if errors:
        raise ValidationError(errors)
