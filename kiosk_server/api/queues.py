"""Queue calling (排队叫号) of a hall: its service types and counters, its board, ingest of a foreign system, stats.

The ingest answers 400 (not the 422 of other writes) for a refused batch and 409 for replayed event
ids, with every error naming its event and field; see docs/queue-ingest.md.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Response, jsonify, request
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from content.accounts import audit
from content.errors import ValidationError
from content.org.screens import Screen
from content.org.tree import Hall
from content.queue.board import board_state
from content.queue.ingest import IngestError, MalformedBatch, ReplayedEvents, ingest
from content.queue.models import Counter, ServiceType
from content.queue.setup import add_counter, add_service_type
from content.queue.stats import Report, hall_stats, to_csv
from content.queue.ticketing import hall_day, lock_board
from kiosk_server.api._crud import Id, change_summary, find, get_or_404
from kiosk_server.api._errors import field_errors
from kiosk_server.api._queue_schemas import BoardOut, IngestAnswer, IngestBatchIn, StatsOut
from kiosk_server.api._routing import Operation, now, parse_body, parse_query, route
from kiosk_server.api._schemas import Body, Day, Out, dump
from kiosk_server.auth import Need, current_actor
from kiosk_server.database import request_session

TAG = "queue"
BASE = "/halls/<int:ident>/queue"
M = TypeVar("M")


# ---- setup: service types and counters --------------------------------------------------


class ServiceTypeCreate(Body):
    prefix: str = Field(min_length=1, max_length=1, description="the ticket letter, A–Z, unique in the hall")
    name: str = Field(min_length=1, max_length=60, examples=["社保业务"])
    name_en: str = Field("", max_length=80)
    default_service_seconds: int = Field(300, description="30–3600: the service time assumed without history")
    priority_boost_minutes: int | None = Field(
        None, description="null: the priority lane is always called first; 0–240: it counts as arriving that early"
    )
    position: int | None = Field(None, ge=0, le=999, description="order on boards; appended when omitted")


class ServiceTypeOut(Out):
    id: int
    hall_id: int
    prefix: str
    name: str
    name_en: str
    position: int
    active: bool
    default_service_seconds: int
    priority_boost_minutes: int | None


class ServiceTypeList(BaseModel):
    items: list[ServiceTypeOut]


class CounterCreate(Body):
    number: int = Field(description="1–999, unique in the hall; the 5 of 5号窗口")
    name: str | None = Field(None, min_length=1, max_length=40, description="「<number>号窗口」 when omitted")
    service_type_ids: list[Id] = Field(min_length=1, max_length=26, description="the service types it calls")
    screen_id: Id | None = Field(None, description="the counter strip screen above it (kind counter)")


class CounterOut(Out):
    id: int
    hall_id: int
    number: int
    name: str
    screen_id: int | None
    active: bool
    service_type_ids: list[int]


class CounterList(BaseModel):
    items: list[CounterOut]


def _hall(session: Session, ident: int) -> Hall:
    return get_or_404(session, Hall, ident, "hall")


def _counter_json(counter: Counter) -> dict[str, Any]:
    return dump(CounterOut, counter, service_type_ids=[s.id for s in counter.services])


def _created(
    session: Session, hall: Hall, kind: str, make: Callable[[], M], shape: Callable[[M], dict[str, Any]]
) -> dict[str, Any]:
    """Make a queue setup row (a board change, so the board's version moves first), audit it and commit."""
    lock_board(session, hall.id, now())
    row = make()
    after = shape(row)
    audit.record(
        session,
        actor=current_actor() or "unknown",
        action="created",
        obj_kind=kind,
        obj_id=after["id"],
        summary=change_summary(None, after),
    )
    session.commit()
    return after


def add_counter_from(session: Session, hall: Hall, body: CounterCreate) -> Counter:
    """The counter of ``body``, its service type and screen ids checked, errors named by the body's fields."""
    wanted = list(dict.fromkeys(body.service_type_ids))
    services = [s for s in (find(session, ServiceType, i) for i in wanted) if s is not None]
    errors: dict[str, str] = {}
    missing = [str(i) for i in wanted if i not in {s.id for s in services}]
    if missing:
        errors["service_type_ids"] = f"no service type with id {', '.join(missing)}"
    screen = find(session, Screen, body.screen_id) if body.screen_id is not None else None
    if body.screen_id is not None and screen is None:
        errors["screen_id"] = f"no screen with id {body.screen_id}"
    if errors:
        raise ValidationError(errors)
    try:
        return add_counter(session, hall.id, number=body.number, services=services, name=body.name, screen=screen)
    except ValidationError as err:
        raise ValidationError(
            {"service_type_ids" if field == "services" else field: message for field, message in err.errors.items()}
        ) from err


@route(
    f"{BASE}/service-types",
    "GET",
    "queue_service_types_list",
    Operation(
        "List a hall's service types (业务类型) and their ticket letters", TAG, response=ServiceTypeList, errors=(404,)
    ),
)
def list_service_types(ident: int) -> Any:
    session = request_session()
    hall = _hall(session, ident)
    rows = session.scalars(
        select(ServiceType).where(ServiceType.hall_id == hall.id).order_by(ServiceType.position, ServiceType.id)
    )
    return {"items": [dump(ServiceTypeOut, row) for row in rows]}


@route(
    f"{BASE}/service-types",
    "POST",
    "queue_service_types_create",
    Operation(
        "Add a service type to a hall",
        TAG,
        body=ServiceTypeCreate,
        response=ServiceTypeOut,
        status=201,
        errors=(404,),
        need=Need.ADMIN,
    ),
)
def create_service_type(ident: int) -> Any:
    session = request_session()
    hall = _hall(session, ident)
    body = parse_body(ServiceTypeCreate)
    return _created(
        session,
        hall,
        "queue_service_type",
        lambda: add_service_type(session, hall.id, **body.model_dump()),
        lambda row: dump(ServiceTypeOut, row),
    ), 201


@route(
    f"{BASE}/counters",
    "GET",
    "queue_counters_list",
    Operation(
        "List a hall's counters (窗口) and the service types each calls", TAG, response=CounterList, errors=(404,)
    ),
)
def list_counters(ident: int) -> Any:
    session = request_session()
    hall = _hall(session, ident)
    rows = session.scalars(
        select(Counter)
        .where(Counter.hall_id == hall.id)
        .order_by(Counter.number)
        .options(selectinload(Counter.services))
    )
    return {"items": [_counter_json(row) for row in rows]}


@route(
    f"{BASE}/counters",
    "POST",
    "queue_counters_create",
    Operation(
        "Add a counter to a hall",
        TAG,
        body=CounterCreate,
        response=CounterOut,
        status=201,
        errors=(404,),
        need=Need.ADMIN,
    ),
)
def create_counter(ident: int) -> Any:
    session = request_session()
    hall = _hall(session, ident)
    body = parse_body(CounterCreate)
    return _created(session, hall, "queue_counter", lambda: add_counter_from(session, hall, body), _counter_json), 201


# ---- the board ---------------------------------------------------------------------------


@route(
    f"{BASE}/board",
    "GET",
    "queue_board",
    Operation(
        "The hall's queue board now: latest calls, lines, counters (what the hall's screens show)",
        TAG,
        response=BoardOut,
        errors=(404,),
    ),
)
def show_board(ident: int) -> Any:
    session = request_session()
    return board_state(session, _hall(session, ident).id, now())


# ---- ingest ------------------------------------------------------------------------------


def _read_json() -> object:
    try:
        return json.loads(request.get_data(cache=True) or b"null")
    except ValueError as err:
        raise MalformedBatch.single("body", f"not valid JSON ({err})") from err


def _refusal(err: IngestError) -> Response:
    replay = isinstance(err, ReplayedEvents)
    response = jsonify(
        error="replayed_events" if replay else "invalid_batch", message=str(err), errors=field_errors(err.errors)
    )
    response.status_code = 409 if replay else 400
    return response


@route(
    f"{BASE}/events",
    "POST",
    "queue_events_ingest",
    Operation(
        "Apply a batch of events from the hall's own queuing system, all or nothing (400 refused, 409 replayed)",
        TAG,
        body=IngestBatchIn,
        response=IngestAnswer,
        errors=(400, 404, 409),
        need=Need.INGEST,
    ),
)
def ingest_events(ident: int) -> Any:
    session = request_session()
    hall = _hall(session, ident)
    try:
        result = ingest(session, hall.id, _read_json(), now())
    except IngestError as err:
        session.rollback()
        return _refusal(err)
    session.commit()
    return {"source": result.source, "accepted": result.accepted, "version": result.version}


# ---- statistics --------------------------------------------------------------------------


class StatsQuery(Body):
    first: Day | None = Field(None, alias="from", description="first hall-local day (YYYY-MM-DD); default today")
    last: Day | None = Field(None, alias="to", description="last hall-local day, included; default: from")


def _report(ident: int) -> Report:
    session = request_session()
    hall = _hall(session, ident)
    query = parse_query(StatsQuery)
    today = hall_day(hall, now())
    return hall_stats(session, hall.id, query.first or query.last or today, query.last or query.first or today)


@route(
    f"{BASE}/stats",
    "GET",
    "queue_stats",
    Operation(
        "Queue statistics per hall-local day, service type and counter",
        TAG,
        query=StatsQuery,
        response=StatsOut,
        errors=(404,),
    ),
)
def show_stats(ident: int) -> Any:
    return _report(ident).as_json()


@route(
    f"{BASE}/stats.csv",
    "GET",
    "queue_stats_csv",
    Operation(
        "The same statistics as a CSV download (text/csv, UTF-8 with BOM, for Excel)",
        TAG,
        query=StatsQuery,
        response_media_type="text/csv",
        errors=(404,),
    ),
)
def download_stats(ident: int) -> Any:
    report = _report(ident)
    response = Response(to_csv(report), mimetype="text/csv")
    name = f"queue-stats-hall{report.hall_id}-{report.first.isoformat()}-{report.last.isoformat()}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
