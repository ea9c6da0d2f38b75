"""Layouts: regions on the screen's grid, edited as rows, with a live preview drawn from the same numbers.

Who sees what: an account lists the layouts of the nodes in its subtree (it may change those, given
SCHEDULE) and those of the nodes above it (inherited: read-only). A hall manager's scope holds no
whole node (``Scope.covers_unit``), so they see the layouts their hall may use and change none.
Anything else answers 404, as if it did not exist.

The form speaks percentages of the screen (0–100); the domain stores fractions (0–1). Geometry,
name and playlist rules are the domain's: the parsed rows go through the REST API's
``save_layout`` (``check_regions`` → ``content.signage.layouts.check_region_geometry``); this module only
parses text into numbers and says the domain's field errors per row, in Chinese or English.
Regions may overlap (the domain stacks them: later rows on top); they may not leave the screen.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Final

from flask import flash, g, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from werkzeug.datastructures import MultiDict

from content import outbox
from content.accounts import audit
from content.accounts.access import Permission, may
from content.errors import ValidationError
from content.org.tree import OrgUnit
from content.signage.layouts import Layout, Widget
from content.signage.playlists import Playlist
from kiosk_server.api.layouts import check_regions, save_layout
from kiosk_server.console.base import bp, console_page, in_scope, refuse
from kiosk_server.console.layout_profiles import profiles, script_words
from kiosk_server.console.words import say
from kiosk_server.database import request_session

NAME_MAX: Final = 100
REGION_NAME_MAX: Final = 40
MAX_REGIONS: Final = 32  # the REST API's limit (LayoutCreate.regions)
BLANK_ROWS: Final = 2  # empty rows offered under the existing ones
COLOUR: Final = re.compile(r"^#[0-9a-fA-F]{6}$")
ROW_KEY: Final = re.compile(r"^r(\d{1,3})\.name$")
GEOMETRY: Final = ("x", "y", "w", "h")


# -- who owns what (shared with the playlists pages) ---------------------------------------------


@dataclass
class Owners:
    """The nodes an account may give a layout or playlist to, and the ones it may look at."""

    units: list[OrgUnit]  # inside the scope: may own (and change) things
    seen: dict[int, OrgUnit]  # inside or above the scope: their things are listed

    def editable(self, unit_id: int) -> bool:
        return may(g.user, Permission.SCHEDULE) and any(u.id == unit_id for u in self.units)

    def visible(self, unit_id: int) -> bool:
        return unit_id in self.seen


def owners(db: Session) -> Owners:
    every = list(db.scalars(select(OrgUnit).order_by(OrgUnit.path)))
    return Owners([u for u in every if g.scope.covers_unit(u)], {u.id: u for u in every if g.scope.sees_unit(u)})


def org_path(db: Session, unit_id: int) -> str | None:
    unit = db.get(OrgUnit, unit_id)
    return unit.path if unit else None


def record(
    db: Session, kind: str, obj_id: int, unit_id: int, before: dict[str, Any] | None, after: dict[str, Any]
) -> None:
    """The outbox row (screens may show something else now) and the audit row; the caller commits."""
    if before is None:
        action, change = "created", {"after": after}
    else:
        action, change = "updated", {"changed": {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}}
    outbox.add_event(db, "content", kind=kind, id=obj_id, action=action)
    audit.record(
        db,
        actor=g.console_actor,
        action=action,
        obj_kind=kind,
        obj_id=obj_id,
        summary=change,
        org_path=org_path(db, unit_id),
    )


# -- the form, as text ---------------------------------------------------------------------------


def percent(fraction: float) -> str:
    """0.125 → "12.5": what the form shows for a stored fraction."""
    return f"{fraction * 100:.4f}".rstrip("0").rstrip(".")


def blank_row() -> dict[str, Any]:
    return {"name": "", "widget": Widget.PLAYLIST.value, "x": "", "y": "", "w": "", "h": "", "playlist": ""}


def form_of(layout: Layout) -> dict[str, Any]:
    rows = [
        {
            "name": r.name,
            "widget": r.widget,
            "x": percent(r.x),
            "y": percent(r.y),
            "w": percent(r.w),
            "h": percent(r.h),
            "playlist": str(r.playlist_id or ""),
        }
        for r in layout.regions
    ]
    return {"name": layout.name, "owner": str(layout.org_unit_id), "background": layout.background, "rows": rows}


def posted_form(posted: MultiDict[str, str]) -> dict[str, Any]:
    indices = sorted({int(m.group(1)) for key in posted if (m := ROW_KEY.match(key))})
    rows = [{field: posted.get(f"r{i}.{field}", "").strip() for field in (*blank_row(), "remove")} for i in indices]
    kept = [r for r in rows if not r["remove"] and any(r[f] for f in ("name", *GEOMETRY))]
    return {
        "name": posted.get("name", "").strip(),
        "owner": posted.get("owner", "").strip(),
        "background": posted.get("background", "").strip() or "#0b1f3a",
        "rows": kept,
    }


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


@dataclass
class Box:
    """A region as the preview draws it: percentages, and whether the row is in error."""

    row: int
    name: str
    widget: str
    x: float
    y: float
    w: float
    h: float
    bad: bool

    @property
    def style(self) -> str:
        def css(value: float) -> str:
            return f"{value:.4f}".rstrip("0").rstrip(".") + "%"

        return (
            f"left: {css(self.x)}; top: {css(self.y)}; width: {css(self.w)}; height: {css(self.h)}; "
            f"z-index: {self.row};"
        )


def boxes(form: dict[str, Any], errors: dict[str, str]) -> list[Box]:
    """The preview's boxes: every row whose four numbers read as numbers, drawn where it says."""
    found = []
    for i, row in enumerate(form["rows"]):
        numbers = [_number(row[f]) for f in GEOMETRY]
        if all(n is not None for n in numbers):
            x, y, w, h = (n or 0.0 for n in numbers)
            found.append(
                Box(
                    i,
                    row["name"],
                    row["widget"],
                    x,
                    y,
                    max(w, 0.0),
                    max(h, 0.0),
                    any(f"r{i}.{f}" in errors for f in GEOMETRY),
                )
            )
    return found


class RowErrors:
    """Field errors of the region rows, each said as "区域2 宽度：超出画面"."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def add(self, index: int, field: str, problem: str, **params: Any) -> None:
        label = say(g.lang, f"layouts.region.{field}")
        self.errors.setdefault(
            f"r{index}.{field}",
            say(
                g.lang,
                "layouts.region.error",
                n=index + 1,
                field=label,
                problem=say(g.lang, f"layouts.problem.{problem}", **params),
            ),
        )


def values_of(
    form: dict[str, Any], own: Owners, playlists: list[Playlist]
) -> tuple[dict[str, Any], list[int], dict[str, str]]:
    """The domain's values, the form row of each region passed on, and the errors of what did not parse."""
    errors: dict[str, str] = {}
    rows = RowErrors()
    if not form["name"]:
        errors["name"] = say(g.lang, "layouts.problem.required")
    elif len(form["name"]) > NAME_MAX:
        errors["name"] = say(g.lang, "layouts.problem.too_long", limit=NAME_MAX)
    owner = int(form["owner"]) if form["owner"].isdigit() else None
    if owner is None or not own.editable(owner):
        errors["owner"] = say(g.lang, "layouts.problem.choose")
    if not COLOUR.match(form["background"]):
        errors["background"] = say(g.lang, "layouts.problem.colour")
    if len(form["rows"]) > MAX_REGIONS:
        errors["regions"] = say(g.lang, "layouts.problem.too_many", limit=MAX_REGIONS)
    usable = {str(p.id) for p in playlists}
    regions, origin = [], []
    for i, row in enumerate(form["rows"]):
        if not row["name"]:
            rows.add(i, "name", "required")
        elif len(row["name"]) > REGION_NAME_MAX:
            rows.add(i, "name", "too_long", limit=REGION_NAME_MAX)
        if row["widget"] not in {w.value for w in Widget}:
            rows.add(i, "widget", "choose")
        if row["playlist"] and row["playlist"] not in usable:
            rows.add(i, "playlist", "choose")
        numbers = {f: _number(row[f]) for f in GEOMETRY}
        for field, value in numbers.items():
            if value is None:
                rows.add(i, field, "number" if row[field] else "required")
        if any(f"r{i}.{f}" in rows.errors for f in ("name", "widget", *GEOMETRY)):
            continue
        regions.append(
            {
                "name": row["name"],
                "widget": row["widget"],
                "z": i,
                "playlist_id": int(row["playlist"]) if row["playlist"] in usable else None,
                **{f: (numbers[f] or 0.0) / 100 for f in GEOMETRY},
            }
        )
        origin.append(i)
    values = {"name": form["name"], "org_unit_id": owner, "background": form["background"], "regions": regions}
    return values, origin, {**errors, **rows.errors}


def domain_errors(err: ValidationError, origin: list[int], regions: list[dict[str, Any]]) -> dict[str, str]:
    """The domain's ``regions.<index>.<field>`` errors, said per form row."""
    rows = RowErrors()
    other: dict[str, str] = {}
    for key, _message in err.errors.items():
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == "regions" and parts[1].isdigit() and int(parts[1]) < len(origin):
            index, field = int(parts[1]), parts[2]
            row = origin[index]
            if field == "name":
                rows.add(row, "name", "duplicate")
            elif field == "playlist_id":
                rows.add(row, "playlist", "choose")
            elif field in ("w", "h") and regions[index][field] <= 0:
                rows.add(row, field, "positive")
            elif field in GEOMETRY:
                rows.add(row, field, "outside")
        else:
            other[parts[-1] if parts[0] != "org_unit_id" else "owner"] = say(g.lang, "layouts.problem.choose")
    return {**other, **rows.errors}


def summary(layout: Layout) -> dict[str, Any]:
    return {
        "name": layout.name,
        "org_unit_id": layout.org_unit_id,
        "background": layout.background,
        "regions": [
            {
                "name": r.name,
                "widget": r.widget,
                "x": r.x,
                "y": r.y,
                "w": r.w,
                "h": r.h,
                "z": r.z,
                "playlist_id": r.playlist_id,
            }
            for r in layout.regions
        ],
    }


# -- the pages -----------------------------------------------------------------------------------


def _usable_playlists(db: Session, own: Owners) -> list[Playlist]:
    return [p for p in db.scalars(select(Playlist).order_by(Playlist.name)) if own.visible(p.org_unit_id)]


@bp.get("/layouts")
@console_page(Permission.VIEW_CONTENT)
def layouts() -> Any:
    db = request_session()
    own = owners(db)
    rows = [
        x
        for x in db.scalars(select(Layout).options(selectinload(Layout.regions)).order_by(Layout.name, Layout.id))
        if own.visible(x.org_unit_id)
    ]
    return render_template(
        "console/layouts.html", rows=rows, own=own, units=own.seen, preview=lambda x: boxes(form_of(x), {})
    )


def _render_form(
    db: Session,
    own: Owners,
    layout: Layout | None,
    form: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
    read_only: bool = False,
) -> Any:
    shown = {**form, "rows": form["rows"] + ([] if read_only else [blank_row() for _ in range(BLANK_ROWS)])}
    return render_template(
        "console/layouts_form.html",
        layout=layout,
        form=shown,
        errors=errors,
        own=own,
        boxes=boxes(form, errors),
        widgets=[w.value for w in Widget],
        read_only=read_only,
        playlists=_usable_playlists(db, own),
        profiles=profiles(g.lang),
        designer_words=script_words(g.lang),
        max_regions=MAX_REGIONS,
    ), status


def _save(db: Session, own: Owners, layout: Layout | None) -> Any:
    form = posted_form(request.form)
    values, origin, errors = values_of(form, own, _usable_playlists(db, own))
    before = summary(layout) if layout is not None else None
    saved = None
    try:
        with db.no_autoflush:  # half-assigned rows must not reach the database while we still check
            check_regions(db, values["regions"])  # every row's problems at once, even when others stop the save
            if not errors:
                saved = save_layout(db, layout, values)
    except ValidationError as err:
        for key, message in domain_errors(err, origin, values["regions"]).items():
            errors.setdefault(key, message)  # a field that did not parse keeps that message
    if errors or saved is None:
        db.rollback()  # nothing half-assigned stays behind
        return _render_form(db, own, layout, form, errors, 400)
    db.flush()
    record(db, "layout", saved.id, saved.org_unit_id, before, summary(saved))
    db.commit()
    flash(say(g.lang, "layouts.saved", name=saved.name))
    return redirect(url_for("console.edit_layout", layout_id=saved.id))


@bp.route("/layouts/new", methods=["GET", "POST"])
@console_page(Permission.SCHEDULE)
def new_layout() -> Any:
    db = request_session()
    own = owners(db)
    if request.method == "POST":
        return _save(db, own, None)
    default = g.user.org_unit_id if g.user.org_unit_id and own.editable(g.user.org_unit_id) else ""
    form = {
        "name": "",
        "owner": str(default),
        "background": "#0b1f3a",
        "rows": [{**blank_row(), "name": "main", "x": "0", "y": "0", "w": "100", "h": "100"}],
    }
    return _render_form(db, own, None, form, {})


@bp.route("/layouts/<int:layout_id>", methods=["GET", "POST"])
@console_page(Permission.VIEW_CONTENT)
def edit_layout(layout_id: int) -> Any:
    db = request_session()
    own = owners(db)
    layout = db.scalar(select(Layout).where(Layout.id == layout_id).options(selectinload(Layout.regions)))
    layout = in_scope(layout, layout is not None and own.visible(layout.org_unit_id))
    editable = own.editable(layout.org_unit_id)
    if request.method == "GET":
        return _render_form(db, own, layout, form_of(layout), {}, read_only=not editable)
    if not editable:
        return refuse(403)
    return _save(db, own, layout)
