"""The fleet page: every screen in the account's subtree, its state, what it shows, its readers.

Filters, counts and paging are done server-side (``content.signage.fleet``), so a province of 10,000
screens is one page of 50 rows and a row of counts. The page reloads itself every 30 seconds
(a plain meta refresh: it works on any browser the hall has, with or without scripts).
"""

from __future__ import annotations

from typing import Any, Final

from flask import current_app, g, render_template, request
from sqlalchemy import select

from content.accounts.access import Permission
from content.errors import ValidationError
from content.org.screens import ScreenKind
from content.org.tree import Hall, OrgUnit
from content.signage.fleet import FleetFilter, FleetSort, FleetState, StatusFilter
from kiosk_server.console.base import PAGE_SIZE, bp, console_page, id_arg, page_number
from kiosk_server.database import request_session
from kiosk_server.fleet_status import fleet_for

REFRESH_SECONDS: Final = 30


def _int(name: str) -> int | None:
    return id_arg(request.args.get(name, ""))


def _choice(name: str, allowed: set[str]) -> str | None:
    value = request.args.get(name, "").strip()
    return value if value in allowed else None


@bp.get("/fleet")
@console_page(Permission.VIEW_FLEET)
def fleet() -> Any:
    db = request_session()
    try:
        filt = FleetFilter(
            org_unit_id=_int("org"),
            hall_id=_int("hall"),
            kind=_choice("kind", {k.value for k in ScreenKind}),
            status=_choice("status", {s.value for s in StatusFilter}),
            search=request.args.get("q", "")[:100] or None,
            sort=_choice("sort", {s.value for s in FleetSort}) or FleetSort.ATTENTION.value,
            page=page_number(),
            page_size=PAGE_SIZE,
        )
    except ValidationError:  # only a malformed URL gets here: every value above is checked
        filt = FleetFilter(page_size=PAGE_SIZE)
    found = fleet_for(current_app, db, filt, g.scope, now=g.now)
    units = list(db.scalars(select(OrgUnit).where(g.scope.unit_clause(OrgUnit.path)).order_by(OrgUnit.path)))
    halls = list(
        db.scalars(
            select(Hall)
            .join(OrgUnit)
            .where(g.scope.hall_clause(Hall.id, OrgUnit.path))
            .order_by(OrgUnit.path, Hall.name)
        )
    )
    args = {
        k: v
        for k, v in {
            "org": filt.org_unit_id,
            "hall": filt.hall_id,
            "kind": filt.kind,
            "status": filt.status,
            "q": filt.search,
            "sort": filt.sort,
        }.items()
        if v
    }
    return render_template(
        "console/fleet.html",
        found=found,
        filt=filt,
        units=units,
        halls=halls,
        args=args,
        states=list(FleetState),
        kinds=list(ScreenKind),
        sorts=list(FleetSort),
        refresh=REFRESH_SECONDS,
    )
