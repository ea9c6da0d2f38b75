"""An evaluation set for job matching: demo vacancies and job seekers whose right answers are known by construction.

The vacancies come from the demo generator (``make_employers``, ``make_vacancies``), so they read as
the demo's do. Each seeker is someone the generator's occupations were made for: a forklift driver
holding 叉车证 who wants work in 城关区, a cook with 健康证 in 七里河区, someone who wants any kitchen
job and can make noodles (only the skills single out the 面点师 vacancies), and so on. The right answers
for a seeker are the vacancies of the occupation they want in a district they chose: ``precision_at_10``
is the share of the first ten that are right answers, averaged over the seekers. Some seekers also
name an occupation that must rank below every right answer (the forklift driver's clerical jobs).
The test (``tests/content/matching/test_evaluation.py``) and the benchmark (``bench/bench_matching.py``)
both run it.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Final

from faker import Faker

from content.citizens.job_seekers import JobSeekerProfile, WorkSpell
from content.demo.employers import EmployerSpec, make_employers
from content.demo.places import ORG_TREE, walk
from content.demo.vacancies import VacancySpec, make_vacancies
from content.matching.index import MatchIndex
from content.matching.postings import JobPosting
from content.matching.scores import shared_levels
from content.matching.seekers import Seeker, seeker_from
from content.matching.weights import DEFAULT_WEIGHTS, Weights

EVALUATION_SEED: Final = 22
EVALUATION_VACANCIES: Final = 3000
EVALUATION_DAY: Final = date(2026, 12, 7)
HALL_POSITION: Final = (36.057, 103.838)  # a hall in 城关区, Lanzhou
K: Final = 10
# The demo's org nodes numbered in tree order, standing in for org unit ids.
UNIT_IDS: Final = {node.name: number for number, (node, _) in enumerate(walk(ORG_TREE), start=1)}


@dataclass(frozen=True)
class EvaluationCase:
    """A seeker, the occupation and districts that make a right answer, and what must rank below those."""

    name: str
    seeker: Seeker
    wanted: str  # GB/T 6565 code or family prefix
    districts: tuple[str, ...]
    below: str = ""  # an occupation code prefix that must rank after every right answer

    def relevant(self, posting: JobPosting) -> bool:
        shared, levels = shared_levels(posting.occupation_code, self.wanted)
        return shared >= levels > 0 and posting.district in self.districts


def _seeker(age: int, education: str, profile: JobSeekerProfile) -> Seeker:
    return seeker_from(
        profile, age=age, education=education, hall_latitude=HALL_POSITION[0], hall_longitude=HALL_POSITION[1]
    )


def evaluation_cases() -> tuple[EvaluationCase, ...]:
    """Seekers whose right answers the demo generator makes plenty of."""
    forklift = JobSeekerProfile(
        desired_occupations=("6-30-05-01",),
        desired_pay_min=4500,
        districts=("城关区",),
        skills=("叉车驾驶",),
        certificates=("叉车证",),
        work_history=(WorkSpell("4-02-05-01", "装卸工", "兰州某物流公司", "2019-03", "2023-08"),),
    )
    return (
        EvaluationCase("叉车司机", _seeker(32, "高中/中专", forklift), "6-30-05-01", ("城关区",), below="3-01"),
        EvaluationCase(
            "中餐厨师",
            _seeker(35, "初中", JobSeekerProfile(("4-03-02-01",), 5000, ("七里河区",), certificates=("健康证",))),
            "4-03-02-01",
            ("七里河区",),
        ),
        EvaluationCase(
            "电焊工",
            _seeker(
                40,
                "高中/中专",
                JobSeekerProfile(
                    ("6-18-02-04",), 5500, ("秦州区",), skills=("电焊", "氩弧焊"), certificates=("焊工证",)
                ),
            ),
            "6-18-02-04",
            ("秦州区",),
        ),
        EvaluationCase(
            "电工",
            _seeker(
                45, "高中/中专", JobSeekerProfile(("6-31-01-03",), 4500, ("城关区",), certificates=("低压电工作业证",))
            ),
            "6-31-01-03",
            ("城关区",),
        ),
        EvaluationCase(
            "保安员",
            _seeker(50, "初中", JobSeekerProfile(("4-07-05-01",), 3000, ("七里河区",), certificates=("保安员证",))),
            "4-07-05-01",
            ("七里河区",),
        ),
        EvaluationCase(
            "养老护理员",
            _seeker(48, "初中", JobSeekerProfile(("4-10-01-05",), 3500, ("城关区",), skills=("老人护理",))),
            "4-10-01-05",
            ("城关区",),
        ),
        EvaluationCase(
            "超市营业员",
            _seeker(22, "初中", JobSeekerProfile(("4-01-02-03", "4-01-02-04"), 2800, ("城关区", "七里河区"))),
            "4-01-02-03",
            ("城关区", "七里河区"),
        ),
        # Wants any kitchen job (a family prefix): only the skills tell the noodle and pastry jobs from the rest.
        EvaluationCase(
            "拉面师",
            _seeker(
                28,
                "初中",
                JobSeekerProfile(("4-03-02",), 4000, ("七里河区",), skills=("拉面", "面点"), certificates=("健康证",)),
            ),
            "4-03-02-02",
            ("七里河区",),
        ),
        EvaluationCase(
            "软件开发",
            _seeker(26, "本科", JobSeekerProfile(("2-02-10",), 7000, ("城关区", "西固区"), major="计算机科学与技术")),
            "2-02-10",
            ("城关区", "西固区"),
        ),
    )


def _instant(day: date, at: time) -> datetime:
    return datetime.combine(day, at) - timedelta(hours=8)  # Beijing time to naive UTC, as stored


def posting_of(ident: int, spec: VacancySpec, employer: EmployerSpec, org_unit_id: int) -> JobPosting:
    """A demo vacancy as the matcher holds it (valid from its posting day to the end of its closing day)."""
    return JobPosting(
        id=ident,
        org_unit_id=org_unit_id,
        title=spec.title,
        employer=employer.name,
        occupation_code=spec.occupation_code,
        headcount=spec.headcount,
        salary_min=spec.salary_min,
        salary_max=spec.salary_max,
        education=spec.education,
        district=spec.district,
        requirements=spec.requirements,
        created_at=_instant(spec.posted_on, spec.posted_at),
        valid_from=_instant(spec.posted_on, time()),
        valid_until=_instant(spec.closes_on + timedelta(days=1), time()),
        latitude=getattr(employer, "latitude", None),
        longitude=getattr(employer, "longitude", None),
    )


def demo_postings(seed: int, count: int, today: date = EVALUATION_DAY) -> list[JobPosting]:
    """``count`` vacancies from the demo generator, published at the nodes of ``UNIT_IDS``."""
    rng = random.Random(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    employers = make_employers(rng)
    return [
        posting_of(i + 1, spec, employers[spec.employer], UNIT_IDS[spec.publisher])
        for i, spec in enumerate(make_vacancies(rng, fake, employers, today, count))
    ]


def evaluation_at() -> datetime:
    """The instant the evaluation asks at: noon of its day, Beijing time, as naive UTC."""
    return _instant(EVALUATION_DAY, time(12)).replace(tzinfo=None)


def evaluation_index(postings: Sequence[JobPosting], weights: Weights = DEFAULT_WEIGHTS) -> MatchIndex:
    """An index holding ``postings``, scoring with ``weights``."""
    index = MatchIndex(weights)
    for posting in postings:
        index.upsert(posting)
    return index


def case_precision(index: MatchIndex, case: EvaluationCase, postings: dict[int, JobPosting], at: datetime) -> float:
    """The share of the first ``K`` matches that are right answers for ``case``."""
    units = {p.org_unit_id for p in postings.values()}
    page = index.top(case.seeker, visible_units=units, at=at, limit=K)
    return sum(1 for m in page.items if case.relevant(postings[m.vacancy_id])) / K


def precision_at_10(index: MatchIndex, cases: Sequence[EvaluationCase], postings: Sequence[JobPosting]) -> float:
    """Mean precision@10 of ``cases`` over an index holding ``postings``, asked at ``evaluation_at``."""
    by_id = {p.id: p for p in postings}
    at = evaluation_at()
    return sum(case_precision(index, case, by_id, at) for case in cases) / len(cases)


def misplaced(index: MatchIndex, case: EvaluationCase, postings: Sequence[JobPosting]) -> list[int]:
    """Ids of ``case.below`` vacancies ranked above some right answer (empty when the order is as it must be)."""
    if not case.below:
        return []
    by_id = {p.id: p for p in postings}
    units = {p.org_unit_id for p in postings}
    page = index.top(case.seeker, visible_units=units, at=evaluation_at(), limit=len(index))
    ranked = [by_id[m.vacancy_id] for m in page.items]
    last_right = max((i for i, p in enumerate(ranked) if case.relevant(p)), default=-1)
    return [p.id for p in ranked[:last_right] if p.occupation_code.startswith(case.below)]


def evaluation_postings() -> list[JobPosting]:
    """The evaluation's vacancies: ``EVALUATION_VACANCIES`` from the demo generator with ``EVALUATION_SEED``."""
    return demo_postings(EVALUATION_SEED, EVALUATION_VACANCIES)


__all__ = [
    "EvaluationCase",
    "case_precision",
    "demo_postings",
    "evaluation_at",
    "evaluation_cases",
    "evaluation_index",
    "evaluation_postings",
    "misplaced",
    "precision_at_10",
]
