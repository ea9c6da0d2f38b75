"""Service guides (办事指南): structured fields in, plain text stored, the online link's QR shown on screens.

Every write goes through ``GuideFields.parse`` (``content.library.guides.fields``), the rule the
console and imports share: markup is stripped, lists are bounded, the online link must be http(s).
The bootstrap token and full keys set the status directly; a content key's guide goes through
review like an editor's and is never published by the key (``reviewed_integration_status``).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field
from sqlalchemy.orm import Session

from content.library.approval import INTEGRATION, Step, reviewed_integration_status
from content.library.guides.fields import (
    LIMITS,
    MATERIAL_TEXT,
    MAX_COPIES,
    MAX_MATERIALS,
    MAX_STEPS,
    STEP_TEXT,
    GuideFields,
)
from content.library.guides.review import GuideReviewEvent
from content.library.guides.service_guides import OBJ_KIND, ServiceGuide
from content.library.items import ItemStatus
from kiosk_server.api._crud import Resource, register, upsert
from kiosk_server.api._items import ITEM_REFS, ItemFields, ItemFilters, ItemOut, check_window
from kiosk_server.api._schemas import Body, Out, partial
from kiosk_server.auth import current_principal


class MaterialIn(Body):
    name: str = Field(min_length=1, max_length=MATERIAL_TEXT)
    copies: int = Field(1, ge=0, le=MAX_COPIES, description="copies to hand in")
    original: bool = Field(False, description="the original must be shown at the counter")
    note: str = Field("", max_length=MATERIAL_TEXT)


class GuideCreate(ItemFields):
    category: str = Field(min_length=1, max_length=LIMITS["category"], description="e.g. 就业服务, 社会保险")
    conditions: str = Field("", max_length=LIMITS["conditions"], description="申办条件, plain text")
    materials: list[MaterialIn] = Field(default_factory=list, max_length=MAX_MATERIALS)
    steps: list[str] = Field(min_length=1, max_length=MAX_STEPS, description=f"办理流程 in order, each ≤ {STEP_TEXT}")
    time_limit: str = Field("", max_length=LIMITS["time_limit"], description="e.g. 即时办结, 5个工作日")
    fee: str = Field("不收费", max_length=LIMITS["fee"])
    location: str = Field("", max_length=LIMITS["location"])
    counter: str = Field("", max_length=LIMITS["counter"])
    hours: str = Field("", max_length=LIMITS["hours"])
    legal_basis: str = Field("", max_length=LIMITS["legal_basis"])
    online_url: str = Field("", max_length=LIMITS["online_url"], description="http(s) address, shown as a QR code")
    phone: str = Field("", max_length=LIMITS["phone"])


GuideUpdate = partial(GuideCreate)


class MaterialOut(Out):
    name: str
    copies: int
    original: bool
    note: str


class GuideOut(ItemOut):
    category: str
    conditions: str
    materials: list[MaterialOut]
    steps: list[str]
    time_limit: str
    fee: str
    location: str
    counter: str
    hours: str
    legal_basis: str
    online_url: str
    phone: str
    revision: int


class GuideFilters(ItemFilters):
    category: str | None = None


def save_guide(session: Session, guide: ServiceGuide | None, values: dict[str, Any]) -> ServiceGuide:
    """Check the whole guide as it will be (stored fields with the new values), then save it."""
    principal = current_principal()
    before_status = ItemStatus(guide.status) if guide is not None else None
    before = GuideFields.of(guide) if guide is not None else None
    merged = {**(before.columns() if before else {}), **values}
    checked = GuideFields.parse({k: v for k, v in merged.items() if k not in ("status", "org_unit_id")})
    columns = {**checked.columns(), "org_unit_id": merged["org_unit_id"]}
    requested = ItemStatus(values["status"]) if values.get("status") is not None else None
    guide = upsert(session, ServiceGuide, guide, {**columns, **({"status": values["status"]} if requested else {})})
    check_window(guide, values)
    changed = before is not None and GuideFields.of(guide) != before
    actor, actor_id = (principal.actor if principal else INTEGRATION), None
    if principal is not None and principal.reviewed:
        guide.status = reviewed_integration_status(before_status, requested, changed).value
        actor_id = principal.creator_id  # the key acts under its creator's four eyes
    if changed or before is None:
        guide.revision = (guide.revision or 0) + 1 if before is not None else 1
        guide.last_edited_by_id = actor_id
    after = ItemStatus(guide.status)
    if before_status != after:
        session.flush()
        step = Step.CREATED if before_status is None else Step.EDITED
        session.add(
            GuideReviewEvent(
                guide_id=guide.id,
                actor=actor,
                actor_id=actor_id,
                step=step.value,
                from_status=before_status.value if before_status else None,
                to_status=after.value,
                revision=guide.revision,
            )
        )
    return guide


GUIDES: Resource[ServiceGuide] = Resource(
    path="service-guides",
    kind=OBJ_KIND,
    model=ServiceGuide,
    out=GuideOut,
    save=save_guide,
    create=GuideCreate,
    update=GuideUpdate,
    filters=GuideFilters,
    refs=ITEM_REFS,
)
register(GUIDES)
