"""Vacancies (岗位): salary range or 面议, GB/T 6565 occupation code, headcount, validity."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, field_validator
from sqlalchemy.orm import Session

from content.errors import ValidationError
from content.library.items import Education, Employer, Vacancy
from content.library.vacancy_rules import (
    CONTACT_MAX_LENGTH,
    DISTRICT_MAX_LENGTH,
    EXTERNAL_REF_MAX_LENGTH,
    MAX_HEADCOUNT,
    MAX_YUAN,
    MIN_HEADCOUNT,
    REQUIREMENTS_MAX_LENGTH,
    already_closed_problem,
    occupation_code_problem,
    salary_order_problem,
)
from kiosk_server.api._crud import Id, Resource, assign, register
from kiosk_server.api._items import ITEM_REFS, ItemFields, ItemFilters, ItemOut, check_window
from kiosk_server.api._routing import now
from kiosk_server.api._schemas import partial

Yuan = Annotated[int, Field(ge=0, le=MAX_YUAN, description="yuan per month")]
EXTERNAL_REF = (
    "岗位编号: the posting's number in the employer's or the source system's records; null (or blank) when none. "
    "Imports match their rows to vacancies by employer and this reference"
)


class VacancyCreate(ItemFields):
    employer_id: Id
    occupation_code: str = Field(description="GB/T 6565 occupation code, e.g. 4-02-06-03")
    headcount: int = Field(MIN_HEADCOUNT, ge=MIN_HEADCOUNT, le=MAX_HEADCOUNT)
    salary_min: Yuan | None = Field(None, description="yuan per month; both salaries null means 面议 (negotiable)")
    salary_max: Yuan | None = None
    education: Education = Education.NONE
    district: str = Field("", max_length=DISTRICT_MAX_LENGTH)
    requirements: str = Field("", max_length=REQUIREMENTS_MAX_LENGTH)
    contact: str = Field("", max_length=CONTACT_MAX_LENGTH)
    external_ref: str | None = Field(None, max_length=EXTERNAL_REF_MAX_LENGTH, description=EXTERNAL_REF)

    @field_validator("occupation_code")
    @classmethod
    def _gbt_6565(cls, value: str) -> str:
        problem = occupation_code_problem(value)
        if problem is not None:
            raise ValueError(problem)
        return value

    @field_validator("external_ref")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value or None


VacancyUpdate = partial(VacancyCreate)


class VacancyOut(ItemOut):
    employer_id: int
    employer_name: str
    occupation_code: str
    headcount: int
    salary_min: int | None
    salary_max: int | None
    salary_text: str = Field(description="as shown on screens: 4500-6000元, 4500元以上, 面议")
    education: Education
    district: str
    requirements: str
    contact: str
    external_ref: str | None = Field(description=EXTERNAL_REF)


class VacancyFilters(ItemFilters):
    employer_id: Id | None = None
    occupation_code: str | None = None
    education: Education | None = None
    district: str | None = None
    external_ref: str | None = None


def save_vacancy(session: Session, vacancy: Vacancy | None, values: dict[str, Any]) -> Vacancy:
    creating = vacancy is None
    if vacancy is None:
        vacancy = Vacancy()
    assign(vacancy, values)
    check_window(vacancy, values)
    order = salary_order_problem(vacancy.salary_min, vacancy.salary_max)
    if order is not None:
        field = "salary_max" if "salary_max" in values and "salary_min" not in values else "salary_min"
        raise ValidationError.single(field, order)
    if creating and vacancy.valid_until is not None and vacancy.valid_until <= now():
        raise ValidationError.single("valid_until", already_closed_problem(vacancy.valid_until.isoformat()))
    session.add(vacancy)
    return vacancy


VACANCIES: Resource[Vacancy] = Resource(
    path="vacancies",
    kind="vacancy",
    model=Vacancy,
    out=VacancyOut,
    save=save_vacancy,
    create=VacancyCreate,
    update=VacancyUpdate,
    filters=VacancyFilters,
    refs={**ITEM_REFS, "employer_id": (Employer, "employer")},
    computed=lambda vacancy: {"employer_name": vacancy.employer.name},
)
register(VACANCIES)
