"""Service guides at the kiosk (/kiosk/api/guides): search by pinyin initials and category, one guide in full.

The rules of the kiosk API hold (docs/kiosk.md §2): ``X-Screen-Key`` names a kiosk, answers are
``no-store``, errors are ``{"error", "message"}`` with a zh-CN message for the screen. Guides carry
no personal data; the online link comes with its QR code as rows of modules (``qr``), drawn by the page.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from content.library.guides.catalogue import search_guides, visible_guide, visible_guides
from content.library.guides.qr import qr_rows
from content.library.guides.service_guides import ServiceGuide
from content.library.kiosk_catalogue import CatalogueError
from kiosk_server.database import request_session
from kiosk_server.kiosk_api import KioskApiError, clock_now, fail, requesting_kiosk
from kiosk_server.kiosk_api import _paging as paging

bp = Blueprint("kiosk_guides", __name__, url_prefix="/kiosk/api/guides")


@bp.after_request
def _no_store(response: Any) -> Any:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(KioskApiError)
def _api_error(err: KioskApiError) -> Any:
    return err.get_response()


def _row(guide: ServiceGuide) -> dict[str, Any]:
    return {
        "id": guide.id,
        "title": guide.title,
        "category": guide.category,
        "time_limit": guide.time_limit,
        "location": guide.location,
        "counter": guide.counter,
    }


def _full(guide: ServiceGuide) -> dict[str, Any]:
    return {
        **_row(guide),
        "conditions": guide.conditions,
        "materials": list(guide.materials or ()),
        "steps": list(guide.steps or ()),
        "fee": guide.fee,
        "hours": guide.hours,
        "legal_basis": guide.legal_basis,
        "online_url": guide.online_url,
        "qr": list(qr_rows(guide.online_url)),
        "phone": guide.phone,
    }


@bp.get("")
def guides() -> Any:
    screen = requesting_kiosk()
    page, per_page = paging(8)
    everything = visible_guides(request_session(), screen.hall.org_unit, clock_now())
    try:
        found = search_guides(
            everything,
            category=request.args.get("category", "")[:40],
            initials=request.args.get("initials", ""),
            q=request.args.get("q", ""),
            page=page,
            per_page=per_page,
        )
    except CatalogueError as err:
        fail(400, "bad_request", f"参数 {err}")
    return jsonify(
        total=found.total,
        page=page,
        per_page=per_page,
        categories=[{"value": c, "count": n} for c, n in found.categories],
        items=[_row(g) for g in found.items],
    )


@bp.get("/<int:ident>")
def guide(ident: int) -> Any:
    screen = requesting_kiosk()
    found = visible_guide(request_session(), screen.hall.org_unit, clock_now(), ident)
    if found is None:
        fail(404, "not_found", "该办事指南已下线或不存在。")
    return jsonify(_full(found))
