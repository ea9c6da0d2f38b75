"""The parts of a match score, each in [0, 1], as plain functions of a posting and a person: one home for each rule.

The index computes the same formulas over columns at once (``content/matching/_columns.py``); the
reasons (``reasons.py``) and the tests use these. Occupations: GB/T 6565 codes are
major-middle-minor-detail (``6-30-05-01``); a wanted code may be a prefix naming a family (``4-03``)
and every posting under it counts as the same occupation. A code is packed into one integer
(6-30-05-01 → 6300501) so the levels a posting shares with a wanted code are integer divisions.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from typing import Final

from content.matching.requirements import Requirements

CODE_SHAPE: Final = re.compile(r"^(\d)(?:-(\d{2}))?(?:-(\d{2}))?(?:-(\d{2}))?$")
LEVEL_DIVISORS: Final = (1_000_000, 10_000, 100, 1)  # major, middle, minor, detail
# Closeness by how many levels a posting shares with a wanted code that it does not fully match.
SHARED_CLOSENESS: Final = (0.0, 0.15, 0.45, 0.7)  # nothing, same major, same middle group, same minor group
SAME: Final = 1.0
WANTED_RANK_STEP: Final = 0.1  # the second wanted occupation counts 0.9, the third 0.8 …
WANTED_RANK_FLOOR: Final = 0.6
PAST_FACTOR: Final = 0.6  # an occupation done before counts like a wanted one, times this
NEAR_LEVELS: Final = 2  # sharing at least the middle group with a wanted code is a 相近职业
PAST_LEVELS: Final = 3  # sharing at least the minor group with a past job is 做过同类工作

NEGOTIABLE_PAY: Final = 0.5  # 面议: neither for nor against
OPEN_ENDED_PAY: Final = 0.75  # "4000元以上" below the person's minimum: may reach it
DISTANCE_SCALE_KM: Final = 10.0  # the place score at 10 km is 1/e
# Outside the districts a person chose, nearness to the hall counts half: they said where they want to work.
OUTSIDE_CHOSEN: Final = 0.5
EARTH_RADIUS_KM: Final = 6371.0088
FRESH_HALF_LIFE_DAYS: Final = 7.0
NEW_DAYS: Final = 3.0  # posted within this many days: 新发布
HEADCOUNT_CAP: Final = 30
MISSING_REQUIRED: Final = -0.5  # a required certificate the person lacks
PREFERRED_HELD: Final = 0.5  # a preferred certificate held counts half a required one


def pack_code(code: str) -> tuple[int, int]:
    """A GB/T 6565 code or prefix as (packed value, levels given); (0, 0) when it is not one."""
    found = CODE_SHAPE.match(code.strip())
    if found is None:
        return 0, 0
    parts = [int(p) if p is not None else 0 for p in found.groups()]
    levels = sum(1 for p in found.groups() if p is not None)
    return sum(p * d for p, d in zip(parts, LEVEL_DIVISORS, strict=True)), levels


def shared_levels(posting_code: str, wanted: str) -> tuple[int, int]:
    """(levels the posting shares with ``wanted``, levels ``wanted`` gives); a posting code must be whole."""
    value, levels = pack_code(posting_code)
    target, target_levels = pack_code(wanted)
    if levels != 4 or target_levels == 0:
        return 0, target_levels
    shared = 0
    for divisor in LEVEL_DIVISORS[:target_levels]:
        if value // divisor != target // divisor:
            break
        shared += 1
    return shared, target_levels


def closeness(shared: int, levels: int) -> float:
    """1 when the posting is under the wanted code, else by how many levels they share."""
    if levels == 0:
        return 0.0
    return SAME if shared >= levels else SHARED_CLOSENESS[shared]


def rank_factor(rank: int) -> float:
    return max(WANTED_RANK_FLOOR, 1.0 - WANTED_RANK_STEP * rank)


def occupation_score(posting_code: str, wanted: tuple[str, ...], past: tuple[str, ...]) -> float:
    best = 0.0
    for rank, code in enumerate(wanted):
        best = max(best, closeness(*shared_levels(posting_code, code)) * rank_factor(rank))
    for code in past:
        best = max(best, closeness(*shared_levels(posting_code, code)) * PAST_FACTOR)
    return best


def pay_overlaps(salary_min: int | None, salary_max: int | None, pay_min: int) -> bool | None:
    """Whether the posting's pay can reach ``pay_min``; None for 面议."""
    if salary_min is None and salary_max is None:
        return None
    return salary_max is None or salary_max >= pay_min


def pay_score(salary_min: int | None, salary_max: int | None, pay_min: int | None) -> float:
    """1 when even the lowest pay reaches the person's minimum, 0 when the highest does not, partly in between."""
    if pay_min is None:
        return 0.0
    if salary_min is None and salary_max is None:
        return NEGOTIABLE_PAY
    low = salary_min if salary_min is not None else salary_max
    assert low is not None
    if salary_max is not None and salary_max < pay_min:
        return 0.0
    if low >= pay_min:
        return 1.0
    if salary_max is None:
        return OPEN_ENDED_PAY
    return 0.5 + 0.5 * (salary_max - pay_min) / (salary_max - low)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def unit_vector(latitude: float, longitude: float) -> tuple[float, float, float]:
    """The point on the unit sphere; the index keeps these so a distance is a dot product, not trigonometry."""
    lat, lon = math.radians(latitude), math.radians(longitude)
    return math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat)


def display_km(km: float) -> float:
    """Kilometres as a reason shows them: one decimal below 10 km, whole kilometres from there."""
    return round(km, 1) if km < 10 else float(round(km))


def distance_score(km: float) -> float:
    return math.exp(-km / DISTANCE_SCALE_KM)


def epoch(moment: datetime) -> float:
    """Seconds since 1970 of ``moment``; a naive datetime is UTC (as the database stores it)."""
    return (moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)).timestamp()


def age_days(created_at: datetime, at: datetime) -> float:
    return max(0.0, (epoch(at) - epoch(created_at)) / 86400.0)


def freshness_score(days: float) -> float:
    return float(0.5 ** (days / FRESH_HALF_LIFE_DAYS))


def headcount_score(headcount: int) -> float:
    return min(1.0, math.log1p(max(0, headcount)) / math.log1p(HEADCOUNT_CAP))


def certificate_score(requirements: Requirements, held: frozenset[str]) -> float:
    """Required groups met and preferred ones held, less half a point when any required one is missing; ≤ 1."""
    met = sum(1 for group in requirements.required if group & held)
    preferred = sum(1 for group in requirements.preferred if group & held)
    missing = len(requirements.required) - met
    return min(1.0, met + PREFERRED_HELD * preferred) + (MISSING_REQUIRED if missing else 0.0)


def place_score(
    district: str,
    latitude: float | None,
    longitude: float | None,
    districts: tuple[str, ...],
    here: tuple[float | None, float | None],
    districts_stated: bool = True,
) -> float:
    """1 in one of the person's districts, else by straight-line distance from ``here`` when both places are known.

    The distance counts ``OUTSIDE_CHOSEN`` as much when the person named districts themselves.
    """
    if district and district in districts:
        return 1.0
    if latitude is None or longitude is None or here[0] is None or here[1] is None:
        return 0.0
    factor = OUTSIDE_CHOSEN if districts and districts_stated else 1.0
    return factor * distance_score(haversine_km(here[0], here[1], latitude, longitude))
