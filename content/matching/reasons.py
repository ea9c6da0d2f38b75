"""Why a vacancy was offered to a person: each reason as data, with its zh-CN and English text made here only.

A reason says one fact about the match (要求证书：叉车证 ✓, 距本大厅3公里) and carries the figures the
text was made from in ``data``, so the kiosk, statistics and tests read the facts rather than parse
text. ``explain`` derives them from the posting and the person with the rules of ``scores.py``, so a
reason can never say what the data does not (``tests/content/matching/test_index_properties.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from content.matching import certificates, scores
from content.matching._words import words
from content.matching.postings import JobPosting
from content.matching.requirements import Requirements, parse_requirements
from content.matching.seekers import Seeker

MANY_PLACES: Final = 5  # 招N人 is worth saying from this headcount on
NEAR_KM: Final = 10.0  # a distance up to this counts for the match


@dataclass(frozen=True)
class Reason:
    """One fact about a match: a stable ``code``, its text in both languages, and the facts behind it."""

    code: str
    text: str  # zh-CN
    text_en: str
    favourable: bool  # counts for the match (False: against it, or neither, as 薪资面议)
    data: Mapping[str, str | int | float] = field(default_factory=dict)


def _occupation(posting: JobPosting, seeker: Seeker) -> list[Reason]:
    out: list[Reason] = []
    wanted = [(code, *scores.shared_levels(posting.occupation_code, code)) for code in seeker.occupations]
    same = next((code for code, shared, levels in wanted if levels and shared >= levels), None)
    if same is not None:
        out.append(Reason("occupation_wanted", "符合求职意向", "The job you asked for", True, {"wanted": same}))
    else:
        near = next((code for code, shared, levels in wanted if levels and shared >= scores.NEAR_LEVELS), None)
        if near is not None:
            out.append(Reason("occupation_near", "相近职业", "A related occupation", True, {"wanted": near}))
    past = next(
        (
            c
            for c in seeker.past_occupations
            if scores.shared_levels(posting.occupation_code, c)[0] >= scores.PAST_LEVELS
        ),
        None,
    )
    if past is not None:
        out.append(Reason("occupation_past", "做过同类工作", "Like work you have done", True, {"past": past}))
    return out


def _group_name(group: frozenset[str], held: frozenset[str]) -> str:
    have = sorted(group & held)
    return have[0] if have else "或".join(sorted(group))


def _certificates(requirements: Requirements, held: frozenset[str]) -> list[Reason]:
    out: list[Reason] = []
    for group in requirements.required:
        name = _group_name(group, held)
        english = " or ".join(certificates.name_en(n) for n in name.split("或"))
        if group & held:
            out.append(
                Reason("certificate_held", f"要求证书：{name} ✓", f"Required: {english} ✓", True, {"certificate": name})
            )
        else:
            out.append(
                Reason(
                    "certificate_missing", f"要求证书：{name} ✗", f"Required: {english} ✗", False, {"certificate": name}
                )
            )
    for group in requirements.preferred:
        if group & held:
            name = _group_name(group, held)
            english = certificates.name_en(name)
            out.append(
                Reason(
                    "certificate_preferred",
                    f"优先证书：{name} ✓",
                    f"Preferred: {english} ✓",
                    True,
                    {"certificate": name},
                )
            )
    return out


def _skills(seeker: Seeker, posting_words: frozenset[str]) -> list[Reason]:
    out: list[Reason] = []
    for skill in seeker.skills:
        hit = next((w for w in words(skill) if w in posting_words), None)
        if hit is not None:
            out.append(Reason("skill", f"技能：{skill} ✓", f"Skill: {skill} ✓", True, {"skill": skill, "word": hit}))
    if seeker.major:
        hit = next((w for w in words(seeker.major) if w in posting_words), None)
        if hit is not None:
            out.append(
                Reason("major", "专业对口", "Matches what you studied", True, {"major": seeker.major, "word": hit})
            )
    return out


def _pay(posting: JobPosting, seeker: Seeker) -> list[Reason]:
    if seeker.pay_min is None:
        return []
    overlaps = scores.pay_overlaps(posting.salary_min, posting.salary_max, seeker.pay_min)
    if overlaps is None:
        return [Reason("pay_negotiable", "薪资面议", "Pay negotiable", False, {"pay_min": seeker.pay_min})]
    data: dict[str, str | int | float] = {"pay_min": seeker.pay_min}
    if posting.salary_min is not None:
        data["salary_min"] = posting.salary_min
    if posting.salary_max is not None:
        data["salary_max"] = posting.salary_max
    if overlaps:
        return [Reason("pay_fits", "薪资符合期望", "Pay meets what you asked", True, data)]
    return [Reason("pay_below", "薪资低于期望", "Pay below what you asked", False, data)]


def _place(posting: JobPosting, seeker: Seeker) -> list[Reason]:
    out: list[Reason] = []
    if posting.district and posting.district in seeker.districts:
        district = posting.district
        if seeker.districts_stated:
            out.append(
                Reason(
                    "district", f"在您选择的{district}", f"In {district}, as you chose", True, {"district": district}
                )
            )
        else:
            out.append(Reason("district", f"在{district}", f"In {district}", True, {"district": district}))
    here = (seeker.latitude, seeker.longitude)
    there = (posting.latitude, posting.longitude)
    if here[0] is not None and here[1] is not None and there[0] is not None and there[1] is not None:
        km = scores.display_km(scores.haversine_km(here[0], here[1], there[0], there[1]))
        shown = f"{km:g}"
        out.append(Reason("distance", f"距本大厅{shown}公里", f"{shown} km from this hall", km <= NEAR_KM, {"km": km}))
    return out


def _posting(posting: JobPosting, at: datetime) -> list[Reason]:
    out: list[Reason] = []
    days = scores.age_days(posting.created_at, at)
    if days <= scores.NEW_DAYS:
        out.append(Reason("new", "新发布", "Newly posted", True, {"days": int(days)}))
    if posting.headcount >= MANY_PLACES:
        n = posting.headcount
        out.append(Reason("headcount", f"招{n}人", f"{n} openings", True, {"headcount": n}))
    return out


def explain(
    posting: JobPosting,
    seeker: Seeker,
    at: datetime,
    *,
    requirements: Requirements | None = None,
    posting_words: frozenset[str] | None = None,
    held: frozenset[str] | None = None,
) -> tuple[Reason, ...]:
    """The reasons for offering ``posting`` to ``seeker`` at ``at`` (pass what the caller has already computed)."""
    asked = requirements if requirements is not None else parse_requirements(posting.requirements)
    found = posting_words if posting_words is not None else frozenset(words(f"{posting.title} {posting.requirements}"))
    have = held if held is not None else certificates.held(seeker.certificates)
    return tuple(
        _occupation(posting, seeker)
        + _certificates(asked, have)
        + _skills(seeker, found)
        + _pay(posting, seeker)
        + _place(posting, seeker)
        + _posting(posting, at)
    )
