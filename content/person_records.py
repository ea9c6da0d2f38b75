"""What a records backend knows about a person beyond who they are: insurances, contributions, balances, employment.

Plain frozen dataclasses, shared by every backend (demo, HTTP) and by the kiosk's lookups and
certificates. Money is in fen (``int``), never floats. Nothing here holds an ID number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Final


class Insurance(StrEnum):
    PENSION = "pension"
    MEDICAL = "medical"
    UNEMPLOYMENT = "unemployment"
    WORK_INJURY = "work_injury"
    MATERNITY = "maternity"


INSURANCE_LABELS: Final = {
    Insurance.PENSION: "养老保险", Insurance.MEDICAL: "医疗保险", Insurance.UNEMPLOYMENT: "失业保险",
    Insurance.WORK_INJURY: "工伤保险", Insurance.MATERNITY: "生育保险",
}


class EnrollmentState(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"
    NEVER = "never"


ENROLLMENT_LABELS: Final = {
    EnrollmentState.ACTIVE: "正常参保", EnrollmentState.SUSPENDED: "暂停缴费",
    EnrollmentState.TERMINATED: "终止参保", EnrollmentState.NEVER: "未参保",
}


class EmploymentState(StrEnum):
    EMPLOYED = "employed"
    UNEMPLOYED_REGISTERED = "unemployed_registered"
    FLEXIBLE = "flexible"
    RETIRED = "retired"
    NONE = "none"


EMPLOYMENT_LABELS: Final = {
    EmploymentState.EMPLOYED: "在职", EmploymentState.UNEMPLOYED_REGISTERED: "已办理失业登记",
    EmploymentState.FLEXIBLE: "灵活就业", EmploymentState.RETIRED: "已退休", EmploymentState.NONE: "未登记",
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
    education: str  # a ``content.items.Education`` value
    as_of: date


def history_months(today: date, count: int = HISTORY_MONTHS) -> list[str]:
    """The ``count`` calendar months before ``today``'s month, oldest first, as ``YYYY-MM``."""
    index = today.year * 12 + today.month - 1  # today's month, zero-based
    return [f"{m // 12:04d}-{m % 12 + 1:02d}" for m in range(index - count, index)]


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
