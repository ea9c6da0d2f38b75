"""What the matcher knows about a person: nothing but what a job may fairly be matched on.

Built from the records' 求职登记 (``content.citizens.job_seekers.JobSeekerProfile``) or from three
taps at the kiosk. There is no field for sex, ethnicity or household registration, on purpose: the
matcher cannot filter or rank by what it is never given.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from content.citizens.job_seekers import JobSeekerProfile


@dataclass(frozen=True)
class Seeker:
    age: int | None  # completed years on the hall's date; None when unknown
    education: str  # an ``Education`` value (不限 when unknown)
    occupations: tuple[str, ...] = ()  # GB/T 6565 codes or family prefixes (``4-03``), most wanted first
    pay_min: int | None = None  # yuan per month
    districts: tuple[str, ...] = ()
    districts_stated: bool = True  # False: the districts are the hall's, not the person's choice
    major: str = ""
    skills: tuple[str, ...] = ()
    certificates: tuple[str, ...] = ()
    past_occupations: tuple[str, ...] = ()  # GB/T 6565 codes of the work history
    latitude: float | None = None  # where distances are measured from (the hall), when known
    longitude: float | None = None


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.strip() for v in values if v.strip()))


def seeker_from(
    profile: JobSeekerProfile | None,
    *,
    age: int | None,
    education: str,
    hall_latitude: float | None = None,
    hall_longitude: float | None = None,
    fallback_districts: tuple[str, ...] = (),
) -> Seeker:
    """The matcher's view of a person: their registration (or three taps) plus age and education from the records.

    ``education`` is the records' level, used when the registration gives none; ``fallback_districts``
    (the hall's) stand in when the person named none. Distances are measured from the hall.
    """
    if profile is None:
        return Seeker(
            age=age,
            education=education,
            districts=_unique(fallback_districts),
            districts_stated=False,
            latitude=hall_latitude,
            longitude=hall_longitude,
        )
    districts = _unique(profile.districts)
    return Seeker(
        age=age,
        education=profile.education or education,
        occupations=_unique(profile.desired_occupations),
        pay_min=profile.desired_pay_min,
        districts=districts or _unique(fallback_districts),
        districts_stated=bool(districts),
        major=profile.major.strip(),
        skills=_unique(profile.skills),
        certificates=_unique(profile.certificates),
        past_occupations=_unique(spell.occupation_code for spell in profile.work_history),
        latitude=hall_latitude,
        longitude=hall_longitude,
    )
