"""The demo people's 求职登记: who registers, what they register, read back by the demo records backend."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, delete, func, select
from sqlalchemy.orm import Session

from content.citizens.demo_backend import DemoPerson, DemoRecords
from content.citizens.demo_histories import DemoProfile, Story
from content.citizens.demo_job_seekers import DemoJobSeeker, profile_from_row
from content.citizens.job_seekers import Assistance, JobSeekerProfile
from content.citizens.keyed_hash import derive_key
from content.citizens.person_records import EmploymentState, Insurance, PersonRecords, month_index
from content.citizens.records import age_on
from content.demo import DEFAULT_RNG_SEED, seed_histories, seed_people
from content.demo.job_seekers import (
    ALWAYS_REGISTER,
    GRADUATE_MAX_AGE,
    HARD_TO_EMPLOY_AGE,
    HARD_TO_EMPLOY_MONTHS,
    SHOWCASE_AMONG,
    SHOWCASE_OCCUPATION,
    SOME_REGISTER,
    showcase_holder_index,
)
from content.demo.occupations import OCCUPATIONS, OCCUPATIONS_BY_CODE
from content.demo.people import DEMO_PEOPLE_COUNT, demo_card_holders
from content.demo.places import DISTRICTS, HALLS, TIANSHUI
from content.demo.seed import drop_histories_without_registrations, drop_stale_histories, seed_demo
from content.demo.trades import CERTIFICATES, SKILLS
from content.demo.vacancies import TIANSHUI_SALARY_FACTOR
from content.library.items import Education
from content.library.kiosk_catalogue import visible_vacancies
from content.models import Base
from content.org.screens import Screen, ScreenKind
from content.org.tree import Hall

TODAY = date(2026, 12, 7)
NOW = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)
KEY = derive_key("job-seekers-demo-test", "records")
DEGREES = {Education.COLLEGE.value, Education.BACHELOR.value, Education.MASTER.value}


@dataclass(frozen=True)
class Someone:
    person: DemoPerson
    story: Story
    records: PersonRecords

    @property
    def registration(self) -> JobSeekerProfile | None:
        return self.records.job_seeker

    @property
    def age(self) -> int:
        return age_on(self.person.birth_date, TODAY)


def _seeded_people(today: date = TODAY, rng_seed: int = DEFAULT_RNG_SEED) -> Session:
    session = Session(create_engine("sqlite://"))
    Base.metadata.create_all(session.get_bind())
    seed_people(session, rng_seed, KEY, today=today)
    session.commit()
    return session


def _registrations(session: Session) -> dict[int, JobSeekerProfile]:
    return {row.person_id: profile_from_row(row) for row in session.scalars(select(DemoJobSeeker))}


@pytest.fixture(scope="module")
def world() -> Iterator[Session]:
    """The whole demo world with its people, seeded once for the module's read-only tests."""
    session = Session(create_engine("sqlite://"))
    Base.metadata.create_all(session.get_bind())
    seed_demo(session, today=TODAY, records_key=KEY)
    session.commit()
    yield session
    session.close()


@pytest.fixture(scope="module")
def everyone(world: Session) -> list[Someone]:
    backend = DemoRecords(world, KEY, lambda: NOW)
    people = []
    for person in world.scalars(select(DemoPerson).order_by(DemoPerson.id)):
        profile = world.get(DemoProfile, person.id)
        assert profile is not None
        people.append(Someone(person, Story(profile.story), backend.records(f"demo:{person.id}", TODAY)))
    assert len(people) == DEMO_PEOPLE_COUNT
    return people


@pytest.fixture(scope="module")
def registered(everyone: list[Someone]) -> list[tuple[Someone, JobSeekerProfile]]:
    return [(p, p.registration) for p in everyone if p.registration is not None]


# -- the backend -------------------------------------------------------------------------------------------


def test_the_demo_backend_returns_the_stored_registration(world: Session, everyone: list[Someone]) -> None:
    rows = _registrations(world)
    assert rows, "nobody registered"
    for someone in everyone:
        assert someone.registration == rows.get(someone.person.id)
        if someone.registration is not None:
            assert someone.registration.source == "registration"


def test_people_without_a_registration_get_none(everyone: list[Someone]) -> None:
    unregistered = [p for p in everyone if p.registration is None]
    assert unregistered and all(p.story not in ALWAYS_REGISTER for p in unregistered)


def test_deleting_a_registration_leaves_the_person_unregistered() -> None:
    session = Session(create_engine("sqlite://"))
    Base.metadata.create_all(session.get_bind())
    seed_people(session, DEFAULT_RNG_SEED, KEY, today=TODAY)
    person_id = session.scalars(select(DemoJobSeeker.person_id)).first()
    assert person_id is not None
    session.execute(delete(DemoJobSeeker).where(DemoJobSeeker.person_id == person_id))
    records = DemoRecords(session, KEY, lambda: NOW).records(f"demo:{person_id}", TODAY)
    assert records.job_seeker is None and records.employment.state is not EmploymentState.NONE
    session.close()


# -- who registers -----------------------------------------------------------------------------------------


def test_the_jobless_the_job_changers_and_first_jobbers_all_register(everyone: list[Someone]) -> None:
    seekers = [p for p in everyone if p.story in ALWAYS_REGISTER]
    assert {p.story for p in seekers} >= {Story.UNEMPLOYED, Story.JOB_CHANGE}
    assert all(p.registration is not None for p in seekers)


def test_retirees_and_people_still_at_school_never_register(everyone: list[Someone]) -> None:
    out = [p for p in everyone if p.story in (Story.RETIRED, Story.NEVER)]
    assert {p.story for p in out} == {Story.RETIRED, Story.NEVER}
    assert all(p.registration is None for p in out)


def test_a_third_of_the_employed_register(everyone: list[Someone]) -> None:
    employed = [p for p in everyone if p.story in SOME_REGISTER]
    registered = [p for p in employed if p.registration is not None]
    assert len(employed) >= 9
    assert len(registered) == round(len(employed) / 3)


# -- what they register ------------------------------------------------------------------------------------


def test_desired_occupations_come_from_the_demo_table_with_a_past_job_among_them(
    registered: list[tuple[Someone, JobSeekerProfile]],
) -> None:
    for _, reg in registered:
        assert 1 <= len(reg.desired_occupations) <= 3, reg
        assert len(set(reg.desired_occupations)) == len(reg.desired_occupations)
        assert all(code in OCCUPATIONS_BY_CODE for code in reg.desired_occupations), reg.desired_occupations
        past = {spell.occupation_code for spell in reg.work_history}
        if past:
            assert past & set(reg.desired_occupations), (reg.desired_occupations, past)
    assert sum(bool(reg.work_history) for _, reg in registered) >= len(registered) * 0.8


def test_pay_is_near_the_first_occupations_salary_band(registered: list[tuple[Someone, JobSeekerProfile]]) -> None:
    stated = [(p, reg) for p, reg in registered if reg.desired_pay_min is not None]
    assert len(stated) >= len(registered) * 0.7
    for someone, reg in stated:
        assert reg.desired_pay_min is not None
        low, high = OCCUPATIONS_BY_CODE[reg.desired_occupations[0]].salary
        place = someone.records.enrollments[0].place
        scale = TIANSHUI_SALARY_FACTOR if place.startswith(TIANSHUI) else 1.0
        assert low * scale - 100 <= reg.desired_pay_min <= high * scale, (reg.desired_pay_min, low, high, place)
        assert reg.desired_pay_min % 100 == 0


def test_districts_are_the_county_insured_in_and_perhaps_a_neighbour(
    registered: list[tuple[Someone, JobSeekerProfile]],
) -> None:
    for someone, reg in registered:
        place = next(e.place for e in someone.records.enrollments if e.insurance is Insurance.PENSION)
        county = next(name for name in DISTRICTS if place.endswith(name))
        assert reg.districts[0] == county
        assert len(reg.districts) <= 2
        assert all(DISTRICTS[d][0] == DISTRICTS[county][0] for d in reg.districts), (county, reg.districts)


def test_education_office_and_date_agree_with_the_records(registered: list[tuple[Someone, JobSeekerProfile]]) -> None:
    for someone, reg in registered:
        assert reg.education == someone.records.education
        assert reg.office == someone.records.employment.office and reg.office.endswith("公共就业服务中心")
        assert reg.registered_on is not None and reg.registered_on <= TODAY
        if reg.major:
            assert reg.education in DEGREES


def test_certificates_and_skills_belong_to_their_trades(registered: list[tuple[Someone, JobSeekerProfile]]) -> None:
    for _, reg in registered:
        codes = {*reg.desired_occupations, *(s.occupation_code for s in reg.work_history)}
        allowed = {name for code in codes for name in CERTIFICATES.get(code, ())}
        assert set(reg.certificates) <= allowed, (reg.certificates, codes)
        trade_words = {word for code in reg.desired_occupations for word in SKILLS[code]}
        assert 2 <= len(reg.skills) and set(reg.skills) <= trade_words, (reg.skills, reg.desired_occupations)


def test_most_people_of_an_occupation_asking_for_a_certificate_hold_it(
    registered: list[tuple[Someone, JobSeekerProfile]],
) -> None:
    asked = [(reg, CERTIFICATES.get(reg.desired_occupations[0], ())) for _, reg in registered]
    asked = [(reg, names) for reg, names in asked if names]
    assert len(asked) >= 5
    holding = [reg for reg, names in asked if set(names) <= set(reg.certificates)]
    assert len(holding) >= 0.6 * len(asked), f"{len(holding)} of {len(asked)}"


def test_every_occupation_has_skills_and_every_certificate_it_names_has_a_spoken_name() -> None:
    assert {job.code for job in OCCUPATIONS} == set(SKILLS)
    for job in OCCUPATIONS:
        optional = job.certificate is None or job.certificate.endswith("优先") or "自备" in job.certificate
        assert optional or CERTIFICATES.get(job.code), job.code
    assert all(len(name) <= 10 for names in CERTIFICATES.values() for name in names)
    assert {"叉车证", "电工证", "焊工证", "健康证", "保安员证", "C1驾驶证"} <= {
        name for names in CERTIFICATES.values() for name in names
    }


def test_assistance_statuses_follow_their_rules(registered: list[tuple[Someone, JobSeekerProfile]]) -> None:
    for someone, reg in registered:
        employment = someone.records.employment
        long_unemployed = (
            employment.state is EmploymentState.UNEMPLOYED_REGISTERED
            and employment.since is not None
            and month_index(TODAY) - month_index(employment.since) >= HARD_TO_EMPLOY_MONTHS
        )
        assert (Assistance.HARD_TO_EMPLOY in reg.assistance) == (long_unemployed and someone.age > HARD_TO_EMPLOY_AGE)
        graduate = someone.story is Story.FIRST_JOB and reg.education in DEGREES and someone.age <= GRADUATE_MAX_AGE
        assert (Assistance.GRADUATE in reg.assistance) == graduate


def test_work_history_runs_most_recent_first_and_only_a_current_job_is_open(
    registered: list[tuple[Someone, JobSeekerProfile]],
) -> None:
    for someone, reg in registered:
        starts = [spell.start for spell in reg.work_history]
        assert starts == sorted(starts, reverse=True)
        for n, spell in enumerate(reg.work_history):
            assert spell.end is None or spell.start <= spell.end
            assert spell.title in OCCUPATIONS_BY_CODE[spell.occupation_code].titles
            if spell.end is None:
                assert n == 0 and someone.records.employment.state is EmploymentState.EMPLOYED
                assert spell.employer == someone.records.employment.employer


# -- the kiosk's showcase -----------------------------------------------------------------------------------


def test_one_of_the_first_card_holders_wants_what_the_kiosks_hall_advertises_ten_times(
    world: Session, everyone: list[Someone]
) -> None:
    index = showcase_holder_index(world)
    assert index is not None and 0 <= index < SHOWCASE_AMONG
    someone = everyone[index]
    assert someone.person.name == demo_card_holders(DEFAULT_RNG_SEED)[index].name
    reg = someone.registration
    assert reg is not None and reg.desired_occupations[0] == SHOWCASE_OCCUPATION
    assert set(CERTIFICATES[SHOWCASE_OCCUPATION]) <= set(reg.certificates)
    job = OCCUPATIONS_BY_CODE[SHOWCASE_OCCUPATION]
    assert job.ages[0] <= someone.age <= 50
    # The demo kiosk: the first kiosk screen of the first hall (kiosk_server/demo_card_reader.py: demo_kiosk).
    hall = world.scalars(
        select(Hall)
        .join(Screen, Screen.hall_id == Hall.id)
        .where(Screen.kind == ScreenKind.KIOSK.value)
        .order_by(Screen.hall_id, Screen.id)
    ).first()
    assert hall is not None and hall.name == HALLS[0].name
    at = datetime.combine(TODAY, time(10, 0), tzinfo=ZoneInfo("Asia/Shanghai"))
    live = [v for v in visible_vacancies(world, hall.org_unit, at) if v.occupation_code == SHOWCASE_OCCUPATION]
    assert len(live) >= 10, len(live)


# -- determinism -------------------------------------------------------------------------------------------


def test_the_same_seed_and_day_give_the_same_registrations(world: Session) -> None:
    again = _seeded_people()
    try:
        assert _registrations(again) == _registrations(world)
    finally:
        again.close()
    other = _seeded_people(rng_seed=DEFAULT_RNG_SEED + 1)
    try:
        assert _registrations(other) != _registrations(world)
    finally:
        other.close()


def test_stale_histories_take_their_registrations_with_them_and_come_back_fresh() -> None:
    session = _seeded_people(today=date(2026, 10, 20))
    try:
        before = session.scalar(select(func.count()).select_from(DemoJobSeeker))
        assert before
        assert drop_stale_histories(session, today=TODAY) == DEMO_PEOPLE_COUNT
        assert session.scalar(select(func.count()).select_from(DemoJobSeeker)) == 0
        seed_histories(session, DEFAULT_RNG_SEED, today=TODAY)
        fresh = _registrations(session)
        assert fresh and all(reg.registered_on is not None and reg.registered_on <= TODAY for reg in fresh.values())
        assert any(reg.registered_on is not None and reg.registered_on > date(2026, 10, 20) for reg in fresh.values())
    finally:
        session.close()


def test_a_demo_database_from_before_registrations_gets_its_histories_redone_with_them() -> None:
    session = _seeded_people(today=TODAY)
    try:
        assert drop_histories_without_registrations(session) == 0, "registrations present: nothing to redo"
        before = _registrations(session)
        session.execute(delete(DemoJobSeeker))
        assert drop_histories_without_registrations(session) == DEMO_PEOPLE_COUNT
        assert session.scalar(select(func.count()).select_from(DemoProfile)) == 0
        seed_histories(session, DEFAULT_RNG_SEED, today=TODAY)
        assert _registrations(session) == before
    finally:
        session.close()
