"""The page that gives a manager back what they sent, to send again: after a database outage, or without control characters.

A form sent while the database cannot be reached is not lost: the answer (503, ``Retry-After``)
lists every field as it was typed, read-only, in a form that posts them again to the same address
with the current CSRF token once the database is back. Passwords are never echoed (empty fields
to type them again) and uploaded files cannot be (the page names them). A form carrying control
characters (NUL and the other C0 characters but TAB, LF and CR, and DEL) gets the same page (422)
with those characters removed and the fields that held them marked, for the manager to check.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app, g, render_template, request
from werkzeug.datastructures import MultiDict

from content.control_characters import first_control_character, without_control_characters
from kiosk_server import csrf, db_outage
from kiosk_server.console.words import say


@dataclass(frozen=True)
class Sent:
    """One value of the form as it will be shown and sent again."""

    name: str
    value: str
    problem: str = ""

    @property
    def rows(self) -> int:
        return min(12, self.value.count("\n") + 1)


def _secret(name: str) -> bool:
    return name == csrf.FIELD or "password" in name.lower()


def _sent(form: MultiDict[str, str], lang: str, *, clean: bool) -> tuple[list[Sent], list[str]]:
    """(the values to send again, in the order sent; the names of password fields, typed again)."""
    values: list[Sent] = []
    passwords: list[str] = []
    for name, value in form.items(multi=True):
        if _secret(name):
            if name != csrf.FIELD and name not in passwords:
                passwords.append(name)
            continue
        char = first_control_character(value) if clean else None
        if char is None:
            values.append(Sent(name, value))
        else:
            values.append(Sent(name, without_control_characters(value), say(lang, "control.removed", char=char)))
    return values, passwords


def _page(status: int, *, title: str, message: str, values: list[Sent], passwords: list[str], editable: bool) -> Any:
    files = [f"{name}: {upload.filename}" for name, upload in request.files.items(multi=True) if upload.filename]
    page = render_template(
        "console/resubmit.html",
        title=title,
        message=message,
        values=values,
        passwords=passwords,
        files=files,
        editable=editable,
        posted=request.method == "POST",
        action=request.full_path.rstrip("?"),
    )
    return page, status


def control_characters_page() -> Any | None:
    """The 422 answer when a query parameter or a posted field holds a control character; None when none does.

    A query parameter (a search, a filter) gets the console's refusal page naming it; a posted
    form comes back with the characters removed and its fields marked, to check and send again.
    """
    for name, value in request.args.items(multi=True):
        char = first_control_character(value)
        if char is not None:
            message = say(g.lang, "control.query", name=name, char=char)
            return render_template("console/refused.html", status=422, message=message), 422
    if request.method != "POST":
        return None
    if all(_secret(name) or first_control_character(value) is None for name, value in request.form.items(multi=True)):
        return None
    values, passwords = _sent(request.form, g.lang, clean=True)
    return _page(
        422,
        title=say(g.lang, "control.title"),
        message=say(g.lang, "control.message"),
        values=values,
        passwords=passwords,
        editable=True,
    )


def database_unavailable_page(err: Exception) -> Any:
    """The 503 page of a console request that met a database outage (any other error is raised again)."""
    if not db_outage.app_outage(current_app).failed(err):
        raise err  # a programming error: logged with its traceback, answered 500
    db_outage.forget_request_work()
    # The rollback expired the account's row: the page must not touch the database to show it.
    g.pop("user", None)
    g.pop("scope", None)
    lang = g.get("lang", "zh-CN")
    g.lang = lang
    values, passwords = _sent(request.form, lang, clean=False) if request.method == "POST" else ([], [])
    page, status = _page(
        503,
        title=say(lang, "outage.title"),
        message=say(lang, "outage.message"),
        values=values,
        passwords=passwords,
        editable=False,
    )
    return page, status, {"Retry-After": db_outage.retry_after()}
