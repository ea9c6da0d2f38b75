"""电子印章 images: the picture of a hall's (or an org unit's) seal drawn on its 参保证明.

Uploaded by a hall manager or an org admin; a PNG only (checked by its content, never its name),
at most ``MAX_BYTES`` and ``MAX_PIXELS`` on a side, fully decoded before it is kept so a truncated
file is refused whole. A hall without its own seal uses its nearest ancestor org unit's, else none
(the certificate then says 本证明未加盖印章).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from PIL import Image
from sqlalchemy import ForeignKey, LargeBinary, String, select
from sqlalchemy.orm import Mapped, Session, deferred, mapped_column

from content.db import Base
from content.errors import ContentError
from content.org.tree import Hall

MAX_BYTES: Final = 512 * 1024
MAX_PIXELS: Final = 2000
PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"


class SealImageError(ContentError):
    """An upload that cannot be a seal; ``code`` names why (the console words say it in zh-CN)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class SealImage(Base):
    """The seal of one hall or one org unit (exactly one of the two is set)."""

    __tablename__ = "seal_images"

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int | None] = mapped_column(ForeignKey("halls.id", ondelete="CASCADE"), unique=True)
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id", ondelete="CASCADE"), unique=True)
    png: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    width: Mapped[int]
    height: Mapped[int]
    has_alpha: Mapped[bool]
    uploaded_by: Mapped[str] = mapped_column(String(120))
    uploaded_at: Mapped[datetime]

    def __repr__(self) -> str:
        return f"SealImage(id={self.id!r}, hall_id={self.hall_id!r}, org_unit_id={self.org_unit_id!r})"


@dataclass(frozen=True)
class CheckedPng:
    """An upload that passed every check: its bytes, size and whether it has transparency."""

    data: bytes
    width: int
    height: int
    has_alpha: bool


def check_png(data: bytes) -> CheckedPng:
    """``data`` as a seal image, or a SealImageError saying which rule it breaks."""
    if not data:
        raise SealImageError("empty", "the file is empty")
    if len(data) > MAX_BYTES:
        raise SealImageError("too_big", f"the file has {len(data)} bytes; at most {MAX_BYTES}")
    if not data.startswith(PNG_SIGNATURE):
        raise SealImageError("not_png", "the file is not a PNG image")
    try:
        with Image.open(io.BytesIO(data), formats=["PNG"]) as image:
            width, height = image.size
            if max(width, height) > MAX_PIXELS:
                raise SealImageError("too_large", f"the image is {width}×{height} px; at most {MAX_PIXELS} on a side")
            image.load()  # decodes every pixel: a truncated or corrupt file fails here
            has_alpha = image.mode in {"RGBA", "LA", "PA"} or "transparency" in image.info
    except SealImageError:
        raise
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as err:
        raise SealImageError("broken_png", "the PNG file is damaged or incomplete") from err
    return CheckedPng(data, width, height, has_alpha)


def set_seal(
    session: Session,
    png: CheckedPng,
    by: str,
    now: datetime,
    *,
    hall_id: int | None = None,
    org_unit_id: int | None = None,
) -> SealImage:
    """Keep ``png`` as the seal of one hall or one org unit, replacing its old one. Flushed, not committed."""
    if (hall_id is None) == (org_unit_id is None):
        raise ValueError("a seal belongs to exactly one hall or one org unit")
    owner = SealImage.hall_id == hall_id if hall_id is not None else SealImage.org_unit_id == org_unit_id
    row = session.scalar(select(SealImage).where(owner))
    if row is None:
        row = SealImage(hall_id=hall_id, org_unit_id=org_unit_id)
        session.add(row)
    row.png, row.width, row.height, row.has_alpha = png.data, png.width, png.height, png.has_alpha
    row.uploaded_by, row.uploaded_at = by[:120], now
    session.flush()
    return row


def remove_seal(session: Session, *, hall_id: int) -> bool:
    """Remove a hall's own seal (it falls back to its org's); whether it had one. Flushed, not committed."""
    row = session.scalar(select(SealImage).where(SealImage.hall_id == hall_id))
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def own_seal(session: Session, hall_id: int) -> SealImage | None:
    """The hall's own seal, not inherited."""
    return session.scalar(select(SealImage).where(SealImage.hall_id == hall_id))


def seal_for_hall(session: Session, hall: Hall) -> SealImage | None:
    """The seal a hall's certificates carry: its own, else its nearest ancestor org unit's, else None."""
    own = own_seal(session, hall.id)
    if own is not None:
        return own
    ids = hall.org_unit.ancestor_ids()
    rows = {r.org_unit_id: r for r in session.scalars(select(SealImage).where(SealImage.org_unit_id.in_(ids)))}
    return next((rows[i] for i in reversed(ids) if i in rows), None)
