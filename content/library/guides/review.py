"""The review of service guides: the steps and the four-eyes rule of policy notices (``content.library.approval``).

draft → in review → approved → published; reject sends back to draft; editing an approved or
published guide sends it back to review (off the screens, for the reason notices go off: the
screens show the row, and unreviewed words must never reach them); archived guides start again
as drafts when edited. Editors (``EDIT_CONTENT``) create, edit and submit; approvers (``APPROVE``)
approve, reject and publish; nobody approves a guide they last edited or submitted. Everyone acts
only on guides whose node lies in their subtree. Every step appends a ``GuideReviewEvent``, writes
an audit row and, when what screens show changes, an outbox row.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any, Final

from sqlalchemy import ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from content import outbox
from content.accounts import audit
from content.accounts.access import AccessDenied, scope_of
from content.accounts.notifications import NotificationKind, notify
from content.accounts.staff import StaffAccount
from content.db import Base, utcnow
from content.errors import ValidationError
from content.library.approval import REASON_MAX, ReviewRefused, Step, approvers_for, may_take
from content.library.guides.fields import GuideFields
from content.library.guides.service_guides import OBJ_KIND, ServiceGuide
from content.library.items import ItemStatus
from content.org.tree import OrgUnit

S = ItemStatus
_FROM: Final[dict[Step, frozenset[ItemStatus]]] = {
    Step.SUBMITTED: frozenset({S.DRAFT}),
    Step.APPROVED: frozenset({S.IN_REVIEW}),
    Step.REJECTED: frozenset({S.IN_REVIEW, S.APPROVED}),
    Step.PUBLISHED: frozenset({S.APPROVED}),
    Step.ARCHIVED: frozenset({S.DRAFT, S.IN_REVIEW, S.APPROVED, S.PUBLISHED}),
    Step.EDITED: frozenset(ItemStatus),
}
_TO: Final = {
    Step.SUBMITTED: S.IN_REVIEW,
    Step.APPROVED: S.APPROVED,
    Step.REJECTED: S.DRAFT,
    Step.PUBLISHED: S.PUBLISHED,
    Step.ARCHIVED: S.ARCHIVED,
}
_AFTER_EDIT: Final = {S.DRAFT: S.DRAFT, S.IN_REVIEW: S.IN_REVIEW, S.APPROVED: S.IN_REVIEW, S.PUBLISHED: S.IN_REVIEW}


class GuideReviewEvent(Base):
    """One line of a guide's review history."""

    __tablename__ = "guide_review_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    guide_id: Mapped[int] = mapped_column(ForeignKey("service_guides.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(80))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_accounts.id", ondelete="SET NULL"))
    step: Mapped[str] = mapped_column(String(16))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    revision: Mapped[int] = mapped_column(default=1)


def check_node(session: Session, actor: StaffAccount, org_unit_id: int | None) -> OrgUnit:
    """The guide's publishing node, refused when it is missing or outside the actor's subtree."""
    unit = session.get(OrgUnit, org_unit_id) if org_unit_id is not None else None
    if unit is None:
        raise ValidationError.single("org_unit_id", "names no org node" if org_unit_id else "is required")
    if not scope_of(session, actor).covers_unit(unit):
        raise ValidationError.single("org_unit_id", "lies outside your part of the org tree")
    return unit


def in_reach(session: Session, actor: StaffAccount, guide: ServiceGuide) -> bool:
    unit = session.get(OrgUnit, guide.org_unit_id)
    return unit is not None and scope_of(session, actor).covers_unit(unit)


def submitter_id(session: Session, guide: ServiceGuide) -> int | None:
    """The account that last sent the guide to review."""
    return session.scalar(
        select(GuideReviewEvent.actor_id)
        .where(
            GuideReviewEvent.guide_id == guide.id,
            GuideReviewEvent.to_status == S.IN_REVIEW.value,
            GuideReviewEvent.from_status != S.IN_REVIEW.value,
        )
        .order_by(GuideReviewEvent.at.desc(), GuideReviewEvent.id.desc())
        .limit(1)
    )


def authored_by(session: Session, guide: ServiceGuide, actor: StaffAccount) -> bool:
    """Whether ``actor`` last edited or submitted the guide, so may not approve it."""
    return actor.id in {guide.last_edited_by_id, submitter_id(session, guide)}


def allowed_steps(session: Session, guide: ServiceGuide, actor: StaffAccount) -> frozenset[Step]:
    """The steps ``actor`` may take on ``guide`` now (EDITED: may open the editor)."""
    if not in_reach(session, actor, guide):
        return frozenset()
    steps = {step for step, sources in _FROM.items() if S(guide.status) in sources and may_take(actor, step)}
    if Step.APPROVED in steps and authored_by(session, guide, actor):
        steps.discard(Step.APPROVED)
    return frozenset(steps)


def _record(
    session: Session, guide: ServiceGuide, actor: StaffAccount, step: Step, before: ItemStatus | None, **extra: Any
) -> None:
    after = S(guide.status)
    session.add(
        GuideReviewEvent(
            guide_id=guide.id,
            at=guide.updated_at,
            actor=actor.username,
            actor_id=actor.id,
            step=step.value,
            from_status=before.value if before else None,
            to_status=after.value,
            reason=extra.get("reason", ""),
            revision=guide.revision,
        )
    )
    summary = {"title": guide.title, "from": before.value if before else None, "to": after.value, **extra}
    unit = session.get(OrgUnit, guide.org_unit_id)
    audit.record(
        session,
        actor=actor.username,
        action=step.value,
        obj_kind=OBJ_KIND,
        obj_id=guide.id,
        summary=summary,
        org_path=unit.path if unit else None,
    )
    if S.PUBLISHED in (before, after) and before != after:
        outbox.add_event(session, "content", kind=OBJ_KIND, id=guide.id, action=step.value)


def _assign(guide: ServiceGuide, values: GuideFields) -> list[str]:
    changed = []
    for name, value in values.columns().items():
        if getattr(guide, name) != value:
            changed.append(name)
            setattr(guide, name, value)
    return changed


def create(session: Session, actor: StaffAccount, values: GuideFields, *, now: datetime | None = None) -> ServiceGuide:
    """A new draft guide written by ``actor`` (an editor, for a node in their subtree)."""
    if not may_take(actor, Step.CREATED):
        raise AccessDenied(f"the role {actor.role} may not write service guides")
    check_node(session, actor, values.org_unit_id)
    at = now or utcnow()
    guide = ServiceGuide(status=S.DRAFT.value, revision=1, last_edited_by_id=actor.id, created_at=at, updated_at=at)
    _assign(guide, values)
    session.add(guide)
    session.flush()
    _record(session, guide, actor, Step.CREATED, None)
    return guide


def _require(session: Session, actor: StaffAccount, guide: ServiceGuide, step: Step, revision: int | None) -> None:
    if not may_take(actor, step):
        raise AccessDenied(f"the role {actor.role} may not take the step {step.value!r}")
    if not in_reach(session, actor, guide):
        raise AccessDenied(f"service guide {guide.id} lies outside your part of the org tree")
    if revision is not None and revision != guide.revision:
        raise ReviewRefused(
            f"service guide {guide.id} changed since you opened it (revision {revision}, now {guide.revision}): "
            "read it again first",
            "stale",
        )


def edit(
    session: Session,
    guide: ServiceGuide,
    actor: StaffAccount,
    values: GuideFields,
    *,
    revision: int | None = None,
    now: datetime | None = None,
) -> bool:
    """Change the guide; an approved or published guide goes back to review. False when nothing changed."""
    _require(session, actor, guide, Step.EDITED, revision)
    check_node(session, actor, values.org_unit_id)
    before = S(guide.status)
    changed = _assign(guide, values)
    if not changed:
        return False
    guide.revision += 1
    guide.last_edited_by_id = actor.id
    guide.status = _AFTER_EDIT.get(before, S.DRAFT).value
    guide.updated_at = now or utcnow()
    _record(session, guide, actor, Step.EDITED, before, changed=sorted(changed))
    if before in (S.APPROVED, S.PUBLISHED):
        _tell_approvers(session, guide, actor, NotificationKind.GUIDE_RESUBMITTED, guide.updated_at)
    return True


def take_step(
    session: Session,
    guide: ServiceGuide,
    actor: StaffAccount,
    step: Step,
    *,
    reason: str = "",
    revision: int | None = None,
    now: datetime | None = None,
) -> None:
    """Submit, approve, reject (with a reason), publish or archive ``guide``."""
    if step not in _TO:
        raise ValueError(f"{step.value!r} is not a review step")
    _require(session, actor, guide, step, revision)
    if S(guide.status) not in _FROM[step]:
        raise ReviewRefused(f"a guide that is {guide.status} cannot be {step.value}", "state")
    if step is Step.APPROVED and authored_by(session, guide, actor):
        raise ReviewRefused(
            f"{actor.username} last edited or submitted service guide {guide.id}: another approver must approve it "
            "(four eyes)",
            "four_eyes",
        )
    reason = reason.strip()
    if step is Step.REJECTED and not reason:
        raise ValidationError.single("reason", "say why the guide goes back, so its editor can fix it")
    if len(reason) > REASON_MAX:
        raise ValidationError.single("reason", f"at most {REASON_MAX} characters")
    before = S(guide.status)
    guide.status = _TO[step].value
    guide.updated_at = now or utcnow()
    _record(session, guide, actor, step, before, **({"reason": reason} if reason else {}))
    if step is Step.SUBMITTED:
        _tell_approvers(session, guide, actor, NotificationKind.GUIDE_SUBMITTED, guide.updated_at)
    elif step in _TELL_SUBMITTER:
        _tell_submitter(session, guide, actor, _TELL_SUBMITTER[step], guide.updated_at, reason=reason)


# -- who hears about it: the notices' rules (content.library.approval) ------------------------------

_TELL_SUBMITTER: Final = {
    Step.APPROVED: NotificationKind.GUIDE_APPROVED,
    Step.REJECTED: NotificationKind.GUIDE_REJECTED,
    Step.PUBLISHED: NotificationKind.GUIDE_PUBLISHED,
}


def _tell_approvers(
    session: Session, guide: ServiceGuide, actor: StaffAccount, kind: NotificationKind, at: datetime
) -> None:
    """Every active approver whose scope covers the guide's node, except the actor."""
    unit = session.get(OrgUnit, guide.org_unit_id)
    if unit is None:
        return
    recipients = [a.id for a in approvers_for(session, unit) if a.id != actor.id]
    params = {"title": guide.title, "by": actor.display_name}
    notify(session, recipients, kind, params=params, subject=(OBJ_KIND, guide.id), now=at)


def _tell_submitter(
    session: Session, guide: ServiceGuide, actor: StaffAccount, kind: NotificationKind, at: datetime, reason: str
) -> None:
    """Whoever last sent the guide to review, unless they took the step themselves."""
    who = submitter_id(session, guide)
    if who is None or who == actor.id:
        return
    params = {"title": guide.title, "by": actor.display_name, **({"reason": reason} if reason else {})}
    notify(session, [who], kind, params=params, subject=(OBJ_KIND, guide.id), now=at)


def history(session: Session, guide: ServiceGuide) -> list[GuideReviewEvent]:
    """The guide's review history, oldest first."""
    stmt = select(GuideReviewEvent).where(GuideReviewEvent.guide_id == guide.id)
    return list(session.scalars(stmt.order_by(GuideReviewEvent.at, GuideReviewEvent.id)))


def as_fields(guide: ServiceGuide) -> dict[str, Any]:
    """The guide's fields as plain data (for forms and the audit log)."""
    return asdict(GuideFields.of(guide))
