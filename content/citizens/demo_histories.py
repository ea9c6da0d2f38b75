"""Synthetic, coherent insurance histories of the demo people: their tables and a deterministic generator.

Every demo person gets a story (``Story``): one steady job, a job change with unpaid months in
between, a recent job loss and an unemployment registration, flexible employment (灵活就业: pension
and medical only, paid in person, with arrears now and then), a first job, retirement, or no work yet.
The rows hold what a records backend answers (``content.citizens.person_records``; ``content.citizens.demo_backend``
reads them); the account rows also hold the ledger of the stored months, so the balances can be
checked against the contributions. An enrollment's ``since`` is the first enrollment for ``active``
and the day the state began for ``suspended`` and ``terminated``; retirees (men at 60, women at 55)
pay nothing from their retirement month on and keep their medical cover.

A demo, not a pension calculator. The simplifications:

- a contribution base is an illustrative yearly lower limit (``base_floor_yuan``, near Gansu's
  published figures, not official) times a multiple from 1 to 3, in whole yuan;
- every paid month credits the pension personal account with 8 % of the base (flexible workers pay
  20 % and are credited the same 8 %) from 1996, when personal accounts began, and the medical
  account with 2 % from 2001; December credits the year's interest (记账利率) on the balance
  carried into the year; after retirement the pension account pays 1/139 (men at 60) or 1/170
  (women at 55) of its balance at retirement a month, and the medical account gets a flat allocation;
  outpatient and pharmacy spending takes from the medical account, never below zero;
- before the stored 36 months, everyone who worked paid every month.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Final

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint, delete, insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from content.citizens.person_records import (
    HISTORY_MONTHS,
    ContributionMonth,
    EmploymentState,
    EmploymentStatus,
    Enrollment,
    EnrollmentState,
    Insurance,
    month_index,
    month_start,
    month_text,
)
from content.db import Base
from content.library.items import Education

FLEXIBLE_EMPLOYER: Final = "灵活就业"
PENSION_CREDIT_PERCENT: Final = 8
FLEXIBLE_PENSION_PERCENT: Final = 20
MEDICAL_CREDIT_PERCENT: Final = 2
RETIREE_MEDICAL_FEN: Final = 9_000  # flat monthly allocation to a retiree's medical account (illustrative)
_PENSION_ACCOUNTS_FROM: Final = 1996 * 12
_MEDICAL_ACCOUNTS_FROM: Final = 2001 * 12
_RETIREMENT_AGE: Final = {"1": 60, "2": 55}
_ANNUITY_DIVISOR: Final = {"1": 139, "2": 170}  # months of account pension at 60 / 55
_FLOOR_YUAN: Final = {
    2019: 3_300,
    2020: 3_400,
    2021: 3_550,
    2022: 3_700,
    2023: 3_900,
    2024: 4_100,
    2025: 4_300,
    2026: 4_450,
}
# National credit rates of the pension personal account, in basis points; other years assumed.
_CREDIT_RATE_BP: Final = {
    2016: 831,
    2017: 712,
    2018: 829,
    2019: 761,
    2020: 604,
    2021: 669,
    2022: 612,
    2023: 397,
    2024: 262,
}
_START_AGE: Final = {
    Education.JUNIOR: 17,
    Education.SENIOR: 19,
    Education.COLLEGE: 21,
    Education.BACHELOR: 22,
    Education.MASTER: 25,
}
_MULTIPLE_PERCENT: Final = {
    Education.JUNIOR: (100, 130),
    Education.SENIOR: (100, 160),
    Education.COLLEGE: (110, 200),
    Education.BACHELOR: (120, 260),
    Education.MASTER: (150, 300),
}

_States = dict[Insurance, tuple[EnrollmentState, date | None]]  # each insurance's state and since when


class Story(StrEnum):
    STEADY = "steady"
    JOB_CHANGE = "job_change"
    UNEMPLOYED = "unemployed"
    FLEXIBLE = "flexible"
    FIRST_JOB = "first_job"
    RETIRED = "retired"
    NEVER = "never"


# Working-age people with years of work behind them draw their story from this deck, reshuffled when used up.
_DECK: Final = (Story.STEADY,) * 9 + (Story.JOB_CHANGE,) * 4 + (Story.UNEMPLOYED,) * 3 + (Story.FLEXIBLE,) * 4


class DemoProfile(Base):
    """A demo person's story, education and employment registration, and the day it was generated for."""

    __tablename__ = "demo_profiles"

    person_id: Mapped[int] = mapped_column(ForeignKey("demo_people.id", ondelete="CASCADE"), primary_key=True)
    story: Mapped[str] = mapped_column(String(16))
    education: Mapped[str] = mapped_column(String(16))
    employment_state: Mapped[str] = mapped_column(String(24))
    employment_since: Mapped[date | None] = mapped_column(Date)
    employer: Mapped[str] = mapped_column(String(100))
    office: Mapped[str] = mapped_column(String(60))
    generated_on: Mapped[date] = mapped_column(Date)


class DemoEnrollment(Base):
    """One insurance of a demo person: state, since when, where (参保地)."""

    __tablename__ = "demo_enrollments"
    __table_args__ = (UniqueConstraint("person_id", "insurance"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("demo_people.id", ondelete="CASCADE"))
    insurance: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    since: Mapped[date | None] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(40))


class DemoContribution(Base):
    """One calendar month of a demo person, paid or not."""

    __tablename__ = "demo_contributions"
    __table_args__ = (UniqueConstraint("person_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("demo_people.id", ondelete="CASCADE"))
    month: Mapped[str] = mapped_column(String(7))
    paid: Mapped[bool]
    base_fen: Mapped[int | None]
    personal_fen: Mapped[int | None]
    employer: Mapped[str] = mapped_column(String(100))


class DemoAccount(Base):
    """Balances of a demo person and the ledger of the stored months that explains them (all in fen).

    pension: ``balance = carried + 8 % of every stored paid base + interest - drawn``;
    medical: ``balance = carried + 2 % of every stored paid base + allocated - spent``.
    """

    __tablename__ = "demo_accounts"

    person_id: Mapped[int] = mapped_column(ForeignKey("demo_people.id", ondelete="CASCADE"), primary_key=True)
    as_of: Mapped[date] = mapped_column(Date)
    pension_fen: Mapped[int]
    pension_carried_fen: Mapped[int]
    pension_interest_fen: Mapped[int]
    pension_drawn_fen: Mapped[int]
    medical_fen: Mapped[int]
    medical_carried_fen: Mapped[int]
    medical_allocated_fen: Mapped[int]
    medical_spent_fen: Mapped[int]


@dataclass(frozen=True)
class PersonFacts:
    """What the generator needs to know about a person (nothing that identifies them)."""

    person_id: int
    sex_code: str
    birth_date: date
    place: str  # 参保地 of their region, e.g. 兰州市城关区
    office: str  # the public employment office of their region
    employers: tuple[str, ...]  # employer names near them


@dataclass(frozen=True)
class Ledger:
    as_of: date
    pension_fen: int
    pension_carried_fen: int
    pension_interest_fen: int
    pension_drawn_fen: int
    medical_fen: int
    medical_carried_fen: int
    medical_allocated_fen: int
    medical_spent_fen: int


@dataclass(frozen=True)
class History:
    person_id: int
    story: Story
    education: Education
    employment: EmploymentStatus
    enrollments: tuple[Enrollment, ...]
    contributions: tuple[ContributionMonth, ...]
    ledger: Ledger


def base_floor_yuan(year: int) -> int:
    """The illustrative lower limit of the monthly base in ``year`` (+8 %/yr up to 2019, +4 %/yr after 2026)."""
    if year in _FLOOR_YUAN:
        return _FLOOR_YUAN[year]
    if year < 2019:
        return round(_FLOOR_YUAN[2019] / 1.08 ** (2019 - year))
    return round(_FLOOR_YUAN[2026] * 1.04 ** (year - 2026))


def _credit_rate_bp(year: int) -> int:
    return _CREDIT_RATE_BP.get(year, 250 if year > 2024 else 300)


def _base_fen(index: int, multiple_percent: int) -> int:
    return base_floor_yuan(index // 12) * multiple_percent // 100 * 100


def _day_in(index: int, rng: random.Random) -> date:
    return month_start(index) + timedelta(days=rng.randint(0, 27))


class _Plan:
    """The months a person paid (month index -> employer, base, flexible) and where they stand now."""

    def __init__(self) -> None:
        self.paid: dict[int, tuple[str, int, bool]] = {}
        self.retired_from: int | None = None

    def work(self, months: range, employer: str, multiple_percent: int, flexible: bool = False) -> None:
        for index in months:
            self.paid[index] = (employer, _base_fen(index, multiple_percent), flexible)


def _education(birth_year: int, rng: random.Random) -> Education:
    levels = (Education.JUNIOR, Education.SENIOR, Education.COLLEGE, Education.BACHELOR, Education.MASTER)
    weights = (
        (40, 35, 15, 10, 0) if birth_year < 1975 else (25, 30, 25, 17, 3) if birth_year < 1990 else (12, 25, 30, 27, 6)
    )
    return rng.choices(levels, weights=weights)[0]


def _multiple(education: Education, rng: random.Random) -> int:
    low, high = _MULTIPLE_PERCENT[education]
    return 100 if rng.random() < 0.3 else rng.randint(low, high)  # small firms often declare the lower limit


def _enrollments(facts: PersonFacts, states: _States) -> tuple[Enrollment, ...]:
    return tuple(
        Enrollment(i, states[i][0], states[i][1], facts.place if states[i][0] is not EnrollmentState.NEVER else "")
        for i in Insurance
    )


def _all(state: EnrollmentState, since: date | None) -> _States:
    return {insurance: (state, since) for insurance in Insurance}


def _story(
    facts: PersonFacts, story: Story, education: Education, start: int, today: date, rng: random.Random
) -> tuple[_Plan, EmploymentStatus, _States]:
    """Fill a plan for ``story``; returns it with the employment status and the enrollment states."""
    now, window = month_index(today), month_index(today) - HISTORY_MONTHS
    plan, multiple = _Plan(), _multiple(education, rng)
    employer = rng.choice(facts.employers)
    first = month_start(start)
    active = _all(EnrollmentState.ACTIVE, first)
    if story is Story.NEVER:
        return plan, EmploymentStatus(EmploymentState.NONE, None, "", ""), _all(EnrollmentState.NEVER, None)
    if story is Story.RETIRED:
        retired = month_index(facts.birth_date) + 12 * _RETIREMENT_AGE[facts.sex_code] + 1
        plan.work(range(start, retired), employer, multiple)
        plan.retired_from = retired
        ended = (EnrollmentState.TERMINATED, month_start(retired))
        states = {**_all(*ended), Insurance.MEDICAL: (EnrollmentState.ACTIVE, first)}  # retirees keep medical cover
        return plan, EmploymentStatus(EmploymentState.RETIRED, month_start(retired), "", ""), states
    if story is Story.FIRST_JOB:
        plan.work(range(start, now), employer, min(multiple, 130))
        if rng.random() < 0.4:  # a small employer that enrolled only the three it is checked for most
            for insurance in (Insurance.UNEMPLOYMENT, Insurance.MATERNITY):
                active[insurance] = (EnrollmentState.NEVER, None)
        return plan, EmploymentStatus(EmploymentState.EMPLOYED, _day_in(start, rng), employer, facts.office), active
    # The deck stories: years of work before the stored months.
    plan.work(range(start, window), rng.choice(facts.employers), max(100, multiple - rng.randint(0, 40)))
    if story is Story.STEADY:
        plan.work(range(window, now), employer, multiple)
        since = _day_in(rng.randint(start, window - 1), rng)
        return plan, EmploymentStatus(EmploymentState.EMPLOYED, since, employer, facts.office), active
    if story is Story.JOB_CHANGE:
        change, gap = rng.randint(window + 3, now - 6), rng.randint(1, 5)
        plan.work(range(window, change), employer, multiple)
        new_employer = rng.choice([e for e in facts.employers if e != employer] or [employer])
        plan.work(range(change + gap, now), new_employer, min(300, max(100, multiple + rng.randint(-20, 40))))
        since = _day_in(change + gap, rng)
        return plan, EmploymentStatus(EmploymentState.EMPLOYED, since, new_employer, facts.office), active
    if story is Story.UNEMPLOYED:
        lost = now - rng.randint(2, 10)
        plan.work(range(window, lost), employer, multiple)
        status = EmploymentStatus(EmploymentState.UNEMPLOYED_REGISTERED, _day_in(lost, rng), "", facts.office)
        return plan, status, _all(EnrollmentState.SUSPENDED, month_start(lost))
    # Flexible employment: since before the stored months (some always were), or from inside them.
    switch = rng.randint(start + 1, window - 1) if rng.random() < 0.5 else rng.randint(window + 2, now - 6)
    if switch < window and rng.random() < 0.3:
        switch = start
    plan.paid = {index: month for index, month in plan.paid.items() if index < switch}
    gap = rng.randint(0, 3) if switch > start else 0
    plan.work(range(window, switch), employer, multiple)
    grade = rng.choice((100, 100, 100, 133, 167))  # flexible workers pick a grade of the base
    index = switch + gap
    while index < now:
        if rng.random() < 0.06:  # arrears: one to three months not paid
            index += rng.randint(1, 3)
            continue
        plan.work(range(index, index + 1), FLEXIBLE_EMPLOYER, grade, flexible=True)
        index += 1
    states = active | {
        i: (EnrollmentState.TERMINATED, month_start(switch)) if switch > start else (EnrollmentState.NEVER, None)
        for i in (Insurance.UNEMPLOYMENT, Insurance.WORK_INJURY, Insurance.MATERNITY)
    }
    since = _day_in(switch + gap, rng)
    return plan, EmploymentStatus(EmploymentState.FLEXIBLE, since, "", facts.office), states


def _ledger(plan: _Plan, sex_code: str, today: date, rng: random.Random) -> Ledger:
    """Run the accounts month by month up to the month before ``today``'s; sums over the stored months."""
    now, window = month_index(today), month_index(today) - HISTORY_MONTHS
    pension = carried_into_year = medical = 0
    sums = {"interest": 0, "drawn": 0, "allocated": 0, "spent": 0}
    carried = (0, 0)
    draw = 0
    first = min([*plan.paid, window])
    for index in range(min(max(first, _PENSION_ACCOUNTS_FROM), window), now):
        if index == window:
            carried, sums = (pension, medical), dict.fromkeys(sums, 0)
        if index in plan.paid:
            _, base, _ = plan.paid[index]
            if index >= _PENSION_ACCOUNTS_FROM:
                pension += base * PENSION_CREDIT_PERCENT // 100
            if index >= _MEDICAL_ACCOUNTS_FROM:
                medical += base * MEDICAL_CREDIT_PERCENT // 100
        if plan.retired_from is not None and index >= plan.retired_from:
            if index == plan.retired_from:
                draw = pension // _ANNUITY_DIVISOR[sex_code]
            drawn = min(draw, pension)
            pension -= drawn
            sums["drawn"] += drawn
            if index >= _MEDICAL_ACCOUNTS_FROM:
                medical += RETIREE_MEDICAL_FEN
                sums["allocated"] += RETIREE_MEDICAL_FEN
        if index >= _MEDICAL_ACCOUNTS_FROM and rng.random() < 0.3:
            spent = min(medical, rng.randint(20, 300) * 100)
            medical -= spent
            sums["spent"] += spent
        if index % 12 == 11:
            interest = carried_into_year * _credit_rate_bp(index // 12) // 10000
            pension += interest
            sums["interest"] += interest
            carried_into_year = pension
    return Ledger(
        month_start(now) - timedelta(days=1),
        pension,
        carried[0],
        sums["interest"],
        sums["drawn"],
        medical,
        carried[1],
        sums["allocated"],
        sums["spent"],
    )


def _contributions(plan: _Plan, today: date) -> tuple[ContributionMonth, ...]:
    months = []
    now = month_index(today)
    for index in range(now - HISTORY_MONTHS, now):
        if index not in plan.paid:
            months.append(ContributionMonth(month_text(index), False, None, None, ""))
            continue
        employer, base, flexible = plan.paid[index]
        percent = FLEXIBLE_PENSION_PERCENT if flexible else PENSION_CREDIT_PERCENT
        months.append(ContributionMonth(month_text(index), True, base, base * percent // 100, employer))
    return tuple(months)


def generate_histories(people: Sequence[PersonFacts], today: date, rng_seed: int) -> list[History]:
    """A history for each person, relative to ``today``; the same people, day and seed give the same histories."""
    master = random.Random(f"demo-history/{rng_seed}")
    deck: list[Story] = []
    histories = []
    for facts in people:
        rng = random.Random(master.getrandbits(64))
        education = _education(facts.birth_date.year, rng)
        start = month_index(facts.birth_date) + 12 * _START_AGE[education] + rng.randint(3, 30)
        retired = month_start(month_index(facts.birth_date) + 12 * _RETIREMENT_AGE.get(facts.sex_code, 60) + 1)
        window = month_index(today) - HISTORY_MONTHS
        if facts.sex_code in _RETIREMENT_AGE and retired <= today:
            story = Story.RETIRED
        elif start >= month_index(today):
            story = Story.NEVER
        elif start >= window - 6:
            story = Story.FIRST_JOB
        else:
            if not deck:
                deck = list(_DECK)
                master.shuffle(deck)
            story = deck.pop()
        if story is Story.NEVER:  # still at school: the level finished so far
            age = (today - facts.birth_date).days // 366
            education = max(
                (e for e, a in _START_AGE.items() if a <= age), key=list(_START_AGE).index, default=Education.JUNIOR
            )
        plan, employment, states = _story(facts, story, education, start, today, rng)
        histories.append(
            History(
                facts.person_id,
                story,
                education,
                employment,
                _enrollments(facts, states),
                _contributions(plan, today),
                _ledger(plan, facts.sex_code, today, rng),
            )
        )
    return histories


def store_histories(session: Session, histories: Sequence[History], generated_on: date) -> None:
    """Replace the stored histories of these people (bulk statements in the caller's transaction)."""
    ids = [h.person_id for h in histories]
    for table in (DemoContribution, DemoEnrollment, DemoAccount, DemoProfile):
        session.execute(delete(table).where(table.person_id.in_(ids)))
    rows: dict[type[Base], list[dict[str, object]]] = {
        t: [] for t in (DemoProfile, DemoEnrollment, DemoContribution, DemoAccount)
    }
    for h in histories:
        e = h.employment
        rows[DemoProfile].append(
            dict(
                person_id=h.person_id,
                story=h.story.value,
                education=h.education.value,
                employment_state=e.state.value,
                employment_since=e.since,
                employer=e.employer,
                office=e.office,
                generated_on=generated_on,
            )
        )
        rows[DemoEnrollment] += [
            dict(person_id=h.person_id, insurance=n.insurance.value, state=n.state.value, since=n.since, place=n.place)
            for n in h.enrollments
        ]
        rows[DemoContribution] += [dict(person_id=h.person_id, **vars(c)) for c in h.contributions]
        rows[DemoAccount].append(dict(person_id=h.person_id, **vars(h.ledger)))
    for model, values in rows.items():
        if values:
            session.execute(insert(model), values)
