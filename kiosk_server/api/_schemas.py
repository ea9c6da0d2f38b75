"""Shared request and response models: the strict body base, paging, bounded days and instants, errors, partial updates.

Every page number, day and instant a client may send is one of the bounded types below, so the
OpenAPI description and the checks come from the same place and no input reaches an arithmetic
overflow deeper down. The console reads its query parameters with the same bounds, and refuses
control characters in its forms by the same rule as the request bodies (``first_control_character``).
"""

from __future__ import annotations

import re
from copy import copy
from datetime import UTC, date, datetime, time
from typing import Annotated, Any, ClassVar, Final, Literal, TypeVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    create_model,
    field_validator,
)
from sqlalchemy import ColumnElement

from content.control_characters import (  # re-exported: the pages' guard and the console use them
    control_character_at,
)

B = TypeVar("B", bound=BaseModel)
OutT = TypeVar("OutT", bound="Out")


MAX_PAGE: Final = 10_000
MAX_PER_PAGE: Final = 200
# Schedules, validity windows and statistics live in this century; outside it date arithmetic
# (a horizon three days on, the Monday of a week) would overflow, and no hall plans that far.
EARLIEST_DAY: Final = date(2000, 1, 1)
LATEST_DAY: Final = date(2100, 12, 31)
EARLIEST_INSTANT: Final = datetime.combine(EARLIEST_DAY, time(), tzinfo=UTC)
LATEST_INSTANT: Final = datetime.combine(LATEST_DAY, time.max, tzinfo=UTC)
_ISO_DAY: Final = re.compile(r"\d{4}-\d{2}-\d{2}")
_INSTANT_TEXT: Final = TypeAdapter(AwareDatetime)  # pydantic's own reading of ISO 8601, offset required
_RANGE_TEXT: Final = f"between {EARLIEST_DAY.isoformat()} and {LATEST_DAY.isoformat()}"


def _control_problem(value: object) -> str | None:
    if isinstance(value, str):
        found = control_character_at(value)
        if found is None:
            return None
        return f"contains the control character {found[0]} at position {found[1]}; remove it"
    if isinstance(value, list | tuple | set | frozenset):
        for index, item in enumerate(value):
            problem = _control_problem(item)
            if problem is not None:
                return f"item {index}: {problem}"
    if isinstance(value, dict):
        for key, item in value.items():
            problem = _control_problem(key) or _control_problem(item)
            if problem is not None:
                return f"{key!r}: {problem}"
    return None  # numbers, days, nested models (a Body checks its own fields)


def day_problem(value: date) -> str | None:
    """Why ``value`` is outside the days the platform accepts, or None."""
    if EARLIEST_DAY <= value <= LATEST_DAY:
        return None
    return f"{value.isoformat()} is not {_RANGE_TEXT}"


def instant_problem(value: datetime) -> str | None:
    """Why the aware ``value`` is outside the instants the platform accepts, or None."""
    if value.tzinfo is not None and EARLIEST_INSTANT <= value <= LATEST_INSTANT:
        return None
    return f"{value.isoformat()} is not {_RANGE_TEXT} (UTC)"


def _written_day(value: object) -> date:
    # pydantic would read 0 or "0" as a Unix timestamp (1970-01-01): a day is written out. Parsed
    # here, so a strictly validated JSON body (parse_body) gets the date it expects.
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DAY.fullmatch(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"{value.strip()} is not a day of the calendar") from None
    raise ValueError("a day written YYYY-MM-DD, e.g. 2026-12-01")


def _written_instant(value: object) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return _INSTANT_TEXT.validate_python(value)
        except ValidationError as err:
            raise ValueError(str(err.errors()[0]["msg"])) from None
    raise ValueError("an ISO 8601 instant with its UTC offset, e.g. 2026-12-01T09:00:00+08:00")


def _day_in_range(value: date) -> date:
    problem = day_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


def _instant_in_range(value: datetime) -> datetime:
    problem = instant_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


Day = Annotated[
    date,
    BeforeValidator(_written_day),
    AfterValidator(_day_in_range),
    Field(description=f"a day (YYYY-MM-DD) {_RANGE_TEXT}"),
]
Instant = Annotated[
    AwareDatetime,
    BeforeValidator(_written_instant),
    AfterValidator(_instant_in_range),
    Field(description=f"an instant with its UTC offset, {_RANGE_TEXT}"),
]
Page = Annotated[int, Field(ge=1, le=MAX_PAGE, description=f"1-based page number, at most {MAX_PAGE}")]
PerPage = Annotated[int, Field(ge=1, le=MAX_PER_PAGE, description="rows per page")]


class Body(BaseModel):
    """A request body or query: unknown fields are refused, text is trimmed and holds no control characters."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        problem = _control_problem(value)
        if problem is not None:
            raise ValueError(problem)
        return value


class Out(BaseModel):
    """A response shape; read from ORM rows by attribute."""

    model_config = ConfigDict(from_attributes=True)


class Filters(Body):
    """Paging plus per-resource filters; each given filter is an equality on the column of that name."""

    page: Page = 1
    per_page: PerPage = 50

    # Filters that are not an equality on a column of the same name; a subclass adds their clauses.
    special: ClassVar[frozenset[str]] = frozenset()

    def clauses(self, model: Any) -> list[ColumnElement[bool]]:
        chosen = self.model_dump(exclude_unset=True, exclude={"page", "per_page", *self.special})
        return [getattr(model, name) == value for name, value in chosen.items() if value is not None]


class FieldError(BaseModel):
    field: str = Field(description="dotted path of the offending field, e.g. regions.0.w")
    message: str


class ValidationFailed(BaseModel):
    """HTTP 422: nothing was written."""

    error: Literal["validation_failed"]
    errors: list[FieldError]


class ErrorBody(BaseModel):
    """HTTP 401, 404, 409 and other errors."""

    error: str
    message: str


def page_model(item: type[BaseModel]) -> type[BaseModel]:
    """The list answer for ``item`` rows."""
    return create_model(
        f"{item.__name__}Page",
        items=(list[item], ...),  # type: ignore[valid-type]  # a class known only at run time, as create_model wants
        page=(int, ...),
        per_page=(int, ...),
        total=(int, Field(description="rows matching the filters, over all pages")),
    )


def partial(model: type[B], name: str | None = None) -> type[B]:
    """``model`` with every field optional for PATCH: an omitted field is left alone.

    The field types stay as they are, so an explicit ``null`` is refused wherever the create
    body refuses it, and the field validators still run on what is sent.
    """
    fields: dict[str, Any] = {}
    for field_name, info in model.model_fields.items():
        optional = copy(info)
        optional.default = None
        optional.default_factory = None
        fields[field_name] = (info.annotation, optional)
    patch: type[B] = create_model(name or f"{model.__name__.removesuffix('Create')}Update", __base__=model, **fields)
    return patch


def dump(model: type[OutT], obj: Any, **computed: Any) -> dict[str, Any]:
    """``obj`` (an ORM row) shaped by ``model`` as JSON-ready data; ``computed`` supplies derived fields."""
    data = {name: computed[name] if name in computed else getattr(obj, name) for name in model.model_fields}
    return model.model_validate(data).model_dump(mode="json")
