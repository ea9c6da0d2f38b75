"""The console's first page: emergencies on air and, for those who may see it, the latest changes."""

from __future__ import annotations

from typing import Any

from flask import g, render_template
from sqlalchemy import select

from content.accounts.access import Permission, may
from content.accounts.audit import AuditEntry
from kiosk_server.console.audit_views import audit_words
from kiosk_server.console.base import bp, console_page
from kiosk_server.console.emergency_views import on_air
from kiosk_server.database import request_session


@bp.get("/")
@console_page(Permission.USE_CONSOLE)
def home() -> Any:
    db = request_session()
    recent: list[AuditEntry] = []
    if may(g.user, Permission.VIEW_AUDIT):
        query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(10)
        if not g.scope.everything:
            query = query.where(g.scope.unit_clause(AuditEntry.org_path))
        recent = list(db.scalars(query))
    emergencies = on_air(db, g.scope, g.now) if may(g.user, Permission.EMERGENCY) else []
    return render_template("console/home.html", emergencies=emergencies, recent=recent, **audit_words())
