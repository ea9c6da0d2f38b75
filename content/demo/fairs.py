"""Demo job fairs (招聘会) in Gansu: one today and tomorrow, one in a few days (the walls count down to it), one in Tianshui.

Times are relative to the day the demo is seeded, in the hall's time zone, so the demo wall always has
a fair to count down to and one running today. Booths go to employers that have published vacancies
under the fair's node, in employer order, so the seed is the same every time; each booth offers up to
three of its employer's vacancies.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from content.demo.places import LANZHOU, PROVINCE, TIANSHUI
from content.library.fairs.job_fairs import FairTheme, JobFair
from content.library.fairs.rules import save_fair
from content.library.items import ItemStatus, Vacancy
from content.org.tree import Hall, OrgUnit

MAX_JOBS_PER_BOOTH: Final = 3


@dataclass(frozen=True)
class FairSpec:
    title: str
    theme: FairTheme
    publisher: str  # the org node that publishes it (and whose vacancies fill its booths)
    in_days: int  # days after the seeding day
    opens: time
    closes: time
    hall: str | None  # a demo hall's name, or None for an outside venue
    venue: str
    address: str
    organiser: str
    booths: int
    hall_prefix: str  # booth numbers: A01, A02 …
    two_days: bool = False  # closes on the next day (a fair may span two days)


FAIRS: Final = (
    FairSpec(
        "城关区2026年冬季退役军人专场招聘会",
        FairTheme.VETERANS,
        LANZHOU,
        0,
        time(9),
        time(16),
        None,
        "兰州市城关区退役军人服务中心",
        "兰州市城关区庆阳路",
        "城关区人力资源和社会保障局、城关区退役军人事务局",
        6,
        "A",
        two_days=True,  # today and tomorrow: the demo wall shows it running whenever it is opened
    ),
    FairSpec(
        "兰州市2026年冬季高校毕业生专场招聘会",
        FairTheme.GRADUATES,
        PROVINCE,
        3,
        time(9),
        time(16, 30),
        "甘肃省人力资源市场",
        "",
        "",
        "兰州市就业服务中心、甘肃省高校毕业生就业服务中心",
        10,
        "B",
    ),
    FairSpec(
        "天水市\u201c春风行动\u201d农民工专场招聘会",
        FairTheme.MIGRANT_WORKERS,
        TIANSHUI,
        10,
        time(8, 30),
        time(15),
        None,
        "天水市秦州区人力资源市场",
        "天水市秦州区民主西路",
        "天水市公共就业服务中心",
        5,
        "C",
    ),
)


def _employers_with_jobs(session: Session, node: OrgUnit) -> dict[int, list[int]]:
    """Published vacancies under ``node`` (or above it) by employer, employers and vacancies in id order."""
    below = select(OrgUnit.id).where(OrgUnit.path.startswith(node.path))
    rows = session.execute(
        select(Vacancy.employer_id, Vacancy.id)
        .where(Vacancy.status == ItemStatus.PUBLISHED.value, Vacancy.org_unit_id.in_(below))
        .order_by(Vacancy.employer_id, Vacancy.id)
    )
    jobs: dict[int, list[int]] = {}
    for employer_id, vacancy_id in rows:
        jobs.setdefault(employer_id, []).append(vacancy_id)
    return jobs


def seed_fairs(session: Session, orgs: Mapping[str, OrgUnit], today: date, tz: ZoneInfo) -> list[JobFair]:
    """The demo fairs, published now and shown until they end."""
    made = []
    for spec in FAIRS:
        node = orgs[spec.publisher]
        jobs = _employers_with_jobs(session, orgs[LANZHOU] if spec.publisher == PROVINCE else node)
        booths = [
            {
                "employer_id": employer,
                "booth": f"{spec.hall_prefix}{n + 1:02d}",
                "vacancy_ids": ids[:MAX_JOBS_PER_BOOTH],
            }
            for n, (employer, ids) in enumerate(list(jobs.items())[: spec.booths])
        ]
        day = today + timedelta(days=spec.in_days)
        hall = session.scalar(select(Hall).where(Hall.name == spec.hall)) if spec.hall else None
        fair = save_fair(
            session,
            None,
            {
                "org_unit_id": node.id,
                "title": spec.title,
                "status": ItemStatus.PUBLISHED.value,
                "theme": spec.theme.value,
                "starts_at": datetime.combine(day, spec.opens, tzinfo=tz).astimezone(UTC),
                "ends_at": datetime.combine(day + timedelta(days=spec.two_days), spec.closes, tzinfo=tz).astimezone(
                    UTC
                ),
                "hall_id": hall.id if hall is not None else None,
                "venue_name": spec.venue,
                "venue_address": spec.address,
                "organiser": spec.organiser,
                "booths": booths,
            },
        )
        made.append(fair)
    session.flush()
    return made
