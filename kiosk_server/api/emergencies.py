"""Emergency notices (紧急通知): one action reaches every targeted screen; always an expiry, always audited."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from pydantic import AwareDatetime, Field
from sqlalchemy import ColumnElement, and_, not_, or_
from sqlalchemy.orm import Session, selectinload

from content.errors import ValidationError
from content.org.tree import OrgUnit
from content.signage.emergencies import Emergency, Severity
from kiosk_server.api._crud import Id, Resource, assign, record_change, register
from kiosk_server.api._errors import Conflict, gather
from kiosk_server.api._routing import Operation, now, route
from kiosk_server.api._schemas import Body, Filters, Out, partial
from kiosk_server.api._targets import TargetIn, TargetOut, check_targets, target_rows
from kiosk_server.auth import current_actor
from kiosk_server.database import request_session


class EmergencyChange(Body):
    title: str = Field(min_length=1, max_length=120)
    body: str = Field("", max_length=2000)
    severity: Severity = Severity.CRITICAL
    expires_at: AwareDatetime = Field(description="required, in the future: an emergency never stays up forever")
    targets: list[TargetIn] = Field(max_length=200)


class EmergencyCreate(EmergencyChange):
    org_unit_id: Id = Field(description="the org node issuing it")
    starts_at: AwareDatetime | None = Field(None, description="now when omitted")


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
    create=EmergencyCreate,
    update=EmergencyUpdate,
    filters=EmergencyFilters,
    refs={"org_unit_id": (OrgUnit, "org unit")},
    computed=lambda emergency: {"active": _is_active(emergency, now())},
    load=(selectinload(Emergency.targets),),
    deletable=False,  # ended, never deleted: the record of what screens showed stays
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
    Operation("End an emergency now", "emergencies", response=EmergencyOut, errors=(404, 409)),
)
def end_emergency(ident: int) -> Any:
    session = request_session()
    return end_now(session, EMERGENCIES.get(session, ident))
