"""Training courses (培训信息): the content item, its rules, and which courses a hall shows.

A course is a content item like a vacancy (joined table ``training_courses``, ``ItemKind.TRAINING``):
visible to every hall in its publishing node's subtree and, from the kiosk, to halls below its node;
live while published and inside its validity window. Places left can never go below zero nor above
the places offered: the model refuses it with a ``ValidationError`` naming the field, and the table
has CHECK constraints too, so no path that bypasses the model can store it either.

The rules (lengths, groups, fee, the occupation code) live here, once, for the REST API, the console
and the import (``content.library.training.course_import``).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, Final, cast

from sqlalchemy import CheckConstraint, ColumnElement, Date, ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column, validates

from content.errors import ValidationError
from content.library.items import ContentItem, ItemKind
from content.library.kiosk_catalogue import live_conditions, visible_units
from content.library.vacancy_rules import occupation_code_problem
from content.org.tree import OrgUnit

PROVIDER_MAX_LENGTH: Final = 200
SUBSIDY_MAX_LENGTH: Final = 500
CLASS_TIMES_MAX_LENGTH: Final = 200
VENUE_MAX_LENGTH: Final = 200
DISTRICT_MAX_LENGTH: Final = 60
PHONE_MAX_LENGTH: Final = 40
URL_MAX_LENGTH: Final = 500
REQUIREMENTS_MAX_LENGTH: Final = 5000
MAX_PLACES: Final = 100_000
MAX_FEE_YUAN: Final = 1_000_000
SOON_DAYS: Final = 31  # "starts within a month" on the kiosk


class SubsidyGroup(StrEnum):
    """Who may have the course paid for (职业技能培训补贴): the groups the subsidy rules name."""

    HARD_TO_EMPLOY = "就业困难人员"
    GRADUATES = "离校未就业高校毕业生"
    RURAL_MIGRANTS = "农村转移劳动力"
    UNEMPLOYED = "失业人员"
    POVERTY_EXIT = "脱贫劳动力"
    VETERANS = "退役军人"
    DISABLED = "残疾人"


SUBSIDY_GROUP_EN: Final = {
    SubsidyGroup.HARD_TO_EMPLOY: "people with employment difficulties",
    SubsidyGroup.GRADUATES: "unemployed graduates",
    SubsidyGroup.RURAL_MIGRANTS: "rural migrant workers",
    SubsidyGroup.UNEMPLOYED: "unemployed people",
    SubsidyGroup.POVERTY_EXIT: "people lifted out of poverty",
    SubsidyGroup.VETERANS: "veterans",
    SubsidyGroup.DISABLED: "people with disabilities",
}


class TrainingCourse(ContentItem):
    """A training course (培训课程); ``title`` is the course name, ``fee_yuan`` 0 means 免费 (free)."""

    __tablename__ = "training_courses"

    id: Mapped[int] = mapped_column(ForeignKey("content_items.id", ondelete="CASCADE"), primary_key=True)
    provider: Mapped[str] = mapped_column(String(PROVIDER_MAX_LENGTH))  # 培训机构
    occupation_code: Mapped[str | None] = mapped_column(String(16), index=True)  # GB/T 6565, optional
    subsidy_groups: Mapped[list[Any]] = mapped_column(default=list)  # SubsidyGroup values
    subsidy_text: Mapped[str] = mapped_column(String(SUBSIDY_MAX_LENGTH), default="")  # e.g. 补贴1500元/人
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    class_times: Mapped[str] = mapped_column(String(CLASS_TIMES_MAX_LENGTH), default="")
    places_total: Mapped[int] = mapped_column(Integer)
    places_left: Mapped[int] = mapped_column(Integer)
    fee_yuan: Mapped[int] = mapped_column(Integer, default=0)
    venue: Mapped[str] = mapped_column(String(VENUE_MAX_LENGTH), default="")
    district: Mapped[str] = mapped_column(String(DISTRICT_MAX_LENGTH), default="", index=True)
    enrol_phone: Mapped[str] = mapped_column(String(PHONE_MAX_LENGTH), default="")
    enrol_url: Mapped[str] = mapped_column(String(URL_MAX_LENGTH), default="")
    requirements: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        CheckConstraint("places_left >= 0", name="places_left_not_negative"),
        CheckConstraint("places_left <= places_total", name="places_left_within_total"),
        CheckConstraint("fee_yuan >= 0", name="fee_not_negative"),
    )
    __mapper_args__ = {"polymorphic_identity": ItemKind.TRAINING.value}

    @validates("places_left")
    def _places_left(self, _key: str, value: int) -> int:
        if value < 0:
            raise ValidationError.single("places_left", f"places_left cannot be negative ({value}); 剩余名额不能为负数")
        total = self.places_total
        if total is not None and value > total:
            raise ValidationError.single("places_left", f"places_left {value} is above places_total {total}")
        return value

    @validates("places_total")
    def _places_total(self, _key: str, value: int) -> int:
        if not 1 <= value <= MAX_PLACES:
            raise ValidationError.single("places_total", f"places_total must be 1–{MAX_PLACES}, not {value}")
        left = self.places_left
        if left is not None and left > value:
            raise ValidationError.single("places_total", f"places_total {value} is below places_left {left}")
        return value

    @property
    def fee_text(self) -> str:
        return "免费" if not self.fee_yuan else f"{self.fee_yuan}元"

    def take_places(self, count: int) -> None:
        """Fill ``count`` places (a negative count gives them back); refuses to go below zero."""
        if self.places_left - count < 0:
            raise ValidationError.single(
                "places_left", f"only {self.places_left} places left, cannot take {count}; 名额不足"
            )
        self.places_left = self.places_left - count


def subsidy_groups_problem(groups: list[str]) -> str | None:
    """Why ``groups`` are not subsidy groups, or None."""
    known = {g.value for g in SubsidyGroup}
    unknown = [g for g in groups if g not in known]
    if unknown:
        return f"{'、'.join(unknown)} not among {'、'.join(known)}"
    return None


def course_occupation_problem(code: str | None) -> str | None:
    """Why an optional occupation code is not a GB/T 6565 code, or None (blank is allowed)."""
    return None if not code else occupation_code_problem(code)


def dates_problem(starts_on: date, ends_on: date) -> str | None:
    if ends_on < starts_on:
        return f"ends_on {ends_on.isoformat()} is before starts_on {starts_on.isoformat()}"
    return None


def url_problem(url: str) -> str | None:
    """An enrolment URL must be http(s): it becomes a QR code a citizen's phone opens."""
    if url and not (url.startswith("https://") or url.startswith("http://")):
        return f"enrol_url {url[:60]!r} must start with https:// or http://"
    return None


def _live(at: datetime) -> list[ColumnElement[bool]]:
    """The kiosk catalogue's rule of a live item (one home), applied to courses."""
    return live_conditions(cast(Any, TrainingCourse), at)


def visible_courses(session: Session, org_unit: OrgUnit, at: datetime) -> list[TrainingCourse]:
    """Every live course visible from ``org_unit``, soonest start first."""
    stmt = select(TrainingCourse).where(TrainingCourse.org_unit_id.in_(visible_units(session, org_unit)), *_live(at))
    return list(session.scalars(stmt.order_by(TrainingCourse.starts_on, TrainingCourse.id)))


def visible_course(session: Session, org_unit: OrgUnit, at: datetime, ident: int) -> TrainingCourse | None:
    """One live course if it is visible from ``org_unit``."""
    stmt = select(TrainingCourse).where(
        TrainingCourse.id == ident,
        TrainingCourse.org_unit_id.in_(visible_units(session, org_unit)),
        *_live(at),
    )
    return session.scalar(stmt)


def course_data(course: TrainingCourse) -> dict[str, Any]:
    """A course as a manifest item and a kiosk answer show it (no personal data: there is none)."""
    return {
        "kind": course.kind,
        "id": course.id,
        "title": course.title,
        "provider": course.provider,
        "occupation_code": course.occupation_code,
        "subsidy_groups": list(course.subsidy_groups or []),
        "subsidy": course.subsidy_text,
        "starts_on": course.starts_on.isoformat(),
        "ends_on": course.ends_on.isoformat(),
        "class_times": course.class_times,
        "places_total": course.places_total,
        "places_left": course.places_left,
        "fee_yuan": course.fee_yuan,
        "fee": course.fee_text,
        "venue": course.venue,
        "district": course.district,
        "enrol_phone": course.enrol_phone,
        "enrol_url": course.enrol_url,
        "requirements": course.requirements,
    }
