"""What the kiosk's 培训查询 offers: the live courses a hall sees, filtered, paged and faceted.

Filters (all optional, combined with AND): a district, an occupation family (GB/T 6565 大类, the first
digit of the code; a course without a code is in none), a subsidy group, "starts within a month"
(from today in the hall's time zone, ``SOON_DAYS``) and "places left". Facets count the courses
that pass every other filter, so a citizen never taps into an empty list.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from content.library.kiosk_catalogue import OCCUPATION_GROUPS, CatalogueError
from content.library.training.courses import SOON_DAYS, SubsidyGroup, TrainingCourse

MAX_FILTER_LENGTH: Final = 60


@dataclass(frozen=True)
class CourseFilter:
    district: str = ""
    family: str = ""  # an OCCUPATION_GROUPS key ("4")
    group: str = ""  # a SubsidyGroup value
    soon: bool = False  # starts within SOON_DAYS of today
    open_only: bool = False  # places_left > 0

    def check(self) -> CourseFilter:
        """This filter, or ``CatalogueError`` naming the parameter that is not one of the choices."""
        if len(self.district) > MAX_FILTER_LENGTH:
            raise CatalogueError("district", f"at most {MAX_FILTER_LENGTH} characters")
        if self.family and self.family not in OCCUPATION_GROUPS:
            raise CatalogueError("family", f"one of {', '.join(OCCUPATION_GROUPS)}")
        if self.group and self.group not in {g.value for g in SubsidyGroup}:
            raise CatalogueError("group", "one of the subsidy groups")
        return self


@dataclass(frozen=True)
class CoursePage:
    items: list[TrainingCourse]
    total: int
    districts: list[tuple[str, int]]
    families: list[tuple[str, int]]
    groups: list[tuple[str, int]]


def _family(course: TrainingCourse) -> str:
    code = course.occupation_code or ""
    return code[:1] if code[:1] in OCCUPATION_GROUPS else ""


def _passes(course: TrainingCourse, f: CourseFilter, today: date, skip: str = "") -> bool:
    return (
        (skip == "district" or not f.district or course.district == f.district)
        and (skip == "family" or not f.family or _family(course) == f.family)
        and (skip == "group" or not f.group or f.group in (course.subsidy_groups or ()))
        and (not f.soon or today <= course.starts_on <= today + timedelta(days=SOON_DAYS))
        and (not f.open_only or course.places_left > 0)
    )


def search_courses(courses: list[TrainingCourse], f: CourseFilter, today: date, page: int, per_page: int) -> CoursePage:
    """One page of the courses passing ``f`` (in the given order), with facet counts."""
    f = f.check()
    found = [c for c in courses if _passes(c, f, today)]
    districts = Counter(c.district for c in courses if c.district and _passes(c, f, today, "district"))
    families = Counter(fam for c in courses if (fam := _family(c)) and _passes(c, f, today, "family"))
    groups: Counter[str] = Counter()
    for c in courses:
        if _passes(c, f, today, "group"):
            groups.update(set(c.subsidy_groups or ()))
    order = [g.value for g in SubsidyGroup]
    start = (page - 1) * per_page
    return CoursePage(
        items=found[start : start + per_page],
        total=len(found),
        districts=sorted(districts.items(), key=lambda kv: (-kv[1], kv[0])),
        families=sorted(families.items()),
        groups=sorted(groups.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order)),
    )
