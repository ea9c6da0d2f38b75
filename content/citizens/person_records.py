"""What a records backend knows about a person beyond who they are: insurances, contributions, balances, employment.

Plain frozen dataclasses, shared by every backend (demo, HTTP) and by the kiosk's lookups and
certificates. Money is in fen (``int``), never floats. Nothing here holds an ID number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Final

from content.citizens.job_seekers import JobSeekerProfile


class Insurance(StrEnum):
    PENSION = "pension"
    MEDICAL = "medical"
    UNEMPLOYMENT = "unemployment"
    WORK_INJURY = "work_injury"
    MATERNITY = "maternity"


INSURANCE_LABELS: Final = {
    Insurance.PENSION: "养老保险",
    Insurance.MEDICAL: "医疗保险",
    Insurance.UNEMPLOYMENT: "失业保险",
    Insurance.WORK_INJURY: "工伤保险",
    Insurance.MATERNITY: "生育保险",
}


class EnrollmentState(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"
    NEVER = "never"


ENROLLMENT_LABELS: Final = {
    EnrollmentState.ACTIVE: "正常参保",
    EnrollmentState.SUSPENDED: "暂停缴费",
    EnrollmentState.TERMINATED: "终止参保",
    EnrollmentState.NEVER: "未参保",
}


class EmploymentState(StrEnum):
    EMPLOYED = "employed"
    UNEMPLOYED_REGISTERED = "unemployed_registered"
    FLEXIBLE = "flexible"
    RETIRED = "retired"
    NONE = "none"


EMPLOYMENT_LABELS: Final = {
    EmploymentState.EMPLOYED: "在职",
    EmploymentState.UNEMPLOYED_REGISTERED: "已办理失业登记",
    EmploymentState.FLEXIBLE: "灵活就业",
    EmploymentState.RETIRED: "已退休",
    EmploymentState.NONE: "未登记",
}

HISTORY_MONTHS: Final = 36


@dataclass(frozen=True)
class Enrollment:
    insurance: Insurance
    state: EnrollmentState
    since: date | None
    place: str  # 参保地, e.g. 兰州市城关区


@dataclass(frozen=True)
class ContributionMonth:
    month: str  # YYYY-MM
    paid: bool
    base_fen: int | None  # 缴费基数
    personal_fen: int | None  # 个人缴纳 (pension)
    employer: str  # 单位名称, or 灵活就业


@dataclass(frozen=True)
class Balances:
    pension_account_fen: int
    medical_account_fen: int
    as_of: date


@dataclass(frozen=True)
class EmploymentStatus:
    state: EmploymentState
    since: date | None
    employer: str
    office: str  # the public employment office that holds the registration


@dataclass(frozen=True)
class Gap:
    """A run of unpaid months, ``first`` to ``last`` inclusive (``YYYY-MM``)."""

    first: str
    last: str
    months: int


@dataclass(frozen=True)
class PersonRecords:
    enrollments: tuple[Enrollment, ...]  # all five insurances, in ``Insurance`` order
    contributions: tuple[ContributionMonth, ...]  # the last 36 months before today's month, oldest first
    balances: Balances
    employment: EmploymentStatus
    education: str  # a ``content.library.items.Education`` value
    as_of: date
    job_seeker: JobSeekerProfile | None = None  # the 求职登记, when the person has registered as a job seeker


def month_index(day: date) -> int:
    """``day``'s calendar month as one number (year * 12 + month - 1), so months add and subtract."""
    return day.year * 12 + day.month - 1


def month_text(index: int) -> str:
    """The ``YYYY-MM`` form of a ``month_index``."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_start(index: int) -> date:
    """The first day of a ``month_index``."""
    return date(index // 12, index % 12 + 1, 1)


def history_months(today: date, count: int = HISTORY_MONTHS) -> list[str]:
    """The ``count`` calendar months before ``today``'s month, oldest first, as ``YYYY-MM``."""
    index = month_index(today)
    return [month_text(m) for m in range(index - count, index)]


def contribution_gaps(months: tuple[ContributionMonth, ...] | list[ContributionMonth]) -> list[Gap]:
    """Runs of unpaid months in ``months`` (oldest first)."""
    gaps: list[Gap] = []
    run: list[str] = []
    for month in [*months, None]:
        if month is not None and not month.paid:
            run.append(month.month)
            continue
        if run:
            gaps.append(Gap(run[0], run[-1], len(run)))
            run = []
    return gaps


def retired_from(records: PersonRecords) -> str | None:
    """The month (``YYYY-MM``) a retiree stopped paying, or None: a pensioner's unpaid months are no gap."""
    employment = records.employment
    if employment.state is not EmploymentState.RETIRED or employment.since is None:
        return None
    return f"{employment.since.year:04d}-{employment.since.month:02d}"


def gaps_while_liable(records: PersonRecords) -> list[Gap]:
    """Runs of unpaid months before retirement (all of them for someone not retired)."""
    cutoff = retired_from(records)
    return contribution_gaps([m for m in records.contributions if cutoff is None or m.month < cutoff])
