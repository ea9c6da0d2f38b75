"""A vacancy taken to the phone (发到手机): the kiosk's QR code of it and the public page the code opens.

- ``GET /kiosk/api/vacancies/<id>/qr`` (screen key only, like the vacancy itself: docs/kiosk.md §2) answers
  ``{"url", "svg"}``: the absolute address of the phone page and an inline SVG QR code of it, for a
  vacancy live and visible from the kiosk's hall; 404 ``not_found`` otherwise.
- ``GET /m/jobs/<id>`` is that page: a small zh-CN mobile page of the vacancy's public facts (what any
  kiosk shows to anybody), for a live published vacancy only; anything else is a 404 page. It names
  no person and knows none: the code holds only the vacancy's number. Cached 60 s (``max-age``), so a
  withdrawn vacancy leaves phones within a minute.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final

from flask import Blueprint, Response, current_app, jsonify, render_template, url_for
from sqlalchemy.orm import Session

from content.library.items import Vacancy
from content.library.kiosk_catalogue import OCCUPATION_GROUPS, occupation_group, visible_item
from content.org.timezones import zone
from kiosk_server.database import request_session
from kiosk_server.kiosk_api import clock_now, fail, requesting_kiosk
from kiosk_server.settings_access import runtime

bp = Blueprint("job_phone", __name__)

PHONE_CACHE_SECONDS: Final = 60
PHONE_TIME_ZONE: Final = "Asia/Shanghai"  # the page belongs to no hall; the province's zone dates its validity
NOT_FOUND_MESSAGE: Final = "该岗位已下线或不存在，请到服务大厅或自助终端查看其他岗位。"


def live_vacancy(session: Session, ident: int, now: datetime) -> Vacancy | None:
    """The vacancy if it is published and inside its validity window, wherever it was published; else None.

    The catalogue's visibility rule is reused from the vacancy's own org unit (a vacancy is always
    visible where it was published), so "live" has one definition (content.library.kiosk_catalogue).
    """
    found = session.get(Vacancy, ident)
    if found is None:
        return None
    return visible_item(Vacancy, session, found.org_unit, now, ident)


def phone_url(ident: int) -> str:
    return url_for("job_phone.job_page", ident=ident, _external=True)


def phone_facts(vacancy: Vacancy) -> dict[str, Any]:
    """What the phone page shows: the vacancy's public facts, nothing of anybody who looked at it."""
    group = occupation_group(vacancy.occupation_code)
    until = vacancy.valid_until
    return {
        "id": vacancy.id,
        "title": vacancy.title,
        "employer": vacancy.employer.name,
        "address": vacancy.employer.address,
        "district": vacancy.district,
        "salary": vacancy.salary_text,
        "headcount": vacancy.headcount,
        "education": vacancy.education,
        "category": OCCUPATION_GROUPS.get(group, ""),
        "occupation_code": vacancy.occupation_code,
        "requirements": vacancy.requirements,
        "contact": vacancy.contact,
        "tel": "".join(ch for ch in vacancy.contact if ch.isdigit() or ch in "+-"),
        "publisher": vacancy.org_unit.name,
        "valid_until": _local_date(until) if until else "",
    }


def _local_date(at: datetime) -> str:
    aware = at if at.tzinfo is not None else at.replace(tzinfo=UTC)  # stored naive, in UTC
    return aware.astimezone(zone(PHONE_TIME_ZONE)).date().isoformat()


@bp.get("/kiosk/api/vacancies/<int:ident>/qr")
def vacancy_qr(ident: int) -> Any:
    from kiosk_server.certificate_pdf import qr_svg

    screen = requesting_kiosk()
    if visible_item(Vacancy, request_session(), screen.hall.org_unit, clock_now(), ident) is None:
        fail(404, "not_found", "该信息已下线或不存在。")
    url = phone_url(ident)
    response = jsonify(url=url, svg=qr_svg(url))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/m/jobs/<int:ident>")
def job_page(ident: int) -> Any:
    vacancy = live_vacancy(request_session(), ident, runtime(current_app).clock())
    if vacancy is None:
        response = Response(render_template("job_phone.html", job=None, message=NOT_FOUND_MESSAGE), status=404)
        response.headers["Cache-Control"] = "no-store"
        return response
    response = Response(render_template("job_phone.html", job=phone_facts(vacancy)))
    response.headers["Cache-Control"] = f"public, max-age={PHONE_CACHE_SECONDS}"
    return response
