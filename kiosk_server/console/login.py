"""Signing in and out of the console: through the sign-in guard (per address and per name), with CSRF."""

from __future__ import annotations

from typing import Any

from flask import current_app, g, redirect, render_template, request, url_for

from content.accounts.access import Permission, may
from content.accounts.staff import SignInRefused
from content.control_characters import first_control_character, without_control_characters
from kiosk_server import csrf
from kiosk_server.console import sign_in as console_sign_in
from kiosk_server.console.base import bp
from kiosk_server.console.words import say
from kiosk_server.database import request_session
from kiosk_server.safe_redirect import safe_next
from kiosk_server.settings_access import runtime
from kiosk_server.sign_in_guard import SignInThrottled, guard


def _form(
    status: int = 200, *, username: str = "", errors: dict[str, str] | None = None, problem: str = "", notice: str = ""
) -> Any:
    return render_template(
        "console/login.html",
        username=username,
        errors=errors or {},
        problem=problem,
        notice=notice,
        next=safe_next(request.values.get("next"), under="/console") or "",
    ), status


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    lang = g.lang
    db, now = request_session(), runtime(current_app).clock()
    if request.method == "GET":
        account, timed_out = console_sign_in.signed_in(db, now)
        if account is not None:
            return redirect(safe_next(request.args.get("next"), under="/console") or url_for("console.home"))
        notice = ""
        if request.args.get("signed_out"):
            notice = say(lang, "login.signed_out")
        elif timed_out or request.args.get("timed_out"):
            notice = say(lang, "login.timed_out")
        return _form(notice=notice)
    username, password = request.form.get("username", "").strip(), request.form.get("password", "")
    if not console_sign_in.csrf_valid(request.form.get(csrf.FIELD)):
        return _form(400, username=username, problem=say(lang, "login.expired_form"))
    errors = {}
    control = first_control_character(username)
    if control is not None:  # never looked up: PostgreSQL refuses a NUL even in a query
        errors["username"] = say(lang, "control.invalid", char=control)
        username = without_control_characters(username)
    elif not username:
        errors["username"] = say(lang, "login.username.required")
    if not password:
        errors["password"] = say(lang, "login.password.required")
    if errors:
        return _form(400, username=username, errors=errors)
    try:
        account = guard(current_app).sign_in(
            db, address=request.remote_addr or "?", username=username, password=password, now=now
        )
    except SignInThrottled as throttled:
        page = _form(429, username=username, problem=say(lang, "login.throttled", seconds=throttled.seconds))
        return page[0], 429, {"Retry-After": str(throttled.seconds)}
    except SignInRefused as refused:
        db.commit()  # the failure counts even though nobody signs in
        return _form(401, username=username, problem=say(lang, f"login.refused.{refused.reason}"))
    db.commit()
    if not may(account, Permission.USE_CONSOLE):
        return _form(403, username=username, problem=say(lang, "login.refused.no_console"))
    console_sign_in.begin(account, now)
    return redirect(safe_next(request.form.get("next"), under="/console") or url_for("console.home"))


@bp.post("/logout")
def logout() -> Any:
    if not console_sign_in.csrf_valid(request.form.get(csrf.FIELD)):
        return _form(400, problem=say(g.lang, "login.expired_form"))
    db = request_session()
    console_sign_in.sign_out(db)  # every copy of the cookie, not just this browser's
    db.commit()
    return redirect(url_for("console.login", signed_out=1))
