"""求职意向 in the console: a hall's interests of the day for its employment counsellors, and match statistics.

``/console/halls/<hall_id>/interests?day=YYYY-MM-DD`` lists the interests citizens marked at the
hall's kiosks on that local day (time, masked name and ID, age, education, vacancy, employer,
occupation, the reasons the kiosk showed), the day's statistics by occupation (matches shown,
interests), and exports the list as CSV (``?format=csv``, formula-safe: ``content/csv_export.py``).
A hall outside the account's scope answers 404 like one that does not exist. Days and times are the
hall's (its time zone), since the counsellors work there. ``/console/interests`` opens the account's
hall, or lists its halls when it has several.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Response, g, redirect, render_template, request, url_for
from sqlalchemy.orm import Session

from content.accounts.access import Permission
from content.csv_export import csv_text
from content.library.occupations import NAMES
from content.matching.interests import JobInterest, interests_on
from content.matching.match_stats import figures
from content.org.timezones import zone
from content.org.tree import Hall
from kiosk_server.api._schemas import day_problem
from kiosk_server.console._structure import live_halls
from kiosk_server.console.base import bp, console_page, id_arg, in_scope
from kiosk_server.console.words import say
from kiosk_server.database import request_session


def _hall(db: Session, hall_id: int) -> Hall:
    hall = db.get(Hall, hall_id)
    return in_scope(hall, hall is not None and g.scope.covers_hall(hall))


def _day(hall: Hall) -> tuple[date, str]:
    """The ``day`` asked for (the hall's today when absent), and the error to show when it is not a date."""
    today = g.now.astimezone(zone(hall.timezone)).date()
    text = request.args.get("day", "").strip()
    if not text:
        return today, ""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return today, say(g.lang, "int.day.invalid")
    if day_problem(day) is not None:
        return today, say(g.lang, "int.day.invalid")
    return day, ""


def _reasons(row: JobInterest) -> list[dict[str, Any]]:
    return [r for r in row.reasons if isinstance(r, dict)]


def _reason_text(row: JobInterest) -> str:
    """The reasons as one line, in the page's language; an unfavourable one marked so it reads without colour."""
    parts = []
    for reason in _reasons(row):
        text = str(reason.get("text_en" if g.lang == "en" else "text", ""))
        parts.append(text if reason.get("favourable", True) else say(g.lang, "int.reason.against", reason=text))
    return "；".join(parts)


def _csv(hall: Hall, day: date, rows: list[JobInterest]) -> Response:
    zone_ = zone(hall.timezone)
    header = [say(g.lang, f"int.col.{key}") for key in _CSV_COLUMNS]
    body = [
        [
            row.created_at.astimezone(zone_).strftime("%Y-%m-%d %H:%M"),
            row.masked_name,
            row.masked_id,
            row.age,
            row.education,
            row.vacancy_title,
            row.employer_name,
            row.occupation_code,
            NAMES.get(row.occupation_code, ""),
            _reason_text(row),
        ]
        for row in rows
    ]
    name = f"interests-hall{hall.id}-{day.isoformat()}.csv"
    return Response(
        csv_text(header, body),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


_CSV_COLUMNS = ("time", "name", "id", "age", "education", "vacancy", "employer", "code", "occupation", "reasons")


@bp.get("/interests")
@console_page(Permission.VIEW_REPORTS)
def interests() -> Any:
    db = request_session()
    halls = live_halls(db)
    chosen = id_arg(request.args.get("hall", ""))
    if chosen is not None:  # the hall page checks the scope
        day = request.args.get("day", "").strip() or None  # None: no ?day=, the hall's today
        return redirect(url_for("console.hall_interests", hall_id=chosen, day=day))
    if len(halls) == 1:  # a hall manager's one hall: its page at once
        return _hall_page(db, halls[0])
    return render_template("console/interest_halls.html", halls=halls)


@bp.get("/halls/<int:hall_id>/interests")
@console_page(Permission.VIEW_REPORTS)
def hall_interests(hall_id: int) -> Any:
    db = request_session()
    return _hall_page(db, _hall(db, hall_id))


def _hall_page(db: Session, hall: Hall) -> Any:
    day, error = _day(hall)
    rows = interests_on(db, hall.id, day)
    if request.args.get("format") == "csv" and not error:
        return _csv(hall, day, rows)
    by_occupation = figures(db, [hall.id], day, day)
    return render_template(
        "console/interests.html",
        hall=hall,
        day=day,
        error=error,
        rows=rows,
        figures=by_occupation,
        shown=sum(f.shown for f in by_occupation),
        marked=sum(f.interests for f in by_occupation),
        previous=(day - timedelta(days=1)).isoformat(),
        following=(day + timedelta(days=1)).isoformat(),
        today=g.now.astimezone(zone(hall.timezone)).date(),
        local_time=lambda row: row.created_at.astimezone(zone(hall.timezone)).strftime("%H:%M"),
        occupation_name=lambda code: NAMES.get(code, ""),
        reasons=_reasons,
        halls=live_halls(db),
    ), 400 if error else 200
