"""A job fair as screens and kiosks see it, which fairs a hall sees, and the fair badges of vacancies.

The data of a fair (``fair_data``) names its booths with the employer's current name, or the name
stored with the booth when the employer has been deleted, and counts the booth's published
positions; a vacancy's badges (``fair_badges``) list every published fair offering it, with the
booth and the fair's hours, so the player shows 招聘会 · A12 until the fair ends by its own clock.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session, selectinload

from content.library.fairs.job_fairs import THEME_EN, FairBooth, FairPosition, FairTheme, JobFair
from content.library.items import ItemStatus, Vacancy
from content.library.kiosk_catalogue import live_conditions, visible_units
from content.org.tree import OrgUnit

MAX_TITLES_SHOWN = 3


def booth_map_url(fair: JobFair) -> str | None:
    return f"/media/fair-maps/{fair.booth_map_sha256}" if fair.booth_map_sha256 else None


def booth_order(booth: str) -> tuple[Any, ...]:
    """Booths in the order a visitor walks them: A2 before A10."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in re.findall(r"\d+|\D+", booth.upper()))


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _published(positions: list[FairPosition]) -> list[Vacancy]:
    return [p.vacancy for p in positions if p.vacancy.status == ItemStatus.PUBLISHED.value]


def fair_data(fair: JobFair) -> dict[str, Any]:
    """A fair as a manifest item and the kiosk show it (no personal data: there is none)."""
    booths = []
    for booth in sorted(fair.booths, key=lambda b: booth_order(b.booth)):
        jobs = _published(booth.positions)
        booths.append(
            {
                "booth": booth.booth,
                "employer": booth.shown_name,
                "positions": len(jobs),
                "titles": [v.title for v in jobs[:MAX_TITLES_SHOWN]],
            }
        )
    theme = fair.theme
    return {
        "kind": fair.kind,
        "id": fair.id,
        "title": fair.title,
        "theme": theme,
        "theme_en": THEME_EN.get(FairTheme(theme), "") if theme in {t.value for t in FairTheme} else "",
        "starts_at": _iso(fair.starts_at),
        "ends_at": _iso(fair.ends_at),
        "venue": fair.venue,
        "address": fair.address,
        "organiser": fair.organiser,
        "booth_map": booth_map_url(fair),
        "booths": booths,
    }


def fair_vacancy_ids(fair: JobFair) -> list[int]:
    """Every vacancy a fair's booths link (published or not), sorted."""
    return sorted({p.vacancy_id for b in fair.booths for p in b.positions})


def fair_badges(session: Session, vacancy_ids: Collection[int]) -> dict[int, list[dict[str, Any]]]:
    """For each vacancy offered at a published fair: the fairs (id, title, booth, hours), soonest first."""
    if not vacancy_ids:
        return {}
    stmt = (
        select(FairPosition.vacancy_id, FairBooth.booth, JobFair)
        .join(FairBooth, FairBooth.id == FairPosition.booth_id)
        .join(JobFair, JobFair.id == FairBooth.fair_id)
        .where(FairPosition.vacancy_id.in_(list(vacancy_ids)), JobFair.status == ItemStatus.PUBLISHED.value)
        .order_by(JobFair.starts_at, JobFair.id)
    )
    badges: dict[int, list[dict[str, Any]]] = {}
    for vacancy_id, booth, fair in session.execute(stmt):
        badges.setdefault(vacancy_id, []).append(
            {
                "fair": fair.id,
                "title": fair.title,
                "booth": booth,
                "from": _iso(fair.valid_from) if fair.valid_from else None,
                "starts_at": _iso(fair.starts_at),
                "ends_at": _iso(fair.ends_at),
            }
        )
    return badges


def fair_links(session: Session, ids: Collection[int]) -> set[int]:
    """The other side of every fair–vacancy link touching ``ids``: fairs' vacancies and vacancies' fairs."""
    if not ids:
        return set()
    wanted = list(ids)
    stmt = (
        select(FairBooth.fair_id, FairPosition.vacancy_id)
        .join(FairPosition, FairPosition.booth_id == FairBooth.id)
        .where(or_(FairBooth.fair_id.in_(wanted), FairPosition.vacancy_id.in_(wanted)))
    )
    return {ident for pair in session.execute(stmt) for ident in pair}


def _live(at: datetime) -> list[ColumnElement[bool]]:
    return live_conditions(cast(Any, JobFair), at)


def _loaded() -> Any:
    return selectinload(JobFair.booths).selectinload(FairBooth.positions).selectinload(FairPosition.vacancy)


def visible_fairs(session: Session, org_unit: OrgUnit, at: datetime) -> list[JobFair]:
    """Every live fair visible from ``org_unit`` that has not ended, soonest first."""
    stmt = select(JobFair).where(
        JobFair.org_unit_id.in_(visible_units(session, org_unit)), JobFair.ends_at > at, *_live(at)
    )
    return list(session.scalars(stmt.options(_loaded()).order_by(JobFair.starts_at, JobFair.id)))


def visible_fair(session: Session, org_unit: OrgUnit, at: datetime, ident: int) -> JobFair | None:
    """One live fair if it is visible from ``org_unit``."""
    stmt = select(JobFair).where(
        JobFair.id == ident, JobFair.org_unit_id.in_(visible_units(session, org_unit)), *_live(at)
    )
    return session.scalar(stmt.options(_loaded()))
