"""Emergency notices (紧急通知): one action reaches every targeted screen; always an expiry, always audited."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Final, Literal

from pydantic import Field
from sqlalchemy import ColumnElement, and_, not_, or_
from sqlalchemy.orm import Session, selectinload

from content.errors import ValidationError
from content.org.screens import ScreenGroup
from content.org.tree import Hall, OrgUnit
from content.signage.emergencies import Emergency, Severity
from content.signage.emergency_proposals import Draft, EmergencyProposal, file_proposal
from content.signage.targeting import TargetKind, TargetMode
from kiosk_server.api._access import check_row, check_values
from kiosk_server.api._crud import Id, Resource, assign, check_refs, find, record_change, register, save_change
from kiosk_server.api._errors import Conflict, gather
from kiosk_server.api._routing import Operation, now, parse_body, route
from kiosk_server.api._schemas import Body, Filters, Instant, Out, partial
from kiosk_server.api._targets import TargetIn, TargetOut, check_targets, target_rows
from kiosk_server.auth import Need, Principal, current_actor, current_principal
from kiosk_server.database import request_session


class EmergencyChange(Body):
    title: str = Field(min_length=1, max_length=120)
    body: str = Field("", max_length=2000)
    severity: Severity = Severity.CRITICAL
    expires_at: Instant = Field(description="required, in the future: an emergency never stays up forever")
    targets: list[TargetIn] = Field(max_length=200)


class EmergencyCreate(EmergencyChange):
    org_unit_id: Id = Field(description="the org node issuing it")
    starts_at: Instant | None = Field(
        None, description="now when omitted; a proposal (content key) goes on air when approved, or then if later"
    )


EmergencyUpdate = partial(EmergencyChange, "EmergencyUpdate")


class EmergencyOut(Out):
    id: int
    org_unit_id: int
    title: str
    body: str
    severity: Severity
    starts_at: datetime
    expires_at: datetime
    ended_at: datetime | None = Field(description="when it was ended by hand")
    active: bool = Field(description="showing now: started, not expired, not ended")
    created_by: str
    created_at: datetime
    targets: list[TargetOut]


class ProposalFiled(Out):
    proposal_id: int = Field(description="the proposal an approver reviews in the console")
    status: Literal["proposed"]


class EmergencyFilters(Filters):
    org_unit_id: Id | None = None
    severity: Severity | None = None
    active: bool | None = Field(None, description="only those showing now (true) or not (false)")

    special: ClassVar[frozenset[str]] = frozenset({"active"})

    def clauses(self, model: Any) -> list[ColumnElement[bool]]:
        found = super().clauses(model)
        if self.active is not None:
            moment = now()
            showing = and_(
                Emergency.starts_at <= moment,
                Emergency.expires_at > moment,
                or_(Emergency.ended_at.is_(None), Emergency.ended_at > moment),
            )
            found.append(showing if self.active else not_(showing))
        return found


def _is_active(emergency: Emergency, moment: datetime) -> bool:
    return emergency.starts_at <= moment < emergency.effective_end


def _check_window(starts: datetime, expires: datetime | None, moment: datetime) -> None:
    if expires is not None and expires <= moment:
        raise ValidationError.single("expires_at", f"{expires.isoformat()} is not in the future")
    if expires is not None and expires <= starts:
        raise ValidationError.single("expires_at", f"{expires.isoformat()} is not after starts_at {starts.isoformat()}")


def save_emergency(session: Session, emergency: Emergency | None, values: dict[str, Any]) -> Emergency:
    moment = now()
    if emergency is not None and emergency.effective_end <= moment:
        raise Conflict(
            f"emergency {emergency.id} is over (since {emergency.effective_end.isoformat()}); send a new one instead"
        )
    starts = values.get("starts_at") or (emergency.starts_at if emergency else moment)
    expires = values.get("expires_at") or (emergency.expires_at if emergency else None)
    gather(
        lambda: _check_window(starts, expires, moment),
        lambda: check_targets(session, values["targets"]) if "targets" in values else None,
    )
    if emergency is None:
        emergency = Emergency(created_by=current_actor() or "unknown")
        session.add(emergency)
    assign(emergency, values, skip=frozenset({"targets", "starts_at"}))
    emergency.starts_at = starts
    if "targets" in values:
        emergency.targets = target_rows(values["targets"])
    return emergency


EMERGENCIES: Resource[Emergency] = Resource(
    path="emergencies",
    kind="emergency",
    model=Emergency,
    out=EmergencyOut,
    save=save_emergency,
    create=None,  # below: a content key's emergency becomes a proposal
    update=EmergencyUpdate,
    filters=EmergencyFilters,
    refs={"org_unit_id": (OrgUnit, "org unit")},
    computed=lambda emergency: {"active": _is_active(emergency, now())},
    load=(selectinload(Emergency.targets),),
    deletable=False,  # ended, never deleted: the record of what screens showed stays
    write_need=Need.EMERGENCY,  # changing one on air: not a content key's (the console's editors cannot either)
)
register(EMERGENCIES, extra_errors=(409,))


def end_now(session: Session, emergency: Emergency) -> dict[str, Any]:
    """End a running (or not yet started) emergency at once; screens fall back to their schedule."""
    moment = now()
    if emergency.effective_end <= moment:
        raise Conflict(f"emergency {emergency.id} is already over (since {emergency.effective_end.isoformat()})")
    before = EMERGENCIES.to_json(emergency)
    emergency.ended_at = moment
    session.flush()
    after = EMERGENCIES.to_json(emergency)
    record_change(session, EMERGENCIES.kind, emergency.id, "ended", before, after)
    session.commit()
    return after


@route(
    "/emergencies/<int:ident>/end",
    "POST",
    "emergencies_end",
    Operation("End an emergency now", "emergencies", response=EmergencyOut, errors=(404, 409), need=Need.EMERGENCY),
)
def end_emergency(ident: int) -> Any:
    session = request_session()
    return end_now(session, EMERGENCIES.get(session, ident))


_PROPOSABLE: Final[dict[str, type[OrgUnit] | type[Hall] | type[ScreenGroup]]] = {
    TargetKind.ORG.value: OrgUnit,
    TargetKind.HALL.value: Hall,
    TargetKind.GROUP.value: ScreenGroup,
}


def propose_from(session: Session, body: EmergencyCreate, principal: Principal) -> EmergencyProposal:
    """File ``body`` as a proposal in the key's name, as the console does for an editor.

    The content scope is what allows it, whoever made the key (an org administrator or the command
    line may not propose themselves); the key's creator is recorded so they cannot approve it.
    """
    errors: dict[str, str] = {}
    if body.starts_at is not None and body.starts_at >= body.expires_at:
        errors["starts_at"] = f"{body.starts_at.isoformat()} is not before expires_at {body.expires_at.isoformat()}"
    rules: list[tuple[str, int]] = []
    for index, target in enumerate(body.targets):
        model = _PROPOSABLE.get(target.kind.value)
        row = find(session, model, int(target.ref)) if model and str(target.ref).isdigit() else None
        if target.mode is not TargetMode.INCLUDE or model is None:
            errors[f"targets.{index}"] = "a proposal includes org nodes, halls or screen groups only"
        elif row is None:
            errors[f"targets.{index}.ref"] = f"no {target.kind.value} with id {target.ref}"
        else:
            check_row(session, row, target.kind.value, target.ref)
            rules.append((target.kind.value, row.id))
    if body.expires_at <= now():
        errors["expires_at"] = f"{body.expires_at.isoformat()} is not in the future"
    if errors:
        raise ValidationError(errors)
    # On air when approved, or at starts_at if that is later (content.signage.emergency_proposals.Draft).
    draft = Draft(
        body.org_unit_id, body.title, body.body, body.severity, None, body.expires_at, tuple(rules), body.starts_at
    )
    return file_proposal(
        session, draft, proposer=principal.actor, proposer_id=principal.creator_id, shown=principal.actor, now=now()
    )


@route(
    "/emergencies",
    "POST",
    "emergencies_create",
    Operation(
        "Create an emergency (with a content key: file a proposal for an approver, answered 202)",
        "emergencies",
        body=EmergencyCreate,
        response=EmergencyOut,
        status=201,
        errors=(409,),
        also=((202, ProposalFiled, "filed as a proposal: an approver of the node puts it on air (content keys)"),),
    ),
)
def create_emergency() -> Any:
    session = request_session()
    body = parse_body(EmergencyCreate)
    principal = current_principal()
    if principal is None or not principal.reviewed:
        return save_change(session, EMERGENCIES, None, body.model_dump()), 201
    check_values(session, {"org_unit_id": body.org_unit_id})
    check_refs(session, {"org_unit_id": body.org_unit_id}, EMERGENCIES.refs)
    proposal = propose_from(session, body, principal)
    session.commit()
    return ProposalFiled(proposal_id=proposal.id, status="proposed").model_dump(), 202
