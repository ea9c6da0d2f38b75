"""Web pages (网页) in the console: a list in scope with what the framing probe found, forms, check now, archive.

The rules are the REST API's (``WebPageUpdate``, ``save_webpage``, which probes a new address);
this module reads the form and says the allow-list's verdict in the page's language, naming the host.
"""

from __future__ import annotations

from typing import Any, Final

from flask import current_app, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager

from content.accounts.access import Permission
from content.errors import ValidationError
from content.library.items import ItemStatus
from content.library.widgets.web_pages import OBJ_KIND, WebPage
from content.org.tree import OrgUnit
from kiosk_server.api.webpages import WebPageUpdate, save_webpage
from kiosk_server.console import library
from kiosk_server.console._widget_forms import allow_list, url_error
from kiosk_server.console.base import bp, console_page
from kiosk_server.console.words import say
from kiosk_server.database import request_session
from kiosk_server.settings_access import runtime
from kiosk_server.widget_refresh import probe_page

KIND: Final = OBJ_KIND
FIELDS: Final = ("url",)


@bp.get("/webpages")
@console_page(Permission.VIEW_CONTENT)
def webpages() -> Any:
    db = request_session()
    text, shown = request.args.get("q", "").strip(), request.args.get("status", "")
    query = (
        select(WebPage)
        .join(OrgUnit, OrgUnit.id == WebPage.org_unit_id)
        .where(library.visible(g.scope))
        .options(contains_eager(WebPage.org_unit))
        .order_by(WebPage.id.desc())
    )
    clause = library.status_clause(WebPage, shown)
    if clause is not None:
        query = query.where(clause)
    if text:
        query = query.where(WebPage.title.contains(text, autoescape=True) | WebPage.url.contains(text, autoescape=True))
    return render_template(
        "console/webpages.html",
        q=text,
        status=shown,
        may_edit=library.may_edit,
        widgets_on=allow_list().enabled,
        **library.listing(db, query),
    )


def _read(db: Session) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    url = request.form.get("url", "").strip()
    data = {
        "title": request.form.get("title", ""),
        "url": url,
        "org_unit_id": library.read_owner(db, errors),
        "valid_from": library.read_moment("valid_from", errors),
        "valid_until": library.read_moment("valid_until", errors),
    }
    problem = url_error(url) if url else None
    if problem is not None:
        errors["url"] = problem
    return library.check(WebPageUpdate, data, errors), errors


def _form(page: WebPage | None, values: dict[str, Any], errors: dict[str, str], status: int = 200) -> Any:
    return render_template(
        "console/webpage_form.html",
        item=page,
        values=values,
        errors=errors,
        units=library.owners(request_session()),
        widgets_on=allow_list().enabled,
    ), status


def _save(db: Session, page: WebPage | None) -> Any:
    """Check the form and save it (create when ``page`` is None): redirect, or the form again with its problems."""
    before = library.snapshot(page, FIELDS) if page is not None else None
    values, errors = _read(db)
    saved = None
    if not errors:
        try:
            with db.no_autoflush:
                saved = save_webpage(db, page, values)
        except ValidationError as err:
            library.merge(errors, library.window_errors(err))
    if errors or saved is None:
        db.rollback()
        return _form(page, dict(request.form), errors, 400)
    db.flush()
    library.record(db, saved, KIND, "created" if page is None else "updated", before, library.snapshot(saved, FIELDS))
    db.commit()
    flash(say(g.lang, "webpages.saved", title=saved.title))
    return redirect(url_for("console.webpages"))


@bp.route("/webpages/new", methods=["GET", "POST"])
@console_page(Permission.EDIT_CONTENT)
def new_webpage() -> Any:
    if request.method == "GET":
        return _form(None, library.form_values(None, FIELDS), {})
    return _save(request_session(), None)


@bp.route("/webpages/<int:page_id>", methods=["GET", "POST"])
@console_page(Permission.EDIT_CONTENT)
def edit_webpage(page_id: int) -> Any:
    db = request_session()
    page = library.editable_or_404(db, WebPage, page_id)
    if request.method == "GET":
        return _form(page, library.form_values(page, ("title", *FIELDS)), {})
    return _save(db, page)


@bp.post("/webpages/<int:page_id>/probe")
@console_page(Permission.EDIT_CONTENT)
def probe_webpage(page_id: int) -> Any:
    """Probe the page now (at most 5 s) and say what was found; screens follow if framing changed."""
    db = request_session()
    page = library.editable_or_404(db, WebPage, page_id)
    title, url = page.title, page.url
    db.rollback()  # the probe writes in its own session: hold no transaction while it waits on the network
    result = probe_page(runtime(current_app).db, allow_list(), page_id, url, g.now)
    flash(say(g.lang, "webpages.probed", title=title, status=say(g.lang, f"webpages.frame.{result.status.value}")))
    return redirect(url_for("console.webpages"))


@bp.post("/webpages/<int:page_id>/archive")
@console_page(Permission.EDIT_CONTENT)
def archive_webpage(page_id: int) -> Any:
    db = request_session()
    page = library.editable_or_404(db, WebPage, page_id)
    restore = request.form.get("restore") == "1"
    if library.set_status(db, page, KIND, ItemStatus.PUBLISHED if restore else ItemStatus.ARCHIVED):
        db.commit()
        flash(say(g.lang, "media.done.restored" if restore else "media.done.archived"))
    return redirect(url_for("console.webpages"))
