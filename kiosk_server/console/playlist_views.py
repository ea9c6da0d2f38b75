"""Playlists: ordered entries (one notice, media or ticker item, or a live vacancy board / notice feed).

Who sees what is the layouts' rule (``layout_views.owners``): the playlists of nodes in the
subtree are changeable with SCHEDULE, those of the nodes above are read-only, the rest answer 404.
An entry's item is chosen among the notices, media and tickers of nodes in or above the scope.

Entry rules are the REST API's: each row is read by its ``EntryIn`` (duration range, params), and
the playlist is saved by its ``save_playlist`` (item kinds, feeds without items). A feed's params
(rows per page, topic) are kept as they were; this page edits kind, item, order and duration.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

from flask import flash, g, redirect, render_template, request, url_for
from pydantic import ValidationError as SchemaError
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from werkzeug.datastructures import MultiDict

from content.accounts.access import Permission
from content.errors import ValidationError
from content.library.items import ContentItem, ItemStatus
from content.signage.playlists import MAX_DURATION_SECONDS, MIN_DURATION_SECONDS, EntryKind, Playlist
from kiosk_server.api.playlists import PARAMS_BY_KIND, SINGLE_ITEM_KINDS, EntryIn, save_playlist
from kiosk_server.console.base import bp, console_page, in_scope, refuse
from kiosk_server.console.layout_profiles import order_words
from kiosk_server.console.layout_views import NAME_MAX, Owners, owners, record
from kiosk_server.console.words import say
from kiosk_server.database import request_session

MAX_ENTRIES: Final = 200  # the REST API's limit (PlaylistCreate.entries)
BLANK_ROWS: Final = 2
ROW_KEY: Final = re.compile(r"^e(\d{1,3})\.kind$")
FIELDS: Final = ("kind", "item", "position", "duration")


def _usable_items(db: Session, own: Owners) -> list[ContentItem]:
    query = (
        select(ContentItem)
        .where(
            ContentItem.kind.in_([str(k) for k in SINGLE_ITEM_KINDS]), ContentItem.status != ItemStatus.ARCHIVED.value
        )
        .order_by(ContentItem.kind, ContentItem.title, ContentItem.id)
    )
    return [item for item in db.scalars(query) if own.visible(item.org_unit_id)]


def _blank_row(position: int) -> dict[str, Any]:
    return {"kind": EntryKind.ITEM.value, "item": "", "position": str(position), "duration": "15", "params": "{}"}


def form_of(playlist: Playlist) -> dict[str, Any]:
    rows = [
        {
            "kind": e.kind,
            "item": str(e.item_id or ""),
            "position": str(n),
            "duration": str(e.duration_seconds),
            "params": json.dumps(e.params or {}, ensure_ascii=False),
        }
        for n, e in enumerate(playlist.entries, 1)
    ]
    return {"name": playlist.name, "owner": str(playlist.org_unit_id), "rows": rows}


def posted_form(posted: MultiDict[str, str]) -> dict[str, Any]:
    indices = sorted({int(m.group(1)) for key in posted if (m := ROW_KEY.match(key))})
    rows = [{f: posted.get(f"e{i}.{f}", "").strip() for f in (*FIELDS, "params", "remove")} for i in indices]
    kept = [r for r in rows if not r["remove"] and (r["item"] or r["kind"] != EntryKind.ITEM.value)]
    return {"name": posted.get("name", "").strip(), "owner": posted.get("owner", "").strip(), "rows": kept}


def _params(text: str, kind: str) -> dict[str, Any]:
    """The entry's kept params, those its (perhaps changed) kind understands."""
    try:
        found = json.loads(text or "{}")
    except ValueError:
        return {}
    allowed = PARAMS_BY_KIND.get(EntryKind(kind), frozenset()) if kind in set(EntryKind) else frozenset()
    return {k: v for k, v in found.items() if k in allowed} if isinstance(found, dict) else {}


class RowErrors:
    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def add(self, index: int, field: str, problem: str, **params: Any) -> None:
        label = say(g.lang, f"playlists.entry.{field}")
        self.errors.setdefault(
            f"e{index}.{field}",
            say(g.lang, "playlists.entry.error", n=index + 1, field=label, problem=say(g.lang, problem, **params)),
        )


def values_of(
    form: dict[str, Any], own: Owners, items: list[ContentItem]
) -> tuple[dict[str, Any], list[int], dict[str, str]]:
    """The domain's values (entries in play order), the form row of each entry, and what did not parse."""
    errors: dict[str, str] = {}
    rows = RowErrors()
    if not form["name"]:
        errors["name"] = say(g.lang, "layouts.problem.required")
    elif len(form["name"]) > NAME_MAX:
        errors["name"] = say(g.lang, "layouts.problem.too_long", limit=NAME_MAX)
    owner = int(form["owner"]) if form["owner"].isdigit() else None
    if owner is None or not own.editable(owner):
        errors["owner"] = say(g.lang, "layouts.problem.choose")
    if len(form["rows"]) > MAX_ENTRIES:
        errors["entries"] = say(g.lang, "playlists.problem.too_many", limit=MAX_ENTRIES)
    usable = {str(item.id) for item in items}
    parsed: list[tuple[int, int, dict[str, Any]]] = []
    for i, row in enumerate(form["rows"]):
        if row["kind"] not in set(EntryKind):
            rows.add(i, "kind", "layouts.problem.choose")
        if row["item"] and row["item"] not in usable:
            rows.add(i, "item", "layouts.problem.choose")
        if not re.fullmatch(r"-?\d{1,6}", row["position"]):
            rows.add(i, "position", "playlists.problem.whole" if row["position"] else "layouts.problem.required")
        if not re.fullmatch(r"-?\d{1,9}", row["duration"]):
            rows.add(i, "duration", "playlists.problem.whole" if row["duration"] else "layouts.problem.required")
        if any(f"e{i}.{f}" in rows.errors for f in ("kind", "item", "duration")):
            continue
        try:
            entry = EntryIn.model_validate(
                {
                    "kind": row["kind"],
                    "item_id": int(row["item"]) if row["item"] else None,
                    "duration_seconds": int(row["duration"]),
                    "params": _params(row["params"], row["kind"]),
                }
            )
        except SchemaError as err:
            for problem in err.errors():
                if problem["loc"] and problem["loc"][0] == "duration_seconds":
                    rows.add(
                        i, "duration", "playlists.problem.range", low=MIN_DURATION_SECONDS, high=MAX_DURATION_SECONDS
                    )
                else:
                    rows.add(i, "kind", "layouts.problem.choose")
            continue
        if f"e{i}.position" not in rows.errors:
            parsed.append((int(row["position"]), i, entry.model_dump()))
    parsed.sort(key=lambda p: (p[0], p[1]))
    values = {"name": form["name"], "org_unit_id": owner, "entries": [p[2] for p in parsed]}
    return values, [p[1] for p in parsed], {**errors, **rows.errors}


def domain_errors(err: ValidationError, origin: list[int], entries: list[dict[str, Any]]) -> dict[str, str]:
    """The domain's ``entries.<index>.<field>`` errors, said per form row."""
    rows = RowErrors()
    other: dict[str, str] = {}
    for key in err.errors:
        parts = key.split(".")
        if len(parts) >= 3 and parts[0] == "entries" and parts[1].isdigit() and int(parts[1]) < len(origin):
            index = int(parts[1])
            entry, row = entries[index], origin[index]
            if parts[2] != "item_id":
                rows.add(row, "kind", "layouts.problem.choose")
            elif entry["kind"] != EntryKind.ITEM:
                rows.add(row, "item", "playlists.problem.no_item")
            elif entry["item_id"] is None:
                rows.add(row, "item", "playlists.problem.item_needed")
            else:
                rows.add(row, "item", "layouts.problem.choose")
        else:
            other["owner" if parts[0] == "org_unit_id" else parts[0]] = say(g.lang, "layouts.problem.choose")
    return {**other, **rows.errors}


def summary(playlist: Playlist) -> dict[str, Any]:
    return {
        "name": playlist.name,
        "org_unit_id": playlist.org_unit_id,
        "entries": [
            {"kind": e.kind, "item_id": e.item_id, "duration_seconds": e.duration_seconds, "params": e.params}
            for e in playlist.entries
        ],
    }


@bp.get("/playlists")
@console_page(Permission.VIEW_CONTENT)
def playlists() -> Any:
    db = request_session()
    own = owners(db)
    rows = [
        p
        for p in db.scalars(
            select(Playlist).options(selectinload(Playlist.entries)).order_by(Playlist.name, Playlist.id)
        )
        if own.visible(p.org_unit_id)
    ]
    return render_template("console/playlists.html", rows=rows, own=own, units=own.seen)


def _render_form(
    db: Session,
    own: Owners,
    playlist: Playlist | None,
    form: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
    read_only: bool = False,
) -> Any:
    extra = [] if read_only else [_blank_row(len(form["rows"]) + n) for n in range(1, BLANK_ROWS + 1)]
    return render_template(
        "console/playlists_form.html",
        playlist=playlist,
        form={**form, "rows": form["rows"] + extra},
        errors=errors,
        own=own,
        items=_usable_items(db, own),
        kinds=[k.value for k in EntryKind],
        read_only=read_only,
        low=MIN_DURATION_SECONDS,
        high=MAX_DURATION_SECONDS,
        order_words=order_words(g.lang),
    ), status


def _save(db: Session, own: Owners, playlist: Playlist | None) -> Any:
    form = posted_form(request.form)
    values, origin, errors = values_of(form, own, _usable_items(db, own))
    before = summary(playlist) if playlist is not None else None
    saved = None
    try:
        with db.no_autoflush:  # half-assigned rows must not reach the database while we still check
            if errors:  # still say every entry's problems at once: check them on a playlist never saved
                save_playlist(db, None, {"entries": values["entries"]})
            else:
                saved = save_playlist(db, playlist, values)
    except ValidationError as err:
        for key, message in domain_errors(err, origin, values["entries"]).items():
            errors.setdefault(key, message)  # a field that did not parse keeps that message
    if errors or saved is None:
        db.rollback()  # nothing half-assigned stays behind
        return _render_form(db, own, playlist, form, errors, 400)
    db.flush()
    record(db, "playlist", saved.id, saved.org_unit_id, before, summary(saved))
    db.commit()
    flash(say(g.lang, "playlists.saved", name=saved.name))
    return redirect(url_for("console.edit_playlist", playlist_id=saved.id))


@bp.route("/playlists/new", methods=["GET", "POST"])
@console_page(Permission.SCHEDULE)
def new_playlist() -> Any:
    db = request_session()
    own = owners(db)
    if request.method == "POST":
        return _save(db, own, None)
    default = g.user.org_unit_id if g.user.org_unit_id and own.editable(g.user.org_unit_id) else ""
    return _render_form(db, own, None, {"name": "", "owner": str(default), "rows": []}, {})


@bp.route("/playlists/<int:playlist_id>", methods=["GET", "POST"])
@console_page(Permission.VIEW_CONTENT)
def edit_playlist(playlist_id: int) -> Any:
    db = request_session()
    own = owners(db)
    playlist = db.scalar(select(Playlist).where(Playlist.id == playlist_id).options(selectinload(Playlist.entries)))
    playlist = in_scope(playlist, playlist is not None and own.visible(playlist.org_unit_id))
    editable = own.editable(playlist.org_unit_id)
    if request.method == "GET":
        return _render_form(db, own, playlist, form_of(playlist), {}, read_only=not editable)
    if not editable:
        return refuse(403)
    return _save(db, own, playlist)
