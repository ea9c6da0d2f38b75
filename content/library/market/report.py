"""What the console shows and exports of the 供求分析 figures: an area's figures and the inputs they came from.

The export holds, besides each figure, every vacancy and every tally that went into it (a vacancy by
id with its quarter, group, headcount and pay; a tally by org unit), so anyone can recompute the
figures from the file alone with ``content.library.market.figures.compute_figures``' rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from content.csv_export import Cell
from content.library.market.figures import Figure, VacancyFact, stored_figures, vacancy_facts
from content.library.market.quarters import quarter_of, span
from content.library.market.seeker_tallies import Tally, load_tallies
from content.library.occupations import MAJOR_CATEGORIES
from content.org.timezones import DEFAULT_TIMEZONE, zone
from content.org.tree import OrgUnit, subtree_ids

# Export columns, in order; the console names them in the page's language.
COLUMNS: Final = (
    "section",
    "quarter",
    "group",
    "group_name",
    "org_unit",
    "vacancy_id",
    "vacancies",
    "demand",
    "seekers",
    "ratio",
    "pay_min",
    "pay_max",
)


@dataclass(frozen=True)
class MarketReport:
    area: OrgUnit
    quarters: tuple[str, ...]
    figures: tuple[Figure, ...]
    vacancies: tuple[tuple[str, VacancyFact], ...]  # (quarter, vacancy)
    tallies: tuple[Tally, ...]
    unit_names: dict[int, str]


def market_report(
    session: Session, area: OrgUnit, count: int, now: datetime, timezone: str = DEFAULT_TIMEZONE
) -> MarketReport:
    """The figures of ``area`` over ``count`` quarters ending with its newest (the current one if none)."""
    tz = zone(timezone)
    figures = stored_figures(session, [area.id])
    last = max((f.quarter for f in figures), default=quarter_of(now, tz))
    quarters = tuple(span(last, count))
    units = subtree_ids(session, area)
    facts = [
        (quarter_of(v.created_at, tz), v)
        for v in vacancy_facts(session, units)
        if v.group is not None and quarter_of(v.created_at, tz) in quarters
    ]
    names = {uid: name for uid, name in session.execute(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(units)))}
    return MarketReport(
        area=area,
        quarters=quarters,
        figures=tuple(f for f in figures if f.quarter in quarters),
        vacancies=tuple(facts),
        tallies=tuple(t for t in load_tallies(session, units) if t.quarter in quarters),
        unit_names=names,
    )


def export_rows(report: MarketReport, sections: Sequence[str]) -> list[list[Cell]]:
    """The export's rows in ``COLUMNS`` order; ``sections`` names the figure, vacancy and tally sections."""
    figure, vacancy, tally = sections
    rows: list[list[Cell]] = []
    for f in report.figures:
        name, area = MAJOR_CATEGORIES[f.group], report.area.name
        row: list[Cell] = [figure, f.quarter, f.group, name, area, None, f.vacancies, f.demand, f.seekers, f.ratio]
        rows.append([*row, f.pay_min, f.pay_max])
    for quarter, v in report.vacancies:
        group, unit = v.group or "", report.unit_names.get(v.org_unit_id, "")
        row = [vacancy, quarter, group, MAJOR_CATEGORIES.get(group, ""), unit, v.id, 1, v.headcount, None, None]
        rows.append([*row, v.salary_min, v.salary_max])
    for t in report.tallies:
        unit = report.unit_names.get(t.org_unit_id, "")
        row = [tally, t.quarter, t.group, MAJOR_CATEGORIES.get(t.group, ""), unit, None, None, None, t.seekers, None]
        rows.append([*row, None, None])
    return rows
