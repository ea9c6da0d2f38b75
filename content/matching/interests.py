"""Interests (意向): a citizen at a kiosk marks a matched vacancy, for the hall's employment counsellors.

A row keeps what a counsellor needs to call the person back at the counter and nothing more: the
masked name and masked ID number (never the number), age, education, what they asked for and the
reasons the kiosk showed. The vacancy's title, employer and occupation are copied, so an interest in
a vacancy deleted since still reads (its id is then NULL). The same person marking the same
vacancy twice on the same local day is one interest: rows carry a keyed hash of the person's
records reference under a purpose of their own (``INTEREST_KEY_PURPOSE``, see
``content/citizens/keyed_hash.py``), unique with the vacancy and the day, which says nothing to
someone holding the database without the server secret. A new interest is counted in the hall's
statistics (``content.matching.match_stats``) in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, UniqueConstraint, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from content.db import Base
from content.library.items import Vacancy
from content.matching.match_stats import count_interest

INTEREST_KEY_PURPOSE: Final = "job-interests"  # derive_key(secret, INTEREST_KEY_PURPOSE) keys ``person_hash``
_Id = BigInteger().with_variant(Integer(), "sqlite")


class JobInterest(Base):
    """One citizen's interest in one vacancy, marked at a kiosk of a hall."""

    __tablename__ = "job_interests"
    __table_args__ = (
        UniqueConstraint("person_hash", "vacancy_id", "day"),
        Index("ix_job_interests_hall_day", "hall_id", "day"),
    )

    id: Mapped[int] = mapped_column(_Id, primary_key=True, autoincrement=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id", ondelete="CASCADE"))
    screen_id: Mapped[int | None] = mapped_column(ForeignKey("screens.id", ondelete="SET NULL"), index=True)
    vacancy_id: Mapped[int | None] = mapped_column(ForeignKey("vacancies.id", ondelete="SET NULL"), index=True)
    vacancy_title: Mapped[str] = mapped_column(String(200))
    employer_name: Mapped[str] = mapped_column(String(200))
    occupation_code: Mapped[str] = mapped_column(String(16))
    day: Mapped[date] = mapped_column(Date)  # the hall's local date of ``created_at``
    created_at: Mapped[datetime]
    person_hash: Mapped[str] = mapped_column(String(64))
    masked_name: Mapped[str] = mapped_column(String(60))
    masked_id: Mapped[str] = mapped_column(String(18))
    age: Mapped[int | None]
    education: Mapped[str] = mapped_column(String(16), default="")
    desired_occupations: Mapped[list[Any]] = mapped_column(default=list)  # GB/T 6565 codes or family prefixes
    reasons: Mapped[list[Any]] = mapped_column(default=list)  # [{"code","text","text_en","favourable"}] as shown

    def __repr__(self) -> str:  # no masked name or ID in tracebacks either
        return f"JobInterest(id={self.id!r}, hall_id={self.hall_id!r}, vacancy_id={self.vacancy_id!r})"


@dataclass(frozen=True)
class Person:
    """Who marks an interest, as the kiosk's session knows them: masked, and a keyed hash for sameness."""

    person_hash: str
    masked_name: str
    masked_id: str
    age: int | None
    education: str
    desired_occupations: tuple[str, ...]


def _existing(session: Session, person_hash: str, vacancy_id: int, day: date) -> JobInterest | None:
    return session.scalar(
        select(JobInterest).where(
            JobInterest.person_hash == person_hash, JobInterest.vacancy_id == vacancy_id, JobInterest.day == day
        )
    )


def mark_interest(
    session: Session,
    *,
    hall_id: int,
    screen_id: int | None,
    vacancy: Vacancy,
    person: Person,
    reasons: Sequence[Mapping[str, Any]],
    day: date,
    now: datetime,
) -> tuple[JobInterest, bool]:
    """Record ``person``'s interest in ``vacancy`` (flushed, not committed); ``(row, already)``.

    ``already`` is true when this person had marked this vacancy on ``day``: the first row is
    returned and nothing is counted again. A concurrent double tap loses the race on the unique key
    and is answered the same way.
    """
    found = _existing(session, person.person_hash, vacancy.id, day)
    if found is not None:
        return found, True
    row = JobInterest(
        hall_id=hall_id,
        screen_id=screen_id,
        vacancy_id=vacancy.id,
        vacancy_title=vacancy.title[:200],
        employer_name=vacancy.employer.name[:200],
        occupation_code=vacancy.occupation_code,
        day=day,
        created_at=now,
        person_hash=person.person_hash,
        masked_name=person.masked_name,
        masked_id=person.masked_id,
        age=person.age,
        education=person.education,
        desired_occupations=list(person.desired_occupations),
        reasons=[dict(r) for r in reasons],
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        found = _existing(session, person.person_hash, vacancy.id, day)
        if found is None:
            raise
        return found, True
    count_interest(session, hall_id, day, vacancy.occupation_code)
    return row, False


def interests_on(session: Session, hall_id: int, day: date) -> list[JobInterest]:
    """The interests marked at ``hall_id`` on its local ``day``, oldest first."""
    return list(
        session.scalars(
            select(JobInterest)
            .where(JobInterest.hall_id == hall_id, JobInterest.day == day)
            .order_by(JobInterest.created_at, JobInterest.id)
        )
    )
