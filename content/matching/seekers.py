"""What the matcher knows about a person: nothing but what a job may fairly be matched on.

Built from the records' 求职登记 (``content.citizens.job_seekers.JobSeekerProfile``) or from three
taps at the kiosk. There is no field for sex, ethnicity or household registration, on purpose: the
matcher cannot filter or rank by what it is never given.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Seeker:
    age: int | None  # completed years on the hall's date; None when unknown
    education: str  # an ``Education`` value (不限 when unknown)
    occupations: tuple[str, ...] = ()  # GB/T 6565 codes or family prefixes (``4-03``), most wanted first
    pay_min: int | None = None  # yuan per month
    districts: tuple[str, ...] = ()
    major: str = ""
    skills: tuple[str, ...] = ()
    certificates: tuple[str, ...] = ()
    past_occupations: tuple[str, ...] = ()  # GB/T 6565 codes of the work history
    latitude: float | None = None  # where distances are measured from (the hall), when known
    longitude: float | None = None
