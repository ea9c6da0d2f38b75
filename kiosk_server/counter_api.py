"""The counter page's JSON calls (/counter/api/<counter_id>/…): its state; call, recall, start, finish, no-show, transfer; pause, resume.

Every call needs a signed-in staff member (else 401) of the counter's hall (else 403); every POST
also needs the session's CSRF token in ``X-CSRF-Token`` (else 403). An action answers the new state,
so the page shows its effect without asking again. Errors are ``{"error", "message", "message_en"}``:
409 when the counter has nothing the action applies to (or is paused, for a call), 400 for a
malformed transfer or pause. Pausing and resuming are audited with the staff member's user name.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Final, NoReturn

from flask import Blueprint, Response, current_app, g, jsonify, request
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException

from content.accounts import audit
from content.errors import NotFound, ValidationError
from content.org.tree import Hall
from content.queue.counter_pause import (
    MAX_REASON_LENGTH,
    CounterPaused,
    OpenTicketAtPause,
    call_next_unless_paused,
    pause,
    resume,
)
from content.queue.evaluations import note_on_duty
from content.queue.models import Counter, Ticket
from content.queue.ticketing import (
    NoCurrentTicket,
    QueueError,
    Transfer,
    finish,
    no_show,
    recall,
    start_service,
)
from content.queue.transfer_targets import SAME_LINE, transfer_elsewhere
from kiosk_server import staff_session
from kiosk_server.counter_state import counter_state, ticket_json
from kiosk_server.counter_strings import both
from kiosk_server.database import request_session
from kiosk_server.settings_access import runtime

bp = Blueprint("api", __name__, url_prefix="/counter/api")

ACTIONS: Final[dict[str, Callable[[Session, int, datetime], Ticket | None]]] = {
    "call": call_next_unless_paused,
    "recall": recall,
    "start": start_service,
    "finish": finish,
    "no-show": no_show,
}


class CounterApiError(HTTPException):
    """An error answer: HTTP status, a code for the script, and the message in both languages."""

    def __init__(
        self, status: int, code: str, key: str, fields: dict[str, str] | None = None, **params: object
    ) -> None:
        self.message, self.message_en = both(key, **params)
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
    note_on_duty(db, counter.id, g.staff.id, g.staff.display_name, g.now)  # 好差评: who the evaluator names
    try:
        ticket = ACTIONS[action](db, counter.id, g.now)
    except CounterPaused as err:
        db.rollback()
        raise CounterApiError(409, "paused", "api.paused") from err
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
        ticket = transfer_elsewhere(db, counter.id, target, g.now)
    except NoCurrentTicket as err:
        db.rollback()
        raise CounterApiError(409, "no_current_ticket", "api.nothing_to.transfer") from err
    except NotFound as err:
        db.rollback()
        raise CounterApiError(400, "invalid", "api.transfer.unknown", {"to": str(err)}) from err
    except ValidationError as err:
        db.rollback()
        same_line = err.errors.get("service_type_id") == SAME_LINE
        key = "api.transfer.same_line" if same_line else "api.transfer.invalid"
        raise CounterApiError(400, "invalid", key, err.errors) from err
    db.commit()
    return _answer(db, counter, "transfer", ticket)


def _pause_reason() -> tuple[str, str]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        fail(400, "invalid", "api.body")
    reason, other = body.get("reason"), body.get("other", "")
    if not isinstance(reason, str) or not isinstance(other, str):
        fail(400, "invalid", "api.pause.reason_required", reason="a reason code and an optional text")
    return reason, other


@bp.post("/<int:counter_id>/pause")
def pause_counter(counter_id: int) -> Any:
    """暂停服务 with a reason ({"reason": "break" | "training" | "system" | "other", "other": text})."""
    db = request_session()
    counter = staff_session.staff_counter(db, g.staff, counter_id)
    reason, other = _pause_reason()
    try:
        change = pause(db, counter.id, reason, g.now, other)
    except OpenTicketAtPause as err:
        db.rollback()
        raise CounterApiError(409, "open_ticket", "api.pause.open_ticket", number=err.number) from err
    except ValidationError as err:
        db.rollback()
        key = (
            "api.pause.too_long" if "other" in err.errors and "at most" in err.errors["other"] else "api.pause.invalid"
        )
        raise CounterApiError(400, "invalid", key, err.errors, max=MAX_REASON_LENGTH) from err
    _audit(db, counter, "counter.paused", change.before, change.after)
    db.commit()
    return _answer(db, counter, "pause", None)


@bp.post("/<int:counter_id>/resume")
def resume_counter(counter_id: int) -> Any:
    db = request_session()
    counter = staff_session.staff_counter(db, g.staff, counter_id)
    change = resume(db, counter.id, g.now)
    if change.before is not None:
        _audit(db, counter, "counter.resumed", change.before, None)
    db.commit()
    return _answer(db, counter, "resume", None)


def _audit(db: Session, counter: Counter, action: str, before: str | None, after: str | None) -> None:
    """An audit line in the counter's hall (so its managers see it), with the reason before and after."""
    hall = db.get(Hall, counter.hall_id)
    audit.record(
        db,
        actor=g.staff.username,
        action=action,
        obj_kind="counter",
        obj_id=counter.id,
        summary={"counter": counter.name, "reason": {"before": before, "after": after}},
        org_path=hall.org_unit.path if hall is not None else None,
    )
