"""Printing at the kiosk (/kiosk/api/print/...): the printers' states, a print's progress, reprints, 打印证明.

The rules of the kiosk API hold (docs/kiosk.md §2): ``X-Screen-Key`` names a kiosk, answers are
``no-store``, errors are ``{"error", "message"}`` with a zh-CN message for the screen. The slip of a
ticket is asked for by the server when the ticket is taken (``kiosk_server/kiosk_queue_api.py``);
here the page follows it (``GET /<id>``, polled with its own deadline), asks for the one reprint,
prints the certificate of its citizen session, or a list of matched vacancies (``POST /matches``). A print answers ``{"print": {"id", "state", "error",
"document"}}``; ``state`` ends ``done``, ``failed`` (``error``: ``paper_out``, ``offline``,
``agent_offline``, ``timeout``…) or ``expired``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from content.citizens.certificates import find_certificate
from content.citizens.kiosk_printers import PrinterRole, printer_for
from content.library.items import Vacancy
from content.library.kiosk_catalogue import visible_item
from kiosk_server.api._crud import MAX_ID
from kiosk_server.database import request_session
from kiosk_server.kiosk_api import clock_now, fail, requesting_citizen, requesting_kiosk
from kiosk_server.match_slip import MAX_ITEMS
from kiosk_server.printing import (
    NotPrintable,
    kiosk_print,
    print_certificate,
    print_match_list,
    print_slip,
    print_view,
    printer_view,
)
from kiosk_server.remote_care import RemoteCare
from kiosk_server.settings_access import runtime
from kiosk_server.ticket_pages import ticket_by_code

bp = Blueprint("kiosk_print", __name__, url_prefix="/kiosk/api/print")

# What the screen says when a print cannot even be asked for (zh-CN; the page has its own words too).
_REFUSALS = {
    "no_printer": "本机未连接打印机。",
    "reprinted": "每个号码只能补打一张小票。",
    "paper_out": "打印机缺纸，请联系工作人员。",
    "cover_open": "打印机纸仓盖打开，请联系工作人员。",
    "paused": "打印机已暂停，请联系工作人员。",
    "offline": "打印机离线，请联系工作人员。",
    "error": "打印机故障，请联系工作人员。",
    "unknown": "打印机状态未知，请联系工作人员。",
}


@bp.after_request
def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _care() -> RemoteCare:
    care = runtime(current_app).care
    if care is None:  # pragma: no cover - every app's runtime builds one
        fail(503, "unavailable", "打印服务暂不可用。")
    return care


def _refused(err: NotPrintable) -> Any:
    fail(409, err.code, _REFUSALS.get(err.code, "暂时无法打印，请联系工作人员。"))


def _code(body: Any) -> str:
    if not isinstance(body, dict) or not isinstance(body.get("code"), str) or not body["code"]:
        fail(400, "bad_request", "参数 code 应为非空文本。")
    return str(body["code"])


@bp.get("/printers")
def printers() -> Any:
    """The kiosk's printers by role (null: none), so the page can say what prints before anyone asks."""
    screen = requesting_kiosk()
    session = request_session()
    a4 = printer_view(printer_for(session, screen.id, PrinterRole.A4))
    return jsonify(slip=printer_view(printer_for(session, screen.id, PrinterRole.SLIP)), a4=a4)


@bp.get("/<int:command_id>")
def progress(command_id: int) -> Any:
    """A print of this kiosk: where it stands."""
    screen = requesting_kiosk()
    row = kiosk_print(request_session(), screen.id, command_id)
    if row is None:
        fail(404, "not_found", "未找到该打印任务。")
    return jsonify(print=print_view(row))


@bp.post("/slip")
def reprint() -> Any:
    """再打一张: one more slip of a ticket of this hall, once per ticket."""
    from kiosk_server.kiosk_queue_api import status_url

    screen = requesting_kiosk()
    code = _code(request.get_json(silent=True))
    session = request_session()
    ticket = ticket_by_code(session, code)
    if ticket is None or ticket.hall_id != screen.hall_id:
        fail(404, "not_found", "未找到该号码。")
    try:
        row = print_slip(session, _care(), screen, ticket, status_url(ticket.public_code), reprint=True)
    except NotPrintable as err:
        _refused(err)
    return jsonify(print=print_view(row)), 201


@bp.post("/certificate")
def certificate() -> Any:
    """打印证明: the certificate of this kiosk's citizen session, on its A4 printer."""
    screen = requesting_kiosk()
    citizen, _token = requesting_citizen(screen)
    code = _code(request.get_json(silent=True))
    session = request_session()
    cert = find_certificate(session, code)
    if cert is None or cert.citizen_session_id != citizen.id:
        fail(404, "not_found", "未找到该证明。")
    try:
        row = print_certificate(session, _care(), screen, cert.id)
    except NotPrintable as err:
        _refused(err)
    return jsonify(print=print_view(row)), 201


def _vacancy_ids(body: Any) -> list[int]:
    ids = body.get("vacancy_ids") if isinstance(body, dict) else None
    if (
        not isinstance(ids, list)
        or not 1 <= len(ids) <= MAX_ITEMS
        or not all(isinstance(i, int) and not isinstance(i, bool) and 1 <= i <= MAX_ID for i in ids)
    ):
        fail(400, "bad_request", f"参数 vacancy_ids 应为 1 到 {MAX_ITEMS} 个岗位编号。")
    return list(dict.fromkeys(ids))  # the same vacancy twice prints once


@bp.post("/matches")
def match_list() -> Any:
    """打印岗位清单: the vacancies asked for, each visible from this kiosk's hall, on its slip printer."""
    screen = requesting_kiosk()
    ids = _vacancy_ids(request.get_json(silent=True))
    session = request_session()
    now = clock_now()
    for ident in ids:
        if visible_item(Vacancy, session, screen.hall.org_unit, now, ident) is None:
            fail(404, "not_found", "该岗位已下线或不存在。")
    try:
        row = print_match_list(session, _care(), screen, ids)
    except NotPrintable as err:
        _refused(err)
    return jsonify(print=print_view(row)), 201
