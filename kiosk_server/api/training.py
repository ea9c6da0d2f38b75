"""Training courses (培训信息): provider, subsidy groups, dates, places left (never negative), fee, enrolment."""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator
from sqlalchemy.orm import Session

from content.errors import ValidationError
from content.library.training.courses import (
    CLASS_TIMES_MAX_LENGTH,
    DISTRICT_MAX_LENGTH,
    MAX_FEE_YUAN,
    MAX_PLACES,
    PHONE_MAX_LENGTH,
    PROVIDER_MAX_LENGTH,
    REQUIREMENTS_MAX_LENGTH,
    SUBSIDY_MAX_LENGTH,
    URL_MAX_LENGTH,
    VENUE_MAX_LENGTH,
    SubsidyGroup,
    TrainingCourse,
    course_occupation_problem,
    dates_problem,
    url_problem,
)
from kiosk_server.api._crud import Resource, assign, register
from kiosk_server.api._items import ITEM_REFS, ItemFields, ItemFilters, ItemOut, check_window
from kiosk_server.api._schemas import Day, partial


class TrainingCreate(ItemFields):
    provider: str = Field(min_length=1, max_length=PROVIDER_MAX_LENGTH, description="培训机构")
    occupation_code: str | None = Field(None, description="GB/T 6565 occupation code, e.g. 4-10-01-05; optional")
    subsidy_groups: list[SubsidyGroup] = Field(
        default_factory=list, max_length=len(SubsidyGroup), description="who may have the course subsidised (补贴对象)"
    )
    subsidy_text: str = Field("", max_length=SUBSIDY_MAX_LENGTH, description="补贴标准, e.g. 补贴1500元/人")
    starts_on: Day
    ends_on: Day
    class_times: str = Field("", max_length=CLASS_TIMES_MAX_LENGTH)
    places_total: int = Field(ge=1, le=MAX_PLACES)
    places_left: int = Field(ge=0, le=MAX_PLACES, description="never negative, never above places_total")
    fee_yuan: int = Field(0, ge=0, le=MAX_FEE_YUAN, description="0 means 免费 (free)")
    venue: str = Field("", max_length=VENUE_MAX_LENGTH)
    district: str = Field("", max_length=DISTRICT_MAX_LENGTH)
    enrol_phone: str = Field("", max_length=PHONE_MAX_LENGTH)
    enrol_url: str = Field("", max_length=URL_MAX_LENGTH, description="http(s) enrolment page, shown as a QR code")
    requirements: str = Field("", max_length=REQUIREMENTS_MAX_LENGTH)

    @field_validator("occupation_code")
    @classmethod
    def _gbt_6565(cls, value: str | None) -> str | None:
        problem = course_occupation_problem(value)
        if problem is not None:
            raise ValueError(problem)
        return value or None

    @field_validator("enrol_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        problem = url_problem(value)
        if problem is not None:
            raise ValueError(problem)
        return value


TrainingUpdate = partial(TrainingCreate)


class TrainingOut(ItemOut):
    provider: str
    occupation_code: str | None
    subsidy_groups: list[str]
    subsidy_text: str
    starts_on: Any = Field(description="YYYY-MM-DD")
    ends_on: Any = Field(description="YYYY-MM-DD")
    class_times: str
    places_total: int
    places_left: int
    fee_yuan: int
    fee_text: str = Field(description="as shown on screens: 免费 or 800元")
    venue: str
    district: str
    enrol_phone: str
    enrol_url: str
    requirements: str


class TrainingFilters(ItemFilters):
    district: str | None = None
    occupation_code: str | None = None


def save_course(session: Session, course: TrainingCourse | None, values: dict[str, Any]) -> TrainingCourse:
    """Create or update a course; a ``ValidationError`` names the field when places or dates do not fit."""
    row = TrainingCourse() if course is None else course
    values = {k: (v.value if isinstance(v, SubsidyGroup) else v) for k, v in values.items()}
    if "subsidy_groups" in values:
        values["subsidy_groups"] = [str(g) for g in values["subsidy_groups"]]
    places = {k: values.pop(k) for k in ("places_total", "places_left") if k in values}
    # Each is checked against the other as it stands: lower places_left first when it fits the old total.
    left_first = row.places_total is not None and places.get("places_left", 0) <= row.places_total
    for key in ("places_left", "places_total") if left_first else ("places_total", "places_left"):
        if key in places:
            setattr(row, key, places[key])
    assign(row, values)
    check_window(row, values)
    problem = dates_problem(row.starts_on, row.ends_on)
    if problem is not None:
        raise ValidationError.single("ends_on", problem)
    session.add(row)
    return row


TRAINING: Resource[TrainingCourse] = Resource(
    path="training-courses",
    kind="training",
    model=TrainingCourse,
    out=TrainingOut,
    save=save_course,
    create=TrainingCreate,
    update=TrainingUpdate,
    filters=TrainingFilters,
    refs=dict(ITEM_REFS),
    computed=lambda course: {"fee_text": course.fee_text},
)
register(TRAINING)
