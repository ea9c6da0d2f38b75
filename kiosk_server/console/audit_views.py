"""The audit log page: every change, newest first; org admins see the entries of their subtree."""

from __future__ import annotations

from typing import Any

from flask import g, render_template, request
from sqlalchemy import func, select

from content.accounts.access import Permission
from content.accounts.audit import AuditEntry
from kiosk_server.console.base import PAGE_SIZE, bp, console_page, page_number
from kiosk_server.database import request_session


@bp.get("/audit")
@console_page(Permission.VIEW_AUDIT)
def audit() -> Any:
    db = request_session()
    query = select(AuditEntry)
    if not g.scope.everything:
        query = query.where(g.scope.unit_clause(AuditEntry.org_path))  # rows with no place: the system admin's
    kind = request.args.get("kind", "").strip()
    if kind:
        query = query.where(AuditEntry.object_kind == kind)
    actor = request.args.get("actor", "").strip()
    if actor:
        query = query.where(AuditEntry.actor == actor)
    total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = page_number()
    rows = list(db.scalars(query.order_by(AuditEntry.id.desc()).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)))
    return render_template(
        "console/audit.html",
        entries=rows,
        kind=kind,
        actor=actor,
        page=page,
        total=total,
        pages=max(1, -(-total // PAGE_SIZE)),
    )
