"""What the content library's pages share (media, vacancies, tickers): who sees and changes which item,
the owner node and validity window as managers type them, the API's field rules said in the page's
language, and the audit + outbox record of every change.

An item is seen where its owner node lies inside the account's scope; a hall manager also sees,
read-only, the items of their hall's node and of every node above it (what their screens may show).
It is changed only with EDIT_CONTENT and an owner node inside the scope.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, Final, TypeVar

from flask import g, request
from pydantic import BaseModel
from pydantic import ValidationError as FormError
from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from content import outbox
from content.accounts import audit
from content.accounts.access import Permission, Scope, may
from content.errors import ValidationError
from content.library.items import ContentItem, ItemStatus
from content.org.tree import OrgUnit
from kiosk_server.console.base import PAGE_SIZE, console_zone, in_scope, page_number
from kiosk_server.console.words import say

I = TypeVar("I", bound=ContentItem)
B = TypeVar("B", bound=BaseModel)

MOMENT_FORMAT: Final = "%Y-%m-%dT%H:%M"  # a datetime-local value, Beijing time
WINDOW: Final = ("valid_from", "valid_until")
MAX_ID: Final = 2**31 - 1  # ids are 32-bit integers in both databases; a longer number names nothing


def ancestor_paths(path: str) -> list[str]:
    """``/1/4/7/`` → ``/1/``, ``/1/4/``, ``/1/4/7/``: the node and every node above it."""
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[:n]) + "/" for n in range(1, len(parts) + 1)]


def visible(scope: Scope) -> ColumnElement[bool]:
    """A condition on ``OrgUnit.path`` (the owner's): items this scope may see."""
    if scope.hall_id is not None and scope.path is not None:
        return OrgUnit.path.in_(ancestor_paths(scope.path))
    return scope.unit_clause(OrgUnit.path)


def may_edit(item: ContentItem) -> bool:
    return may(g.user, Permission.EDIT_CONTENT) and g.scope.covers_unit(item.org_unit)


def editable_or_404(db: Session, model: type[I], ident: int) -> I:
    """The item of ``model`` with this id, if the account may change it; otherwise a 404, as if missing."""
    found = db.get(model, ident) if 1 <= ident <= MAX_ID else None
    item = found if isinstance(found, model) else None
    return in_scope(item, item is not None and g.scope.covers_unit(item.org_unit))


def owners(db: Session) -> list[OrgUnit]:
    """The nodes an item may be published by: those inside the scope (a tree, in path order)."""
    return list(db.scalars(select(OrgUnit).where(g.scope.unit_clause(OrgUnit.path)).order_by(OrgUnit.path)))


def default_owner() -> int | None:
    return g.user.org_unit_id


def listing(db: Session, query: Select[Any]) -> dict[str, Any]:
    """One page of ``query``'s rows with the pager's numbers, for a template."""
    total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = page_number()
    rows = list(db.scalars(query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).unique())
    return {"rows": rows, "page": page, "total": total, "pages": max(1, -(-total // PAGE_SIZE))}


def status_clause(model: type[ContentItem], shown: str) -> ColumnElement[bool] | None:
    """The list filter: "" (everything not archived), "archived", or "all" (None: no condition)."""
    if shown == "all":
        return None
    if shown == "archived":
        return model.status == ItemStatus.ARCHIVED.value
    return model.status != ItemStatus.ARCHIVED.value


def read_owner(db: Session, errors: dict[str, str]) -> int | None:
    text = request.form.get("org_unit_id", "").strip()
    if not text.isdigit():
        errors["org_unit_id"] = say(g.lang, "media.error.choose")
        return None
    unit = db.get(OrgUnit, int(text))
    if unit is None or not g.scope.covers_unit(unit):
        errors["org_unit_id"] = say(g.lang, "media.error.outside")
        return None
    return unit.id


def read_moment(name: str, errors: dict[str, str]) -> datetime | None:
    """A ``datetime-local`` field, read as Beijing time like everything the console shows; empty is None."""
    text = request.form.get(name, "").strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is not None:
        errors[name] = say(g.lang, "media.error.moment")
        return None
    return moment.replace(tzinfo=console_zone())


def form_values(item: ContentItem | None, names: Iterable[str]) -> dict[str, Any]:
    """What the form shows: the item's values (the window as Beijing datetime-local text), or empty for a new one."""
    if item is None:
        return {"org_unit_id": default_owner()}
    values: dict[str, Any] = {name: getattr(item, name) for name in names}
    values["org_unit_id"] = item.org_unit_id
    for name in WINDOW:
        moment = getattr(item, name)
        values[name] = moment.astimezone(console_zone()).strftime(MOMENT_FORMAT) if moment else ""
    return values


def _said(error: Mapping[str, Any], field_words: Mapping[str, str]) -> str:
    kind, ctx, given = error["type"], error.get("ctx") or {}, error.get("input")
    lang = g.lang
    field = str(error["loc"][0]) if error["loc"] else ""
    if kind in ("enum", "literal_error"):
        return say(lang, "media.error.choose")
    if given is None or given == "" or kind in ("missing", "string_too_short"):
        return say(lang, "media.error.required")
    if kind == "value_error" and field in field_words:
        return say(lang, field_words[field])
    if kind == "string_too_long":
        return say(lang, "media.error.too_long", limit=ctx.get("max_length"))
    if kind in ("int_parsing", "int_from_float", "int_type"):
        return say(lang, "media.error.integer")
    if kind in ("greater_than_equal", "greater_than"):
        return say(lang, "media.error.min", limit=ctx.get("ge", ctx.get("gt")))
    if kind in ("less_than_equal", "less_than"):
        return say(lang, "media.error.max", limit=ctx.get("le", ctx.get("lt")))
    return say(lang, "media.error.invalid", detail=error.get("msg", ""))


def check(
    schema: type[B], data: Mapping[str, Any], errors: dict[str, str], field_words: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """``data`` checked by the REST API's ``schema`` (its rules, once), one field at a time.

    ``schema`` has every field optional (the API's PATCH bodies), so each field is checked alone:
    each problem lands on its field, and the fields that pass come back checked, for the domain's
    cross-field rules to see even while other fields are wrong. A field that already has a message
    (the form's own reading of it) keeps that one.
    """
    good: dict[str, Any] = {}
    for name, value in data.items():
        try:
            good |= schema.model_validate({name: value}).model_dump(exclude_unset=True)
        except FormError as err:
            for problem in err.errors():
                errors.setdefault(name, _said(problem, field_words or {}))
    return {name: value for name, value in good.items() if name not in errors}


# Fields the domain checks together: a problem it finds between them is not reported while either
# of them already has its own (the domain compared against a value the form could not give).
_TOGETHER: Final = (frozenset(WINDOW), frozenset({"salary_min", "salary_max"}))


def merge(errors: dict[str, str], found: Mapping[str, str]) -> None:
    """Add the domain's cross-field problems ``found`` to the form's ``errors``."""
    had = set(errors)
    for field, message in found.items():
        together = next((fields for fields in _TOGETHER if field in fields), frozenset({field}))
        if not together & had:
            errors[field] = message


def window_errors(err: ValidationError) -> dict[str, str]:
    """The domain refused the validity window: said on the field it named."""
    return {(field if field in WINDOW else "valid_until"): say(g.lang, "media.error.window") for field in err.errors}


def plain(value: Any) -> Any:
    """JSON for the audit: instants in UTC, whatever zone the form gave them in."""
    return value.astimezone(UTC).isoformat() if isinstance(value, datetime) else value


def snapshot(item: ContentItem, names: Iterable[str]) -> dict[str, Any]:
    """The audit's view of an item: the named fields as plain JSON values."""
    return {name: plain(getattr(item, name)) for name in ("title", "org_unit_id", "status", *WINDOW, *names)}


def record(
    db: Session, item: ContentItem, kind: str, action: str, before: dict[str, Any] | None, after: dict[str, Any] | None
) -> None:
    """Stage the outbox row (screens may show something else now) and the audit row; the caller commits."""
    if before is None:
        summary: dict[str, Any] = {"after": after}
    elif after is None:
        summary = {"before": before}
    else:
        summary = {"changed": {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}}
    unit = db.get(OrgUnit, item.org_unit_id)  # the owner as saved (the relationship may still hold the old one)
    outbox.add_event(db, "content", kind=kind, id=item.id, action=action)
    audit.record(
        db,
        actor=g.console_actor,
        action=action,
        obj_kind=kind,
        obj_id=item.id,
        summary=summary,
        org_path=unit.path if unit else None,
    )


def set_status(db: Session, item: ContentItem, kind: str, status: ItemStatus) -> bool:
    """Archive or publish again; False if it already was."""
    if item.status == status.value:
        return False
    before = item.status
    item.status = status.value
    db.flush()
    record(
        db,
        item,
        kind,
        "archived" if status is ItemStatus.ARCHIVED else "restored",
        {"status": before},
        {"status": status.value},
    )
    return True
