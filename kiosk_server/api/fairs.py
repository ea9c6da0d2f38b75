"""Job fairs (招聘会): date and hours, venue (a hall or an outside place), theme, organiser, booths.

A booth is ``{employer_id, booth, vacancy_ids}``: the booth number is unique within the fair and the
positions must be that employer's own vacancies; the domain (``content.library.fairs.rules``) checks
both and names the booth (``booths.2.vacancy_ids``). Sending ``booths`` replaces them all. Without a
``valid_until`` a fair is shown until it ends.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field
from sqlalchemy.orm import Session, selectinload

from content.library.fairs.data import booth_map_url
from content.library.fairs.job_fairs import (
    ADDRESS_MAX_LENGTH,
    BOOTH_MAX_LENGTH,
    ORGANISER_MAX_LENGTH,
    VENUE_MAX_LENGTH,
    FairBooth,
    FairTheme,
    JobFair,
)
from content.library.fairs.rules import MAX_BOOTHS, MAX_POSITIONS_PER_BOOTH, save_fair
from content.org.tree import Hall
from kiosk_server.api._crud import Id, Resource, register
from kiosk_server.api._items import ITEM_REFS, ItemFields, ItemFilters, ItemOut
from kiosk_server.api._schemas import Body, Instant, Out, partial


class BoothIn(Body):
    employer_id: Id = Field(description="the participating employer (用人单位)")
    booth: str = Field(min_length=1, max_length=BOOTH_MAX_LENGTH, description="booth number (展位号), unique per fair")
    vacancy_ids: list[Id] = Field(
        default_factory=list, max_length=MAX_POSITIONS_PER_BOOTH, description="that employer's vacancies on offer"
    )


class FairCreate(ItemFields):
    theme: FairTheme = Field(FairTheme.GENERAL, description="综合, 高校毕业生专场, 退役军人专场, … 线上")
    starts_at: Instant
    ends_at: Instant = Field(description="after starts_at, at most 48 hours later (a fair may span two days)")
    hall_id: Id | None = Field(None, description="held at this hall; or give venue_name for an outside place")
    venue_name: str = Field("", max_length=VENUE_MAX_LENGTH)
    venue_address: str = Field("", max_length=ADDRESS_MAX_LENGTH)
    organiser: str = Field("", max_length=ORGANISER_MAX_LENGTH, description="主办单位")
    booths: list[BoothIn] = Field(default_factory=list, max_length=MAX_BOOTHS)


FairUpdate = partial(FairCreate)


class BoothOut(Out):
    booth: str
    employer_id: int | None = Field(description="null once the employer has been deleted")
    employer_name: str = Field(description="the employer's name (as stored when it was deleted)")
    vacancy_ids: list[int]


class FairOut(ItemOut):
    theme: str
    starts_at: Any
    ends_at: Any
    hall_id: int | None
    venue_name: str
    venue_address: str
    organiser: str
    booth_map: str | None = Field(description="the booth map image's URL, if one was uploaded")
    booths: list[BoothOut]


class FairFilters(ItemFilters):
    theme: FairTheme | None = None
    hall_id: Id | None = None


def _save(session: Session, fair: JobFair | None, values: dict[str, Any]) -> JobFair:
    values = {k: (v.value if isinstance(v, FairTheme) else v) for k, v in values.items()}
    return save_fair(session, fair, values)


def _booths(fair: JobFair) -> list[dict[str, Any]]:
    return [
        {
            "booth": b.booth,
            "employer_id": b.employer_id,
            "employer_name": b.shown_name,
            "vacancy_ids": [p.vacancy_id for p in b.positions],
        }
        for b in fair.booths
    ]


FAIRS: Resource[JobFair] = Resource(
    path="fairs",
    kind="fair",
    model=JobFair,
    out=FairOut,
    save=_save,
    create=FairCreate,
    update=FairUpdate,
    filters=FairFilters,
    refs={**ITEM_REFS, "hall_id": (Hall, "hall")},
    computed=lambda fair: {"booths": _booths(fair), "booth_map": booth_map_url(fair)},
    load=(selectinload(JobFair.booths).selectinload(FairBooth.positions),),
)
register(FAIRS)
