"""Data feeds (信息源) in the console: a list in scope with the last fetch and error, forms, fetch now, archive.

The rules are the REST API's (``FeedUpdate``, ``save_feed``, which fetches a feed whose address or
reading changed); this module reads the form, says the allow-list's verdict naming the host, and
shows a failed fetch in words (超时, 返回的是网页而不是RSS, 非法XML, 太大, 主机不在允许列表).
"""

from __future__ import annotations

from typing import Any, Final

from flask import current_app, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager

from content.accounts.access import Permission
from content.errors import ValidationError
from content.library.items import ItemStatus
from content.library.widgets.data_feeds import MAPPING_FIELDS, OBJ_KIND, DataFeed, FeedFormat, FeedTemplate
from content.library.widgets.feed_fetch import FeedSpec
from content.org.tree import OrgUnit
from kiosk_server.api.feeds import FeedUpdate, save_feed
from kiosk_server.console import library
from kiosk_server.console._widget_forms import allow_list, url_error
from kiosk_server.console.base import bp, console_page
from kiosk_server.console.words import say
from kiosk_server.database import request_session
from kiosk_server.settings_access import runtime
from kiosk_server.widget_refresh import refresh_feed

KIND: Final = OBJ_KIND
FIELDS: Final = ("url", "format", "template", "max_entries", "refresh_minutes", "json_mapping")
FIELD_WORDS: Final = {"json_mapping": "feeds.error.json_path"}


@bp.get("/feeds")
@console_page(Permission.VIEW_CONTENT)
def feeds() -> Any:
    db = request_session()
    text, shown = request.args.get("q", "").strip(), request.args.get("status", "")
    query = (
        select(DataFeed)
        .join(OrgUnit, OrgUnit.id == DataFeed.org_unit_id)
        .where(library.visible(g.scope))
        .options(contains_eager(DataFeed.org_unit))
        .order_by(DataFeed.id.desc())
    )
    clause = library.status_clause(DataFeed, shown)
    if clause is not None:
        query = query.where(clause)
    if text:
        query = query.where(
            DataFeed.title.contains(text, autoescape=True) | DataFeed.url.contains(text, autoescape=True)
        )
    return render_template(
        "console/feeds.html",
        q=text,
        status=shown,
        may_edit=library.may_edit,
        widgets_on=allow_list().enabled,
        **library.listing(db, query),
    )


def _mapping() -> dict[str, str] | None:
    mapping = {name: request.form.get(f"map_{name}", "").strip() for name in MAPPING_FIELDS}
    return mapping if any(mapping.values()) else None


def _read(db: Session) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    url = request.form.get("url", "").strip()
    data: dict[str, Any] = {
        "title": request.form.get("title", ""),
        "url": url,
        "format": request.form.get("format", FeedFormat.XML.value),
        "template": request.form.get("template", FeedTemplate.LIST.value),
        "max_entries": request.form.get("max_entries", ""),
        "refresh_minutes": request.form.get("refresh_minutes", ""),
        "org_unit_id": library.read_owner(db, errors),
        "valid_from": library.read_moment("valid_from", errors),
        "valid_until": library.read_moment("valid_until", errors),
    }
    mapping = _mapping()
    if mapping is not None or data["format"] == FeedFormat.JSON.value:
        data["json_mapping"] = mapping or {}
    problem = url_error(url) if url else None
    if problem is not None:
        errors["url"] = problem
    checked = library.check(FeedUpdate, data, errors, FIELD_WORDS)
    if "json_mapping" in errors:  # the mapping's fields are separate inputs: its title path is the one required
        errors["map_title"] = errors.pop("json_mapping")
    return checked, errors


def _values(feed: DataFeed | None) -> dict[str, Any]:
    values = library.form_values(feed, ("title", *FIELDS[:-1]) if feed else ())
    if feed is None:
        values |= {"format": FeedFormat.XML.value, "template": FeedTemplate.LIST.value}
        values |= {"max_entries": 10, "refresh_minutes": 30}
    mapping = dict(feed.json_mapping or {}) if feed else {}
    values |= {f"map_{name}": mapping.get(name, "") for name in MAPPING_FIELDS}
    return values


def _form(feed: DataFeed | None, values: dict[str, Any], errors: dict[str, str], status: int = 200) -> Any:
    return render_template(
        "console/feed_form.html",
        item=feed,
        values=values,
        errors=errors,
        units=library.owners(request_session()),
        formats=[f.value for f in FeedFormat],
        templates=[t.value for t in FeedTemplate],
        mapping_fields=MAPPING_FIELDS,
        widgets_on=allow_list().enabled,
    ), status


def _save(db: Session, feed: DataFeed | None) -> Any:
    """Check the form and save it (create when ``feed`` is None): redirect, or the form again with its problems."""
    before = library.snapshot(feed, FIELDS) if feed is not None else None
    values, errors = _read(db)
    saved = None
    if not errors:
        try:
            with db.no_autoflush:
                saved = save_feed(db, feed, values)
        except ValidationError as err:
            if "json_mapping" in err.errors:  # a json feed without its title path
                errors["map_title"] = say(g.lang, "media.error.required")
            window = {k: v for k, v in err.errors.items() if k != "json_mapping"}
            if window:
                library.merge(errors, library.window_errors(ValidationError(window)))
    if errors or saved is None:
        db.rollback()
        return _form(feed, dict(request.form), errors, 400)
    db.flush()
    library.record(db, saved, KIND, "created" if feed is None else "updated", before, library.snapshot(saved, FIELDS))
    db.commit()
    flash(say(g.lang, "feeds.saved", title=saved.title))
    return redirect(url_for("console.edit_feed", feed_id=saved.id))


@bp.route("/feeds/new", methods=["GET", "POST"])
@console_page(Permission.EDIT_CONTENT)
def new_feed() -> Any:
    if request.method == "GET":
        return _form(None, _values(None), {})
    return _save(request_session(), None)


@bp.route("/feeds/<int:feed_id>", methods=["GET", "POST"])
@console_page(Permission.EDIT_CONTENT)
def edit_feed(feed_id: int) -> Any:
    db = request_session()
    feed = library.editable_or_404(db, DataFeed, feed_id)
    if request.method == "GET":
        return _form(feed, _values(feed), {})
    return _save(db, feed)


@bp.post("/feeds/<int:feed_id>/fetch")
@console_page(Permission.EDIT_CONTENT)
def fetch_feed_now(feed_id: int) -> Any:
    """Fetch the feed now (at most 10 s) and say what came of it; screens follow if its entries changed."""
    db = request_session()
    feed = library.editable_or_404(db, DataFeed, feed_id)
    spec, title = FeedSpec.of(feed), feed.title
    db.rollback()  # the fetch writes in its own session: hold no transaction while it waits on the network
    outcome = refresh_feed(runtime(current_app).db, allow_list(), spec, g.now)
    if outcome.error is None:
        fetched = request_session().get(DataFeed, feed_id)
        flash(say(g.lang, "feeds.fetched", title=title, count=len(fetched.entries or ()) if fetched else 0))
    else:
        error = say(g.lang, f"feeds.error.{outcome.error.code.value}")
        flash(say(g.lang, "feeds.fetch_failed", title=title, error=error), "error")
    if request.form.get("back") == "edit":
        return redirect(url_for("console.edit_feed", feed_id=feed_id))
    return redirect(url_for("console.feeds"))


@bp.post("/feeds/<int:feed_id>/archive")
@console_page(Permission.EDIT_CONTENT)
def archive_feed(feed_id: int) -> Any:
    db = request_session()
    feed = library.editable_or_404(db, DataFeed, feed_id)
    restore = request.form.get("restore") == "1"
    if library.set_status(db, feed, KIND, ItemStatus.PUBLISHED if restore else ItemStatus.ARCHIVED):
        db.commit()
        flash(say(g.lang, "media.done.restored" if restore else "media.done.archived"))
    return redirect(url_for("console.feeds"))
