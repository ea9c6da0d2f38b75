"""The labour market at a glance (供求分析): demand, job seekers, 求人倍率 and pay by quarter and major group.

For every org unit (its whole subtree), quarter and GB/T 6565 major group (the first digit of
``Vacancy.occupation_code``): ``demand`` is the headcount of the vacancies published (created, in the
hall's time zone) in the quarter, ``seekers`` the job seekers the tallies count
(``content.library.market.seeker_tallies``), ``pay_min``/``pay_max`` the medians of the vacancies'
salary_min and salary_max (面议, no figure, left out; a half yuan rounds up), and the ratio
求人倍率 = demand ÷ seekers, None when there are no seekers. ``compute_figures`` is a pure function of
those inputs, so anyone holding the console's export (which carries them) can compute the same numbers.

The figures are stored (``market_figures``) so that the manifest resolver only reads them;
``recompute`` rewrites them all and stages an outbox row naming no single id, which makes the
manifest book read everything again (docs/architecture.md, "Incremental publishing"); ``refresh``
does so only when a figure changed (the leader's hourly round, ``kiosk_server/market_refresh.py``,
so vacancies changed since the last import or button reach the figures within the hour).
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import ForeignKey, String, UniqueConstraint, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from content import outbox
from content.db import Base, utcnow
from content.library.items import ItemStatus, Vacancy
from content.library.market.quarters import quarter_of
from content.library.market.seeker_tallies import Tally, load_tallies
from content.library.occupations import MAJOR_CATEGORIES
from content.org.timezones import DEFAULT_TIMEZONE, zone
from content.org.tree import OrgUnit

# Vacancies that were published (and may since have been archived) count; drafts never do.
COUNTED_STATUSES: tuple[str, ...] = (ItemStatus.PUBLISHED.value, ItemStatus.ARCHIVED.value)


class MarketFigure(Base):
    """The figures of one org unit's subtree, quarter and major group (see the module docstring)."""

    __tablename__ = "market_figures"
    __table_args__ = (UniqueConstraint("org_unit_id", "quarter", "group"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="CASCADE"), index=True)
    quarter: Mapped[str] = mapped_column(String(6))
    group: Mapped[str] = mapped_column(String(1))
    vacancies: Mapped[int]  # how many vacancies
    demand: Mapped[int]  # their headcount
    seekers: Mapped[int]
    pay_min: Mapped[int | None]  # yuan per month, None: no vacancy gave one
    pay_max: Mapped[int | None]
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)


@dataclass(frozen=True)
class VacancyFact:
    """What the figures take from one vacancy."""

    id: int
    org_unit_id: int
    created_at: datetime
    occupation_code: str
    headcount: int
    salary_min: int | None
    salary_max: int | None

    @property
    def group(self) -> str | None:
        code = self.occupation_code[:1]
        return code if code in MAJOR_CATEGORIES else None


@dataclass(frozen=True)
class Figure:
    org_unit_id: int
    quarter: str
    group: str
    vacancies: int
    demand: int
    seekers: int
    pay_min: int | None
    pay_max: int | None

    @property
    def ratio(self) -> float | None:
        """求人倍率 to two decimals (half up), None without seekers (never a division by zero)."""
        return ratio(self.demand, self.seekers)


def ratio(demand: int, seekers: int) -> float | None:
    if seekers <= 0:
        return None
    return float((Decimal(demand) / Decimal(seekers)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _median(values: list[int]) -> int | None:
    return math.floor(statistics.median(values) + 0.5) if values else None


def compute_figures(
    paths: Mapping[int, Sequence[int]], vacancies: Iterable[VacancyFact], tallies: Iterable[Tally], tz: ZoneInfo
) -> list[Figure]:
    """Figures for every org unit, quarter and group that has a vacancy or a tally in its subtree.

    ``paths`` gives each org unit's ancestors, itself last (a vacancy or tally counts for each of
    them); units not in it are skipped. Sorted by unit, quarter and group.
    """
    demand: dict[tuple[int, str, str], list[VacancyFact]] = defaultdict(list)
    seekers: dict[tuple[int, str, str], int] = defaultdict(int)
    for v in vacancies:
        group = v.group
        if group is None:
            continue
        quarter = quarter_of(v.created_at, tz)
        for node in paths.get(v.org_unit_id, ()):
            demand[(node, quarter, group)].append(v)
    for t in tallies:
        for node in paths.get(t.org_unit_id, ()):
            seekers[(node, t.quarter, t.group)] += t.seekers
    figures = []
    for key in sorted(set(demand) | set(seekers)):
        found = demand.get(key, [])
        figures.append(
            Figure(
                *key,
                vacancies=len(found),
                demand=sum(v.headcount for v in found),
                seekers=seekers.get(key, 0),
                pay_min=_median([v.salary_min for v in found if v.salary_min is not None]),
                pay_max=_median([v.salary_max for v in found if v.salary_max is not None]),
            )
        )
    return figures


def unit_paths(session: Session) -> dict[int, tuple[int, ...]]:
    """Every org unit's ancestors, itself last, from its ``path`` (``/1/4/9/``)."""
    rows = session.execute(select(OrgUnit.id, OrgUnit.path))
    return {uid: tuple(int(p) for p in path.strip("/").split("/") if p) or (uid,) for uid, path in rows}


def vacancy_facts(session: Session, org_unit_ids: Collection[int] | None = None) -> list[VacancyFact]:
    """The vacancies the figures count (published or archived, of the given units), oldest first."""
    query = select(Vacancy).where(Vacancy.status.in_(COUNTED_STATUSES)).order_by(Vacancy.created_at, Vacancy.id)
    if org_unit_ids is not None:
        query = query.where(Vacancy.org_unit_id.in_(sorted(org_unit_ids)))
    return [
        VacancyFact(v.id, v.org_unit_id, v.created_at, v.occupation_code, v.headcount, v.salary_min, v.salary_max)
        for v in session.scalars(query)
    ]


def recompute(session: Session, now: datetime, timezone: str = DEFAULT_TIMEZONE) -> int:
    """Rewrite every stored figure from the vacancies and tallies; returns how many. The caller commits."""
    figures = _computed(session, timezone)
    _write(session, figures, now)
    return len(figures)


def refresh(session: Session, now: datetime, timezone: str = DEFAULT_TIMEZONE) -> bool:
    """Recompute, writing (and so republishing) only when some figure changed; whether one did."""
    figures = _computed(session, timezone)
    if figures == stored_figures(session):
        return False
    _write(session, figures, now)
    return True


def _computed(session: Session, timezone: str) -> list[Figure]:
    return compute_figures(unit_paths(session), vacancy_facts(session), load_tallies(session), zone(timezone))


def _write(session: Session, figures: list[Figure], now: datetime) -> None:
    session.execute(delete(MarketFigure))
    session.add_all(
        MarketFigure(
            org_unit_id=f.org_unit_id,
            quarter=f.quarter,
            group=f.group,
            vacancies=f.vacancies,
            demand=f.demand,
            seekers=f.seekers,
            pay_min=f.pay_min,
            pay_max=f.pay_max,
            computed_at=now,
        )
        for f in figures
    )
    session.flush()
    # No id: every manifest book reads everything again (the figures of any area may have moved).
    outbox.add_event(session, "content", kind="market_figures", action="recompute", count=len(figures))


def stored_figures(session: Session, org_unit_ids: Collection[int] | None = None) -> list[Figure]:
    """The stored figures (of the given units), by unit, quarter and group."""
    query = select(MarketFigure).order_by(MarketFigure.org_unit_id, MarketFigure.quarter, MarketFigure.group)
    if org_unit_ids is not None:
        query = query.where(MarketFigure.org_unit_id.in_(sorted(org_unit_ids)))
    return [
        Figure(r.org_unit_id, r.quarter, r.group, r.vacancies, r.demand, r.seekers, r.pay_min, r.pay_max)
        for r in session.scalars(query)
    ]
