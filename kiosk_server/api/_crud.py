"""The CRUD plumbing every resource shares: lookups, reference checks, the change record, five routes.

A resource module declares its models and one ``save`` service function; ``register`` adds list,
get, create, update and delete routes whose handlers read as parse → service → shape. Every
successful write stages an outbox row and an audit row in the same transaction and commits once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Final, Generic, TypeVar, cast

from flask import Response
from pydantic import Field
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from content import outbox
from content.accounts import audit
from content.errors import NotFound, ValidationError
from kiosk_server.api._access import check_row, check_values, list_clause
from kiosk_server.api._errors import Conflict, error_response
from kiosk_server.api._routing import Operation, given, parse_body, parse_query, route
from kiosk_server.api._schemas import Body, Filters, Out, dump, page_model
from kiosk_server.auth import Need, current_actor
from kiosk_server.database import request_session

M = TypeVar("M")

MAX_ID: Final = 2**31 - 1  # ids are 32-bit integers in both databases
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
MAX_SUMMARY_TEXT: Final = 120
MAX_SUMMARY_ITEMS: Final = 20
# Changing by themselves on every write; not worth an audit line.
_VOLATILE: Final = frozenset({"updated_at", "body_html"})


def _id(row: object) -> int:
    """The primary key of a mapped row (every model the API serves has an integer ``id``)."""
    return int(cast(Any, row).id)


def find(session: Session, model: type[M], ident: object) -> M | None:
    """The row of ``model`` with id ``ident``, or None (also for a row of a sibling item kind)."""
    if not isinstance(ident, int) or isinstance(ident, bool) or not 1 <= ident <= MAX_ID:
        return None
    obj = session.get(model, ident)
    return obj if isinstance(obj, model) else None


def get_or_404(session: Session, model: type[M], ident: int, kind: str) -> M:
    """The one lookup that 404s: every view that addresses a row by id goes through here."""
    obj = find(session, model, ident)
    if obj is None:
        raise NotFound(kind.replace("_", " "), ident)
    check_row(session, obj, kind, ident)  # outside the calling key's subtree: the same 404
    return obj


def check_refs(session: Session, values: Mapping[str, Any], refs: Mapping[str, tuple[type, str]]) -> None:
    """Refuse (422 on the field) every referenced id in ``values`` that names no row."""
    errors = {
        name: f"no {label} with id {values[name]}"
        for name, (model, label) in refs.items()
        if values.get(name) is not None and find(session, model, values[name]) is None
    }
    if errors:
        raise ValidationError(errors)


def assign(obj: Any, values: Mapping[str, Any], skip: frozenset[str] = frozenset()) -> None:
    """Copy plain column values onto a row (relationship-like fields are the caller's business)."""
    for name, value in values.items():
        if name not in skip:
            setattr(obj, name, value)


def upsert(
    session: Session, model: type[M], obj: M | None, values: Mapping[str, Any], skip: frozenset[str] = frozenset()
) -> M:
    """``obj`` (or a new ``model`` row when None) with ``values`` assigned, in the session."""
    row = model() if obj is None else obj
    assign(row, values, skip)
    session.add(row)
    return row


def plain_save(model: type[M]) -> Callable[[Session, M | None, dict[str, Any]], M]:
    """The save function of a resource whose fields are plain columns and nothing else."""

    def save(session: Session, obj: M | None, values: dict[str, Any]) -> M:
        return upsert(session, model, obj, values)

    return save


def _brief(value: Any) -> Any:
    if isinstance(value, str) and len(value) > MAX_SUMMARY_TEXT:
        return value[:MAX_SUMMARY_TEXT] + "…"
    if isinstance(value, list):
        shown = [_brief(v) for v in value[:MAX_SUMMARY_ITEMS]]
        return shown + ([f"… {len(value) - MAX_SUMMARY_ITEMS} more"] if len(value) > MAX_SUMMARY_ITEMS else [])
    if isinstance(value, dict):
        return {k: _brief(v) for k, v in value.items()}
    return value


def change_summary(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> dict[str, Any]:
    """A short before/after for the audit log: whole (trimmed) objects on create/delete, changed fields on update."""
    if before is None or after is None:
        side, data = ("after", after) if before is None else ("before", before)
        return {side: {k: _brief(v) for k, v in (data or {}).items() if k not in _VOLATILE}}
    changed = [k for k in after if k not in _VOLATILE and before.get(k) != after.get(k)]
    return {"before": {k: _brief(before.get(k)) for k in changed}, "after": {k: _brief(after[k]) for k in changed}}


def record_change(
    session: Session,
    kind: str,
    obj_id: object,
    action: str,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
) -> None:
    """Stage the outbox row (screens may show something else now) and the audit row; the caller commits."""
    outbox.add_event(session, "content", kind=kind, id=obj_id, action=action)
    audit.record(
        session,
        actor=current_actor() or "unknown",
        action=action,
        obj_kind=kind,
        obj_id=obj_id,
        summary=change_summary(before, after),
    )


@dataclass(frozen=True)
class Resource(Generic[M]):
    """One REST collection: its models, how to save a row, how to show one."""

    path: str  # URL segment, e.g. "policy-notices"
    kind: str  # outbox/audit kind and the noun of messages, e.g. "policy_notice"
    model: type[M]
    out: type[Out]
    save: Callable[[Session, M | None, dict[str, Any]], M]  # None: create; values are checked fields
    create: type[Body] | None = None  # None: the module adds its own create route
    update: type[Body] | None = None  # None: no PATCH
    filters: type[Filters] = Filters
    refs: Mapping[str, tuple[type, str]] = field(default_factory=dict)
    computed: Callable[[M], dict[str, Any]] | None = None  # derived output fields
    list_out: type[Out] | None = None  # a smaller row for lists
    load: Sequence[Any] = ()  # loader options for lists, so a page of rows is not one query per row
    deletable: bool = True
    write_need: Need = Need.WRITE  # what a key's scope must grant to create, change or delete a row

    @property
    def endpoint(self) -> str:
        return self.path.replace("-", "_")

    def to_json(self, obj: M, *, row: bool = False) -> dict[str, Any]:
        model = (self.list_out or self.out) if row else self.out
        return dump(model, obj, **(self.computed(obj) if self.computed else {}))

    def get(self, session: Session, ident: int) -> M:
        return get_or_404(session, self.model, ident, self.kind)


def list_page(session: Session, resource: Resource[Any], query: Filters) -> dict[str, Any]:
    model: Any = resource.model
    stmt = select(model).where(*query.clauses(model), list_clause(model))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = (
        session.scalars(
            stmt.options(*resource.load)
            .order_by(model.id)
            .limit(query.per_page)
            .offset((query.page - 1) * query.per_page)
        )
        .unique()
        .all()
    )
    return {
        "items": [resource.to_json(r, row=True) for r in rows],
        "page": query.page,
        "per_page": query.per_page,
        "total": total,
    }


def save_change(session: Session, resource: Resource[M], obj: M | None, values: dict[str, Any]) -> dict[str, Any]:
    """Create (``obj`` None) or update a row, record the change and commit; returns the row as JSON."""
    before = None if obj is None else resource.to_json(obj)
    check_values(session, values)
    check_refs(session, values, resource.refs)
    with session.no_autoflush:  # half-assigned rows must not reach the database while we still check
        saved = resource.save(session, obj, values)
    session.flush()
    after = resource.to_json(saved)
    record_change(session, resource.kind, _id(saved), "created" if obj is None else "updated", before, after)
    session.commit()
    return after


def delete_row(session: Session, resource: Resource[M], obj: M) -> None:
    """Delete, record and commit; a row still referenced elsewhere is a 409 naming it."""
    before = resource.to_json(obj)
    ident = _id(obj)
    session.delete(obj)
    try:
        session.flush()
    except IntegrityError as err:
        raise Conflict(
            f"{resource.kind.replace('_', ' ')} {ident} is still in use by other records; remove or move those first"
        ) from err
    record_change(session, resource.kind, ident, "deleted", before, None)
    session.commit()


def register(resource: Resource[Any], *, extra_errors: Sequence[int] = ()) -> None:
    """Add the collection's routes to the API blueprint."""
    name, tag, ep = resource.kind.replace("_", " "), resource.path, resource.endpoint
    collection, item = f"/{resource.path}", f"/{resource.path}/<int:ident>"
    row_model = resource.list_out or resource.out

    @route(
        collection,
        "GET",
        f"{ep}_list",
        Operation(f"List {name} rows (paged, filtered)", tag, query=resource.filters, response=page_model(row_model)),
    )
    def list_view() -> Any:
        return list_page(request_session(), resource, parse_query(resource.filters))

    @route(item, "GET", f"{ep}_get", Operation(f"Get one {name}", tag, response=resource.out, errors=(404,)))
    def get_view(ident: int) -> Any:
        return resource.to_json(resource.get(request_session(), ident))

    if resource.create is not None:
        create_model = resource.create

        @route(
            collection,
            "POST",
            f"{ep}_create",
            Operation(
                f"Create a {name}",
                tag,
                body=create_model,
                response=resource.out,
                status=201,
                errors=tuple(extra_errors),
                need=resource.write_need,
            ),
        )
        def create_view() -> Any:
            values = parse_body(create_model).model_dump()
            return save_change(request_session(), resource, None, values), 201

    if resource.update is not None:
        update_model = resource.update

        @route(
            item,
            "PATCH",
            f"{ep}_update",
            Operation(
                f"Change some fields of a {name}",
                tag,
                body=update_model,
                response=resource.out,
                errors=(400, 404, *extra_errors),
                need=resource.write_need,
            ),
        )
        def update_view(ident: int) -> Any:
            session = request_session()
            obj = resource.get(session, ident)  # 404 before 422: the address is checked first
            values = given(parse_body(update_model))
            if not values:  # an empty PATCH would only write an audit line saying nothing changed
                return error_response(400, "nothing_to_change", "send at least one field to change")
            return save_change(session, resource, obj, values)

    if resource.deletable:

        @route(
            item,
            "DELETE",
            f"{ep}_delete",
            Operation(f"Delete a {name}", tag, status=204, errors=(404, 409), need=resource.write_need),
        )
        def delete_view(ident: int) -> Any:
            session = request_session()
            delete_row(session, resource, resource.get(session, ident))
            return Response(status=204)
