"""What a kiosk offers to browse: vacancies and policy notices visible from its hall, filtered and faceted.

Visible from a hall means live (published, inside its validity window) and owned by the hall's org
node, one of its ancestors (a province's vacancies show in a community station) or one of its
descendants (a city's 人力资源市场 lists what its counties post). Siblings' items do not show.
Search is by pinyin initials of the title (``syy`` finds 收银员: no physical keyboard on a kiosk)
or by a substring of title or employer.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Final, TypeVar

from pypinyin import Style, lazy_pinyin
from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.orm import Session

from content.library.items import Education, ItemStatus, PolicyNotice, Vacancy
from content.org.tree import OrgUnit

EDUCATION_ORDER: Final = tuple(Education)  # 不限 < 初中 < 高中/中专 < 大专 < 本科 < 硕士及以上
SALARY_STEPS: Final = (3000, 4000, 5000, 6000, 8000)
MAX_PER_PAGE: Final = 50

# GB/T 6565-2015 major groups with the short names a kiosk button can hold.
OCCUPATION_GROUPS: Final = {
    "1": "单位负责人",
    "2": "专业技术",
    "3": "办事人员",
    "4": "生活服务",
    "5": "农林牧渔",
    "6": "生产制造",
    "7": "军人",
    "8": "其他",
}

_Item = TypeVar("_Item", bound="Vacancy | PolicyNotice")  # the two kinds of item a kiosk lists


class CatalogueError(ValueError):
    """A filter value the catalogue cannot use; ``field`` names the parameter."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field


@lru_cache(maxsize=4096)
def pinyin_initials(text: str) -> str:
    """Lower-case initials of the Chinese characters (and the letters and digits) of ``text``: 收银员 → syy."""
    out: list[str] = []
    for part in lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default"):
        out.extend(ch.lower() for ch in part if ch.isascii() and ch.isalnum())
    return "".join(out)


def occupation_group(code: str) -> str:
    return code[:1] if code[:1] in OCCUPATION_GROUPS else "8"


def education_rank(value: str) -> int:
    try:
        return EDUCATION_ORDER.index(Education(value))
    except ValueError:
        return 0


@dataclass(frozen=True)
class VacancyFilter:
    district: str = ""
    category: str = ""  # an OCCUPATION_GROUPS key
    salary_min: int | None = None
    education: str = ""  # keep vacancies asking for this level or less
    initials: str = ""
    q: str = ""

    def check(self) -> VacancyFilter:
        if self.category and self.category not in OCCUPATION_GROUPS:
            raise CatalogueError("category", f"expected one of {', '.join(OCCUPATION_GROUPS)}")
        if self.education and self.education not in {e.value for e in Education}:
            raise CatalogueError("education", "expected one of " + ", ".join(e.value for e in Education))
        if self.salary_min is not None and not 0 <= self.salary_min <= 1_000_000:
            raise CatalogueError("salary_min", "expected yuan per month between 0 and 1000000")
        if self.initials and not (self.initials.isascii() and self.initials.isalnum() and len(self.initials) <= 20):
            raise CatalogueError("initials", "expected up to 20 letters or digits")
        if len(self.q) > 40:
            raise CatalogueError("q", "at most 40 characters")
        return self


@dataclass(frozen=True)
class Facets:
    districts: list[tuple[str, int]]
    categories: list[tuple[str, str, int]]  # value, label, count


@dataclass(frozen=True)
class Page:
    items: list[Vacancy]
    total: int
    facets: Facets


def visible_units(session: Session, org_unit: OrgUnit) -> list[int]:
    """The org units whose items ``org_unit``'s halls show: its ancestors, itself and its descendants."""
    below = session.scalars(select(OrgUnit.id).where(OrgUnit.path.startswith(org_unit.path)))
    return sorted(set(org_unit.ancestor_ids()) | set(below))


def live_conditions(model: type[_Item], at: datetime) -> list[ColumnElement[bool]]:
    """The WHERE conditions of an item live at ``at``: published and inside its validity window."""
    return [
        model.status == ItemStatus.PUBLISHED.value,
        or_(model.valid_from.is_(None), model.valid_from <= at),
        or_(model.valid_until.is_(None), model.valid_until > at),
    ]


def _visible(model: type[_Item], session: Session, org_unit: OrgUnit, at: datetime) -> Select[_Item]:
    return select(model).where(model.org_unit_id.in_(visible_units(session, org_unit)), *live_conditions(model, at))


def visible_vacancies(session: Session, org_unit: OrgUnit, at: datetime) -> list[Vacancy]:
    """Every live vacancy visible from ``org_unit``, newest first."""
    return list(
        session.scalars(_visible(Vacancy, session, org_unit, at).order_by(Vacancy.created_at.desc(), Vacancy.id.desc()))
    )


def visible_item(model: type[_Item], session: Session, org_unit: OrgUnit, at: datetime, ident: int) -> _Item | None:
    """One live vacancy or notice if it is visible from ``org_unit`` (one query, not the whole list)."""
    return session.scalar(_visible(model, session, org_unit, at).where(model.id == ident))


def _matches(v: Vacancy, f: VacancyFilter) -> bool:
    if f.district and v.district != f.district:
        return False
    if f.category and occupation_group(v.occupation_code) != f.category:
        return False
    if f.salary_min is not None and (v.salary_max or v.salary_min or 0) < f.salary_min:
        return False
    if f.education and education_rank(v.education) > education_rank(f.education):
        return False
    if f.initials and f.initials.lower() not in pinyin_initials(v.title):
        return False
    return not f.q or f.q in v.title or f.q in v.employer.name


def search_vacancies(vacancies: list[Vacancy], f: VacancyFilter, page: int, per_page: int) -> Page:
    """Filter, facet (over what the other filters leave, so a choice never leads to nothing) and page."""
    f.check()
    if page < 1:
        raise CatalogueError("page", "expected 1 or more")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise CatalogueError("per_page", f"expected 1 to {MAX_PER_PAGE}")
    hits = [v for v in vacancies if _matches(v, f)]
    no_district = VacancyFilter(**{**f.__dict__, "district": ""})
    no_category = VacancyFilter(**{**f.__dict__, "category": ""})
    districts = Counter(v.district for v in vacancies if v.district and _matches(v, no_district))
    groups = Counter(occupation_group(v.occupation_code) for v in vacancies if _matches(v, no_category))
    facets = Facets(
        districts=sorted(districts.items(), key=lambda kv: (-kv[1], kv[0])),
        categories=[(code, OCCUPATION_GROUPS[code], groups[code]) for code in OCCUPATION_GROUPS if groups[code]],
    )
    start = (page - 1) * per_page
    return Page(hits[start : start + per_page], len(hits), facets)


def visible_notices(session: Session, org_unit: OrgUnit, at: datetime) -> list[PolicyNotice]:
    """Live policy notices visible from ``org_unit``, newest effective date first."""
    notices = list(session.scalars(_visible(PolicyNotice, session, org_unit, at)))
    notices.sort(key=lambda n: (n.effective_date is not None, n.effective_date, n.id), reverse=True)
    return notices


def topic_counts(notices: list[PolicyNotice]) -> list[tuple[str, int]]:
    """How many of ``notices`` each topic has, the biggest topic first."""
    counts = Counter(n.topic for n in notices if n.topic)
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
