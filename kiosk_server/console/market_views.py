"""供求分析 in the console: an area's labour-market figures, their CSV export, the seeker tallies' import, a recompute.

``/console/market?area=<org unit>&quarters=<2–8>`` shows the figures of an org unit in the account's
scope (its own node by default) per quarter and occupation major group; ``&format=csv`` exports them
with every vacancy and tally they came from (``content.library.market.report``; formula-safe through
``content/csv_export.py``), so the numbers can be recomputed from the file. Importing tallies
(``content.library.market.seeker_tallies``: all rows or none, errors by row and column) recomputes the figures
in the same transaction; so does the recompute button, for vacancies changed since the last one.
"""

from __future__ import annotations

from typing import Any, Final

from flask import Response, current_app, flash, g, redirect, render_template, request, url_for

from content.accounts.access import Permission, may
from content.csv_export import csv_text
from content.library.market.figures import recompute
from content.library.market.report import COLUMNS, export_rows, market_report
from content.library.market.seeker_tallies import ImportRefused, TallyImportRejected, import_tallies
from content.library.occupations import MAJOR_CATEGORIES
from content.org.tree import OrgUnit
from kiosk_server.console import library
from kiosk_server.console.base import bp, console_page, id_arg
from kiosk_server.console.words import say
from kiosk_server.database import request_session
from kiosk_server.settings_access import settings

DEFAULT_QUARTERS: Final = 4
MAX_UPLOAD: Final = 8 * 1024 * 1024


def _area(units: list[OrgUnit]) -> OrgUnit | None:
    """The area asked for if in scope, else the account's own node, else the first it may see."""
    wanted = id_arg(request.args.get("area", "")) or g.user.org_unit_id
    by_id = {u.id: u for u in units}
    return by_id.get(wanted or 0) or (units[0] if units else None)


def _quarters() -> int:
    text = request.args.get("quarters", "").strip()
    return min(8, max(2, int(text))) if text.isdigit() and len(text) < 3 else DEFAULT_QUARTERS


@bp.get("/market")
@console_page(Permission.VIEW_REPORTS)
def market() -> Any:
    db = request_session()
    units = library.owners(db)
    area = _area(units)
    if area is None:
        return render_template("console/market.html", report=None, units=units, quarters=DEFAULT_QUARTERS)
    count = _quarters()
    report = market_report(db, area, count, g.now, settings(current_app).default_timezone)
    if request.args.get("format") == "csv":
        header = [say(g.lang, f"market.col.{c}") for c in COLUMNS]
        sections = [say(g.lang, f"market.section.{s}") for s in ("figure", "vacancy", "tally")]
        name = f"market-unit{area.id}-{report.quarters[0]}-{report.quarters[-1]}.csv"
        return Response(
            csv_text(header, export_rows(report, sections)),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    return render_template(
        "console/market.html",
        report=report,
        units=units,
        quarters=count,
        group_name=lambda code: MAJOR_CATEGORIES.get(code, code),
        may_edit=may(g.user, Permission.EDIT_CONTENT),
    )


@bp.post("/market/recompute")
@console_page(Permission.EDIT_CONTENT)
def recompute_market() -> Any:
    db = request_session()
    count = recompute(db, g.now, settings(current_app).default_timezone)
    db.commit()
    flash(say(g.lang, "market.recomputed", count=count))
    return redirect(url_for("console.market", area=request.form.get("area") or None))


def _import_page(status: int = 200, **values: Any) -> Any:
    values.setdefault("errors", {})
    return render_template("console/market_import.html", **values), status


@bp.get("/market/import")
@console_page(Permission.EDIT_CONTENT)
def import_market_page() -> Any:
    return _import_page()


@bp.post("/market/import")
@console_page(Permission.EDIT_CONTENT)
def import_market() -> Any:
    db, lang = request_session(), g.lang
    upload = request.files.get("file")
    data = upload.read(MAX_UPLOAD + 1) if upload is not None and upload.filename else b""
    if not data or upload is None:
        return _import_page(400, errors={"file": say(lang, "market.import.file.required")})
    filename = upload.filename or "upload.csv"
    timezone = settings(current_app).default_timezone
    try:
        tallies = import_tallies(
            db, data, filename, units=library.owners(db), actor=g.console_actor, now=g.now, timezone=timezone
        )
    except (ImportRefused, TallyImportRejected) as failed:
        db.rollback()
        kind = "refused" if isinstance(failed, ImportRefused) else "rejected"
        return _import_page(400, filename=filename, **{kind: failed})
    recompute(db, g.now, timezone)  # the figures move with their inputs, in the same transaction
    db.commit()
    flash(say(lang, "market.import.done", count=len(tallies)))
    return redirect(url_for("console.market"))
