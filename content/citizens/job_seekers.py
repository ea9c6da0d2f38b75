"""A job seeker's registration (求职登记) as a records backend knows it: what they want and what they bring.

Plain frozen dataclasses shared by every backend (demo, HTTP: docs/records-http.md) and read by the
matcher (``content.matching``). Pay is whole yuan per month, as on vacancies. Nothing here holds a
person's sex, ethnicity or household registration: the matcher must never see them (Chinese hiring
law forbids filtering or ranking job seekers by them), so they are not even offered.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from enum import StrEnum
from typing import Any, Final, Literal

MAX_DESIRED_OCCUPATIONS: Final = 5
MAX_LIST_ITEMS: Final = 20  # skills, certificates, districts, work history entries


class Assistance(StrEnum):
    """Employment-assistance statuses a registration may carry (就业援助对象); shown to counsellors, never a filter."""

    HARD_TO_EMPLOY = "hard_to_employ"  # 就业困难人员
    GRADUATE = "graduate"  # 离校未就业高校毕业生
    VETERAN = "veteran"  # 退役军人
    DISABLED = "disabled"  # 残疾人 (for the 残疾人专场, never a filter)
    ZERO_EMPLOYMENT_FAMILY = "zero_employment_family"  # 零就业家庭成员


ASSISTANCE_LABELS: Final = {
    Assistance.HARD_TO_EMPLOY: "就业困难人员",
    Assistance.GRADUATE: "离校未就业高校毕业生",
    Assistance.VETERAN: "退役军人",
    Assistance.DISABLED: "残疾人",
    Assistance.ZERO_EMPLOYMENT_FAMILY: "零就业家庭成员",
}


@dataclass(frozen=True)
class WorkSpell:
    """One past job: its GB/T 6565 code (may be empty when unknown), title, employer and months (``YYYY-MM``)."""

    occupation_code: str
    title: str
    employer: str
    start: str
    end: str | None  # None: still there


@dataclass(frozen=True)
class JobSeekerProfile:
    """What a person wants and brings, from a 求职登记 or stated at the kiosk for one session.

    ``desired_occupations`` are GB/T 6565 codes, most wanted first; a code may be a prefix naming a
    family (``4-03`` 餐饮服务), which is what the kiosk's three taps produce. ``districts`` are names as
    vacancies carry them (城关区). ``source`` is ``registration`` (from the records backend) or
    ``stated`` (three taps at the kiosk, kept only for the session).
    """

    desired_occupations: tuple[str, ...] = ()
    desired_pay_min: int | None = None  # yuan per month
    districts: tuple[str, ...] = ()
    education: str = ""  # a ``content.library.items.Education`` value; empty: use the person's records
    major: str = ""  # 所学专业
    skills: tuple[str, ...] = ()
    certificates: tuple[str, ...] = ()  # vocational certificates and licences held (叉车证, 电工证, 健康证)
    work_history: tuple[WorkSpell, ...] = ()  # most recent first
    assistance: tuple[Assistance, ...] = ()
    registered_on: date | None = None
    office: str = ""  # the public employment office that holds the registration
    source: Literal["registration", "stated"] = "registration"


def plain_fields(profile: JobSeekerProfile) -> dict[str, Any]:
    """``profile``'s fields as lists, strings and numbers (``registered_on`` stays a date), for storage and the wire.

    ``source`` is left out: a stored or sent profile is a registration.
    """
    return {
        "desired_occupations": list(profile.desired_occupations),
        "desired_pay_min": profile.desired_pay_min,
        "districts": list(profile.districts),
        "education": profile.education,
        "major": profile.major,
        "skills": list(profile.skills),
        "certificates": list(profile.certificates),
        "work_history": [asdict(spell) for spell in profile.work_history],
        "assistance": [a.value for a in profile.assistance],
        "registered_on": profile.registered_on,
        "office": profile.office,
    }
