"""The counter staff page (/counter): sign in, choose a counter, then call next, recall, start, finish, no-show, transfer.

The pages are rendered here; the counter page's script then works through the JSON calls of
``counter_api`` (nested under this blueprint). ``?lang=en`` (or ``zh-CN``) on any of them switches
the language for the rest of the session; Chinese is the default.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Blueprint, Response, current_app, g, redirect, render_template, request, url_for
from flask import session as cookie
from sqlalchemy import select

from content.accounts.access import Permission, may
from content.accounts.staff import SignInRefused, StaffAccount
from content.org.tree import Hall
from content.queue.board import board_state
from content.queue.counter_pause import MAX_REASON_LENGTH
from content.queue.models import Counter, ServiceType
from kiosk_server import counter_api, staff_session
from kiosk_server.counter_strings import catalogue, pick_lang, translate
from kiosk_server.database import request_session
from kiosk_server.safe_redirect import safe_next
from kiosk_server.settings_access import runtime
from kiosk_server.sign_in_guard import SignInThrottled, guard

bp = Blueprint("counter", __name__)
bp.register_blueprint(counter_api.bp)

F = TypeVar("F", bound=Callable[..., Any])


@bp.before_request
def _language() -> None:
    chosen = request.args.get("lang")
    if chosen:
        cookie["staff_lang"] = pick_lang(chosen)
    g.lang = pick_lang(cookie.get("staff_lang"))


@bp.context_processor
def _words() -> dict[str, Any]:
    lang = g.get("lang", "zh-CN")

    def service_labels(services: list[ServiceType]) -> str:
        return " · ".join(
            translate(lang, "service.label", prefix=s.prefix, name=s.name_en if lang == "en" and s.name_en else s.name)
            for s in services
        )

    return {
        "lang": lang,
        "t": lambda key, /, **params: translate(lang, key, **params),
        "service_labels": service_labels,
        "other_lang": "zh-CN" if lang == "en" else "en",
        "csrf_field": staff_session.CSRF_FIELD,
    }


@bp.after_request
def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.errorhandler(staff_session.CounterRefused)
def _refused(err: staff_session.CounterRefused) -> Any:
    return Response(translate(g.get("lang", "zh-CN"), err.key), err.status, mimetype="text/plain")


def staff_page(view: F) -> F:
    """Run ``view`` for a signed-in staff member (``g.staff``); send anyone else to the sign-in page."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        g.now = runtime(current_app).clock()
        g.staff = staff_session.signed_in(request_session(), g.now)
        if g.staff is None:
            return redirect(url_for("counter.login", next=request.path))
        return view(*args, **kwargs)

    return cast(F, wrapper)


def _login_form(
    status: int = 200, *, username: str = "", errors: dict[str, str] | None = None, problem: str = "", notice: str = ""
) -> Any:
    return render_template(
        "counter_login.html",
        csrf=staff_session.csrf_token(),
        username=username,
        errors=errors or {},
        problem=problem,
        notice=notice,
        next=safe_next(request.values.get("next"), under="/counter") or "",
    ), status


def _works_here(account: StaffAccount) -> bool:
    """The accounts this page signs in: counter roles of a hall. Nobody else's password is checked here."""
    return may(account, Permission.COUNTER) and account.hall_id is not None


@bp.route("/counter/login", methods=["GET", "POST"])
def login() -> Any:
    lang = g.lang
    if request.method == "GET":
        if staff_session.signed_in(request_session(), runtime(current_app).clock()) is not None:
            return redirect(safe_next(request.args.get("next"), under="/counter") or url_for("counter.choose"))
        notice = translate(lang, "login.signed_out") if request.args.get("signed_out") else ""
        return _login_form(notice=notice)
    username, password = request.form.get("username", "").strip(), request.form.get("password", "")
    if not staff_session.csrf_valid(request.form.get(staff_session.CSRF_FIELD)):
        return _login_form(400, username=username, problem=translate(lang, "login.expired_form"))
    errors = {}
    if not username:
        errors["username"] = translate(lang, "login.username.required")
    if not password:
        errors["password"] = translate(lang, "login.password.required")
    if errors:
        return _login_form(400, username=username, errors=errors)
    db, now = request_session(), runtime(current_app).clock()
    try:
        account = guard(current_app).sign_in(
            db, address=request.remote_addr or "?", username=username, password=password, now=now, accepts=_works_here
        )
    except SignInThrottled as throttled:
        page = _login_form(
            429, username=username, problem=translate(lang, "login.throttled", seconds=throttled.seconds)
        )
        return page[0], 429, {"Retry-After": str(throttled.seconds)}
    except SignInRefused as refused:
        db.commit()  # the failure counts even though nobody signs in
        return _login_form(username=username, problem=translate(lang, f"login.refused.{refused.reason}"))
    db.commit()
    staff_session.begin(account, now)
    return redirect(safe_next(request.form.get("next"), under="/counter") or url_for("counter.choose"))


@bp.post("/counter/logout")
def logout() -> Any:
    if not staff_session.csrf_valid(request.form.get(staff_session.CSRF_FIELD)):
        return _login_form(400, problem=translate(g.lang, "login.expired_form"))
    db = request_session()
    staff_session.sign_out(db)  # every copy of the cookie, not just this browser's
    db.commit()
    return redirect(url_for("counter.login", signed_out=1))


@bp.get("/counter")
@staff_page
def choose() -> Any:
    db = request_session()
    counters = list(
        db.scalars(
            select(Counter).where(Counter.hall_id == g.staff.hall_id, Counter.active.is_(True)).order_by(Counter.number)
        )
    )
    remembered = staff_session.remembered_counter()
    if "choose" not in request.args and any(c.id == remembered for c in counters):
        return redirect(url_for("counter.page", counter_id=remembered))
    tickets = {row["id"]: row["ticket"] for row in board_state(db, g.staff.hall_id, g.now)["counters"]}
    return render_template(
        "counter_choose.html",
        hall=db.get(Hall, g.staff.hall_id),
        staff=g.staff,
        counters=counters,
        tickets=tickets,
        remembered=remembered,
        csrf=staff_session.csrf_token(),
    )


@bp.get("/counter/<int:counter_id>")
@staff_page
def page(counter_id: int) -> Any:
    db = request_session()
    counter = staff_session.staff_counter(db, g.staff, counter_id)
    staff_session.remember_counter(counter.id)
    return render_template(
        "counter.html",
        counter=counter,
        hall=db.get(Hall, counter.hall_id),
        staff=g.staff,
        csrf=staff_session.csrf_token(),
        catalogue=catalogue(),
        pause_max=MAX_REASON_LENGTH,
        api_base=url_for("counter.api.state", counter_id=counter.id).rsplit("/", 1)[0],
    )
