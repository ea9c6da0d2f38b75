"""Emergency proposals in the console: editors propose on the emergencies form; approvers approve or reject.

The form and its checks are the emergencies page's own (``emergency_views``); a proposal goes on
air only when an approver of its subtree approves it (``content.signage.emergency_proposals``).
"""

from __future__ import annotations

from typing import Any

from flask import flash, g, redirect, request, url_for
from sqlalchemy.orm import Session

from content.accounts.access import Permission
from content.errors import ValidationError
from content.org.tree import OrgUnit
from content.signage import emergency_proposals as proposals
from kiosk_server.console.base import bp, console_page, in_scope, refuse
from kiosk_server.console.emergency_views import form_page, issuing_unit, read_draft
from kiosk_server.console.words import say
from kiosk_server.database import request_session


@bp.get("/emergencies/propose")
@console_page(Permission.EDIT_CONTENT)
def propose_emergency_page() -> Any:
    return form_page(None, {}, proposing=True)


@bp.post("/emergencies/propose")
@console_page(Permission.EDIT_CONTENT)
def propose_emergency() -> Any:
    db = request_session()
    draft, errors = read_draft(db)
    if errors:
        return form_page(draft, errors, 400, proposing=True)
    proposals.propose(db, draft.domain(issuing_unit(db)), g.user, g.now)
    db.commit()
    flash(say(g.lang, "emergency.proposal.sent"))
    return redirect(url_for("console.propose_emergency_page"))


def _proposal(db: Session, proposal_id: int) -> proposals.EmergencyProposal:
    proposal = db.get(proposals.EmergencyProposal, proposal_id)
    unit = db.get(OrgUnit, proposal.org_unit_id) if proposal is not None else None
    return in_scope(proposal, unit is not None and g.scope.covers_unit(unit))


@bp.post("/emergencies/proposals/<int:proposal_id>/approve")
@console_page(Permission.EMERGENCY)
def approve_emergency_proposal(proposal_id: int) -> Any:
    db = request_session()
    proposal = _proposal(db, proposal_id)
    try:
        proposals.approve(db, proposal, g.user, g.now)
    except proposals.ProposalRefused as refused:
        db.rollback()
        flash(say(g.lang, refused.key))
        return redirect(url_for("console.emergencies")), 303
    except ValidationError:
        db.rollback()
        flash(say(g.lang, "emergency.until.range"))
        return redirect(url_for("console.emergencies")), 303
    db.commit()
    flash(say(g.lang, "emergency.sent"))
    return redirect(url_for("console.emergencies"))


@bp.post("/emergencies/proposals/<int:proposal_id>/reject")
@console_page(Permission.EMERGENCY)
def reject_emergency_proposal(proposal_id: int) -> Any:
    db = request_session()
    proposal = _proposal(db, proposal_id)
    try:
        proposals.reject(db, proposal, g.user, g.now, request.form.get("reason", ""))
    except proposals.ProposalRefused as refused:
        db.rollback()
        flash(say(g.lang, refused.key))
        return redirect(url_for("console.emergencies")), 303
    except ValidationError:
        db.rollback()
        return refuse(400)
    db.commit()
    flash(say(g.lang, "emergency.proposal.rejected"))
    return redirect(url_for("console.emergencies"))
