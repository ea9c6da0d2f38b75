"""Tickers (滚动字幕) in the console: a paged list in scope, create and edit forms, archive and publish again.

The rules are the REST API's (``TickerUpdate``, ``save_ticker``); this module reads the form and
says their problems in the page's language. Every change is audited and reaches screens through the outbox.
"""

from __future__ import annotations

from typing import Any, Final

from flask import flash, g, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager

from content.accounts.access import Permission
from content.errors import ValidationError
from content.library.items import ItemStatus, Ticker
from content.org.tree import OrgUnit
from kiosk_server.api.tickers import TickerUpdate, save_ticker
from kiosk_server.console import library
from kiosk_server.console.base import bp, console_page
from kiosk_server.console.words import say
from kiosk_server.database import request_session

KIND: Final = "ticker"


@bp.get("/tickers")
@console_page(Permission.VIEW_CONTENT)
def tickers() -> Any:
    db = request_session()
    text, shown = request.args.get("q", "").strip(), request.args.get("status", "")
    query = (
        select(Ticker)
        .join(OrgUnit, OrgUnit.id == Ticker.org_unit_id)
        .where(library.visible(g.scope))
        .options(contains_eager(Ticker.org_unit))
        .order_by(Ticker.id.desc())
    )
    clause = library.status_clause(Ticker, shown)
    if clause is not None:
        query = query.where(clause)
    if text:
        query = query.where(Ticker.title.contains(text, autoescape=True))
    return render_template(
        "console/tickers.html", q=text, status=shown, may_edit=library.may_edit, **library.listing(db, query)
    )


def _read(db: Session) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    data = {
        "title": request.form.get("title", ""),
        "org_unit_id": library.read_owner(db, errors),
        "valid_from": library.read_moment("valid_from", errors),
        "valid_until": library.read_moment("valid_until", errors),
    }
    return library.check(TickerUpdate, data, errors), errors


def _form(ticker: Ticker | None, values: dict[str, Any], errors: dict[str, str], status: int = 200) -> Any:
    return render_template(
        "console/ticker_form.html", item=ticker, values=values, errors=errors, units=library.owners(request_session())
    ), status


def _save(db: Session, ticker: Ticker | None) -> Any:
    """Check the form and save it (create when ``ticker`` is None): redirect, or the form again with its problems."""
    before = library.snapshot(ticker, ()) if ticker is not None else None
    values, errors = _read(db)
    saved = None
    try:  # even with problems: the domain's own checks are reported with them (then all is rolled back)
        with db.no_autoflush:
            saved = save_ticker(db, ticker, values)
    except ValidationError as err:
        library.merge(errors, library.window_errors(err))
    if errors or saved is None:
        db.rollback()
        return _form(ticker, dict(request.form), errors, 400)
    db.flush()
    library.record(db, saved, KIND, "created" if ticker is None else "updated", before, library.snapshot(saved, ()))
    db.commit()
    flash(say(g.lang, "media.ticker.saved"))
    return redirect(url_for("console.tickers"))


@bp.route("/tickers/new", methods=["GET", "POST"])
@console_page(Permission.EDIT_CONTENT)
def new_ticker() -> Any:
    if request.method == "GET":
        return _form(None, library.form_values(None, ()), {})
    return _save(request_session(), None)


@bp.route("/tickers/<int:ticker_id>", methods=["GET", "POST"])
@console_page(Permission.EDIT_CONTENT)
def edit_ticker(ticker_id: int) -> Any:
    db = request_session()
    ticker = library.editable_or_404(db, Ticker, ticker_id)
    if request.method == "GET":
        return _form(ticker, library.form_values(ticker, ("title",)), {})
    return _save(db, ticker)


@bp.post("/tickers/<int:ticker_id>/archive")
@console_page(Permission.EDIT_CONTENT)
def archive_ticker(ticker_id: int) -> Any:
    db = request_session()
    ticker = library.editable_or_404(db, Ticker, ticker_id)
    restore = request.form.get("restore") == "1"
    if library.set_status(db, ticker, KIND, ItemStatus.PUBLISHED if restore else ItemStatus.ARCHIVED):
        db.commit()
        flash(say(g.lang, "media.done.restored" if restore else "media.done.archived"))
    return redirect(url_for("console.tickers"))
