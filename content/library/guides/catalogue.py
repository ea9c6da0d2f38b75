"""What a kiosk offers of service guides: the live guides visible from its hall, searched and faceted.

Visible as vacancies and notices are (``content.library.kiosk_catalogue``): owned by the hall's node,
an ancestor or a descendant. Search is by pinyin initials of the service's name (``sybx`` finds
失业保险金申领: no physical keyboard on a kiosk), a substring of the name, or by category.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from content.library.guides.service_guides import CATEGORIES, ServiceGuide
from content.library.items import ItemStatus
from content.library.kiosk_catalogue import CatalogueError, pinyin_initials, visible_units
from content.org.tree import OrgUnit

MAX_QUERY = 40


@dataclass(frozen=True)
class GuidePage:
    items: list[ServiceGuide]
    total: int
    categories: list[tuple[str, int]]  # every category of the visible guides, the hall's usual order first


def _live(at: datetime) -> list[ColumnElement[bool]]:
    return [
        ServiceGuide.status == ItemStatus.PUBLISHED.value,
        or_(ServiceGuide.valid_from.is_(None), ServiceGuide.valid_from <= at),
        or_(ServiceGuide.valid_until.is_(None), ServiceGuide.valid_until > at),
    ]


def visible_guides(session: Session, org_unit: OrgUnit, at: datetime) -> list[ServiceGuide]:
    """Every live guide visible from ``org_unit``, by category then name."""
    stmt = select(ServiceGuide).where(ServiceGuide.org_unit_id.in_(visible_units(session, org_unit)), *_live(at))
    guides = list(session.scalars(stmt))
    guides.sort(key=lambda g: (_category_rank(g.category), g.category, pinyin_initials(g.title), g.id))
    return guides


def visible_guide(session: Session, org_unit: OrgUnit, at: datetime, ident: int) -> ServiceGuide | None:
    """One live guide if it is visible from ``org_unit``."""
    stmt = select(ServiceGuide).where(
        ServiceGuide.id == ident,
        ServiceGuide.org_unit_id.in_(visible_units(session, org_unit)),
        *_live(at),
    )
    return session.scalar(stmt)


def _category_rank(category: str) -> int:
    return CATEGORIES.index(category) if category in CATEGORIES else len(CATEGORIES)


def search_guides(
    guides: list[ServiceGuide], *, category: str = "", initials: str = "", q: str = "", page: int = 1, per_page: int = 8
) -> GuidePage:
    """Filter by category, initials and text; categories are counted over what the other filters leave."""
    if initials and not (initials.isascii() and initials.isalnum() and len(initials) <= 20):
        raise CatalogueError("initials", "expected up to 20 letters or digits")
    if len(q) > MAX_QUERY:
        raise CatalogueError("q", f"at most {MAX_QUERY} characters")
    if page < 1:
        raise CatalogueError("page", "expected 1 or more")
    wanted = initials.lower()
    found = [g for g in guides if (not wanted or wanted in pinyin_initials(g.title)) and (not q or q in g.title)]
    counts = Counter(g.category for g in found)
    categories = sorted(counts.items(), key=lambda kv: (_category_rank(kv[0]), kv[0]))
    hits = [g for g in found if not category or g.category == category]
    start = (page - 1) * per_page
    return GuidePage(hits[start : start + per_page], len(hits), categories)
