"""Employers (用人单位): who offers a vacancy; their name is shown with it."""

from __future__ import annotations

from pydantic import Field

from content.library.items import Employer
from content.library.vacancy_rules import CREDIT_CODE_PATTERN, EMPLOYER_NAME_MAX_LENGTH
from kiosk_server.api._crud import Resource, plain_save, register
from kiosk_server.api._schemas import Body, Filters, Out, partial


class EmployerCreate(Body):
    name: str = Field(min_length=1, max_length=EMPLOYER_NAME_MAX_LENGTH)
    credit_code: str | None = Field(
        None, pattern=f"^{CREDIT_CODE_PATTERN}$", description="统一社会信用代码 (GB 32100), 18 characters"
    )
    industry: str = Field("", max_length=100)
    address: str = Field("", max_length=255)
    latitude: float | None = Field(None, ge=-90, le=90, allow_inf_nan=False, description="WGS 84 degrees north")
    longitude: float | None = Field(None, ge=-180, le=180, allow_inf_nan=False, description="WGS 84 degrees east")


EmployerUpdate = partial(EmployerCreate)


class EmployerOut(Out):
    id: int
    name: str
    credit_code: str | None
    industry: str
    address: str
    latitude: float | None
    longitude: float | None


class EmployerFilters(Filters):
    credit_code: str | None = None
    industry: str | None = None


EMPLOYERS: Resource[Employer] = Resource(
    path="employers",
    kind="employer",
    model=Employer,
    out=EmployerOut,
    save=plain_save(Employer),
    create=EmployerCreate,
    update=EmployerUpdate,
    filters=EmployerFilters,
)
register(EMPLOYERS)
