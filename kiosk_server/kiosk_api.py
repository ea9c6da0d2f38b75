"""The kiosk page's HTTP API (docs/kiosk.md §2): browse vacancies and notices, and a citizen's own records.

Every call names its kiosk with ``X-Screen-Key``; personal calls add the session token in
``X-Citizen-Session``, which must belong to an open session of that same kiosk, and count as
activity. Answers are never cached (``no-store``). Errors are ``{"error", "message"}`` with a zh-CN
message the page can show as it is; none of them carries personal data.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any, Final, NoReturn

from flask import Blueprint, Response, current_app, jsonify, request, url_for
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from content.accounts import audit
from content.citizens.certificates import MAX_DOWNLOADS
from content.citizens.keyed_hash import derive_key, keyed_hash
from content.citizens.person_records import PersonRecords
from content.citizens.records import BackendUnavailable, RecordsError, UnknownPerson
from content.citizens.sessions import CitizenSession, EndReason, end_session_by_token, touch
from content.library.items import PolicyNotice, Vacancy
from content.library.kiosk_catalogue import (
    MAX_PER_PAGE,
    CatalogueError,
    VacancyFilter,
    search_vacancies,
    topic_counts,
    visible_item,
    visible_notices,
    visible_vacancies,
)
from content.matching.interests import INTEREST_KEY_PURPOSE, mark_interest
from content.org.screens import Screen, ScreenKind
from content.org.timezones import zone
from kiosk_server.api._crud import MAX_ID
from kiosk_server.api._schemas import MAX_PAGE
from kiosk_server.citizen_events import citizen_json
from kiosk_server.database import request_session
from kiosk_server.kiosk_matches import (
    Query,
    StatementError,
    asker,
    interest_person,
    matches_answer,
    offered_districts,
    read_statement,
    reasons_for,
    visible_units,
)
from kiosk_server.kiosk_payloads import notice_json, page_json, records_json, vacancy_json
from kiosk_server.match_book import match_book
from kiosk_server.settings_access import runtime, settings

log = logging.getLogger(__name__)

bp = Blueprint("kiosk_api", __name__, url_prefix="/kiosk/api")

SCREEN_HEADER: Final = "X-Screen-Key"
SESSION_HEADER: Final = "X-Citizen-Session"
DEFAULT_PER_PAGE: Final = 6
DEFAULT_MATCHES_PER_PAGE: Final = 10


class KioskApiError(HTTPException):
    """An error answer of this API: status, code and the message for the screen."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(description=message)
        self.code = status
        self.error = code

    def get_response(self, environ: Any = None, scope: Any = None) -> Response:  # noqa: ARG002 - werkzeug's signature
        response = jsonify(error=self.error, message=self.description)
        response.status_code = self.code or 500
        response.headers["Cache-Control"] = "no-store"
        return response


def fail(status: int, code: str, message: str) -> NoReturn:
    raise KioskApiError(status, code, message)


@bp.after_request
def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.errorhandler(KioskApiError)
def _api_error(err: KioskApiError) -> Response:
    return err.get_response()


def clock_now() -> datetime:
    return runtime(current_app).clock()


def requesting_kiosk() -> Screen:
    key = request.headers.get(SCREEN_HEADER, "")
    screen = request_session().scalar(select(Screen).where(Screen.key == key)) if key else None
    if screen is None:
        fail(404, "unknown_screen", "本机未登记，请联系工作人员。")
    if screen.kind != ScreenKind.KIOSK.value:
        fail(403, "not_a_kiosk", "此屏幕不是自助终端。")
    return screen


def _today(screen: Screen, now: datetime) -> date:
    return now.astimezone(zone(screen.hall.timezone)).date()


def requesting_citizen(screen: Screen) -> tuple[CitizenSession, str]:
    """The open session of this kiosk holding the request's token, touched (activity), committed."""
    token = request.headers.get(SESSION_HEADER, "")
    session = request_session()
    found = touch(session, token, clock_now()) if token else None
    if found is None or found.screen_id != screen.id:
        session.rollback()
        fail(401, "session_ended", "本次服务已结束，请重新插卡或放置身份证。")
    session.commit()
    return found, token


def _int_arg(name: str, default: int | None) -> int | None:
    raw = request.args.get(name, "")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or abs(value) > MAX_ID:  # the database's integers are 32-bit
        fail(400, "bad_request", f"参数 {name} 应为整数。")
    return value


def _paging(default_per_page: int = DEFAULT_PER_PAGE) -> tuple[int, int]:
    page = _int_arg("page", 1)
    per_page = _int_arg("per_page", default_per_page)
    assert page is not None and per_page is not None
    if not 1 <= page <= MAX_PAGE:
        fail(400, "bad_request", f"参数 page: expected 1 to {MAX_PAGE}")
    if not 1 <= per_page <= MAX_PER_PAGE:
        fail(400, "bad_request", f"参数 per_page: expected 1 to {MAX_PER_PAGE}")
    return page, per_page


def _catalogue_error(err: CatalogueError) -> NoReturn:
    fail(400, "bad_request", f"参数 {err}")


# -- public: vacancies and notices ---------------------------------------------------------------------


@bp.get("/vacancies")
def vacancies() -> Any:
    screen = requesting_kiosk()
    page, per_page = _paging()
    args = request.args
    wanted = VacancyFilter(
        district=args.get("district", ""),
        category=args.get("category", ""),
        salary_min=_int_arg("salary_min", None),
        education=args.get("education", ""),
        initials=args.get("initials", "").strip().lower(),
        q=args.get("q", "").strip(),
    )
    try:
        found = search_vacancies(
            visible_vacancies(request_session(), screen.hall.org_unit, clock_now()), wanted, page, per_page
        )
    except CatalogueError as err:
        _catalogue_error(err)
    return jsonify(page_json(found, page, per_page))


def _visible_item(model: type[Vacancy] | type[PolicyNotice], screen: Screen, ident: int) -> Any:
    item = visible_item(model, request_session(), screen.hall.org_unit, clock_now(), ident)
    if item is None:
        fail(404, "not_found", "该信息已下线或不存在。")
    return item


@bp.get("/vacancies/<int:ident>")
def vacancy(ident: int) -> Any:
    return jsonify(vacancy_json(_visible_item(Vacancy, requesting_kiosk(), ident)))


@bp.get("/notices")
def notices() -> Any:
    screen = requesting_kiosk()
    topic = request.args.get("topic", "")
    everything = visible_notices(request_session(), screen.hall.org_unit, clock_now())
    shown = [n for n in everything if not topic or n.topic == topic]
    return jsonify(
        topics=[{"value": t, "count": c} for t, c in topic_counts(everything)], items=[notice_json(n) for n in shown]
    )


@bp.get("/notices/<int:ident>")
def notice(ident: int) -> Any:
    return jsonify(notice_json(_visible_item(PolicyNotice, requesting_kiosk(), ident), body=True))


# -- personal: the citizen's session and records -------------------------------------------------------


@bp.get("/session")
def session_info() -> Any:
    screen = requesting_kiosk()
    citizen, _token = requesting_citizen(screen)
    return jsonify(
        session_id=citizen.id,
        citizen=citizen_json(citizen, _today(screen, clock_now())),
        expires_at=citizen.expires_at.isoformat(),
        idle_seconds=citizen.idle_seconds,
        source=citizen.source,
        notice=citizen.notice,
    )


@bp.post("/session/touch")
def session_touch() -> Any:
    citizen, _token = requesting_citizen(requesting_kiosk())
    return jsonify(expires_at=citizen.expires_at.isoformat(), idle_seconds=citizen.idle_seconds)


@bp.post("/session/finish")
def session_finish() -> Any:
    screen = requesting_kiosk()
    requesting_citizen(screen)
    token = request.headers.get(SESSION_HEADER, "")
    session = request_session()
    ended = end_session_by_token(session, token, EndReason.FINISHED, clock_now())
    session.commit()
    if ended is not None:
        runtime(current_app).events.ended([ended])
    return "", 204


def _records(screen: Screen, citizen: CitizenSession, lookup: str) -> PersonRecords:
    """The person's records through the configured backend; audited (kind of lookup, never the number)."""
    session = request_session()
    rt = runtime(current_app)
    outcome = "ok"
    try:
        return rt.policy.backend(session, rt.clock).records(citizen.person_ref, _today(screen, clock_now()))
    except UnknownPerson:
        outcome = "unknown_person"
        fail(404, "unknown_person", "未查询到您的参保信息，请到人工窗口咨询。")
    except BackendUnavailable as err:
        outcome = "backend_unavailable"
        log.warning("records backend unavailable for kiosk screen %s: %s", screen.id, err)
        fail(503, "backend_unavailable", "社保系统暂时无法访问，请稍后再试或到人工窗口办理。")
    except RecordsError as err:
        outcome = err.code
        fail(503, "backend_unavailable", "社保系统暂时无法访问，请稍后再试或到人工窗口办理。")
    finally:
        audit.record(
            session,
            actor=f"kiosk:screen-{screen.id}",
            action=f"citizen_lookup.{lookup}",
            obj_kind="screen",
            obj_id=screen.id,
            summary={"session_id": citizen.id, "outcome": outcome},
        )
        session.commit()


@bp.get("/session/records")
def session_records() -> Any:
    screen = requesting_kiosk()
    citizen, _token = requesting_citizen(screen)
    records = _records(screen, citizen, "records")
    return jsonify(records_json(records, citizen_json(citizen, _today(screen, clock_now()))))


def _match_query(screen: Screen, citizen: CitizenSession, lookup: str, page: int, per_page: int) -> Query:
    """The matching call's statement (checked before the records are asked), then the person's records."""
    session = request_session()
    now = clock_now()
    units = visible_units(session, screen)
    districts = offered_districts(session, units, now)
    try:
        statement = read_statement(request.args, districts)
    except StatementError as err:
        fail(400, "bad_request", f"参数 {err.parameter}: {err.problem}")
    records = _records(screen, citizen, lookup)
    return Query(screen, citizen, records, statement, units, districts, page, per_page, _today(screen, now), now)


@bp.get("/session/matches")
def session_matches() -> Any:
    """岗位匹配: the person's best vacancies with reasons (docs/kiosk.md §6)."""
    screen = requesting_kiosk()
    citizen, _token = requesting_citizen(screen)
    page, per_page = _paging(DEFAULT_MATCHES_PER_PAGE)
    query = _match_query(screen, citizen, "matches", page, per_page)
    return jsonify(matches_answer(request_session(), match_book(current_app), query))


@bp.post("/session/matches/<int:vacancy_id>/interest")
def session_match_interest(vacancy_id: int) -> Any:
    """有意向: the person marks a vacancy for the hall's counsellors; once per vacancy and day."""
    screen = requesting_kiosk()
    citizen, _token = requesting_citizen(screen)
    vacancy = _visible_item(Vacancy, screen, vacancy_id)
    q = _match_query(screen, citizen, "interest", 1, 1)
    who = asker(screen, citizen, q.records, q.statement, q.districts, q.today)
    person_hash = keyed_hash(citizen.person_ref, derive_key(settings(current_app).secret_key, INTEREST_KEY_PURPOSE))
    session = request_session()
    row, already = mark_interest(
        session,
        hall_id=screen.hall_id,
        screen_id=screen.id,
        vacancy=vacancy,
        person=interest_person(who, citizen, person_hash),
        reasons=reasons_for(who.seeker, vacancy, q.now),
        day=q.today,
        now=q.now,
    )
    session.commit()
    return jsonify(interest_id=row.id, already=already)


@bp.get("/session/certificate")
def session_certificate_preview() -> Any:
    """What the certificate will be, said before it is issued: full or masked ID number (and why), signed, sealed."""
    from content.citizens.seal_images import seal_for_hall
    from content.citizens.signing_keys import identity_for_hall
    from kiosk_server.certificate_signing import MASKED_REASONS, masked_id_why, session_identity

    screen = requesting_kiosk()
    citizen, token = requesting_citizen(screen)
    session = request_session()
    why = masked_id_why(citizen, session_identity(citizen, token))
    return jsonify(
        full_id=not why,
        masked_why=why,
        masked_reason=MASKED_REASONS[why] if why else "",
        signed=identity_for_hall(session, screen.hall) is not None,
        sealed=seal_for_hall(session, screen.hall) is not None,
    )


@bp.post("/session/certificate")
def session_certificate() -> Any:
    from kiosk_server.certificate_pdf import qr_svg
    from kiosk_server.certificate_signing import issue_signed

    screen = requesting_kiosk()
    citizen, token = requesting_citizen(screen)
    outcome = issue_signed(
        request_session(),
        screen,
        citizen,
        token,
        lambda: _records(screen, citizen, "certificate"),
        clock_now(),
        verify_url_for=lambda code: url_for("certificate_pages.verify", code=code, _external=True),
    )
    issued = outcome.issued
    verify_url = url_for("certificate_pages.verify", code=issued.code, _external=True)
    phone_url = url_for("certificate_pages.phone_download", token=issued.download_token, _external=True)
    return jsonify(
        certificate_id=issued.cert.id,
        code=issued.code,
        verify_url=verify_url,
        phone_url=phone_url,
        qr_svg=qr_svg(phone_url),
        pdf_url=url_for("kiosk_api.certificate_pdf", code=issued.code),
        expires_at=issued.cert.phone_expires_at.isoformat(),
        max_downloads=MAX_DOWNLOADS,
        signed=outcome.signed,
        signer=issued.cert.signer_name,
        sealed=outcome.sealed,
        full_id=not outcome.masked_why,
        masked_why=outcome.masked_why,
        masked_reason=outcome.masked_reason,
    )


@bp.get("/session/certificate/<code>.pdf")
def certificate_pdf(code: str) -> Any:
    from content.citizens.certificates import find_certificate
    from kiosk_server.certificate_signing import certificate_pdf_for_print

    screen = requesting_kiosk()
    citizen, _token = requesting_citizen(screen)
    session = request_session()
    cert = find_certificate(session, code)
    if cert is None or cert.citizen_session_id != citizen.id:
        fail(404, "not_found", "未找到该证明。")
    pdf = certificate_pdf_for_print(session, cert.id, clock_now())
    if pdf is None:
        fail(410, "gone", "证明文件已过保存期限，请重新开具。")
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="certificate-{cert.id}.pdf"'
    return response
