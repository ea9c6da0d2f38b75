"""The demo's job-seeker tallies (供求分析): its 求职登记 counted per office, quarter and desired major group.

Registrations are ``content.citizens`` data, which the library may not read, so the demo counts them
here and hands the library only the counts (``content.library.market.seeker_tallies``): a registration
counts once, in the quarter of its ``registered_on``, for the major group of the first occupation it
wants, at the org unit of its office (``城关区公共就业服务中心`` → 城关区; the province's market → the
province). Then every figure is recomputed from those tallies and the demo's vacancies.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from content.citizens.demo_job_seekers import DemoJobSeeker
from content.library.market.figures import recompute
from content.library.market.seeker_tallies import Tally, save_tallies
from content.library.occupations import MAJOR_CATEGORIES
from content.org.tree import OrgUnit

SOURCE: Final = "demo"
_OFFICE_SUFFIXES: Final = ("公共就业服务中心", "人力资源市场")


def demo_tallies(session: Session) -> list[Tally]:
    """The demo registrations counted by org unit, quarter and group (registrations without a known office left out)."""
    units = {name: uid for uid, name in session.execute(select(OrgUnit.id, OrgUnit.name))}
    counts: Counter[tuple[int, str, str]] = Counter()
    for row in session.scalars(select(DemoJobSeeker)):
        wanted = [str(code) for code in row.desired_occupations]
        if row.registered_on is None or not wanted or wanted[0][:1] not in MAJOR_CATEGORIES:
            continue
        name = row.office
        for suffix in _OFFICE_SUFFIXES:
            name = name.removesuffix(suffix)
        unit = units.get(name)
        if unit is None:
            continue
        day = row.registered_on
        counts[(unit, f"{day.year}Q{(day.month - 1) // 3 + 1}", wanted[0][:1])] += 1
    return [Tally(unit, quarter, group, n) for (unit, quarter, group), n in sorted(counts.items())]


def seed_market(session: Session, now: datetime, timezone: str) -> int:
    """Store the demo's tallies and recompute every figure (quarters in ``timezone``); returns how many figures."""
    save_tallies(session, demo_tallies(session), SOURCE, now)
    return recompute(session, now, timezone)
