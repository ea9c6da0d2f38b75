"""Job-matching statistics: per hall, local day and occupation, how many matches were shown and interests marked.

One counter row per (hall, day, occupation code), bumped with an upsert (``INSERT … ON CONFLICT DO
UPDATE``, which SQLite and PostgreSQL both have), so two kiosks answering at once add up instead of
one overwriting the other. The day is the hall's local date. A match is counted once per answer's
first page (paging does not count it again); an interest once per person, vacancy and day
(``content.matching.interests``). The rows keep no personal data and no vacancy id: a deleted
vacancy's figures stay.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Date, ForeignKey, Integer, String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from content.db import Base
from content.library.occupations import NAMES


class MatchTally(Base):
    """Matches shown and interests marked for one occupation at one hall on one local day."""

    __tablename__ = "match_tallies"

    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    occupation_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    shown: Mapped[int] = mapped_column(Integer, default=0)
    interests: Mapped[int] = mapped_column(Integer, default=0)


@dataclass(frozen=True)
class OccupationFigures:
    """One occupation's figures over a period: code, name (empty when the code is not in the table)."""

    occupation_code: str
    name: str
    shown: int
    interests: int


def _insert(session: Session) -> Callable[..., Any]:
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert


def _bump(session: Session, hall_id: int, day: date, counts: Counter[str], column: str) -> None:
    if not counts:
        return
    table = MatchTally.__table__
    stmt = _insert(session)(table)
    rows = [
        {"hall_id": hall_id, "day": day, "occupation_code": code, "shown": 0, "interests": 0, column: n}
        for code, n in sorted(counts.items())  # one order for every writer: no deadlock between two
    ]
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=["hall_id", "day", "occupation_code"],
            set_={column: table.c[column] + getattr(stmt.excluded, column)},
        ),
        rows,
    )


def count_shown(session: Session, hall_id: int, day: date, occupation_codes: Iterable[str]) -> None:
    """Add one shown match per code in ``occupation_codes`` (one per item shown) to the hall's day."""
    _bump(session, hall_id, day, Counter(occupation_codes), "shown")


def count_interest(session: Session, hall_id: int, day: date, occupation_code: str) -> None:
    """Add one interest in ``occupation_code`` to the hall's day."""
    _bump(session, hall_id, day, Counter([occupation_code]), "interests")


def figures(session: Session, hall_ids: Collection[int], first: date, last: date) -> list[OccupationFigures]:
    """Matches shown and interests by occupation for ``hall_ids`` from ``first`` to ``last`` (both included).

    Most shown first, then most interests, then by code.
    """
    if not hall_ids:
        return []
    rows = session.execute(
        select(MatchTally.occupation_code, func.sum(MatchTally.shown), func.sum(MatchTally.interests))
        .where(MatchTally.hall_id.in_(list(hall_ids)), MatchTally.day >= first, MatchTally.day <= last)
        .group_by(MatchTally.occupation_code)
    ).all()
    found = [
        OccupationFigures(code, NAMES.get(code, ""), int(shown or 0), int(marked or 0)) for code, shown, marked in rows
    ]
    return sorted(found, key=lambda f: (-f.shown, -f.interests, f.occupation_code))
