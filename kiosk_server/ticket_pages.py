"""The public status page of a ticket (/q/<code>), the target of the slip's QR code: no personal data.

The code (``Ticket.public_code``, 96 random bits) is the only key, so neither a screen key nor a
session is needed. A transferred ticket is followed to the ticket that carries its number now
(``latest_of``), and the page says it moved. The page refreshes itself every REFRESH_SECONDS while
the ticket is still open; ``/q/<code>.json`` gives the same facts to a script or a future app.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from flask import Blueprint, Response, current_app, jsonify, render_template
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.org.timezones import zone
from content.queue.board import ticket_status
from content.queue.models import Ticket, TicketState
from content.queue.ticketing import latest_of
from kiosk_server.database import request_session
from kiosk_server.settings_access import runtime

bp = Blueprint("tickets", __name__)

REFRESH_SECONDS: Final = 15
EXPIRED: Final = "expired"  # a waiting or called ticket of an earlier day: the number is void
_OPEN: Final = (TicketState.WAITING.value, TicketState.CALLED.value, TicketState.SERVING.value)
# The state in words, Chinese and English; {counter} and {counter_en} name the counter.
STATE_WORDS: Final = {
    TicketState.WAITING.value: ("等待中", "Waiting"),
    TicketState.CALLED.value: ("请到{counter}办理", "Please go to {counter_en} now"),
    TicketState.SERVING.value: ("办理中（{counter}）", "Being served at {counter_en}"),
    TicketState.DONE.value: ("已完成", "Done"),
    TicketState.NO_SHOW.value: ("已过号", "Missed"),
    TicketState.TRANSFERRED.value: ("已转移", "Transferred"),
    EXPIRED: ("已失效（非当日号码）", "Expired (not today's number)"),
}
NOT_FOUND_MESSAGE: Final = "未找到该号码，请核对二维码或到服务台咨询。"


@bp.after_request
def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    # The code in the address is the only key to the ticket: never hand it to another site.
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def ticket_by_code(session: Session, code: str) -> Ticket | None:
    """The ticket issued under ``code`` (as printed; transfers are followed by the caller)."""
    if not code or len(code) > 64:
        return None
    return session.scalar(select(Ticket).where(Ticket.public_code == code))


def state_words(state: str, counter: dict[str, Any] | None) -> dict[str, str]:
    zh, en = STATE_WORDS.get(state, (state, state))
    name = counter["name"] if counter else ""
    name_en = f"counter {counter['number']}" if counter else ""
    return {"zh": zh.format(counter=name), "en": en.format(counter_en=name_en)}


def public_status(session: Session, ticket: Ticket, now: datetime) -> dict[str, Any]:
    """What anyone holding the code may see: the number, its line and state, the queue ahead; no person."""
    latest = latest_of(session, ticket)
    status = ticket_status(session, latest, now)
    today = now.astimezone(zone(status["hall"]["timezone"])).date().isoformat()
    state = status["state"]
    if state in (TicketState.WAITING.value, TicketState.CALLED.value) and status["day"] < today:
        state = EXPIRED
    return {
        "number": status["number"],
        "state": state,
        "state_text": state_words(state, status["counter"]),
        "open": state in _OPEN,
        "priority": status["priority"],
        "hall": {"name": status["hall"]["name"], "timezone": status["hall"]["timezone"]},
        "service": {k: status["service"][k] for k in ("prefix", "name", "name_en")},
        "counter": status["counter"],
        "ahead": status["ahead"] if state in _OPEN else 0,
        "wait_seconds": status["wait_seconds"] if state in _OPEN else 0,
        "wait_minutes": status["wait_minutes"] if state in _OPEN else 0,
        "wait_minutes_low": status.get("wait_minutes_low", status["wait_minutes"]) if state in _OPEN else 0,
        "wait_minutes_high": status.get("wait_minutes_high", status["wait_minutes"]) if state in _OPEN else 0,
        "transferred": latest.id != ticket.id,
        "day": status["day"],
        "issued_at": status["arrived_at"],
        "updated_at": now.isoformat(),
        "refresh_seconds": REFRESH_SECONDS,
    }


def _clock(iso: str, timezone: str, fmt: str) -> str:
    return datetime.fromisoformat(iso).astimezone(zone(timezone)).strftime(fmt)


@bp.get("/q/<code>.json")
def status_json(code: str) -> Any:
    session = request_session()
    ticket = ticket_by_code(session, code)
    if ticket is None:
        return jsonify(error="not_found", message=NOT_FOUND_MESSAGE), 404
    return jsonify(public_status(session, ticket, runtime(current_app).clock()))


@bp.get("/q/<code>")
def status_page(code: str) -> Any:
    session = request_session()
    ticket = ticket_by_code(session, code)
    if ticket is None:
        return render_template("ticket.html", s=None, message=NOT_FOUND_MESSAGE), 404
    s = public_status(session, ticket, runtime(current_app).clock())
    tz = s["hall"]["timezone"]
    return render_template(
        "ticket.html",
        s=s,
        code=code,
        refresh=REFRESH_SECONDS,
        updated=_clock(s["updated_at"], tz, "%H:%M:%S"),
        issued=_clock(s["issued_at"], tz, "%Y-%m-%d %H:%M"),
    )
