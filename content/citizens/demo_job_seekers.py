"""The demo records backend's job-seeker registrations (求职登记): their table and the profile it holds.

One row per registered demo person; people without a row have not registered. Lists are JSON
columns; a work-history entry is stored as an object with the fields of ``WorkSpell``. The demo
generator (``content.demo.job_seekers``) writes the rows and ``content.citizens.demo_backend`` reads
them into ``PersonRecords.job_seeker``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Date, ForeignKey, String, delete, insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from content.citizens.job_seekers import Assistance, JobSeekerProfile, WorkSpell, plain_fields
from content.db import Base


class DemoJobSeeker(Base):
    """A demo person's 求职登记: what they want, what they bring, where and when they registered."""

    __tablename__ = "demo_job_seekers"

    person_id: Mapped[int] = mapped_column(ForeignKey("demo_people.id", ondelete="CASCADE"), primary_key=True)
    desired_occupations: Mapped[list[Any]]  # GB/T 6565 codes, most wanted first
    desired_pay_min: Mapped[int | None]  # yuan per month
    districts: Mapped[list[Any]]
    education: Mapped[str] = mapped_column(String(16))
    major: Mapped[str] = mapped_column(String(60))
    skills: Mapped[list[Any]]
    certificates: Mapped[list[Any]]
    work_history: Mapped[list[Any]]  # objects with WorkSpell's fields, most recent first
    assistance: Mapped[list[Any]]  # Assistance values
    registered_on: Mapped[date | None] = mapped_column(Date)
    office: Mapped[str] = mapped_column(String(60))


def profile_from_row(row: DemoJobSeeker) -> JobSeekerProfile:
    """The registration a stored row holds."""
    return JobSeekerProfile(
        desired_occupations=tuple(str(code) for code in row.desired_occupations),
        desired_pay_min=row.desired_pay_min,
        districts=tuple(str(name) for name in row.districts),
        education=row.education,
        major=row.major,
        skills=tuple(str(skill) for skill in row.skills),
        certificates=tuple(str(name) for name in row.certificates),
        work_history=tuple(
            WorkSpell(
                occupation_code=str(spell["occupation_code"]),
                title=str(spell["title"]),
                employer=str(spell["employer"]),
                start=str(spell["start"]),
                end=None if spell["end"] is None else str(spell["end"]),
            )
            for spell in row.work_history
        ),
        assistance=tuple(Assistance(value) for value in row.assistance),
        registered_on=row.registered_on,
        office=row.office,
    )


def row_values(person_id: int, profile: JobSeekerProfile) -> dict[str, Any]:
    """The column values that store ``profile`` for ``person_id`` (``source`` is always a registration here)."""
    return {"person_id": person_id, **plain_fields(profile)}


def store_job_seekers(session: Session, person_ids: Sequence[int], registrations: dict[int, JobSeekerProfile]) -> None:
    """Replace the registrations of ``person_ids`` with ``registrations`` (bulk, in the caller's transaction)."""
    session.execute(delete(DemoJobSeeker).where(DemoJobSeeker.person_id.in_(list(person_ids))))
    rows = [row_values(person_id, profile) for person_id, profile in registrations.items()]
    if rows:
        session.execute(insert(DemoJobSeeker), rows)
