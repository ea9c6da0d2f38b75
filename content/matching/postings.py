"""A vacancy as the matcher holds it: plain data copied from a ``Vacancy`` row, so the index needs no session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from content.library.items import Vacancy


@dataclass(frozen=True)
class JobPosting:
    id: int  # the vacancy's id
    org_unit_id: int  # the publishing node (visibility: content.library.kiosk_catalogue)
    title: str
    employer: str
    occupation_code: str  # GB/T 6565
    headcount: int
    salary_min: int | None  # yuan per month; None/None is 面议
    salary_max: int | None
    education: str  # the lowest level asked for (an ``Education`` value)
    district: str
    requirements: str  # free text: ages, certificates, skills, benefits
    created_at: datetime  # UTC (aware as the database returns it; a naive value is read as UTC)
    valid_from: datetime | None
    valid_until: datetime | None
    latitude: float | None = None  # the employer's place, when known
    longitude: float | None = None


def _coordinate(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def posting_from(vacancy: Vacancy) -> JobPosting:
    """Copy what the matcher needs from a vacancy row and its employer (coordinates when the employer has them)."""
    employer = vacancy.employer
    return JobPosting(
        id=vacancy.id,
        org_unit_id=vacancy.org_unit_id,
        title=vacancy.title,
        employer=employer.name,
        occupation_code=vacancy.occupation_code,
        headcount=vacancy.headcount,
        salary_min=vacancy.salary_min,
        salary_max=vacancy.salary_max,
        education=vacancy.education,
        district=vacancy.district,
        requirements=vacancy.requirements,
        created_at=vacancy.created_at,
        valid_from=vacancy.valid_from,
        valid_until=vacancy.valid_until,
        # Employers gain coordinates in the same change as matching; read them only when they exist.
        latitude=_coordinate(getattr(employer, "latitude", None)),
        longitude=_coordinate(getattr(employer, "longitude", None)),
    )
