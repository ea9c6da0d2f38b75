"""Training courses at the kiosk (/kiosk/api/training): the 培训查询 list with filters, one course with its QR.

The rules of the kiosk API hold (docs/kiosk.md §2): ``X-Screen-Key`` names a kiosk, answers are
``no-store``, errors are ``{"error", "message"}`` with a zh-CN message for the screen. Courses carry
no personal data. A course's enrolment URL comes with its QR code as SVG (segno), as the queue and
job screens draw theirs; without a URL the page shows the enrolment phone.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from content.library.kiosk_catalogue import OCCUPATION_GROUPS, CatalogueError
from content.library.training.catalogue import CourseFilter, search_courses
from content.library.training.courses import (
    SUBSIDY_GROUP_EN,
    SubsidyGroup,
    course_data,
    visible_course,
    visible_courses,
)
from content.org.timezones import zone
from kiosk_server.database import request_session
from kiosk_server.kiosk_api import KioskApiError, clock_now, fail, requesting_kiosk
from kiosk_server.kiosk_api import _paging as paging

bp = Blueprint("kiosk_training", __name__, url_prefix="/kiosk/api/training")


@bp.after_request
def _no_store(response: Any) -> Any:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(KioskApiError)
def _api_error(err: KioskApiError) -> Any:
    return err.get_response()


def _flag(name: str) -> bool:
    value = request.args.get(name, "")
    if value not in ("", "0", "1"):
        fail(400, "bad_request", f"参数 {name} 应为 0 或 1。")
    return value == "1"


@bp.get("")
def courses() -> Any:
    screen = requesting_kiosk()
    page, per_page = paging(6)
    now = clock_now()
    today = now.astimezone(zone(screen.hall.timezone)).date()
    wanted = CourseFilter(
        district=request.args.get("district", ""),
        family=request.args.get("family", ""),
        group=request.args.get("group", ""),
        soon=_flag("soon"),
        open_only=_flag("open"),
    )
    try:
        found = search_courses(
            visible_courses(request_session(), screen.hall.org_unit, now), wanted, today, page, per_page
        )
    except CatalogueError as err:
        fail(400, "bad_request", f"参数 {err}")
    en = {g.value: SUBSIDY_GROUP_EN[g] for g in SubsidyGroup}
    return jsonify(
        total=found.total,
        page=page,
        per_page=per_page,
        districts=[{"value": d, "count": n} for d, n in found.districts],
        families=[{"value": f, "label": OCCUPATION_GROUPS[f], "count": n} for f, n in found.families],
        groups=[{"value": g, "label_en": en.get(g, g), "count": n} for g, n in found.groups],
        items=[course_data(c) for c in found.items],
    )


@bp.get("/<int:ident>")
def course(ident: int) -> Any:
    from kiosk_server.certificate_pdf import qr_svg  # segno, only for the one page that draws it

    screen = requesting_kiosk()
    found = visible_course(request_session(), screen.hall.org_unit, clock_now(), ident)
    if found is None:
        fail(404, "not_found", "该培训课程已下线或不存在。")
    data = course_data(found)
    return jsonify({**data, "qr_svg": qr_svg(found.enrol_url) if found.enrol_url else ""})
