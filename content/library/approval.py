"""The review of policy notices (审核流程): draft → in review → approved → published, every step recorded.

::

    draft ──submit──▶ in_review ──approve──▶ approved ──publish──▶ published
      ▲                   │                      │                      │
      └──────reject───────┴──────────────────────┘                      │
                  in_review ◀──edit── approved, published ◀─────────────┘
    draft, in_review, approved, published ──archive──▶ archived ──edit──▶ draft

Who: editors (``EDIT_CONTENT``) create, edit and submit; approvers (``APPROVE``) approve, reject
(with a reason) and publish; either may archive. Everyone acts only on notices whose publishing
node lies in their own subtree (``Scope.covers_unit``), and an editor may only move a notice to a
node in their subtree. Four eyes: nobody approves a notice they last edited or submitted.

Editing a notice that is approved or published sends it back to review. **A published notice that
is edited leaves the screens** until it is approved and published again: a notice is one row, and
the screens show that row's text, so keeping the old text live would mean a second, shadow copy
of every field (and of the API's view of it). Taking it off is the choice that can never show
unreviewed words; the editor's form says so before they save. An edit that changes nothing is
no edit and moves nothing.

Every step and every edit appends a ``NoticeReviewEvent`` (who, when, from, to, reason), writes an
audit row, and stages an outbox row when what screens show changes (a notice entering or leaving
``published``). Submitting (or an edit that sends it back) notifies every active approver whose
scope covers the notice's node; approving, rejecting and publishing notify whoever submitted it.

Each step may name the ``revision`` its actor saw; if the text changed since (another editor, or
the API), the step is refused rather than applied to words nobody reviewed.

The REST API with the bootstrap token or a full key is a trusted integration: it sets draft,
published or archived directly, without review. A content key is not: its notices end where
``reviewed_integration_status`` says (never published by the key), counted as last edited by the
key's creator. ``note_integration_change`` keeps the history and the revision right either way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Final

from sqlalchemy import ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from content import outbox
from content.accounts import audit
from content.accounts.access import ROLE_PERMISSIONS, AccessDenied, Permission, may, scope_of
from content.accounts.notifications import NotificationKind, notify
from content.accounts.staff import Role, StaffAccount
from content.db import Base, utcnow
from content.errors import ContentError, ValidationError
from content.library._notice_fields import LIMITS, NoticeFields, Problem, problems, refuse_problems
from content.library.items import ItemStatus, PolicyNotice
from content.library.sanitize import render_markdown
from content.org.tree import OrgUnit

__all__ = [
    "LIMITS",
    "OBJ_KIND",
    "REASON_MAX",
    "NoticeFields",
    "NoticeReviewEvent",
    "Problem",
    "ReviewRefused",
    "Step",
    "allowed_steps",
    "approve",
    "approvers_for",
    "archive",
    "authored_by",
    "create",
    "edit",
    "four_eyes_blocks",
    "history",
    "in_reach",
    "may_take",
    "note_integration_change",
    "problems",
    "publish",
    "reject",
    "reviewed_integration_status",
    "submit",
    "submitter_id",
]

S = ItemStatus
OBJ_KIND: Final = "policy_notice"  # the audit log's and outbox's noun, as the REST API writes it
INTEGRATION: Final = "api-token"
REASON_MAX: Final = 500
_SUMMARY_TEXT: Final = 200


class Step(StrEnum):
    CREATED = "created"
    EDITED = "edited"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    PUBLISHED = "published"
    ARCHIVED = "archived"


# Which states each step leaves from, and where it goes; EDITED goes by _AFTER_EDIT.
_FROM: Final[dict[Step, frozenset[ItemStatus]]] = {
    Step.SUBMITTED: frozenset({S.DRAFT}),
    Step.APPROVED: frozenset({S.IN_REVIEW}),
    Step.REJECTED: frozenset({S.IN_REVIEW, S.APPROVED}),
    Step.PUBLISHED: frozenset({S.APPROVED}),
    Step.ARCHIVED: frozenset({S.DRAFT, S.IN_REVIEW, S.APPROVED, S.PUBLISHED}),
    Step.EDITED: frozenset(ItemStatus),
}
_TO: Final[dict[Step, ItemStatus]] = {
    Step.SUBMITTED: S.IN_REVIEW,
    Step.APPROVED: S.APPROVED,
    Step.REJECTED: S.DRAFT,
    Step.PUBLISHED: S.PUBLISHED,
    Step.ARCHIVED: S.ARCHIVED,
}
_AFTER_EDIT: Final[dict[ItemStatus, ItemStatus]] = {
    S.DRAFT: S.DRAFT,
    S.IN_REVIEW: S.IN_REVIEW,
    S.APPROVED: S.IN_REVIEW,
    S.PUBLISHED: S.IN_REVIEW,
    S.ARCHIVED: S.DRAFT,
}
# How a status the REST API set directly reads in the history.
_STEP_INTO: Final = {
    S.PUBLISHED: Step.PUBLISHED,
    S.ARCHIVED: Step.ARCHIVED,
    S.DRAFT: Step.EDITED,
    S.IN_REVIEW: Step.SUBMITTED,  # a reviewed API key asking for published
}
# Any one of these permissions lets an account take the step.
_NEEDS: Final[dict[Step, tuple[Permission, ...]]] = {
    Step.CREATED: (Permission.EDIT_CONTENT,),
    Step.EDITED: (Permission.EDIT_CONTENT,),
    Step.SUBMITTED: (Permission.EDIT_CONTENT,),
    Step.APPROVED: (Permission.APPROVE,),
    Step.REJECTED: (Permission.APPROVE,),
    Step.PUBLISHED: (Permission.APPROVE,),
    Step.ARCHIVED: (Permission.EDIT_CONTENT, Permission.APPROVE),
}


class NoticeReviewEvent(Base):
    """One line of a notice's review history: a step (or an edit), who took it, when, from where to where."""

    __tablename__ = "notice_review_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("policy_notices.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(80))  # the user name (kept when the account goes), or "api-token"
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_accounts.id", ondelete="SET NULL"))
    step: Mapped[str] = mapped_column(String(16))
    from_status: Mapped[str | None] = mapped_column(String(16))  # None on creation
    to_status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    revision: Mapped[int] = mapped_column(default=1)  # the notice's text revision the step acted on

    notice: Mapped[PolicyNotice] = relationship()


class ReviewRefused(ContentError):
    """A step the notice's state, the four-eyes rule or a newer revision does not allow.

    ``reason`` is "state", "four_eyes" or "stale", for pages that say it in another language.
    """

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


# -- who may do what ------------------------------------------------------------------------------


def may_take(actor: StaffAccount, step: Step) -> bool:
    """Whether the actor's role allows the step at all (where it applies is ``in_reach``)."""
    return any(may(actor, p) for p in _NEEDS[step])


def in_reach(session: Session, actor: StaffAccount, notice: PolicyNotice) -> bool:
    """Whether the notice's publishing node lies in the actor's subtree."""
    unit = session.get(OrgUnit, notice.org_unit_id)
    return unit is not None and scope_of(session, actor).covers_unit(unit)


def _require(session: Session, actor: StaffAccount, notice: PolicyNotice, step: Step) -> None:
    if not may_take(actor, step):
        raise AccessDenied(f"the role {actor.role} may not take the step {step.value!r}")
    if not in_reach(session, actor, notice):
        raise AccessDenied(f"policy notice {notice.id} lies outside your part of the org tree")


def submitter_id(session: Session, notice: PolicyNotice) -> int | None:
    """The account that last sent the notice to review (by submitting it, or by editing it back there)."""
    stmt = (
        select(NoticeReviewEvent.actor_id)
        .where(
            NoticeReviewEvent.notice_id == notice.id,
            NoticeReviewEvent.to_status == S.IN_REVIEW.value,
            NoticeReviewEvent.from_status != S.IN_REVIEW.value,
        )
        .order_by(NoticeReviewEvent.at.desc(), NoticeReviewEvent.id.desc())
        .limit(1)
    )
    return session.scalar(stmt)


def authored_by(session: Session, notice: PolicyNotice, actor: StaffAccount) -> bool:
    """Whether ``actor`` last edited or submitted the notice, so may not approve it."""
    return actor.id in {notice.last_edited_by_id, submitter_id(session, notice)}


def four_eyes_blocks(session: Session, notice: PolicyNotice, actor: StaffAccount) -> bool:
    """Whether ``actor`` could approve the notice now but for the four-eyes rule."""
    return (
        notice.status == S.IN_REVIEW.value
        and may_take(actor, Step.APPROVED)
        and in_reach(session, actor, notice)
        and authored_by(session, notice, actor)
    )


def allowed_steps(session: Session, notice: PolicyNotice, actor: StaffAccount) -> frozenset[Step]:
    """The steps ``actor`` may take on ``notice`` now (EDITED meaning: may open the editor)."""
    if not in_reach(session, actor, notice):
        return frozenset()
    status = S(notice.status)
    steps = {step for step in _FROM if status in _FROM[step] and may_take(actor, step)}
    if Step.APPROVED in steps and authored_by(session, notice, actor):
        steps.discard(Step.APPROVED)
    return frozenset(steps)


# -- the steps -------------------------------------------------------------------------------------


def _brief(value: Any) -> Any:
    if isinstance(value, str) and len(value) > _SUMMARY_TEXT:
        return value[:_SUMMARY_TEXT] + "…"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def _unit_path(session: Session, notice: PolicyNotice) -> str | None:
    unit = session.get(OrgUnit, notice.org_unit_id)
    return unit.path if unit else None


def _record(
    session: Session,
    notice: PolicyNotice,
    *,
    actor: str,
    actor_id: int | None,
    step: Step,
    before: ItemStatus | None,
    reason: str = "",
    changed: Mapping[str, tuple[Any, Any]] | None = None,
    now: datetime,
) -> NoticeReviewEvent:
    """The history line, the audit row and, when screens see a change, the outbox row."""
    after = S(notice.status)
    event = NoticeReviewEvent(
        notice_id=notice.id,
        at=now,
        actor=actor,
        actor_id=actor_id,
        step=step.value,
        from_status=before.value if before else None,
        to_status=after.value,
        reason=reason,
        revision=notice.revision,
    )
    session.add(event)
    summary: dict[str, Any] = {"title": _brief(notice.title), "from": event.from_status, "to": event.to_status}
    if reason:
        summary["reason"] = reason
    if changed:
        summary["before"] = {k: _brief(v[0]) for k, v in changed.items()}
        summary["after"] = {k: _brief(v[1]) for k, v in changed.items()}
    audit.record(
        session,
        actor=actor,
        action=step.value,
        obj_kind=OBJ_KIND,
        obj_id=notice.id,
        summary=summary,
        org_path=_unit_path(session, notice),
    )
    if S.PUBLISHED in (before, after) and before != after:
        outbox.add_event(session, "content", kind=OBJ_KIND, id=notice.id, action=step.value)
    return event


def _check_revision(notice: PolicyNotice, revision: int | None) -> None:
    if revision is not None and revision != notice.revision:
        raise ReviewRefused(
            f"policy notice {notice.id} changed since you opened it (revision {revision}, now "
            f"{notice.revision}): read it again first",
            "stale",
        )


def _check_state(notice: PolicyNotice, step: Step) -> None:
    if S(notice.status) not in _FROM[step]:
        raise ReviewRefused(f"a notice that is {notice.status} cannot be {step.value}", "state")


def _assign(notice: PolicyNotice, values: NoticeFields) -> dict[str, tuple[Any, Any]]:
    """Copy the fields onto the notice; returns what changed as {field: (before, after)}."""
    changed = {}
    for name, value in asdict(values).items():
        old = getattr(notice, name)
        if old != value:
            changed[name] = (old, value)
            setattr(notice, name, value)
    if "body_markdown" in changed or not notice.body_html:
        notice.body_html = render_markdown(notice.body_markdown or "")
    return changed


def create(session: Session, actor: StaffAccount, values: NoticeFields, *, now: datetime | None = None) -> PolicyNotice:
    """A new draft notice written by ``actor`` (an editor, for a node in their subtree)."""
    at = now or utcnow()
    if not may_take(actor, Step.CREATED):
        raise AccessDenied(f"the role {actor.role} may not write policy notices")
    values = values.cleaned()
    refuse_problems(session, actor, values)
    notice = PolicyNotice(status=S.DRAFT.value, revision=1, last_edited_by_id=actor.id, created_at=at, updated_at=at)
    _assign(notice, values)
    session.add(notice)
    session.flush()
    _record(session, notice, actor=actor.username, actor_id=actor.id, step=Step.CREATED, before=None, now=at)
    return notice


def edit(
    session: Session,
    notice: PolicyNotice,
    actor: StaffAccount,
    values: NoticeFields,
    *,
    revision: int | None = None,
    now: datetime | None = None,
) -> bool:
    """Change the notice's fields; an approved or published notice goes back to review (off screens).

    Returns False, and records nothing, when ``values`` change nothing.
    """
    at = now or utcnow()
    _require(session, actor, notice, Step.EDITED)
    _check_revision(notice, revision)
    values = values.cleaned()
    refuse_problems(session, actor, values)
    before = S(notice.status)
    changed = _assign(notice, values)
    if not changed:
        return False
    notice.revision += 1
    notice.last_edited_by_id = actor.id
    notice.status = _AFTER_EDIT[before].value
    notice.updated_at = at
    _record(
        session,
        notice,
        actor=actor.username,
        actor_id=actor.id,
        step=Step.EDITED,
        before=before,
        changed=changed,
        now=at,
    )
    if before in (S.APPROVED, S.PUBLISHED):
        _tell_approvers(session, notice, actor, NotificationKind.NOTICE_RESUBMITTED, at)
    return True


def _step(
    session: Session,
    notice: PolicyNotice,
    actor: StaffAccount,
    step: Step,
    revision: int | None,
    now: datetime | None,
    reason: str = "",
) -> datetime:
    at = now or utcnow()
    _require(session, actor, notice, step)
    _check_state(notice, step)
    _check_revision(notice, revision)
    if step is Step.APPROVED and authored_by(session, notice, actor):
        raise ReviewRefused(
            f"{actor.username} last edited or submitted policy notice {notice.id}: another approver "
            "must approve it (four eyes)",
            "four_eyes",
        )
    before = S(notice.status)
    notice.status = _TO[step].value
    notice.updated_at = at
    _record(session, notice, actor=actor.username, actor_id=actor.id, step=step, before=before, reason=reason, now=at)
    return at


def submit(
    session: Session,
    notice: PolicyNotice,
    actor: StaffAccount,
    *,
    revision: int | None = None,
    now: datetime | None = None,
) -> None:
    """Send a draft to review; every approver whose subtree holds the notice's node is told."""
    at = _step(session, notice, actor, Step.SUBMITTED, revision, now)
    _tell_approvers(session, notice, actor, NotificationKind.NOTICE_SUBMITTED, at)


def approve(
    session: Session,
    notice: PolicyNotice,
    actor: StaffAccount,
    *,
    revision: int | None = None,
    now: datetime | None = None,
) -> None:
    """Approve a notice in review (not one the approver last edited or submitted); the submitter is told."""
    at = _step(session, notice, actor, Step.APPROVED, revision, now)
    _tell_submitter(session, notice, actor, NotificationKind.NOTICE_APPROVED, at)


def reject(
    session: Session,
    notice: PolicyNotice,
    actor: StaffAccount,
    reason: str,
    *,
    revision: int | None = None,
    now: datetime | None = None,
) -> None:
    """Send a notice in review (or approved, not yet published) back to draft, saying why."""
    reason = reason.strip()
    if not reason:
        raise ValidationError.single("reason", "say why the notice goes back, so its editor can fix it")
    if len(reason) > REASON_MAX:
        raise ValidationError.single("reason", f"at most {REASON_MAX} characters")
    at = _step(session, notice, actor, Step.REJECTED, revision, now, reason)
    _tell_submitter(session, notice, actor, NotificationKind.NOTICE_REJECTED, at, reason=reason)


def publish(
    session: Session,
    notice: PolicyNotice,
    actor: StaffAccount,
    *,
    revision: int | None = None,
    now: datetime | None = None,
) -> None:
    """Put an approved notice on the screens (inside its validity window)."""
    at = _step(session, notice, actor, Step.PUBLISHED, revision, now)
    _tell_submitter(session, notice, actor, NotificationKind.NOTICE_PUBLISHED, at)


def archive(session: Session, notice: PolicyNotice, actor: StaffAccount, *, now: datetime | None = None) -> None:
    """Retire the notice (and take it off screens); editing it later starts again from a draft."""
    _step(session, notice, actor, Step.ARCHIVED, None, now)


def history(session: Session, notice: PolicyNotice) -> list[NoticeReviewEvent]:
    """The notice's review history, oldest first."""
    stmt = (
        select(NoticeReviewEvent)
        .where(NoticeReviewEvent.notice_id == notice.id)
        .order_by(NoticeReviewEvent.at, NoticeReviewEvent.id)
    )
    return list(session.scalars(stmt))


def note_integration_change(
    session: Session,
    notice: PolicyNotice,
    *,
    before_status: ItemStatus | None,
    before_fields: NoticeFields | None,
    actor: str = INTEGRATION,
    actor_id: int | None = None,
    now: datetime | None = None,
) -> None:
    """Keep the history right after the REST API wrote the notice directly (the API audits it itself).

    A changed text counts as a new revision, last edited by ``actor_id`` (a reviewed key's creator,
    so they cannot approve it: four eyes) or by no console account; a changed status is a line in
    the history, like a step taken in the console. A notice that enters review tells its approvers.
    """
    if before_fields is not None and NoticeFields.of(notice) != before_fields:
        notice.revision = (notice.revision or 1) + 1
        notice.last_edited_by_id = actor_id
    elif before_fields is None and actor_id is not None:
        notice.last_edited_by_id = actor_id
    after = S(notice.status)
    if before_status is None or before_status != after:
        step = Step.CREATED if before_status is None else _STEP_INTO.get(after, Step.EDITED)
        session.add(
            NoticeReviewEvent(
                notice=notice,
                at=now or utcnow(),
                actor=actor,
                actor_id=actor_id,
                step=step.value,
                from_status=before_status.value if before_status else None,
                to_status=after.value,
                revision=notice.revision or 1,
            )
        )
    if after is S.IN_REVIEW and before_status is not S.IN_REVIEW:
        _tell_approvers_of_integration(session, notice, actor, actor_id, now or utcnow())


def reviewed_integration_status(
    before: ItemStatus | None, requested: ItemStatus | None, text_changed: bool
) -> ItemStatus:
    """The status a notice written through a reviewed API key ends in: never published by the key itself.

    Draft and archived are taken as asked. Asking for published submits it (in review) unless it
    is already published and unchanged; a changed text of an approved or published notice goes back
    to review, as an editor's edit does in the console.
    """
    if requested in (S.DRAFT, S.ARCHIVED):
        return requested
    if before is None:
        return S.IN_REVIEW
    if text_changed:
        return S.IN_REVIEW if requested is S.PUBLISHED else _AFTER_EDIT[before]
    if requested is S.PUBLISHED and before in (S.DRAFT, S.ARCHIVED):
        return S.IN_REVIEW
    return before


def _tell_approvers_of_integration(
    session: Session, notice: PolicyNotice, actor: str, actor_id: int | None, at: datetime
) -> None:
    unit = session.get(OrgUnit, notice.org_unit_id)
    if unit is None:
        return
    if notice.id is None:
        session.flush()  # the notification names the notice
    recipients = [a.id for a in approvers_for(session, unit) if a.id != actor_id]
    params = {"title": notice.title, "by": actor}
    notify(session, recipients, NotificationKind.NOTICE_SUBMITTED, params=params, subject=(OBJ_KIND, notice.id), now=at)


# -- who hears about it ------------------------------------------------------------------------------


def approvers_for(session: Session, unit: OrgUnit) -> list[StaffAccount]:
    """Every active account that may approve notices published at ``unit``."""
    roles = [role.value for role in Role if Permission.APPROVE in ROLE_PERMISSIONS[role]]
    candidates = session.scalars(
        select(StaffAccount)
        .where(StaffAccount.active.is_(True), StaffAccount.role.in_(roles))
        .order_by(StaffAccount.id)
    )
    return [a for a in candidates if may(a, Permission.APPROVE) and scope_of(session, a).covers_unit(unit)]


def _params(notice: PolicyNotice, actor: StaffAccount, **extra: str) -> dict[str, Any]:
    return {"title": notice.title, "by": actor.display_name, **extra}


def _tell_approvers(
    session: Session, notice: PolicyNotice, actor: StaffAccount, kind: NotificationKind, at: datetime
) -> None:
    unit = session.get(OrgUnit, notice.org_unit_id)
    if unit is None:
        return
    recipients = [a.id for a in approvers_for(session, unit) if a.id != actor.id]
    notify(session, recipients, kind, params=_params(notice, actor), subject=(OBJ_KIND, notice.id), now=at)


def _tell_submitter(
    session: Session, notice: PolicyNotice, actor: StaffAccount, kind: NotificationKind, at: datetime, **extra: str
) -> None:
    who = submitter_id(session, notice)
    if who is not None and who != actor.id:
        notify(session, [who], kind, params=_params(notice, actor, **extra), subject=(OBJ_KIND, notice.id), now=at)
