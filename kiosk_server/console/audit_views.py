"""The audit log page: every change, newest first; org admins see the entries of their subtree."""

from __future__ import annotations

from typing import Any

from flask import g, render_template, request
from sqlalchemy import func, select

from content.accounts.access import Permission
from content.accounts.audit import AuditEntry
from kiosk_server.console.audit_text import action_words, change_lines, kind_words, say_known
from kiosk_server.console.audit_words import KINDS
from kiosk_server.console.base import PAGE_SIZE, bp, console_page, page_number, until_day, when
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
        **audit_words(),
    )


def audit_words() -> dict[str, Any]:
    """What the audit templates call to show an entry in words (also used by the overview page)."""
    return {
        "kinds": KINDS,
        "action_words": lambda action: action_words(g.lang, action),
        "kind_words": lambda kind: kind_words(g.lang, kind),
        "change_lines": lambda summary: change_lines(g.lang, summary, when, until_day),
    }


@bp.context_processor
def _coded_words() -> dict[str, Any]:
    """``code_words(prefix, code)`` on every console page: a stored code (a reader kind, a fault) in words."""
    return {"code_words": lambda prefix, code: say_known(g.get("lang", "zh-CN"), f"{prefix}.{code}", str(code))}
