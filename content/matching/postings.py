"""A vacancy as the matcher holds it: plain data copied from a ``Vacancy`` row, so the index needs no session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


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
    created_at: datetime  # UTC, naive as stored
    valid_from: datetime | None
    valid_until: datetime | None
    latitude: float | None = None  # the employer's place, when known
    longitude: float | None = None
