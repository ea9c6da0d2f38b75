"""The match index: every published vacancy as columns, updated one vacancy at a time, queried for a person's best.

``top`` first applies the hard rules to all postings at once (live at the instant asked, published
at a node visible from the hall, the person's age inside the stated range, the asked education at
or below the person's), then scores what passes (``scores.py`` gives each part's rule, ``weights.py``
its weight) and orders by score, then newer, then higher id, so the same query always gives the
same list. Sex, ethnicity and household registration are not in the index and cannot be asked for.
Reasons are made for the returned page only. The caller upserts a vacancy when it is published or
changed and removes it when it is withdrawn; nothing is rebuilt.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import numpy.typing as npt

from content.library.kiosk_catalogue import education_rank
from content.matching import certificates, scores
from content.matching._columns import NO_AGE_MAX, NO_AGE_MIN, Columns
from content.matching._text_index import TextIndex
from content.matching._words import words
from content.matching.postings import JobPosting
from content.matching.reasons import Reason, explain
from content.matching.requirements import parse_requirements
from content.matching.seekers import Seeker
from content.matching.weights import DEFAULT_WEIGHTS, Weights

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]


@dataclass(frozen=True)
class Match:
    vacancy_id: int
    score: float
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class MatchPage:
    items: list[Match]
    total: int  # how many postings pass the hard rules


def posting_words(posting: JobPosting) -> tuple[str, ...]:
    """The words a posting is searched by: its title's and its requirements'."""
    return words(f"{posting.title}；{posting.requirements}")


def _epoch_or(moment: datetime | None, default: float) -> float:
    return default if moment is None else scores.epoch(moment)


class _Interned:
    """Small integers for strings or ids, handed out in order of first sight."""

    def __init__(self) -> None:
        self.numbers: dict[object, int] = {}

    def number(self, value: object) -> int:
        found = self.numbers.get(value)
        if found is None:
            found = self.numbers[value] = len(self.numbers)
        return found

    def lookup(self, values: Collection[object]) -> npt.NDArray[np.bool_]:
        table = np.zeros(len(self.numbers) + 1, dtype=np.bool_)  # the extra last entry stands for -1 (none)
        for value in values:
            found = self.numbers.get(value)
            if found is not None:
                table[found] = True
        return table


class MatchIndex:
    """Published vacancies, ready to match; ``upsert``/``remove`` keep it current.

    Not thread-safe: the owner serialises updates and queries (one lock, or one thread).
    """

    def __init__(self, weights: Weights = DEFAULT_WEIGHTS) -> None:
        self.weights = weights
        self._columns = Columns.empty()
        self._text = TextIndex()
        self._text.grow(self._columns.capacity)
        self._postings: list[JobPosting | None] = [None] * self._columns.capacity
        self._slot_of: dict[int, int] = {}
        self._free: list[int] = []
        self._end = 0  # slots at or past this were never used
        self._orgs = _Interned()
        self._districts = _Interned()

    def __len__(self) -> int:
        return len(self._slot_of)

    def __contains__(self, vacancy_id: object) -> bool:
        return vacancy_id in self._slot_of

    def upsert(self, posting: JobPosting) -> None:
        """Add a published vacancy, or replace what the index holds for its id."""
        slot = self._slot_of.get(posting.id)
        if slot is not None:
            self._forget(slot)
        else:
            slot = self._allocate()
            self._slot_of[posting.id] = slot
        asked = parse_requirements(posting.requirements)
        code, levels = scores.pack_code(posting.occupation_code)
        row = self._columns.arrays
        row["alive"][slot] = True
        row["ids"][slot] = posting.id
        row["org"][slot] = self._orgs.number(posting.org_unit_id)
        row["code"][slot] = code if levels == 4 else -1
        row["salary_min"][slot] = np.nan if posting.salary_min is None else posting.salary_min
        row["salary_max"][slot] = np.nan if posting.salary_max is None else posting.salary_max
        row["education"][slot] = education_rank(posting.education)
        row["age_min"][slot] = NO_AGE_MIN if asked.age_min is None else asked.age_min
        row["age_max"][slot] = NO_AGE_MAX if asked.age_max is None else asked.age_max
        row["district"][slot] = self._districts.number(posting.district) if posting.district else -1
        if posting.latitude is not None and posting.longitude is not None:
            row["x"][slot], row["y"][slot], row["z"][slot] = scores.unit_vector(posting.latitude, posting.longitude)
        row["created"][slot] = scores.epoch(posting.created_at)
        row["valid_from"][slot] = _epoch_or(posting.valid_from, -math.inf)
        row["valid_until"][slot] = _epoch_or(posting.valid_until, math.inf)
        row["headcount"][slot] = scores.headcount_score(posting.headcount)
        row["asks"][slot] = len(asked.required)
        self._columns.set_groups(
            slot, [certificates.mask(g) for g in asked.required], [certificates.mask(g) for g in asked.preferred]
        )
        self._text.add(slot, posting_words(posting))
        self._postings[slot] = posting

    def remove(self, vacancy_id: int) -> None:
        """Drop a vacancy (withdrawn, expired, deleted); an id the index does not hold is ignored."""
        slot = self._slot_of.pop(vacancy_id, None)
        if slot is None:
            return
        self._forget(slot)
        self._free.append(slot)

    def _forget(self, slot: int) -> None:
        posting = self._postings[slot]
        assert posting is not None
        self._text.remove(slot, posting_words(posting))
        self._columns.clear(slot)
        self._postings[slot] = None

    def _allocate(self) -> int:
        if self._free:
            return self._free.pop()
        if self._end == self._columns.capacity:
            capacity = self._columns.capacity * 2
            self._columns.grow(capacity)
            self._text.grow(capacity)
            self._postings.extend([None] * (capacity - len(self._postings)))
        self._end += 1
        return self._end - 1

    def _passing(self, seeker: Seeker, visible_units: Collection[int], at: datetime) -> IntArray:
        """Slots that pass every hard rule."""
        end = self._end
        row = self._columns.arrays
        now = scores.epoch(at)
        org = row["org"][:end]
        mask = row["alive"][:end] & self._orgs.lookup(visible_units)[org]
        mask &= (row["valid_from"][:end] <= now) & (row["valid_until"][:end] > now)
        if seeker.education:  # empty: unknown, no rule
            mask &= row["education"][:end] <= education_rank(seeker.education)
        if seeker.age is not None:
            mask &= (row["age_min"][:end] <= seeker.age) & (row["age_max"][:end] >= seeker.age)
        return np.flatnonzero(mask)

    def _scores(self, seeker: Seeker, slots: IntArray, at: datetime) -> FloatArray:
        """The score of each slot in ``slots`` for ``seeker`` (the sum of weighted parts)."""
        w = self.weights
        total = np.zeros(slots.size, dtype=np.float64)
        if w.occupation:
            total += w.occupation * self._occupation(seeker, slots)
        if w.pay and seeker.pay_min is not None:
            total += w.pay * self._pay(seeker.pay_min, slots)
        if w.place:
            total += w.place * self._place(seeker, slots)
        if w.certificates:
            total += w.certificates * self._certificates(seeker, slots)
        if w.skills:
            terms = [t for text in (*seeker.skills, seeker.major) for t in words(text)]
            text = self._text.scores(terms, self._end)
            if text is not None:
                total += w.skills * text[slots]
        if w.freshness:
            days = np.maximum(0.0, (scores.epoch(at) - self._columns.arrays["created"][slots]) / 86400.0)
            total += w.freshness * np.exp(days * (-math.log(2.0) / scores.FRESH_HALF_LIFE_DAYS))
        if w.headcount:
            total += w.headcount * self._columns.arrays["headcount"][slots]
        return total

    def _occupation(self, seeker: Seeker, slots: IntArray) -> FloatArray:
        codes = self._columns.arrays["code"][slots]
        best = np.zeros(slots.size, dtype=np.float64)
        shared_closeness = np.array(scores.SHARED_CLOSENESS + (scores.SAME,), dtype=np.float64)
        wanted = [(c, scores.rank_factor(r)) for r, c in enumerate(seeker.occupations)]
        for code, factor in wanted + [(c, scores.PAST_FACTOR) for c in seeker.past_occupations]:
            target, levels = scores.pack_code(code)
            if not levels:
                continue
            shared = np.zeros(slots.size, dtype=np.intp)
            still = np.ones(slots.size, dtype=np.bool_)
            for divisor in scores.LEVEL_DIVISORS[:levels]:
                still &= codes // divisor == target // divisor
                shared += still
            closeness = np.where(shared >= levels, scores.SAME, shared_closeness[shared])
            np.maximum(best, closeness * factor, out=best)
        return best

    def _pay(self, pay_min: int, slots: IntArray) -> FloatArray:
        low = self._columns.arrays["salary_min"][slots]
        high = self._columns.arrays["salary_max"][slots]
        negotiable = np.isnan(low) & np.isnan(high)
        low = np.where(np.isnan(low), high, low)
        top = np.where(np.isnan(high), np.inf, high)
        with np.errstate(divide="ignore", invalid="ignore"):
            partial = 0.5 + 0.5 * (top - pay_min) / (top - low)
        out = np.where(low >= pay_min, 1.0, np.where(np.isinf(top), scores.OPEN_ENDED_PAY, partial))
        out = np.where(top < pay_min, 0.0, out)
        return np.where(negotiable, scores.NEGOTIABLE_PAY, out)

    def _place(self, seeker: Seeker, slots: IntArray) -> FloatArray:
        out = np.zeros(slots.size, dtype=np.float64)
        if seeker.latitude is not None and seeker.longitude is not None:
            hx, hy, hz = scores.unit_vector(seeker.latitude, seeker.longitude)
            row = self._columns.arrays
            dot = row["x"][slots] * hx + row["y"][slots] * hy + row["z"][slots] * hz
            # The chord between two points on the unit sphere gives the arc: the haversine without trigonometry.
            chord = np.sqrt(np.maximum(0.0, 2.0 - 2.0 * dot))
            km = 2 * scores.EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, chord / 2))
            factor = scores.OUTSIDE_CHOSEN if seeker.districts and seeker.districts_stated else 1.0
            out = np.where(np.isnan(km), 0.0, factor * np.exp(-km / scores.DISTANCE_SCALE_KM))
        if seeker.districts:
            inside = self._districts.lookup(seeker.districts)[self._columns.arrays["district"][slots]]
            out = np.where(inside, 1.0, out)
        return out

    def _certificates(self, seeker: Seeker, slots: IntArray) -> FloatArray:
        bits = certificates.mask(certificates.held(seeker.certificates))
        asked = self._columns.arrays["asks"][slots]
        if not bits:  # holds nothing the table knows: only what is missing counts
            missing: FloatArray = np.where(asked > 0, scores.MISSING_REQUIRED, 0.0)
            return missing
        held = np.uint64(bits)
        required = self._columns.required[slots]
        preferred = self._columns.preferred[slots]
        met = ((required & held) != 0).sum(axis=1)
        liked = ((preferred & held) != 0).sum(axis=1)
        score: FloatArray = np.minimum(1.0, met + scores.PREFERRED_HELD * liked)
        return score + np.where(asked > met, scores.MISSING_REQUIRED, 0.0)

    def top(
        self, seeker: Seeker, *, visible_units: Collection[int], at: datetime, limit: int = 10, offset: int = 0
    ) -> MatchPage:
        """The best ``limit`` postings for ``seeker`` after ``offset``, with reasons, and how many pass the hard rules."""
        if limit < 0 or offset < 0:
            raise ValueError(f"limit and offset must be 0 or more, got limit={limit}, offset={offset}")
        slots = self._passing(seeker, visible_units, at)
        total = int(slots.size)
        need = offset + limit
        if not total or offset >= total or not limit:
            return MatchPage([], total)
        score = self._scores(seeker, slots, at)
        if total > need:
            # Every slot scoring at least the need-th best: ties at the edge all go on, so the order is exact.
            edge = np.partition(score, total - need)[total - need]
            keep = score >= edge
            slots, score = slots[keep], score[keep]
        row = self._columns.arrays
        order = np.lexsort((-row["ids"][slots], -row["created"][slots], -score))[offset:need]
        held = certificates.held(seeker.certificates)
        items: list[Match] = []
        for i in order:
            posting = self._postings[int(slots[i])]
            assert posting is not None
            reasons = explain(posting, seeker, at, posting_words=frozenset(posting_words(posting)), held=held)
            items.append(Match(posting.id, float(score[i]), reasons))
        return MatchPage(items, total)
