"""Building the matcher's person and vacancy: from a registration (or none), and from a stored vacancy row."""

from __future__ import annotations

from datetime import UTC, datetime

from content_factories import Factory
from sqlalchemy.orm import Session

from content.citizens.job_seekers import JobSeekerProfile, WorkSpell
from content.library.items import Vacancy
from content.matching.postings import posting_from
from content.matching.seekers import Seeker, seeker_from


def test_without_a_registration_the_halls_districts_stand_in() -> None:
    person = seeker_from(None, age=40, education="初中", hall_latitude=36.0, hall_longitude=103.8,
                         fallback_districts=("城关区", "城关区"))  # fmt: skip
    assert person == Seeker(age=40, education="初中", districts=("城关区",), districts_stated=False,
                            latitude=36.0, longitude=103.8)  # fmt: skip


def test_a_registration_gives_what_the_person_wants_and_brings() -> None:
    profile = JobSeekerProfile(
        desired_occupations=("6-30-05-01", "4-02"),
        desired_pay_min=4500,
        education="大专",
        major=" 物流管理 ",
        skills=("叉车驾驶", ""),
        certificates=("叉车证",),
        work_history=(
            WorkSpell("4-02-05-01", "装卸工", "某物流", "2019-03", "2023-08"),
            WorkSpell("", "临时工", "某工地", "2018-01", "2018-06"),
        ),
    )
    person = seeker_from(profile, age=30, education="高中/中专", fallback_districts=("七里河区",))
    assert person.education == "大专"  # the registration's, over the records'
    assert person.occupations == ("6-30-05-01", "4-02") and person.pay_min == 4500
    assert person.districts == ("七里河区",) and not person.districts_stated
    assert person.major == "物流管理" and person.skills == ("叉车驾驶",)
    assert person.past_occupations == ("4-02-05-01",)
    chosen = seeker_from(JobSeekerProfile(districts=("城关区",)), age=30, education="初中", fallback_districts=("X",))
    assert chosen.districts == ("城关区",) and chosen.districts_stated and chosen.education == "初中"


def test_posting_from_copies_a_stored_vacancy(make: Factory, session: Session) -> None:
    employer = make.employer(name="兰州鑫博物流有限公司")
    if hasattr(employer, "latitude"):
        employer.latitude, employer.longitude = 36.06, 103.84
    created = datetime(2026, 12, 1, 2, 30, tzinfo=UTC)
    vacancy = make.vacancy(
        employer=employer, title="叉车司机", occupation_code="6-30-05-01", headcount=3, salary_min=4500,
        salary_max=None, education="高中/中专", district="城关区", requirements="须持有叉车证", created_at=created,
        valid_until=datetime(2026, 12, 31, tzinfo=UTC),
    )  # fmt: skip
    session.commit()
    session.expire_all()  # read back what was stored, not what was set
    stored = session.get(Vacancy, vacancy.id)
    assert stored is not None
    posting = posting_from(stored)
    assert (posting.id, posting.org_unit_id, posting.title, posting.employer) == (
        vacancy.id, vacancy.org_unit_id, "叉车司机", "兰州鑫博物流有限公司",
    )  # fmt: skip
    assert (posting.salary_min, posting.salary_max, posting.headcount, posting.district) == (4500, None, 3, "城关区")
    assert posting.created_at == created and posting.requirements == "须持有叉车证"
    if hasattr(employer, "latitude"):
        assert (posting.latitude, posting.longitude) == (36.06, 103.84)
    else:
        assert (posting.latitude, posting.longitude) == (None, None)
