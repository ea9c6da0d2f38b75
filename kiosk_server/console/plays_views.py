"""Proof of play: what the screens of the account's subtree showed, per item, screen, hour or day; CSV.

Reports are confined to the halls in scope (a deleted screen's tallies keep their hall, a deleted
item's keep its title). The period is whole Beijing days, from the first to the last inclusive.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any, Final

from flask import Response, g, render_template, request
from sqlalchemy import select

from content.accounts.access import Permission
from content.org.tree import Hall, OrgUnit
from content.signage.proof_of_play import GROUPS, play_report, report_csv
from kiosk_server.api._schemas import day_problem
from kiosk_server.console.base import bp, console_page, console_zone, id_arg
from kiosk_server.console.words import say
from kiosk_server.database import request_session

LONGEST: Final = timedelta(days=366)


def _day(name: str, default: date) -> tuple[date, str | None]:
    text = request.args.get(name, "").strip()
    if not text:
        return default, None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return default, say(g.lang, "plays.day.invalid")
    if day_problem(day) is not None:  # the API's days: the day after 9999-12-31 cannot be computed
        return default, say(g.lang, "plays.day.invalid")
    return day, None


@bp.get("/plays")
@console_page(Permission.VIEW_REPORTS)
def plays() -> Any:
    db = request_session()
    today = g.now.astimezone(console_zone()).date()
    errors: dict[str, str] = {}
    first, problem = _day("from", today - timedelta(days=6))
    if problem:
        errors["from"] = problem
    last, problem = _day("to", today)
    if problem:
        errors["to"] = problem
    if last < first or (last - first) > LONGEST:
        errors["to"] = say(g.lang, "plays.period.invalid")
    group_by = request.args.get("group", "item")
    if group_by not in GROUPS:
        group_by = "item"
    item_text = request.args.get("item", "").strip()
    item_id = id_arg(item_text)
    hall_ids = None
    if not g.scope.everything:
        hall_ids = list(db.scalars(select(Hall.id).join(OrgUnit).where(g.scope.hall_clause(Hall.id, OrgUnit.path))))
    rows = []
    if not errors:
        start = datetime.combine(first, time(), console_zone())
        end = datetime.combine(last + timedelta(days=1), time(), console_zone())
        rows = play_report(
            db, start=start, end=end, group_by=group_by, item_id=item_id, hall_ids=hall_ids, timezone=console_zone()
        )
    if request.args.get("format") == "csv" and not errors:
        name = f"proof-of-play-{group_by}-{first.isoformat()}-{last.isoformat()}.csv"
        return Response(
            report_csv(rows, group_by=group_by),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    args = {"from": first.isoformat(), "to": last.isoformat(), "group": group_by, "item": item_text}
    return render_template(
        "console/plays.html",
        rows=rows,
        errors=errors,
        args=args,
        groups=GROUPS,
        total_plays=sum(r.plays for r in rows),
        total_seconds=sum(r.seconds for r in rows),
    ), 400 if errors else 200
