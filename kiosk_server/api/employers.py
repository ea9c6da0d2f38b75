"""Employers (用人单位): who offers a vacancy; their name is shown with it."""

from __future__ import annotations

from pydantic import Field

from content.library.items import Employer
from kiosk_server.api._crud import Resource, plain_save, register
from kiosk_server.api._schemas import Body, Filters, Out, partial

# 统一社会信用代码 (GB 32100): 18 characters of digits and capitals without I, O, S, V, Z.
CREDIT_CODE = r"^[0-9A-HJ-NP-RTUWXY]{2}\d{6}[0-9A-HJ-NP-RTUWXY]{10}$"


class EmployerCreate(Body):
    name: str = Field(min_length=1, max_length=200)
    credit_code: str | None = Field(None, pattern=CREDIT_CODE, description="统一社会信用代码, 18 characters")
    industry: str = Field("", max_length=100)
    address: str = Field("", max_length=255)


EmployerUpdate = partial(EmployerCreate)


class EmployerOut(Out):
    id: int
    name: str
    credit_code: str | None
    industry: str
    address: str


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
