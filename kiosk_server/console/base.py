"""What every console page shares: the blueprint, language, the signed-in account and its scope, guards.

``console_page(permission)`` runs a view for a signed-in account holding ``permission``, with
``g.user``, ``g.scope`` (its part of the org tree), ``g.now`` and ``g.console_actor`` (the name the
audit log records) set. Every POST must carry the form's CSRF token, and no control characters
(``resubmit.py`` gives the form back without them). Objects outside the scope
answer 404 through ``in_scope``, the same as objects that do not exist, so nobody learns what
lies outside their part of the tree.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from functools import wraps
from typing import Any, Final, TypeVar, cast
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, current_app, g, redirect, render_template, request, url_for
from flask import session as cookie

from content.accounts.access import Permission, Scope, may, scope_of
from content.org.timezones import zone
from content.org.tree import OrgUnit
from kiosk_server import csrf, db_outage
from kiosk_server.api._crud import MAX_ID
from kiosk_server.api._schemas import MAX_PAGE
from kiosk_server.console import resubmit, sign_in
from kiosk_server.console.words import say
from kiosk_server.counter_strings import pick_lang
from kiosk_server.database import request_session
from kiosk_server.settings_access import runtime, settings

bp = Blueprint("console", __name__, url_prefix="/console")

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")
PAGE_SIZE: Final = 50

# The navigation: (endpoint, words key, permission needed to see it).
NAV: Final = (
    ("console.home", "nav.home", Permission.USE_CONSOLE),
    ("console.fleet", "nav.fleet", Permission.VIEW_FLEET),
    ("console.alerts", "nav.alerts", Permission.VIEW_FLEET),
    ("console.enrol", "nav.enrol", Permission.ENROL),
    ("console.notices", "nav.notices", Permission.VIEW_CONTENT),
    ("console.schedules", "nav.schedules", Permission.SCHEDULE),
    ("console.layouts", "nav.layouts", Permission.VIEW_CONTENT),
    ("console.playlists", "nav.playlists", Permission.VIEW_CONTENT),
    ("console.vacancies", "nav.library", Permission.VIEW_CONTENT),
    ("console.import_vacancies_page", "nav.import", Permission.EDIT_CONTENT),
    ("console.training", "nav.training", Permission.VIEW_CONTENT),
    ("console.fairs", "nav.fairs", Permission.VIEW_CONTENT),
    ("console.guides", "nav.guides", Permission.VIEW_CONTENT),
    ("console.emergencies", "nav.emergencies", Permission.EMERGENCY),
    ("console.propose_emergency_page", "nav.emergencies", Permission.EDIT_CONTENT),  # editors propose
    ("console.plays", "nav.plays", Permission.VIEW_REPORTS),
    ("console.evaluations", "nav.evaluations", Permission.VIEW_REPORTS),
    ("console.interests", "nav.interests", Permission.VIEW_REPORTS),
    ("console.market", "nav.market", Permission.VIEW_REPORTS),
    ("console.users", "nav.users", Permission.MANAGE_USERS),
    ("console.api_keys", "nav.api_keys", Permission.MANAGE_USERS),
    ("console.audit", "nav.audit", Permission.VIEW_AUDIT),
    ("console.halls", "nav.halls", Permission.MANAGE_ORG),
    ("console.seals", "nav.seals", Permission.VIEW_FLEET),
    ("console.groups", "nav.groups", Permission.MANAGE_ORG),
)


@bp.before_request
def _language() -> None:
    chosen = request.args.get("lang")
    if chosen:
        cookie["console_lang"] = pick_lang(chosen)
    g.lang = pick_lang(cookie.get("console_lang"))


@bp.after_request
def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    return response


@bp.context_processor
def _words() -> dict[str, Any]:
    lang = g.get("lang", "zh-CN")
    user = g.get("user")
    nav: list[tuple[str, str]] = []
    for endpoint, key, permission in NAV:  # the first entry of a label that the account may open
        if (
            user is not None
            and may(user, permission)
            and endpoint in current_app.view_functions
            and all(key != shown for _, shown in nav)
        ):
            nav.append((endpoint, key))
    return {
        "lang": lang,
        "t": lambda key, /, **params: say(lang, key, **params),
        "nav": nav,
        "other_lang": "zh-CN" if lang == "en" else "en",
        "csrf_field": csrf.FIELD,
        "csrf": sign_in.csrf_token(),
        "user": user,
        "scope_name": _scope_name(),
        "can": lambda permission: user is not None and may(user, Permission(permission)),
        "when": when,
        "until_day": until_day,
    }


def console_zone() -> ZoneInfo:
    """The zone managers read and type times in: ``KIOSK_DEFAULT_TIMEZONE`` (Beijing time unless set)."""
    return zone(settings(current_app).default_timezone)


def when(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """An instant as managers read it, in the console's zone (``console_zone``), or a dash."""
    return moment.astimezone(console_zone()).strftime(fmt) if moment is not None else "—"


def until_day(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """An end as managers read it: one at local midnight closes the day before, so it shows as that date.

    A deadline of 2026-12-31 is kept as 2027-01-01 00:00 (the first instant it no longer holds),
    and reads as 2026-12-31, not as the next day.
    """
    if moment is None:
        return "—"
    local = moment.astimezone(console_zone())
    if local.time() == time(0):
        return (local - timedelta(days=1)).strftime("%Y-%m-%d")
    return local.strftime(fmt)


def _scope_name() -> str:
    scope: Scope | None = g.get("scope")
    if scope is None:
        return ""
    if scope.everything:
        return say(g.lang, "scope.all")
    user = g.user
    if scope.hall_id is not None and user.hall_id is not None:
        from content.org.tree import Hall

        hall = request_session().get(Hall, user.hall_id)
        return hall.name if hall else ""
    unit = request_session().get(OrgUnit, user.org_unit_id) if user.org_unit_id else None
    return unit.name if unit else ""


def console_page(permission: Permission) -> Callable[[F], F]:
    """Guard a view: signed in (else the sign-in page), holding ``permission`` (else 403), CSRF on POST."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            db = request_session()
            g.now = runtime(current_app).clock()
            account, timed_out = sign_in.signed_in(db, g.now)
            if account is None:
                return redirect(
                    url_for("console.login", next=request.full_path.rstrip("?"), timed_out=1 if timed_out else None)
                )
            g.user, g.scope, g.console_actor = account, scope_of(db, account), account.username
            if not may(account, permission):
                return refuse(403)
            if request.method == "POST" and not sign_in.csrf_valid(
                request.form.get(csrf.FIELD) or request.headers.get(csrf.HEADER)
            ):
                abort(400, description=say(g.lang, "login.expired_form"))
            if (refused := resubmit.control_characters_page()) is not None:
                return refused  # one rule for every form and query, before any view reads it
            return view(*args, **kwargs)

        return cast(F, wrapper)

    return decorate


def refuse(status: int) -> Any:
    key = "forbidden" if status == 403 else "not_found"
    return render_template("console/refused.html", status=status, message=say(g.lang, key)), status


def in_scope(found: T | None, covered: bool) -> T:
    """``found`` if it exists and ``covered`` (by the account's scope); otherwise a 404 for the view to return."""
    if found is None or not covered:
        abort(404)
    return found


@bp.errorhandler(404)
def _not_found(_err: Any) -> Any:
    return refuse(404)


# The database unavailable: a 503 page that gives back what was typed, not Werkzeug's 500.
db_outage.handle_with(bp, resubmit.database_unavailable_page)


def page_number() -> int:
    """The ``page`` argument, 1 to the API's MAX_PAGE: a malformed or huge one shows the first or the last page there can be."""
    try:
        return min(MAX_PAGE, max(1, int(request.args.get("page", "1"))))
    except ValueError:
        return 1


def id_arg(text: str) -> int | None:
    """A row id typed in a URL, or None when it is not one (too long for the database's integers included)."""
    text = text.strip()
    if not (text.isascii() and text.isdigit() and len(text) <= len(str(MAX_ID))):
        return None
    return int(text) if 1 <= int(text) <= MAX_ID else None
