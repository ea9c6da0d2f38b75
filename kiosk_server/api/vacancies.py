"""Vacancies (岗位): salary range or 面议, GB/T 6565 occupation code, headcount, validity."""

from __future__ import annotations

import re
from typing import Annotated, Any, Final

from pydantic import Field, field_validator
from sqlalchemy.orm import Session

from content.errors import ValidationError
from content.library.items import Education, Employer, Vacancy
from kiosk_server.api._crud import Id, Resource, assign, register
from kiosk_server.api._items import ITEM_REFS, ItemFields, ItemFilters, ItemOut, check_window
from kiosk_server.api._routing import now
from kiosk_server.api._schemas import partial

OCCUPATION_CODE: Final = re.compile(r"^\d-\d{2}-\d{2}-\d{2}$")  # GB/T 6565 细类, e.g. 4-02-06-03
Yuan = Annotated[int, Field(ge=0, le=10_000_000, description="yuan per month")]


class VacancyCreate(ItemFields):
    employer_id: Id
    occupation_code: str = Field(description="GB/T 6565 occupation code, e.g. 4-02-06-03")
    headcount: int = Field(1, ge=1, le=100_000)
    salary_min: Yuan | None = Field(None, description="yuan per month; both salaries null means 面议 (negotiable)")
    salary_max: Yuan | None = None
    education: Education = Education.NONE
    district: str = Field("", max_length=60)
    requirements: str = Field("", max_length=5000)
    contact: str = Field("", max_length=120)

    @field_validator("occupation_code")
    @classmethod
    def _gbt_6565(cls, value: str) -> str:
        if not OCCUPATION_CODE.match(value):
            raise ValueError(f"{value!r} is not a GB/T 6565 occupation code like 4-02-06-03")
        return value


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


class VacancyFilters(ItemFilters):
    employer_id: Id | None = None
    occupation_code: str | None = None
    education: Education | None = None
    district: str | None = None


def save_vacancy(session: Session, vacancy: Vacancy | None, values: dict[str, Any]) -> Vacancy:
    creating = vacancy is None
    if vacancy is None:
        vacancy = Vacancy()
    assign(vacancy, values)
    check_window(vacancy, values)
    low, high = vacancy.salary_min, vacancy.salary_max
    if low is not None and high is not None and low > high:
        field = "salary_max" if "salary_max" in values and "salary_min" not in values else "salary_min"
        raise ValidationError.single(field, f"salary_min {low} is above salary_max {high}")
    if creating and vacancy.valid_until is not None and vacancy.valid_until <= now():
        raise ValidationError.single(
            "valid_until", f"{vacancy.valid_until.isoformat()} has already passed; a new vacancy must still be open"
        )
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
