"""Taking a queue ticket at the kiosk (/kiosk/api/queue/...): lines, tickets, the ESC/POS slip.

The rules of the kiosk API hold (docs/kiosk.md §2): ``X-Screen-Key`` names a kiosk, answers are
``no-store``, errors are ``{"error", "message"}`` with a zh-CN message for the screen. Decisions:

- 绿色通道 (the priority lane) is offered to everybody, as a hall's desk does: the page says whom it
  is for (the elderly, people with disabilities, pregnant women…) and the counter checks. The age on
  a card does not decide it: many who qualify are younger, and a card is not needed to queue.
- ``link_card`` needs an open citizen session of this kiosk (``X-Citizen-Session``, checked as every
  personal call is, and counted as activity). The ticket keeps only a keyed hash of the session's
  person (HMAC under a key derived for "queue-tickets"), never the backend's reference itself.
- A kiosk issues at most one ticket every TICKET_INTERVAL_SECONDS: a double tap, or a child at play,
  gets 429 ``too_many_tickets`` with ``Retry-After``. The count is kept per server process; with
  several processes behind a proxy a burst may get one ticket per process, still a bound.
- ``printer`` in the answers is the kiosk's slip printer as its agent last reported it (null: none),
  so the page says 小票打印机缺纸 before the citizen takes a number. When it can print, taking a
  ticket asks the agent to print its slip (``print`` in the answer, followed through
  ``/kiosk/api/print/<id>``: ``kiosk_server/kiosk_print_api.py``); ``GET .../slip`` still gives the
  ESC/POS job to anything else that drives a printer.
"""

from __future__ import annotations

import math
import threading
from datetime import datetime, timedelta
from typing import Any, Final

from flask import Blueprint, Response, current_app, jsonify, request, url_for

from content.citizens.keyed_hash import derive_key, keyed_hash
from content.citizens.kiosk_printers import PrinterRole, printer_for
from content.org.screens import Screen
from content.queue.board import service_lines, ticket_status
from content.queue.models import ServiceType, Ticket, TicketSource
from content.queue.ticketing import QueueError, take_ticket
from kiosk_server.database import request_session
from kiosk_server.kiosk_api import KioskApiError, clock_now, fail, requesting_citizen, requesting_kiosk
from kiosk_server.print_documents import slip_content
from kiosk_server.printing import NotPrintable, print_slip, print_view, printer_view
from kiosk_server.settings_access import runtime, settings
from kiosk_server.ticket_pages import ticket_by_code
from kiosk_server.ticket_slip import Paper, slip_bytes

bp = Blueprint("kiosk_queue", __name__, url_prefix="/kiosk/api/queue")

TICKET_INTERVAL_SECONDS: Final = 3.0
PERSON_KEY_PURPOSE: Final = "queue-tickets"
_THROTTLE: Final = "kiosk_ticket_throttle"


class TicketThrottle:
    """At most one ticket per kiosk every ``seconds``, in this process; a failed issue gives its turn back."""

    def __init__(self, seconds: float) -> None:
        self.interval = timedelta(seconds=seconds)
        self._lock = threading.Lock()
        self._last: dict[int, datetime] = {}

    def claim(self, screen_id: int, now: datetime) -> tuple[float, datetime | None]:
        """(0, the previous issue time) when the kiosk may issue now, else (seconds to wait, None)."""
        with self._lock:
            last = self._last.get(screen_id)
            if last is not None and now - last < self.interval:
                return (self.interval - (now - last)).total_seconds(), None
            self._last[screen_id] = now
            return 0.0, last

    def give_back(self, screen_id: int, now: datetime, previous: datetime | None) -> None:
        with self._lock:
            if self._last.get(screen_id) == now:
                if previous is None:
                    del self._last[screen_id]
                else:
                    self._last[screen_id] = previous


@bp.after_request
def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _throttle() -> TicketThrottle:
    throttle: TicketThrottle = current_app.extensions.setdefault(_THROTTLE, TicketThrottle(TICKET_INTERVAL_SECONDS))
    return throttle


def slip_printer(screen: Screen) -> dict[str, Any] | None:
    return printer_view(printer_for(request_session(), screen.id, PrinterRole.SLIP))


def _line(screen: Screen, ident: int) -> ServiceType:
    """A service type of the kiosk's own hall, or 404: another hall's lines do not exist here."""
    service = request_session().get(ServiceType, ident)
    if service is None or service.hall_id != screen.hall_id:
        fail(404, "not_found", "本厅没有该业务，请重新选择。")
    return service


def _hall_ticket(screen: Screen, code: str) -> Ticket:
    ticket = ticket_by_code(request_session(), code)
    if ticket is None or ticket.hall_id != screen.hall_id:
        fail(404, "not_found", "未找到该号码。")
    return ticket


def _flag(body: dict[str, Any], name: str) -> bool:
    value = body.get(name, False)
    if not isinstance(value, bool):
        fail(400, "bad_request", f"参数 {name} 应为 true 或 false。")
    return value


def status_url(code: str) -> str:
    return url_for("tickets.status_page", code=code, _external=True)


def line_json(line: dict[str, Any]) -> dict[str, Any]:
    shown = {k: line[k] for k in ("id", "prefix", "name", "name_en", "waiting", "wait_minutes", "wait_seconds")}
    # The estimate's range (约10–15分钟); both ends equal the estimate when it is sure.
    shown["wait_minutes_low"] = line.get("wait_minutes_low", line["wait_minutes"])
    shown["wait_minutes_high"] = line.get("wait_minutes_high", line["wait_minutes"])
    return shown


@bp.get("/lines")
def lines() -> Any:
    screen = requesting_kiosk()
    found = service_lines(request_session(), screen.hall_id, clock_now())
    return jsonify(hall={"name": screen.hall.name}, printer=slip_printer(screen), lines=[line_json(x) for x in found])


@bp.post("/tickets")
def take() -> Any:
    from kiosk_server.certificate_pdf import qr_svg

    screen = requesting_kiosk()
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        fail(400, "bad_request", "请求内容应为 JSON 对象。")
    ident = body.get("service_type_id")
    if not isinstance(ident, int) or isinstance(ident, bool):
        fail(400, "bad_request", "参数 service_type_id 应为整数。")
    priority, link_card = _flag(body, "priority"), _flag(body, "link_card")
    line = _line(screen, ident)
    person_ref = None
    if link_card:
        citizen, _token = requesting_citizen(screen)
        person_ref = keyed_hash(citizen.person_ref, derive_key(settings(current_app).secret_key, PERSON_KEY_PURPOSE))
    now = clock_now()
    throttle = _throttle()
    wait, previous = throttle.claim(screen.id, now)
    if wait > 0:
        response = KioskApiError(429, "too_many_tickets", "取号过于频繁，请稍等几秒再取。").get_response()
        response.headers["Retry-After"] = str(math.ceil(wait))
        return response
    session = request_session()
    issued = False
    try:
        ticket = take_ticket(session, line.id, now, priority=priority, person_ref=person_ref, source=TicketSource.KIOSK)
        session.commit()
        issued = True
    except QueueError:
        fail(409, "line_closed", f"{line.name}暂停取号，请到服务台咨询。")
    finally:
        if not issued:  # nothing was issued: nothing is kept, and the kiosk keeps its turn
            session.rollback()
            throttle.give_back(screen.id, now, previous)
    status = ticket_status(session, ticket, now)
    url = status_url(ticket.public_code)
    slip: dict[str, Any] | None = None
    care = runtime(current_app).care
    try:  # the slip prints by itself: one take, one slip (kiosk_server/printing.py)
        slip = print_view(print_slip(session, care, screen, ticket, url)) if care is not None else None
    except NotPrintable:
        pass  # the page says why from ``printer`` and shows the number large with its QR code
    return jsonify(
        {
            **status,
            "status_url": url,
            "qr_svg": qr_svg(url),
            "printer": slip_printer(screen),
            "print": slip,
            "linked": person_ref is not None,
            "slip_url": url_for("kiosk_queue.slip", code=ticket.public_code),
        }
    ), 201


@bp.get("/tickets/<code>/slip")
def slip(code: str) -> Any:
    """The ESC/POS job of the ticket's slip; ``?paper=58`` for 58 mm printers (80 mm by default)."""
    screen = requesting_kiosk()
    raw = request.args.get("paper", "80")
    if raw not in ("58", "80"):
        fail(400, "bad_request", "参数 paper 应为 58 或 80。")
    session = request_session()
    content = slip_content(session, _hall_ticket(screen, code), clock_now(), status_url(code))
    response = Response(slip_bytes(content, Paper(int(raw))), mimetype="application/octet-stream")
    response.headers["Content-Disposition"] = f'attachment; filename="ticket-{content.number}.bin"'
    return response
