"""Synthetic histories of the demo people: deterministic, coherent, and read back by the demo backend."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, delete, func, select
from sqlalchemy.orm import Session

from content.citizens.demo_backend import DemoPerson, DemoRecords
from content.citizens.demo_histories import (
    FLEXIBLE_EMPLOYER,
    DemoAccount,
    DemoContribution,
    DemoEnrollment,
    DemoProfile,
    PersonFacts,
    Story,
    base_floor_yuan,
    generate_histories,
)
from content.citizens.keyed_hash import derive_key
from content.citizens.person_records import (
    EmploymentState,
    EnrollmentState,
    Insurance,
    PersonRecords,
    contribution_gaps,
    history_months,
)
from content.citizens.records import UnknownPerson, age_on
from content.demo import DEFAULT_RNG_SEED, DEMO_PEOPLE_COUNT, seed_histories, seed_people
from content.library.items import Education
from content.models import Base
from tests.support.citizens import add_holder

TODAY = date(2026, 11, 22)
NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
KEY = derive_key("demo-history-test", "records")
RETIREMENT_AGE = {"1": 60, "2": 55}
DATABASES = ("sqlite", "postgres")  # for the tests that take the `session` fixture


def _seeded(today: date = TODAY, rng_seed: int = DEFAULT_RNG_SEED) -> Session:
    session = Session(create_engine("sqlite://"))
    Base.metadata.create_all(session.get_bind())
    seed_people(session, rng_seed, KEY, today=today)
    session.commit()
    return session


def _backend(session: Session) -> DemoRecords:
    return DemoRecords(session, KEY, lambda: NOW)


@pytest.fixture(scope="module")
def db() -> Iterator[Session]:
    session = _seeded()
    yield session
    session.close()


@pytest.fixture(scope="module")
def everyone(db: Session) -> list[tuple[DemoPerson, DemoProfile, DemoAccount, PersonRecords]]:
    backend = _backend(db)
    rows = []
    for person in db.scalars(select(DemoPerson).order_by(DemoPerson.id)):
        profile, account = db.get(DemoProfile, person.id), db.get(DemoAccount, person.id)
        assert profile is not None and account is not None
        rows.append((person, profile, account, backend.records(f"demo:{person.id}", TODAY)))
    return rows


def _of(everyone: list, story: Story) -> list[tuple[DemoPerson, DemoProfile, DemoAccount, PersonRecords]]:
    return [row for row in everyone if row[1].story == story.value]


def _dump(session: Session) -> list[tuple]:
    out = []
    for table in (DemoProfile, DemoEnrollment, DemoContribution, DemoAccount):
        columns = [c for c in table.__table__.columns if c.name != "id"]
        out += [tuple(row) for row in session.execute(select(*columns).order_by(*columns))]
    return out


# -- determinism ---------------------------------------------------------------------------------------


def test_the_same_seed_and_day_give_the_same_histories(db: Session) -> None:
    again = _seeded()
    try:
        assert _dump(again) == _dump(db)
    finally:
        again.close()


def test_another_seed_gives_other_histories(db: Session) -> None:
    other = _seeded(rng_seed=DEFAULT_RNG_SEED + 1)
    try:
        assert _dump(other) != _dump(db)
    finally:
        other.close()


def test_the_generator_is_a_pure_function_of_people_day_and_seed() -> None:
    people = [
        PersonFacts(
            n,
            "12"[n % 2],
            date(1960 + n, 1 + n % 12, 1 + n % 28),
            "兰州市城关区",
            "城关区公共就业服务中心",
            ("兰州鑫博物流有限公司", "兰州陇原商贸有限公司"),
        )
        for n in range(1, 45)
    ]
    assert generate_histories(people, TODAY, 5) == generate_histories(people, TODAY, 5)
    assert generate_histories(people, TODAY, 5) != generate_histories(people, TODAY, 6)


# -- shape -----------------------------------------------------------------------------------------------


def test_every_person_has_a_history_of_36_months_and_five_insurances(everyone: list) -> None:
    assert len(everyone) == DEMO_PEOPLE_COUNT
    for _, _, _, records in everyone:
        assert [c.month for c in records.contributions] == history_months(TODAY)
        assert [e.insurance for e in records.enrollments] == list(Insurance)
        assert records.education in {e.value for e in Education}
        assert records.as_of == TODAY and records.balances.as_of == date(2026, 10, 31)


def test_places_come_from_the_persons_county(everyone: list) -> None:
    counties = {
        "620102": "兰州市城关区",
        "620103": "兰州市七里河区",
        "620104": "兰州市西固区",
        "620105": "兰州市安宁区",
        "620502": "天水市秦州区",
        "620503": "天水市麦积区",
    }
    for person, _, _, records in everyone:
        for enrollment in records.enrollments:
            expected = "" if enrollment.state is EnrollmentState.NEVER else counties[person.region_code]
            assert enrollment.place == expected
        if records.employment.office:
            assert records.employment.office == counties[person.region_code][3:] + "公共就业服务中心"


# -- coherence -------------------------------------------------------------------------------------------


def test_balances_are_explained_by_the_stored_contributions(everyone: list) -> None:
    for _, _, account, records in everyone:
        bases = [c.base_fen for c in records.contributions if c.paid]
        assert account.pension_fen == records.balances.pension_account_fen
        assert account.medical_fen == records.balances.medical_account_fen
        assert records.balances.pension_account_fen == (
            account.pension_carried_fen
            + sum(b * 8 // 100 for b in bases)
            + account.pension_interest_fen
            - account.pension_drawn_fen
        )
        assert records.balances.medical_account_fen == (
            account.medical_carried_fen
            + sum(b * 2 // 100 for b in bases)
            + account.medical_allocated_fen
            - account.medical_spent_fen
        )
        assert (
            min(
                records.balances.pension_account_fen,
                records.balances.medical_account_fen,
                account.pension_interest_fen,
                account.medical_spent_fen,
            )
            >= 0
        )


def test_paid_months_have_a_base_between_the_floor_and_three_times_it(everyone: list) -> None:
    for _, _, _, records in everyone:
        for month in records.contributions:
            if not month.paid:
                assert (month.base_fen, month.personal_fen, month.employer) == (None, None, "")
                continue
            floor = base_floor_yuan(int(month.month[:4])) * 100
            assert month.base_fen is not None and floor <= month.base_fen <= 3 * floor
            share = 20 if month.employer == FLEXIBLE_EMPLOYER else 8
            assert month.personal_fen == month.base_fen * share // 100 and month.employer


def test_employed_people_paid_last_month_at_their_employer(everyone: list) -> None:
    employed = [row for row in everyone if row[3].employment.state is EmploymentState.EMPLOYED]
    assert len(employed) >= 20
    for _, _, _, records in employed:
        last = records.contributions[-1]
        assert last.paid and last.employer == records.employment.employer
        assert all(e.state is not EnrollmentState.SUSPENDED for e in records.enrollments)
        assert records.enrollments[0].state is EnrollmentState.ACTIVE


def test_retirees_are_of_age_and_pay_nothing_after_retiring(everyone: list) -> None:
    retirees = _of(everyone, Story.RETIRED)
    assert len(retirees) >= 5
    assert any(any(c.paid for c in r.contributions) for *_, r in retirees), "some retired inside the 36 months"
    for person, _, account, records in retirees:
        retired_on = records.employment.since
        assert records.employment.state is EmploymentState.RETIRED and retired_on is not None
        assert age_on(person.birth_date, retired_on) == RETIREMENT_AGE[person.sex_code]
        assert not any(c.paid for c in records.contributions if c.month >= retired_on.isoformat()[:7])
        pension, medical = records.enrollments[0], records.enrollments[1]
        assert (pension.state, pension.since) == (EnrollmentState.TERMINATED, retired_on)
        assert medical.state is EnrollmentState.ACTIVE, "retirees keep their medical cover"
        assert account.pension_drawn_fen > 0 and account.medical_allocated_fen > 0
    for person, profile, _, _ in everyone:
        if age_on(person.birth_date, TODAY) >= RETIREMENT_AGE[person.sex_code] + 1:
            assert profile.story == Story.RETIRED.value


def test_job_changers_have_a_gap_between_two_employers(everyone: list) -> None:
    changers = _of(everyone, Story.JOB_CHANGE)
    assert len(changers) >= 3
    for *_, records in changers:
        gaps = contribution_gaps(records.contributions)
        assert len(gaps) == 1 and 1 <= gaps[0].months <= 5
        employers = {c.employer for c in records.contributions if c.paid}
        assert len(employers) == 2 and records.contributions[-1].paid


def test_the_registered_unemployed_have_a_recent_gap_and_suspended_insurances(everyone: list) -> None:
    unemployed = _of(everyone, Story.UNEMPLOYED)
    assert len(unemployed) >= 2
    for *_, records in unemployed:
        assert records.employment.state is EmploymentState.UNEMPLOYED_REGISTERED and records.employment.office
        gap = contribution_gaps(records.contributions)[-1]
        assert gap.last == history_months(TODAY)[-1] and 2 <= gap.months <= 10
        assert {e.state for e in records.enrollments} == {EnrollmentState.SUSPENDED}
        assert all(e.since is not None and e.since.isoformat()[:7] == gap.first for e in records.enrollments)


def test_flexible_workers_pay_pension_and_medical_themselves(everyone: list) -> None:
    flexible = _of(everyone, Story.FLEXIBLE)
    assert len(flexible) >= 3
    assert any(contribution_gaps(r.contributions) for *_, r in flexible), "some are in arrears"
    for *_, records in flexible:
        assert records.employment.state is EmploymentState.FLEXIBLE
        assert any(c.employer == FLEXIBLE_EMPLOYER for c in records.contributions)
        states = {e.insurance: e.state for e in records.enrollments}
        assert states[Insurance.PENSION] is states[Insurance.MEDICAL] is EnrollmentState.ACTIVE
        assert states[Insurance.UNEMPLOYMENT] in (EnrollmentState.TERMINATED, EnrollmentState.NEVER)


def test_young_people_may_never_have_been_enrolled(everyone: list) -> None:
    never = _of(everyone, Story.NEVER)
    assert never, "some demo people are still at school"
    for person, _, _, records in never:
        assert age_on(person.birth_date, TODAY) < 28
        assert {e.state for e in records.enrollments} == {EnrollmentState.NEVER}
        assert not any(c.paid for c in records.contributions)
        assert (records.balances.pension_account_fen, records.balances.medical_account_fen) == (0, 0)
        assert records.employment.state is EmploymentState.NONE


def test_at_least_some_people_have_gaps(everyone: list) -> None:
    with_gaps = [
        r
        for *_, r in everyone
        if r.employment.state is not EmploymentState.RETIRED
        and any(c.paid for c in r.contributions)
        and contribution_gaps(r.contributions)
    ]
    assert len(with_gaps) >= 8


# -- reading back ----------------------------------------------------------------------------------------


def test_months_after_the_history_was_made_count_as_unpaid(db: Session, everyone: list) -> None:
    person, _, _, records = next(row for row in everyone if row[3].contributions[-1].paid)
    later = _backend(db).records(f"demo:{person.id}", date(2027, 2, 3))
    assert [c.month for c in later.contributions] == history_months(date(2027, 2, 3))
    assert later.contributions[:-3] == records.contributions[3:]
    assert not any(c.paid for c in later.contributions[-3:])
    assert later.as_of == TODAY, "the demo data is current to the day it was made"


def test_a_person_without_a_history_was_never_enrolled(session: Session) -> None:
    holder = add_holder(session, KEY)
    records = _backend(session).records(f"demo:{holder.person_id}", TODAY)
    assert {e.state for e in records.enrollments} == {EnrollmentState.NEVER}
    assert len(records.contributions) == 36 and not any(c.paid for c in records.contributions)
    assert records.employment.state is EmploymentState.NONE


@pytest.mark.parametrize("ref", ["demo:999999", "demo:0", "demo:x", "http:1", "", "demo:1 "])
def test_an_unknown_or_foreign_ref_is_an_unknown_person(session: Session, ref: str) -> None:
    with pytest.raises(UnknownPerson):
        _backend(session).records(ref, TODAY)


def test_seeding_histories_fills_only_people_without_one(session: Session) -> None:
    holder = add_holder(session, KEY)
    assert seed_histories(session, DEFAULT_RNG_SEED, today=TODAY) == 1
    assert seed_histories(session, DEFAULT_RNG_SEED, today=TODAY) == 0
    records = _backend(session).records(f"demo:{holder.person_id}", TODAY)
    assert records.enrollments[0].state is not EnrollmentState.NEVER and any(c.paid for c in records.contributions)


def test_an_older_demo_database_gets_its_histories_on_the_next_start(tmp_path: Path) -> None:
    from kiosk_server.database import database
    from kiosk_server.demo import ensure_demo_data
    from tests.conftest import make_app

    app = make_app(tmp_path, f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    try:
        assert ensure_demo_data(app) is True
        with database(app).session() as session:
            before, made_on = _dump(session), session.scalar(select(func.min(DemoProfile.generated_on)))
            for table in (DemoContribution, DemoEnrollment, DemoAccount, DemoProfile):
                session.execute(delete(table))
            session.commit()
        assert ensure_demo_data(app) is False
        with database(app).session() as session:
            assert session.scalar(select(func.count()).select_from(DemoProfile)) == DEMO_PEOPLE_COUNT
            if session.scalar(select(func.min(DemoProfile.generated_on))) == made_on:  # unless midnight passed
                assert _dump(session) == before, "the same seed and day give the same histories again"
    finally:
        database(app).engine.dispose()


def test_histories_from_an_earlier_month_are_made_again_as_of_today(session: Session) -> None:
    from content.demo import drop_stale_histories

    add_holder(session, KEY)
    seed_histories(session, DEFAULT_RNG_SEED, today=date(2026, 9, 30))
    assert drop_stale_histories(session, today=date(2026, 9, 1)) == 0, "same month: kept"
    assert drop_stale_histories(session, today=date(2026, 10, 1)) == 1
    assert session.scalar(select(func.count()).select_from(DemoContribution)) == 0
    assert seed_histories(session, DEFAULT_RNG_SEED, today=date(2026, 10, 1)) == 1
    assert session.scalar(select(func.max(DemoProfile.generated_on))) == date(2026, 10, 1)
