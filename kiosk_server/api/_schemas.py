"""Shared request and response models: the strict body base, paging, filters, errors, partial updates."""

from __future__ import annotations

from copy import copy
from typing import Any, ClassVar, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, create_model
from sqlalchemy import ColumnElement

B = TypeVar("B", bound=BaseModel)
OutT = TypeVar("OutT", bound="Out")


class Body(BaseModel):
    """A request body or query: unknown fields are refused, text is trimmed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Out(BaseModel):
    """A response shape; read from ORM rows by attribute."""

    model_config = ConfigDict(from_attributes=True)


class Filters(Body):
    """Paging plus per-resource filters; each given filter is an equality on the column of that name."""

    page: int = Field(1, ge=1, description="1-based page number")
    per_page: int = Field(50, ge=1, le=200, description="rows per page")

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
