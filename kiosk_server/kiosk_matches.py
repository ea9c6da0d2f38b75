"""岗位匹配 at the kiosk: who the person is to the matcher, the ranked page of vacancies, and interests (意向).

The person is their 求职登记 when the records hold one; otherwise what they stated in three taps
(family, district, minimum pay: ``Statement``), sent back by the page with every call and kept
nowhere else; otherwise nobody yet, and the answer asks for the taps (``needs_statement``). Age comes
from the citizen session, education from the registration or else the records, distances from the
hall's coordinates when it has them. The matcher never sees sex, ethnicity or household registration
(``content.matching.seekers``). The JSON is docs/kiosk.md §6.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from content.citizens.job_seekers import JobSeekerProfile
from content.citizens.person_records import PersonRecords
from content.citizens.sessions import CitizenSession
from content.library.items import Vacancy
from content.library.kiosk_catalogue import SALARY_STEPS, live_conditions
from content.library.kiosk_catalogue import visible_units as catalogue_units
from content.library.occupations import NAMES
from content.matching.families import FAMILIES, Family, family
from content.matching.interests import Person
from content.matching.match_stats import count_shown
from content.matching.postings import posting_from
from content.matching.reasons import Reason, explain
from content.matching.seekers import Seeker, seeker_from
from content.org.screens import Screen
from kiosk_server.kiosk_payloads import vacancy_json
from kiosk_server.match_book import MatchBook

MAX_PAY: Final = 1_000_000
PARAMETERS: Final = ("family", "district", "pay_min")


class StatementError(ValueError):
    """A three-tap statement the matcher cannot use; ``parameter`` names the query parameter."""

    def __init__(self, parameter: str, problem: str) -> None:
        super().__init__(f"{parameter}: {problem}")
        self.parameter = parameter
        self.problem = problem


@dataclass(frozen=True)
class Statement:
    """What a person without a registration said they want; every part optional."""

    family: Family | None = None
    district: str = ""
    pay_min: int | None = None

    @property
    def given(self) -> bool:
        return self.family is not None or bool(self.district) or self.pay_min is not None

    def profile(self) -> JobSeekerProfile:
        return JobSeekerProfile(
            desired_occupations=self.family.prefixes if self.family is not None else (),
            desired_pay_min=self.pay_min,
            districts=(self.district,) if self.district else (),
            source="stated",
        )


def visible_units(session: Session, screen: Screen) -> list[int]:
    """The org units whose vacancies the kiosk's hall shows (the catalogue's rule, one home)."""
    return catalogue_units(session, screen.hall.org_unit)


def offered_districts(session: Session, units: Collection[int], at: datetime) -> list[str]:
    """The districts of the vacancies live at ``at`` in ``units``, in code-point order."""
    rows = session.scalars(
        select(Vacancy.district).distinct().where(Vacancy.org_unit_id.in_(list(units)), *live_conditions(Vacancy, at))
    )
    return sorted(d for d in rows if d)


def read_statement(args: Mapping[str, str], districts: Collection[str]) -> Statement:
    """The statement in the query ``args``; StatementError naming the parameter when it cannot be used."""
    key = args.get("family", "").strip()
    chosen = family(key) if key else None
    if key and chosen is None:
        raise StatementError("family", "unknown job family; expected one of " + ", ".join(f.key for f in FAMILIES))
    district = args.get("district", "").strip()
    if district and district not in districts:
        raise StatementError("district", "no vacancy visible from this hall is in that district")
    pay_text = args.get("pay_min", "").strip()
    pay_min: int | None = None
    if pay_text:
        if not (pay_text.isascii() and pay_text.isdigit()) or int(pay_text) > MAX_PAY:
            raise StatementError("pay_min", f"expected whole yuan per month from 0 to {MAX_PAY}")
        pay_min = int(pay_text)
    return Statement(chosen, district, pay_min)


@dataclass(frozen=True)
class Asker:
    """The person asking, as the matcher and the page see them."""

    profile: JobSeekerProfile | None
    seeker: Seeker
    age: int | None
    education: str
    districts: tuple[str, ...]

    @property
    def source(self) -> str:
        return self.profile.source if self.profile is not None else "none"


def asker(
    screen: Screen,
    citizen: CitizenSession,
    records: PersonRecords,
    statement: Statement,
    districts: Collection[str],
    today: date,
) -> Asker:
    """The person as the matcher sees them: their registration, else their statement, else nothing stated."""
    profile = records.job_seeker if records.job_seeker is not None else statement.profile() if statement.given else None
    age = citizen.age_on(today)
    education = (profile.education if profile is not None else "") or records.education
    # Where the person is insured tells where they live when nothing better says it (城关区 in 兰州市城关区…).
    places = " ".join(e.place for e in records.enrollments)
    fallback = tuple(d for d in districts if d in places)
    hall = screen.hall
    seeker = seeker_from(
        profile,
        age=age,
        education=education,
        hall_latitude=getattr(hall, "latitude", None),
        hall_longitude=getattr(hall, "longitude", None),
        fallback_districts=fallback,
    )
    shown_districts = profile.districts if profile is not None and profile.districts else fallback
    return Asker(profile, seeker, age, education, tuple(shown_districts))


def _occupation(code: str) -> dict[str, str]:
    named = NAMES.get(code)
    if named is None:
        fam = family(code)
        named = fam.label if fam is not None else ""
    return {"code": code, "name": named}


def profile_json(who: Asker, statement: Statement) -> dict[str, Any]:
    profile = who.profile
    if profile is not None and profile.source == "stated" and statement.family is not None:
        occupations = [{"code": statement.family.key, "name": statement.family.label}]
    else:
        occupations = [_occupation(c) for c in (profile.desired_occupations if profile is not None else ())]
    return {
        "source": who.source,
        "occupations": occupations,
        "pay_min": profile.desired_pay_min if profile is not None else None,
        "districts": list(who.districts),
        "certificates": list(profile.certificates) if profile is not None else [],
        "skills": list(profile.skills) if profile is not None else [],
        "education": who.education,
        "age": who.age,
    }


def choices_json(districts: Collection[str]) -> dict[str, Any]:
    return {
        "families": [{"key": f.key, "label": f.label, "label_en": f.label_en} for f in FAMILIES],
        "districts": list(districts),
        "pay_steps": list(SALARY_STEPS),
    }


def reasons_json(reasons: Iterable[Reason]) -> list[dict[str, Any]]:
    return [{"code": r.code, "text": r.text, "text_en": r.text_en, "favourable": r.favourable} for r in reasons]


@dataclass(frozen=True)
class Query:
    """One call of ``GET /kiosk/api/session/matches``, its arguments read and checked."""

    screen: Screen
    citizen: CitizenSession
    records: PersonRecords
    statement: Statement
    units: list[int]
    districts: list[str]
    page: int
    per_page: int
    today: date
    now: datetime


def matches_answer(session: Session, book: MatchBook, q: Query) -> dict[str, Any]:
    """The answer of docs/kiosk.md §6; a first page with items is counted in the hall's statistics (committed)."""
    who = asker(q.screen, q.citizen, q.records, q.statement, q.districts, q.today)
    needs_statement = who.profile is None
    items: list[dict[str, Any]] = []
    total = 0
    if not needs_statement:
        offset = (q.page - 1) * q.per_page
        found = book.top(who.seeker, visible_units=q.units, at=q.now, limit=q.per_page, offset=offset)
        total = found.total
        ids = [m.vacancy_id for m in found.items]
        rows = {v.id: v for v in session.scalars(select(Vacancy).where(Vacancy.id.in_(ids)))} if ids else {}
        for rank, match in enumerate(found.items, start=offset + 1):
            vacancy = rows.get(match.vacancy_id)
            if vacancy is None:  # deleted since the index last looked: its change is on its way
                continue
            shown = {"rank": rank, "score": round(match.score, 3), "reasons": reasons_json(match.reasons)}
            items.append({**vacancy_json(vacancy), "match": shown})
        if q.page == 1 and items:
            count_shown(session, q.screen.hall_id, q.today, [item["occupation_code"] for item in items])
            session.commit()
    return {
        "profile": profile_json(who, q.statement),
        "needs_statement": needs_statement,
        "choices": choices_json(q.districts),
        "items": items,
        "total": total,
        "page": q.page,
        "per_page": q.per_page,
    }


def interest_person(who: Asker, citizen: CitizenSession, person_hash: str) -> Person:
    """The person as an interest keeps them: masked, with what they asked for."""
    desired = who.profile.desired_occupations if who.profile is not None else ()
    return Person(person_hash, citizen.masked_name, citizen.masked_id, who.age, who.education, tuple(desired))


def reasons_for(seeker: Seeker, vacancy: Vacancy, at: datetime) -> list[dict[str, Any]]:
    """The reasons the kiosk shows for ``vacancy``: read from the person's and the vacancy's data alone, as in the list."""
    return reasons_json(explain(posting_from(vacancy), seeker, at))
