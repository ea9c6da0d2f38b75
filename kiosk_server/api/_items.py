"""What every content item (vacancy, notice, media, ticker) has in common: publishing node, title, status, window."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Final, TypeVar

from pydantic import Field
from sqlalchemy.orm import Session

from content.errors import ValidationError
from content.library.items import ContentItem, ItemStatus
from content.org.tree import OrgUnit
from kiosk_server.api._crud import Id, upsert
from kiosk_server.api._schemas import Body, Filters, Instant, Out

I = TypeVar("I", bound=ContentItem)

ITEM_REFS: Final = {"org_unit_id": (OrgUnit, "org unit")}


class DirectStatus(StrEnum):
    """The statuses the API sets directly; a notice's review steps (in_review, approved) happen in the console."""

    DRAFT = ItemStatus.DRAFT.value
    PUBLISHED = ItemStatus.PUBLISHED.value
    ARCHIVED = ItemStatus.ARCHIVED.value


class ItemFields(Body):
    org_unit_id: Id = Field(description="publishing org node: every hall in its subtree may show the item")
    title: str = Field(min_length=1, max_length=200)
    status: DirectStatus = DirectStatus.PUBLISHED
    valid_from: Instant | None = Field(None, description="shown from this instant (with its UTC offset)")
    valid_until: Instant | None = Field(None, description="shown until this instant (with its UTC offset)")


class ItemOut(Out):
    id: int
    kind: str
    org_unit_id: int
    title: str
    status: ItemStatus
    valid_from: datetime | None
    valid_until: datetime | None
    created_at: datetime
    updated_at: datetime


class ItemFilters(Filters):
    org_unit_id: Id | None = None
    status: ItemStatus | None = None


def save_item(session: Session, model: type[I], item: I | None, values: dict[str, Any]) -> I:
    """Create or update a content item, checking its validity window."""
    row = upsert(session, model, item, values)
    check_window(row, values)
    return row


def check_window(item: ContentItem, values: dict[str, Any]) -> None:
    """valid_until must come after valid_from (checked on the row as it will be saved)."""
    if item.valid_from is not None and item.valid_until is not None and item.valid_until <= item.valid_from:
        field = "valid_from" if "valid_from" in values and "valid_until" not in values else "valid_until"
        raise ValidationError.single(
            field, f"valid_until {item.valid_until.isoformat()} is not after valid_from {item.valid_from.isoformat()}"
        )
