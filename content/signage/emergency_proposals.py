"""Emergency proposals: an editor drafts an emergency notice, an approver of that subtree puts it on air.

Approvers, hall managers and admins send emergencies at once (one form and a confirmation: an
emergency cannot wait for a queue). Editors, who may not, propose one instead: in review →
approved (it goes on air at that moment, or at the start asked for if that is later, for the
duration asked, or until the chosen end) or rejected with a reason. Nobody approves their own
proposal. Approvers whose scope covers the proposal's node are notified when it arrives; the
proposer when it is decided.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, Final

from sqlalchemy import ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from content import outbox
from content.accounts import audit
from content.accounts.access import ROLE_PERMISSIONS, AccessDenied, Permission, may, scope_of
from content.accounts.notifications import NotificationKind, notify
from content.accounts.staff import StaffAccount
from content.db import Base, utcnow
from content.errors import ContentError, ValidationError
from content.org.tree import OrgUnit
from content.signage.emergencies import Emergency, Severity
from content.signage.targeting import Target, TargetMode

OBJ_KIND: Final = "emergency_proposal"
MAX_REASON: Final = 500


class ProposalStatus(StrEnum):
    IN_REVIEW = "in_review"
    APPROVED = "approved"  # on air (or was): ``emergency_id`` is the emergency it became
    REJECTED = "rejected"


class EmergencyProposal(Base):
    __tablename__ = "emergency_proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text, default="")
    severity: Mapped[str] = mapped_column(String(16))
    minutes: Mapped[int | None]  # on air this long from approval, or
    until: Mapped[datetime | None]  # until this instant
    starts_at: Mapped[datetime | None]  # on air from approval, or from this instant if that is later
    targets: Mapped[list[Any]] = mapped_column(default=list)  # [[kind, id], ...] of TargetKind org/hall/group
    status: Mapped[str] = mapped_column(String(16), default=ProposalStatus.IN_REVIEW.value, index=True)
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_accounts.id", ondelete="SET NULL"))
    proposed_by: Mapped[str] = mapped_column(String(80))
    proposed_at: Mapped[datetime] = mapped_column(default=utcnow)
    reviewed_by: Mapped[str] = mapped_column(String(80), default="")
    reviewed_at: Mapped[datetime | None]
    reason: Mapped[str] = mapped_column(String(MAX_REASON), default="")
    emergency_id: Mapped[int | None] = mapped_column(ForeignKey("emergencies.id", ondelete="SET NULL"))


class ProposalRefused(ContentError):
    """A step this proposal or this account cannot take; ``key`` names the console's words for it."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


@dataclass(frozen=True)
class Draft:
    """A checked emergency: what it says, where, when it starts and how long (``minutes`` from on-air, or ``until``).

    ``starts_at`` None starts it when it goes on air (sent, or approved); a later instant holds it
    until then (待生效), and one that has passed by then starts it at once.
    """

    org_unit_id: int
    title: str
    body: str
    severity: Severity
    minutes: int | None
    until: datetime | None
    targets: tuple[tuple[str, int], ...]
    starts_at: datetime | None = None

    def start(self, now: datetime) -> datetime:
        """When it shows, if put on air at ``now``: ``starts_at`` unless that has passed."""
        return max(now, self.starts_at) if self.starts_at is not None else now

    def expires_at(self, on_air: datetime) -> datetime:
        """When it ends by itself, ``on_air`` being when it starts to show."""
        return self.until if self.until is not None else on_air + timedelta(minutes=self.minutes or 0)


def _path(session: Session, unit_id: int) -> str | None:
    unit = session.get(OrgUnit, unit_id)
    return unit.path if unit else None


def _approvers(session: Session, unit_path: str) -> list[int]:
    roles = [r.value for r, held in ROLE_PERMISSIONS.items() if Permission.EMERGENCY in held]
    found = session.scalars(select(StaffAccount).where(StaffAccount.active.is_(True), StaffAccount.role.in_(roles)))
    return [a.id for a in found if scope_of(session, a).covers_path(unit_path)]


def go_on_air(session: Session, draft: Draft, *, actor: str, now: datetime, reached: int | None = None) -> Emergency:
    """The emergency of ``draft``, on air from ``now`` (or its later start), with outbox row and audit (caller commits)."""
    starts = draft.start(now)
    expires = draft.expires_at(starts)
    if expires <= starts:
        raise ValidationError.single("until", f"the chosen end {expires.isoformat()} is not after the start")
    emergency = Emergency(
        org_unit_id=draft.org_unit_id,
        title=draft.title,
        body=draft.body,
        severity=draft.severity.value,
        starts_at=starts,
        expires_at=expires,
        created_by=actor,
        targets=[Target(mode=TargetMode.INCLUDE.value, kind=k, ref=str(i)) for k, i in draft.targets],
    )
    session.add(emergency)
    session.flush()
    outbox.add_event(session, "content", kind="emergency", id=emergency.id, action="created")
    audit.record(
        session,
        actor=actor,
        action="created",
        obj_kind="emergency",
        obj_id=emergency.id,
        summary={
            "after": {
                "title": draft.title,
                "severity": draft.severity.value,
                "expires_at": expires.isoformat(),
                "targets": [f"{k}:{i}" for k, i in draft.targets],
                "screens": reached,
                **({"starts_at": starts.astimezone(UTC).isoformat()} if starts > now else {}),  # held: 待生效
            }
        },
        org_path=_path(session, draft.org_unit_id),
    )
    return emergency


def propose(session: Session, draft: Draft, account: StaffAccount, now: datetime) -> EmergencyProposal:
    """File ``draft`` for review in ``account``'s name and notify the approvers of its node (the caller commits)."""
    if not may(account, Permission.EDIT_CONTENT):
        raise AccessDenied(f"the role {account.role} may not propose emergencies")
    return file_proposal(
        session, draft, proposer=account.username, proposer_id=account.id, shown=account.display_name, now=now
    )


def file_proposal(
    session: Session, draft: Draft, *, proposer: str, proposer_id: int | None, shown: str, now: datetime
) -> EmergencyProposal:
    """File ``draft`` for review and notify the approvers of its node (the caller commits).

    The caller has checked that ``proposer`` may propose: an editor (``propose``), or an integration
    whose content key allows it, filed as ``api-key:<name>`` with the key's creator as
    ``proposer_id``, so the creator cannot approve what their key proposed.
    """
    proposal = EmergencyProposal(
        org_unit_id=draft.org_unit_id,
        title=draft.title,
        body=draft.body,
        severity=draft.severity.value,
        minutes=draft.minutes,
        until=draft.until,
        starts_at=draft.starts_at,
        targets=[[k, i] for k, i in draft.targets],
        proposed_by_id=proposer_id,
        proposed_by=proposer,
        proposed_at=now,
    )
    session.add(proposal)
    session.flush()
    path = _path(session, draft.org_unit_id) or "/"
    notify(
        session,
        [i for i in _approvers(session, path) if i != proposer_id],
        NotificationKind.EMERGENCY_PROPOSED,
        params={"title": draft.title, "by": shown},
        subject=(OBJ_KIND, proposal.id),
        now=now,
    )
    audit.record(
        session,
        actor=proposer,
        action="proposed",
        obj_kind=OBJ_KIND,
        obj_id=proposal.id,
        summary={
            "after": {
                "title": draft.title,
                "targets": proposal.targets,
                **({"starts_at": draft.starts_at.astimezone(UTC).isoformat()} if draft.starts_at is not None else {}),
            }
        },
        org_path=path,
    )
    return proposal


def draft_of(proposal: EmergencyProposal) -> Draft:
    return Draft(
        proposal.org_unit_id,
        proposal.title,
        proposal.body,
        Severity(proposal.severity),
        proposal.minutes,
        proposal.until,
        tuple((str(k), int(i)) for k, i in proposal.targets),
        proposal.starts_at,
    )


def _check_reviewer(session: Session, proposal: EmergencyProposal, account: StaffAccount) -> None:
    if proposal.status != ProposalStatus.IN_REVIEW.value:
        raise ProposalRefused("emergency.proposal.decided", f"proposal {proposal.id} was already {proposal.status}")
    if not may(account, Permission.EMERGENCY):
        raise AccessDenied(f"the role {account.role} may not put emergencies on air")
    if proposal.proposed_by_id == account.id:
        raise ProposalRefused("emergency.proposal.own", "nobody approves their own proposal")


def approve(session: Session, proposal: EmergencyProposal, account: StaffAccount, now: datetime) -> Emergency:
    """Put the proposal on air now (the caller checks the scope and commits)."""
    _check_reviewer(session, proposal, account)
    emergency = go_on_air(session, draft_of(proposal), actor=account.username, now=now)
    proposal.status, proposal.reviewed_by, proposal.reviewed_at = ProposalStatus.APPROVED.value, account.username, now
    proposal.emergency_id = emergency.id
    if proposal.proposed_by_id is not None:
        notify(
            session,
            [proposal.proposed_by_id],
            NotificationKind.EMERGENCY_APPROVED,
            params={"title": proposal.title, "by": account.display_name},
            subject=(OBJ_KIND, proposal.id),
            now=now,
        )
    return emergency


def reject(session: Session, proposal: EmergencyProposal, account: StaffAccount, now: datetime, reason: str) -> None:
    _check_reviewer(session, proposal, account)
    reason = reason.strip()
    if not reason or len(reason) > MAX_REASON:
        raise ValidationError.single("reason", f"a reason of 1 to {MAX_REASON} characters is needed")
    proposal.status, proposal.reviewed_by, proposal.reviewed_at = ProposalStatus.REJECTED.value, account.username, now
    proposal.reason = reason
    audit.record(
        session,
        actor=account.username,
        action="rejected",
        obj_kind=OBJ_KIND,
        obj_id=proposal.id,
        summary={"reason": reason},
        org_path=_path(session, proposal.org_unit_id),
    )
    if proposal.proposed_by_id is not None:
        notify(
            session,
            [proposal.proposed_by_id],
            NotificationKind.EMERGENCY_REJECTED,
            params={"title": proposal.title, "by": account.display_name, "reason": reason},
            subject=(OBJ_KIND, proposal.id),
            now=now,
        )
