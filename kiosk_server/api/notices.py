"""Policy notices (政策公告): Markdown in, sanitized HTML out, both kept."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import Field
from sqlalchemy.orm import Session

from content.library.approval import INTEGRATION, NoticeFields, note_integration_change, reviewed_integration_status
from content.library.items import ItemStatus, PolicyNotice
from content.library.sanitize import render_markdown
from kiosk_server.api._crud import Resource, register
from kiosk_server.api._items import ITEM_REFS, ItemFields, ItemFilters, ItemOut, save_item
from kiosk_server.api._schemas import Day, partial
from kiosk_server.auth import current_principal


class PolicyNoticeCreate(ItemFields):
    topic: str = Field("", max_length=40, description="e.g. 失业保险, 养老保险, 就业创业")
    body_markdown: str = Field("", max_length=100_000, description="CommonMark with tables; raw HTML is shown as text")
    issuing_office: str = Field("", max_length=120)
    effective_date: Day | None = None


PolicyNoticeUpdate = partial(PolicyNoticeCreate)


class PolicyNoticeOut(ItemOut):
    topic: str
    body_markdown: str
    body_html: str = Field(description="body_markdown rendered and sanitized; what screens show")
    issuing_office: str
    effective_date: date | None


class PolicyNoticeFilters(ItemFilters):
    topic: str | None = None


def save_notice(session: Session, notice: PolicyNotice | None, values: dict[str, Any]) -> PolicyNotice:
    """Save as an integration: the bootstrap token and full keys set the status directly; a content
    key's notice goes through review like an editor's (never published by the key). Either way the
    review history and revision stay right."""
    principal = current_principal()
    before_status = ItemStatus(notice.status) if notice is not None else None
    before_fields = NoticeFields.of(notice) if notice is not None else None
    requested = ItemStatus(values["status"]) if values.get("status") is not None else None
    notice = save_item(session, PolicyNotice, notice, values)
    notice.body_html = render_markdown(notice.body_markdown or "")
    actor, actor_id = (principal.actor if principal else INTEGRATION), None
    if principal is not None and principal.reviewed:
        changed = before_fields is not None and NoticeFields.of(notice) != before_fields
        notice.status = reviewed_integration_status(before_status, requested, changed).value
        actor_id = principal.creator_id  # the key acts under its creator's four eyes
    note_integration_change(
        session, notice, before_status=before_status, before_fields=before_fields, actor=actor, actor_id=actor_id
    )
    return notice


POLICY_NOTICES: Resource[PolicyNotice] = Resource(
    path="policy-notices",
    kind="policy_notice",
    model=PolicyNotice,
    out=PolicyNoticeOut,
    save=save_notice,
    create=PolicyNoticeCreate,
    update=PolicyNoticeUpdate,
    filters=PolicyNoticeFilters,
    refs=ITEM_REFS,
)
register(POLICY_NOTICES)
