"""The demo people's job-seeker registrations (求职登记), consistent with their histories and the demo's vacancies.

Who registers follows their story (``content.citizens.demo_histories.Story``): everyone who lost a
job, changed jobs or is in a first job; a third of the employed (steady and flexible workers,
picked by lot); never a retiree nor someone still at school. What they register follows what the
demo world knows of them: desired occupations from the demo's occupation table, one of them a past
job's; pay from that occupation's salary band; the county they are insured in (sometimes with the
neighbouring one); their education; the certificates their occupations ask for (most have them) and
skills of those trades; assistance statuses by rule (就业困难人员: unemployed for six months or more
and over 40; 离校未就业高校毕业生: in a first job, 30 or younger, with a college degree).

Nothing here reads sex, ethnicity or household registration. Everything comes from a random stream
of its own (``demo-job-seekers/<seed>``), so adding registrations changed nothing else in the demo.
One of the first ``SHOWCASE_AMONG`` card holders always registers for ``SHOWCASE_OCCUPATION`` with
its certificate, the occupation the demo kiosk's hall advertises most among those asking for a
certificate, so a browser test can present that card and expect jobs that fit.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from content.citizens.demo_backend import DemoPerson
from content.citizens.demo_histories import FLEXIBLE_EMPLOYER, History, PersonFacts, Story
from content.citizens.demo_job_seekers import DemoJobSeeker
from content.citizens.job_seekers import MAX_LIST_ITEMS, Assistance, JobSeekerProfile, WorkSpell
from content.citizens.person_records import EmploymentState, month_index, month_text
from content.citizens.records import age_on
from content.demo.occupations import OCCUPATIONS, OCCUPATIONS_BY_CODE, Occupation
from content.demo.places import DISTRICT_CENTRES, DISTRICTS, LANZHOU, TIANSHUI
from content.demo.trades import CERTIFICATES, MAJORS, SKILLS
from content.demo.vacancies import TIANSHUI_SALARY_FACTOR
from content.library.items import Education

# 保安员: 14 live vacancies visible from the province's hall (the demo kiosk's) for the default seed,
# each asking for the 保安员证 (tests/content/citizens/test_job_seekers_demo.py checks the count).
SHOWCASE_OCCUPATION: Final = "4-07-05-01"
SHOWCASE_AMONG: Final = 10  # among the first ten of demo_card_holders(seed)
SHOWCASE_CITY: Final = LANZHOU  # where the demo kiosk's hall stands
_SHOWCASE_MAX_AGE: Final = 48  # well inside the 18–50 a 保安员 posting may ask for
ALWAYS_REGISTER: Final = frozenset({Story.UNEMPLOYED, Story.JOB_CHANGE, Story.FIRST_JOB})
SOME_REGISTER: Final = frozenset({Story.STEADY, Story.FLEXIBLE})  # a third of these, by lot
HOLDS_CERTIFICATE_SHARE: Final = 0.8
HARD_TO_EMPLOY_AGE: Final = 40  # over this, and unemployed for
HARD_TO_EMPLOY_MONTHS: Final = 6  # this many months or more
GRADUATE_MAX_AGE: Final = 30
_LEVELS: Final = tuple(Education)  # lowest first
_DEGREES: Final = frozenset({Education.COLLEGE, Education.BACHELOR, Education.MASTER})


def _level(education: Education | str) -> int:
    return _LEVELS.index(Education(education))


def _qualifies(job: Occupation, education: Education, age: int) -> bool:
    """The person meets the lowest education the occupation's postings ask for, and its age range."""
    return min(_level(e) for e in job.education) <= _level(education) and job.ages[0] <= age <= job.ages[1]


def _suits(job: Occupation, education: Education, age: int) -> bool:
    """A job the person would plausibly look for: qualified, and not far below their education."""
    return _qualifies(job, education, age) and max(_level(e) for e in job.education) >= _level(education) - 2


def _county(place: str) -> str | None:
    return next((name for name in DISTRICTS if place.endswith(name)), None)


def _neighbour(county: str) -> str | None:
    """The nearest other county of the same city (by their centres)."""
    city = DISTRICTS[county][0]
    lat, lon = DISTRICT_CENTRES[county]
    others = [d for d, (c, _, _) in DISTRICTS.items() if c == city and d != county]
    return min(
        others, key=lambda d: (DISTRICT_CENTRES[d][0] - lat) ** 2 + (DISTRICT_CENTRES[d][1] - lon) ** 2, default=None
    )


def _pick_job(rng: random.Random, codes: Sequence[str], education: Education, age: int) -> Occupation:
    """One of ``codes`` (listed most common first) that suits the person, else any suitable occupation."""
    fitting = [OCCUPATIONS_BY_CODE[c] for c in codes if c in OCCUPATIONS_BY_CODE]
    fitting = [job for job in fitting if _suits(job, education, age)]
    if fitting:
        return rng.choices(fitting, weights=[len(fitting) - i for i in range(len(fitting))])[0]
    return rng.choice([job for job in OCCUPATIONS if _suits(job, education, age)] or OCCUPATIONS)


def _work_history(
    rng: random.Random,
    facts: PersonFacts,
    history: History,
    employer_occupations: Mapping[str, tuple[str, ...]],
    age: int,
) -> list[WorkSpell]:
    """Spells of work from the stored contributions (runs of one employer), most recent first."""
    runs: list[list[str]] = []  # [employer, first month, last month]
    for month in history.contributions:
        if not month.paid or month.employer == FLEXIBLE_EMPLOYER:
            continue
        if runs and runs[-1][0] == month.employer:
            runs[-1][2] = month.month
        else:
            runs.append([month.employer, month.month, month.month])
    first_stored = history.contributions[0].month if history.contributions else ""
    last_stored = history.contributions[-1].month if history.contributions else ""
    employment = history.employment
    spells = []
    for employer, start, end in runs:
        current = (
            employment.state is EmploymentState.EMPLOYED and employment.employer == employer and end == last_stored
        )
        if current and employment.since is not None:
            start = month_text(month_index(employment.since))
        elif start == first_stored:  # the job began before the stored months: some years before
            earliest = month_index(facts.birth_date) + 12 * 18
            start = month_text(max(earliest, month_index(date.fromisoformat(start + "-01")) - rng.randint(6, 48)))
        job = _pick_job(rng, employer_occupations.get(employer, ()), history.education, age)
        spells.append(WorkSpell(job.code, rng.choice(job.titles), employer, start, None if current else end))
    return spells[::-1][:MAX_LIST_ITEMS]


def _desired(rng: random.Random, past: Sequence[str], education: Education, age: int, showcase: bool) -> list[str]:
    """One to three occupation codes, most wanted first; a past job's code among them when there is one."""
    if showcase:
        codes = [SHOWCASE_OCCUPATION]
    elif past and rng.random() < 0.75:
        codes = [past[0]]
    else:
        family = past[0][:4] if past else ""
        first = _pick_job(rng, [j.code for j in OCCUPATIONS if family and j.code.startswith(family)], education, age)
        codes = [first.code] + ([past[0]] if past and past[0] != first.code else [])
    for _ in range(rng.choice((0, 1, 1, 2))):
        # More of the same trade (same major and middle category), else another past job.
        more = [
            j.code
            for j in OCCUPATIONS
            if j.code.startswith(codes[0][:4]) and j.code not in codes and _suits(j, education, age)
        ] or [code for code in past if code not in codes]
        if not more:
            break
        codes.append(rng.choice(more))
    return codes[:3]


def _pay(rng: random.Random, code: str, county: str | None) -> int:
    low, high = OCCUPATIONS_BY_CODE[code].salary
    scale = TIANSHUI_SALARY_FACTOR if county is not None and DISTRICTS[county][0] == TIANSHUI else 1.0
    return int(round(rng.uniform(low, low + (high - low) * 0.4) * scale / 100.0)) * 100


def _registered_on(rng: random.Random, history: History, today: date) -> date:
    since = history.employment.since
    if history.story is Story.UNEMPLOYED and since is not None:  # registered soon after the job ended
        return min(today, since + timedelta(days=rng.randint(3, 20)))
    return today - timedelta(days=rng.randint(3, 150))


def _assistance(history: History, age: int, today: date) -> tuple[Assistance, ...]:
    found = []
    since = history.employment.since
    if (
        history.employment.state is EmploymentState.UNEMPLOYED_REGISTERED
        and since is not None
        and month_index(today) - month_index(since) >= HARD_TO_EMPLOY_MONTHS
        and age > HARD_TO_EMPLOY_AGE
    ):
        found.append(Assistance.HARD_TO_EMPLOY)
    if history.story is Story.FIRST_JOB and history.education in _DEGREES and age <= GRADUATE_MAX_AGE:
        found.append(Assistance.GRADUATE)
    return tuple(found)


def _major(rng: random.Random, education: Education, code: str) -> str:
    if education not in _DEGREES:
        return ""
    prefix = max((p for p in MAJORS if code.startswith(p)), key=len, default=None)
    return rng.choice(MAJORS[prefix]) if prefix is not None else ""


def _registration(
    rng: random.Random,
    facts: PersonFacts,
    history: History,
    employer_occupations: Mapping[str, tuple[str, ...]],
    today: date,
    showcase: bool,
) -> JobSeekerProfile:
    age = age_on(facts.birth_date, today)
    education = history.education
    spells = _work_history(rng, facts, history, employer_occupations, age)
    if showcase and spells:  # the showcase's last job was the one they look for again
        job = OCCUPATIONS_BY_CODE[SHOWCASE_OCCUPATION]
        spells[0] = WorkSpell(job.code, job.titles[0], spells[0].employer, spells[0].start, spells[0].end)
    past = list(dict.fromkeys(s.occupation_code for s in spells))
    codes = _desired(rng, past, education, age, showcase)
    county = _county(facts.place)
    districts = [county] if county is not None else []
    neighbour = _neighbour(county) if county is not None else None
    if neighbour is not None and (showcase or rng.random() < 0.35):
        districts.append(neighbour)
    certificates: list[str] = []
    for code in dict.fromkeys([*codes, *past]):
        if (showcase and code == SHOWCASE_OCCUPATION) or rng.random() < HOLDS_CERTIFICATE_SHARE:
            certificates += CERTIFICATES.get(code, ())
    skills = rng.sample(SKILLS[codes[0]], rng.randint(2, 3))
    if len(codes) > 1:
        skills.append(rng.choice(SKILLS[codes[1]]))
    return JobSeekerProfile(
        desired_occupations=tuple(codes),
        desired_pay_min=None if not showcase and rng.random() < 0.1 else _pay(rng, codes[0], county),
        districts=tuple(districts),
        education=education.value,
        major=_major(rng, education, codes[0]),
        skills=tuple(dict.fromkeys(skills))[:MAX_LIST_ITEMS],
        certificates=tuple(dict.fromkeys(certificates))[:MAX_LIST_ITEMS],
        work_history=tuple(spells),
        assistance=_assistance(history, age, today),
        registered_on=_registered_on(rng, history, today),
        office=facts.office,
    )


def _showcase(people: Sequence[PersonFacts], histories: Sequence[History], today: date) -> int | None:
    """The position of the showcase person: the first of the first few who is looking for work, else who works."""
    candidates = [
        n
        for n, (facts, history) in enumerate(zip(people[:SHOWCASE_AMONG], histories, strict=False))
        if history.story in ALWAYS_REGISTER | SOME_REGISTER
        and 18 <= age_on(facts.birth_date, today) <= _SHOWCASE_MAX_AGE
    ]
    # Best someone looking for work anyway, insured near the kiosk's hall, whose schooling fits a guard's post.
    return min(
        candidates,
        key=lambda n: (
            histories[n].story not in ALWAYS_REGISTER,
            not people[n].place.startswith(SHOWCASE_CITY),
            _level(histories[n].education) > _level(Education.SENIOR),
            n,
        ),
        default=None,
    )


def job_seeker_registrations(
    people: Sequence[PersonFacts],
    histories: Sequence[History],
    employer_occupations: Mapping[str, tuple[str, ...]],
    today: date,
    rng_seed: int,
) -> dict[int, JobSeekerProfile]:
    """The registrations of those of ``people`` who register, by person id; same inputs, same registrations.

    ``histories`` are theirs, in the same order; ``employer_occupations`` the codes each employer
    (by name) advertises, most common first, for the occupations of past jobs.
    """
    if len(people) != len(histories):
        raise ValueError(f"{len(people)} people but {len(histories)} histories")
    master = random.Random(f"demo-job-seekers/{rng_seed}")
    streams = [random.Random(master.getrandbits(64)) for _ in people]  # one per person, by position
    showcase = _showcase(people, histories, today)
    employed = [n for n, h in enumerate(histories) if h.story in SOME_REGISTER]
    forced = [showcase] if showcase in employed else []
    rest = [n for n in employed if n not in forced]
    chosen = set(forced) | set(master.sample(rest, max(0, round(len(employed) / 3) - len(forced))))
    registrations = {}
    for n, (facts, history) in enumerate(zip(people, histories, strict=True)):
        if history.person_id != facts.person_id:
            raise ValueError(f"history {n} is of person {history.person_id}, not {facts.person_id}")
        if history.story in ALWAYS_REGISTER or n in chosen:
            registrations[facts.person_id] = _registration(
                streams[n], facts, history, employer_occupations, today, n == showcase
            )
    return registrations


def showcase_holder_index(session: Session) -> int | None:
    """Which of ``demo_card_holders(seed)`` registered for ``SHOWCASE_OCCUPATION`` with its certificate, or None.

    Card holders are stored in their order, so the index is the person's place among the stored ids.
    """
    ids = list(session.scalars(select(DemoPerson.id).order_by(DemoPerson.id).limit(SHOWCASE_AMONG)))
    rows = session.scalars(select(DemoJobSeeker).where(DemoJobSeeker.person_id.in_(ids)))
    found = [
        ids.index(r.person_id)
        for r in rows
        if r.desired_occupations[:1] == [SHOWCASE_OCCUPATION]
        and set(CERTIFICATES[SHOWCASE_OCCUPATION]) <= set(r.certificates)
    ]
    return min(found, default=None)
