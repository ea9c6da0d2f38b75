"""The counter page's JSON calls (/counter/api/<counter_id>/…): its state, and call, recall, start, finish, no-show, transfer.

Every call needs a signed-in staff member (else 401) of the counter's hall (else 403); every POST
also needs the session's CSRF token in ``X-CSRF-Token`` (else 403). An action answers the new state,
so the page shows its effect without asking again. Errors are ``{"error", "message", "message_en"}``:
409 when the counter has nothing the action applies to, 400 for a malformed transfer.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Final, NoReturn

from flask import Blueprint, Response, current_app, g, jsonify, request
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException

from content.errors import NotFound, ValidationError
from content.queue.models import Counter, Ticket
from content.queue.ticketing import (
    NoCurrentTicket,
    QueueError,
    Transfer,
    call_next,
    finish,
    no_show,
    recall,
    start_service,
    transfer,
)
from kiosk_server import staff_session
from kiosk_server.counter_state import counter_state, ticket_json
from kiosk_server.counter_strings import both
from kiosk_server.database import request_session
from kiosk_server.settings_access import runtime

bp = Blueprint("api", __name__, url_prefix="/counter/api")

ACTIONS: Final[dict[str, Callable[[Session, int, datetime], Ticket | None]]] = {
    "call": call_next,
    "recall": recall,
    "start": start_service,
    "finish": finish,
    "no-show": no_show,
}


class CounterApiError(HTTPException):
    """An error answer: HTTP status, a code for the script, and the message in both languages."""

    def __init__(self, status: int, code: str, key: str, fields: dict[str, str] | None = None) -> None:
        self.message, self.message_en = both(key)
        super().__init__(description=self.message)
        self.code = status
        self.error = code
        self.fields = fields or {}

    def get_response(self, environ: Any = None, scope: Any = None) -> Response:  # noqa: ARG002 - werkzeug's signature
        body: dict[str, Any] = {"error": self.error, "message": self.message, "message_en": self.message_en}
        if self.fields:
            body["fields"] = self.fields
        response = jsonify(body)
        response.status_code = self.code or 500
        return response


def fail(status: int, code: str, key: str, **fields: str) -> NoReturn:
    raise CounterApiError(status, code, key, fields)


@bp.before_request
def _staff_only() -> None:
    g.now = runtime(current_app).clock()
    g.staff = staff_session.signed_in(request_session(), g.now)
    if g.staff is None:
        fail(401, "signed_out", "api.signed_out")
    if request.method == "POST" and not staff_session.csrf_valid(request.headers.get(staff_session.CSRF_HEADER)):
        fail(403, "csrf", "api.csrf")


@bp.after_request
def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(CounterApiError)
def _api_error(err: CounterApiError) -> Response:
    return err.get_response()


@bp.errorhandler(staff_session.CounterRefused)
def _refused(err: staff_session.CounterRefused) -> Response:
    return CounterApiError(err.status, "not_found" if err.status == 404 else "other_hall", err.key).get_response()


def _answer(db: Session, counter: Counter, done: str, ticket: Ticket | None) -> Response:
    """What an action did (``ticket`` is the one it acted on; after a transfer, the one now waiting) and the new state."""
    return jsonify(done=done, ticket=ticket_json(ticket), state=counter_state(db, counter, g.now))


@bp.get("/<int:counter_id>/state")
def state(counter_id: int) -> Any:
    db = request_session()
    return jsonify(counter_state(db, staff_session.staff_counter(db, g.staff, counter_id), g.now))


@bp.post("/<int:counter_id>/<any(call, recall, start, finish, 'no-show'):action>")
def act(counter_id: int, action: str) -> Any:
    db = request_session()
    counter = staff_session.staff_counter(db, g.staff, counter_id)
    try:
        ticket = ACTIONS[action](db, counter.id, g.now)
    except NoCurrentTicket as err:
        db.rollback()
        raise CounterApiError(409, "no_current_ticket", f"api.nothing_to.{action}") from err
    except QueueError as err:
        db.rollback()
        raise CounterApiError(409, "queue", "api.queue_error", {"detail": str(err)}) from err
    db.commit()
    return _answer(db, counter, action, ticket)


def _transfer_target() -> Transfer:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        fail(400, "invalid", "api.body")
    ids: dict[str, int | None] = {}
    for field in ("service_type_id", "counter_id"):
        value = body.get(field)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            fail(400, "invalid", "api.transfer.bad_id", **{field: f"a positive integer, got {value!r}"})
        ids[field] = value
    if ids["service_type_id"] is None and ids["counter_id"] is None:
        fail(400, "invalid", "api.transfer.target_required", to="name service_type_id or counter_id")
    return Transfer(service_type_id=ids["service_type_id"], counter_id=ids["counter_id"])


@bp.post("/<int:counter_id>/transfer")
def transfer_ticket(counter_id: int) -> Any:
    db = request_session()
    counter = staff_session.staff_counter(db, g.staff, counter_id)
    target = _transfer_target()
    try:
        ticket = transfer(db, counter.id, target, g.now)
    except NoCurrentTicket as err:
        db.rollback()
        raise CounterApiError(409, "no_current_ticket", "api.nothing_to.transfer") from err
    except NotFound as err:
        db.rollback()
        raise CounterApiError(400, "invalid", "api.transfer.unknown", {"to": str(err)}) from err
    except ValidationError as err:
        db.rollback()
        raise CounterApiError(400, "invalid", "api.transfer.invalid", err.errors) from err
    db.commit()
    return _answer(db, counter, "transfer", ticket)
