"""Demo vacancies (岗位) for the demo employers, as plain data: deterministic given the random source."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Final

from faker import Faker

from content.demo.employers import OFFICE_OCCUPATIONS, EmployerSpec
from content.demo.occupations import Occupation, occupation
from content.demo.places import DISTRICTS, HALLS, PROVINCE, TIANSHUI

VACANCY_COUNT: Final = 336
MIN_PER_EMPLOYER: Final = 3
NEGOTIABLE_SHARE: Final = 0.15  # 面议: salary_min and salary_max both None
OPEN_ENDED_SHARE: Final = 0.03  # "5000元以上": salary_max None
SALARY_FLOOR: Final = 2500
SALARY_CEILING: Final = 12000
TIANSHUI_SALARY_FACTOR: Final = 0.92  # wages in Tianshui run a little below Lanzhou's

# Counties with a hall of their own: vacancies published there are seen by that hall (and the
# street and community stations below it). Elsewhere the city publishes for the county.
_COUNTIES_WITH_HALLS: Final = frozenset(h.place for h in HALLS) & frozenset(DISTRICTS)

_EXPERIENCE: Final = (
    "经验不限，可接受新手，入职提供带薪培训",
    "有1年以上相关工作经验",
    "有2年以上相关工作经验",
    "有3年以上相关工作经验者优先",
    "有相关工作经验者优先",
)
_MANUAL_TRAITS: Final = ("身体健康，吃苦耐劳", "身体健康，能适应倒班", "服从安排，有团队合作精神", "踏实肯干，责任心强")
_OFFICE_TRAITS: Final = (
    "责任心强，有良好的沟通表达能力",
    "熟练使用办公软件",
    "工作细致，有团队合作精神",
    "普通话标准，服务意识强",
)
_BENEFITS: Final = (
    "单位缴纳五险一金",
    "缴纳五险，提供工作餐",
    "缴纳社会保险，法定节假日休息",
    "包吃住，月休4天",
    "提供员工宿舍，按月足额发放工资",
    "试用期1个月，转正后缴纳五险",
    "缴纳五险，另有绩效奖金和全勤奖",
)


@dataclass(frozen=True)
class VacancySpec:
    employer: int  # index into the employer list
    occupation_code: str
    title: str
    headcount: int
    salary_min: int | None
    salary_max: int | None
    education: str
    district: str
    requirements: str
    contact: str
    publisher: str  # name of the org node that publishes it
    posted_on: date  # local day it was posted
    posted_at: time  # local time of posting
    closes_on: date  # last local day it is shown


def _round100(value: float) -> int:
    return int(round(value / 100.0)) * 100


def _salary(rng: random.Random, job: Occupation, city: str) -> tuple[int | None, int | None]:
    if rng.random() < NEGOTIABLE_SHARE:
        return None, None
    scale = TIANSHUI_SALARY_FACTOR if city == TIANSHUI else 1.0
    lo, hi = job.salary[0] * scale, job.salary[1] * scale
    low = max(SALARY_FLOOR, _round100(rng.uniform(lo, lo + (hi - lo) * 0.6)))
    if rng.random() < OPEN_ENDED_SHARE:
        return low, None
    high = _round100(low * rng.uniform(1.15, 1.5))
    return low, min(SALARY_CEILING, max(high, low + 300))


def _headcount(rng: random.Random, job: Occupation) -> int:
    most = max(1, min(30, job.max_headcount))
    # Mostly small postings; bulk hiring (快递, 保安, 建筑) now and then reaches the maximum.
    return max(1, min(most, int(rng.triangular(1, most + 1, 1))))


def _requirements(rng: random.Random, job: Occupation) -> str:
    lowest, highest = job.ages
    highest = max(lowest + 5, highest - rng.choice((0, 0, 5)))
    traits = _OFFICE_TRAITS if job.major in "123" else _MANUAL_TRAITS
    parts = [f"年龄{lowest}-{highest}周岁", rng.choice(traits), rng.choice(_EXPERIENCE)]
    if job.certificate:
        parts.append(job.certificate if job.certificate.endswith("优先") else f"须持有{job.certificate}")
    parts.append(f"待遇：{rng.choice(_BENEFITS)}")
    return "；".join(parts) + "。"


def _contact(rng: random.Random, fake: Faker, area_code: str) -> str:
    title = rng.choice(("先生", "女士"))
    return f"{fake.last_name()}{title} {area_code}-8{rng.randint(0, 999_999):06d}"


def _publisher(rng: random.Random, employer: EmployerSpec) -> str:
    roll = rng.random()
    if roll < 0.2:
        return PROVINCE
    if employer.district in _COUNTIES_WITH_HALLS and roll < 0.65:
        return employer.district
    return employer.city


def _pick_occupation(rng: random.Random, employer: EmployerSpec) -> Occupation:
    if rng.random() < 0.05:
        return occupation(rng.choice(OFFICE_OCCUPATIONS))
    codes = employer.occupations
    weights = [len(codes) - i for i in range(len(codes))]  # listed most common first
    return occupation(rng.choices(codes, weights=weights)[0])


def _pick_job(rng: random.Random, employer: EmployerSpec, seen: set[str]) -> tuple[Occupation, str]:
    """An occupation and title, avoiding titles the employer already posted (five tries)."""
    for _ in range(4):
        job = _pick_occupation(rng, employer)
        title = rng.choice(job.titles)
        if title not in seen:
            return job, title
    job = _pick_occupation(rng, employer)
    return job, rng.choice(job.titles)


def make_vacancies(
    rng: random.Random, fake: Faker, employers: list[EmployerSpec], today: date, count: int = VACANCY_COUNT
) -> list[VacancySpec]:
    """``count`` vacancies spread over ``employers``, posted in the last fortnight, open 2–8 weeks."""
    per_employer = [MIN_PER_EMPLOYER] * len(employers)
    for _ in range(max(0, count - sum(per_employer))):
        per_employer[rng.randrange(len(employers))] += 1
    vacancies: list[VacancySpec] = []
    for index, (employer, n) in enumerate(zip(employers, per_employer, strict=True)):
        contact = _contact(rng, fake, employer.area_code)
        seen: set[str] = set()
        for _ in range(n):
            job, title = _pick_job(rng, employer, seen)
            seen.add(title)
            salary_min, salary_max = _salary(rng, job, employer.city)
            posted_minutes = rng.randint(8 * 60 + 30, 17 * 60 + 30)
            vacancies.append(
                VacancySpec(
                    employer=index,
                    occupation_code=job.code,
                    title=title,
                    headcount=_headcount(rng, job),
                    salary_min=salary_min,
                    salary_max=salary_max,
                    education=rng.choice(job.education).value,
                    district=employer.district,
                    requirements=_requirements(rng, job),
                    contact=contact,
                    publisher=_publisher(rng, employer),
                    posted_on=today - timedelta(days=rng.randint(1, 14)),
                    posted_at=time(posted_minutes // 60, posted_minutes % 60),
                    closes_on=today + timedelta(days=rng.randint(14, 56)),
                )
            )
    return vacancies
