"""Job fairs at the kiosk (/kiosk/api/fairs): the 招聘会 list, one fair with its booths and their jobs; and
the booth map images (/media/fair-maps/<sha256>) walls and kiosks load.

The rules of the kiosk API hold (docs/kiosk.md §2): ``X-Screen-Key`` names a kiosk, answers are
``no-store``, errors are ``{"error", "message"}`` with a zh-CN message for the screen. Fairs carry no
personal data. A booth lists only the jobs the kiosk's job screens would show (live and visible to
the hall), so tapping one always opens its detail; a booth whose employer has been deleted keeps its
stored name.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, jsonify, send_from_directory
from sqlalchemy import select

from content.library.fairs.data import fair_data, visible_fair, visible_fairs
from content.library.fairs.job_fairs import JobFair
from content.library.kiosk_catalogue import visible_units
from kiosk_server.database import request_session
from kiosk_server.kiosk_api import KioskApiError, clock_now, fail, requesting_kiosk
from kiosk_server.kiosk_api import _paging as paging
from kiosk_server.kiosk_payloads import vacancy_json
from kiosk_server.settings_access import settings

bp = Blueprint("kiosk_fairs", __name__, url_prefix="/kiosk/api/fairs")
maps_bp = Blueprint("fair_maps", __name__)


@bp.after_request
def _no_store(response: Any) -> Any:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(KioskApiError)
def _api_error(err: KioskApiError) -> Any:
    return err.get_response()


@bp.get("")
def fairs() -> Any:
    screen = requesting_kiosk()
    page, per_page = paging(6)
    found = visible_fairs(request_session(), screen.hall.org_unit, clock_now())
    start = (page - 1) * per_page
    return jsonify(
        total=len(found),
        page=page,
        per_page=per_page,
        items=[fair_data(f) for f in found[start : start + per_page]],
    )


@bp.get("/<int:ident>")
def fair(ident: int) -> Any:
    screen = requesting_kiosk()
    now = clock_now()
    found = visible_fair(request_session(), screen.hall.org_unit, now, ident)
    if found is None or found.ends_at <= now:
        fail(404, "not_found", "该招聘会已结束或不存在。")
    visible = set(visible_units(request_session(), screen.hall.org_unit))  # as the job screens see them
    data = fair_data(found)
    jobs_by_booth: dict[str, list[dict[str, Any]]] = {}
    for booth in found.booths:
        jobs = [
            vacancy_json(p.vacancy)
            for p in booth.positions
            if p.vacancy.is_live(now) and p.vacancy.org_unit_id in visible
        ]
        jobs_by_booth[booth.booth] = jobs
    for booth_data in data["booths"]:
        booth_data["jobs"] = jobs_by_booth.get(booth_data["booth"], [])
    return jsonify(data)


@maps_bp.get("/media/fair-maps/<sha256>")
def booth_map(sha256: str) -> Any:
    row = request_session().scalar(select(JobFair).where(JobFair.booth_map_sha256 == sha256).limit(1))
    if row is None or not row.booth_map_mime:
        abort(404, description="unknown booth map")
    media_dir = settings(current_app).data_dir / "media"
    response = send_from_directory(media_dir, sha256, mimetype=row.booth_map_mime, max_age=86400 * 365)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
