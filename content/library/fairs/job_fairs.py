"""Job fairs (招聘会): the content item, its booths and the positions each booth offers.

A fair is a content item like a training course (joined table ``job_fairs``, ``ItemKind.FAIR``):
visible to every hall in its publishing node's subtree, live while published and inside its validity
window, which defaults to "from publishing until the fair ends". Its venue is one of our halls or an
outside place (name and address). Each participating employer has a booth (展位, unique within the
fair) and offers positions: links to that employer's vacancies (``FairPosition``).

An employer deleted while a fair lists it leaves the booth in place under the name stored when it
was added (``FairBooth.employer_name``; the foreign key is set to NULL), so the fair keeps working.
The rules (theme list, times, booths, positions) live in ``content.library.fairs.rules``.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Final

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from content.db import Base
from content.library.items import ContentItem, Employer, ItemKind, Vacancy
from content.org.tree import Hall

VENUE_MAX_LENGTH: Final = 200
ADDRESS_MAX_LENGTH: Final = 255
ORGANISER_MAX_LENGTH: Final = 200
BOOTH_MAX_LENGTH: Final = 20
EMPLOYER_NAME_MAX_LENGTH: Final = 200
MAX_FAIR_HOURS: Final = 48  # a fair may run over two days, not longer


class FairTheme(StrEnum):
    """What kind of fair (专场): the fixed list halls run."""

    GENERAL = "综合"
    GRADUATES = "高校毕业生专场"
    VETERANS = "退役军人专场"
    DISABLED = "残疾人专场"
    MIGRANT_WORKERS = "农民工专场"
    WOMEN = "女性专场"
    PRIVATE_ENTERPRISES = "民营企业专场"
    ONLINE = "线上"


THEME_EN: Final = {
    FairTheme.GENERAL: "General",
    FairTheme.GRADUATES: "For graduates",
    FairTheme.VETERANS: "For veterans",
    FairTheme.DISABLED: "For people with disabilities",
    FairTheme.MIGRANT_WORKERS: "For migrant workers",
    FairTheme.WOMEN: "For women",
    FairTheme.PRIVATE_ENTERPRISES: "Private enterprises",
    FairTheme.ONLINE: "Online",
}


class JobFair(ContentItem):
    """A job fair; ``title`` is its name. ``hall_id`` set: held at that hall; else at ``venue_name``."""

    __tablename__ = "job_fairs"

    id: Mapped[int] = mapped_column(ForeignKey("content_items.id", ondelete="CASCADE"), primary_key=True)
    theme: Mapped[str] = mapped_column(String(20), default=FairTheme.GENERAL.value)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    hall_id: Mapped[int | None] = mapped_column(ForeignKey("halls.id", ondelete="SET NULL"), index=True)
    venue_name: Mapped[str] = mapped_column(String(VENUE_MAX_LENGTH), default="")
    venue_address: Mapped[str] = mapped_column(String(ADDRESS_MAX_LENGTH), default="")
    organiser: Mapped[str] = mapped_column(String(ORGANISER_MAX_LENGTH), default="")
    booth_map_sha256: Mapped[str | None] = mapped_column(String(64))  # an image in the media store
    booth_map_mime: Mapped[str | None] = mapped_column(String(64))

    hall: Mapped[Hall | None] = relationship()
    booths: Mapped[list[FairBooth]] = relationship(
        cascade="all, delete-orphan", order_by="FairBooth.booth, FairBooth.id", back_populates="fair"
    )

    __mapper_args__ = {"polymorphic_identity": ItemKind.FAIR.value}

    @property
    def venue(self) -> str:
        return self.hall.name if self.hall is not None else self.venue_name

    @property
    def address(self) -> str:
        return self.hall.address if self.hall is not None else self.venue_address


class FairBooth(Base):
    """One participating employer at one booth (展位) of a fair."""

    __tablename__ = "fair_booths"

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("job_fairs.id", ondelete="CASCADE"), index=True)
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employers.id", ondelete="SET NULL"), index=True)
    employer_name: Mapped[str] = mapped_column(String(EMPLOYER_NAME_MAX_LENGTH))  # kept if the employer goes
    booth: Mapped[str] = mapped_column(String(BOOTH_MAX_LENGTH))

    fair: Mapped[JobFair] = relationship(back_populates="booths")
    employer: Mapped[Employer | None] = relationship()
    positions: Mapped[list[FairPosition]] = relationship(
        cascade="all, delete-orphan", order_by="FairPosition.vacancy_id"
    )

    __table_args__ = (UniqueConstraint("fair_id", "booth"),)  # a booth number once per fair

    @property
    def shown_name(self) -> str:
        return self.employer.name if self.employer is not None else self.employer_name


class FairPosition(Base):
    """A vacancy offered at a booth (the booth's employer's own vacancy)."""

    __tablename__ = "fair_positions"

    booth_id: Mapped[int] = mapped_column(ForeignKey("fair_booths.id", ondelete="CASCADE"), primary_key=True)
    vacancy_id: Mapped[int] = mapped_column(
        ForeignKey("vacancies.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    vacancy: Mapped[Vacancy] = relationship()
