"""Properties of the match index over random postings and seekers: hard rules, incremental updates, reasons, fairness."""

from __future__ import annotations

import math
import random
from datetime import date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from content.citizens.job_seekers import JobSeekerProfile, WorkSpell
from content.citizens.records import PersonRecord, age_on
from content.library.kiosk_catalogue import education_rank
from content.matching import certificates, scores
from content.matching.index import MatchIndex, MatchPage, posting_words
from content.matching.postings import JobPosting
from content.matching.requirements import parse_requirements
from content.matching.seekers import Seeker, seeker_from
from content.matching.weights import Weights
from tests.support.matching_data import AT, HALL, posting_lists, seekers

UNITS = st.sets(st.integers(1, 4), min_size=1, max_size=4)
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def passes(posting: JobPosting, seeker: Seeker, units: set[int], at: datetime) -> bool:
    """The hard rules, written out one posting at a time."""
    asked = parse_requirements(posting.requirements)
    return (
        posting.org_unit_id in units
        and (posting.valid_from is None or posting.valid_from <= at)
        and (posting.valid_until is None or at < posting.valid_until)
        and (not seeker.education or education_rank(posting.education) <= education_rank(seeker.education))
        and (seeker.age is None or asked.age_fits(seeker.age))
    )


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine, written here again so the test does not trust the code under test."""
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def build(postings: list[JobPosting]) -> MatchIndex:
    index = MatchIndex()
    for p in postings:
        index.upsert(p)
    return index


def everything(index: MatchIndex, seeker: Seeker, units: set[int]) -> MatchPage:
    return index.top(seeker, visible_units=units, at=AT, limit=len(index) + 1)


@PROPERTY
@given(posting_lists(), seekers, UNITS)
def test_no_result_breaks_a_hard_rule_and_total_counts_those_that_pass(
    postings: list[JobPosting], seeker: Seeker, units: set[int]
) -> None:
    by_id = {p.id: p for p in postings}
    page = everything(build(postings), seeker, units)
    assert all(passes(by_id[m.vacancy_id], seeker, units, AT) for m in page.items)
    assert page.total == sum(1 for p in postings if passes(p, seeker, units, AT)) == len(page.items)


@PROPERTY
@given(posting_lists(), seekers, UNITS, st.randoms(use_true_random=False), st.integers(0, 5), st.integers(1, 7))
def test_an_index_updated_in_any_order_answers_as_one_built_fresh(
    postings: list[JobPosting], seeker: Seeker, units: set[int], rng: random.Random, offset: int, limit: int
) -> None:
    incremental = MatchIndex()
    shuffled = postings[:]
    rng.shuffle(shuffled)
    for p in shuffled:
        # An earlier version of some, and some postings that come and go, before the final state.
        if rng.random() < 0.3:
            incremental.upsert(
                JobPosting(**{**p.__dict__, "salary_min": 1000, "requirements": "须持有健康证", "district": "西固区"})
            )
        if rng.random() < 0.2:
            incremental.upsert(JobPosting(**{**p.__dict__, "id": p.id + 10_000}))
        incremental.upsert(p)
    for p in shuffled:
        incremental.remove(p.id + 10_000)
    fresh = build(sorted(postings, key=lambda p: p.id))
    assert len(incremental) == len(fresh) == len(postings)
    assert incremental.top(seeker, visible_units=units, at=AT, limit=limit, offset=offset) == fresh.top(
        seeker, visible_units=units, at=AT, limit=limit, offset=offset
    )


@PROPERTY
@given(posting_lists(), seekers, UNITS)
def test_results_are_ordered_by_score_then_newer_then_id(
    postings: list[JobPosting], seeker: Seeker, units: set[int]
) -> None:
    by_id = {p.id: p for p in postings}
    items = everything(build(postings), seeker, units).items
    keys = [(-m.score, -scores.epoch(by_id[m.vacancy_id].created_at), -m.vacancy_id) for m in items]
    assert keys == sorted(keys)


@PROPERTY
@given(posting_lists(), seekers, UNITS)
def test_the_score_is_the_weighted_sum_of_the_parts_scores_py_defines(
    postings: list[JobPosting], seeker: Seeker, units: set[int]
) -> None:
    weights = Weights(skills=0.0)  # BM25 depends on the whole collection; the parts below do not
    index = MatchIndex(weights)
    for p in postings:
        index.upsert(p)
    by_id = {p.id: p for p in postings}
    held = certificates.held(seeker.certificates)
    for m in index.top(seeker, visible_units=units, at=AT, limit=len(postings) + 1).items:
        p = by_id[m.vacancy_id]
        expected = (
            weights.occupation * scores.occupation_score(p.occupation_code, seeker.occupations, seeker.past_occupations)
            + weights.pay * scores.pay_score(p.salary_min, p.salary_max, seeker.pay_min)
            + weights.place
            * scores.place_score(
                p.district,
                p.latitude,
                p.longitude,
                seeker.districts,
                (seeker.latitude, seeker.longitude),
                seeker.districts_stated,
            )
            + weights.certificates * scores.certificate_score(parse_requirements(p.requirements), held)
            + weights.freshness * scores.freshness_score(scores.age_days(p.created_at, AT))
            + weights.headcount * scores.headcount_score(p.headcount)
        )
        assert m.score == pytest.approx(expected, abs=1e-7)


@PROPERTY
@given(posting_lists(), seekers, UNITS)
def test_reasons_always_correspond_to_the_data(postings: list[JobPosting], seeker: Seeker, units: set[int]) -> None:
    by_id = {p.id: p for p in postings}
    held = certificates.held(seeker.certificates)
    for m in everything(build(postings), seeker, units).items:
        p = by_id[m.vacancy_id]
        asked = parse_requirements(p.requirements)
        found = set(posting_words(p))
        codes = [r.code for r in m.reasons]
        for r in m.reasons:
            if r.code == "certificate_held":
                name = str(r.data["certificate"])
                assert name in held and any(name in group for group in asked.required)
                assert r.text == f"要求证书：{name} ✓" and r.favourable
            elif r.code == "certificate_missing":
                assert any(not (group & held) for group in asked.required) and not r.favourable
            elif r.code == "certificate_preferred":
                assert str(r.data["certificate"]) in held
            elif r.code == "pay_fits":
                assert seeker.pay_min is not None and (p.salary_min, p.salary_max) != (None, None)
                assert p.salary_max is None or p.salary_max >= seeker.pay_min
            elif r.code == "pay_below":
                assert seeker.pay_min is not None and p.salary_max is not None and p.salary_max < seeker.pay_min
            elif r.code == "pay_negotiable":
                assert p.salary_min is None and p.salary_max is None
            elif r.code == "district":
                assert p.district in seeker.districts and r.data["district"] == p.district
                assert r.text == (f"在您选择的{p.district}" if seeker.districts_stated else f"在{p.district}")
            elif r.code == "distance":
                assert seeker.latitude is not None and seeker.longitude is not None
                assert p.latitude is not None and p.longitude is not None
                km = _km(seeker.latitude, seeker.longitude, p.latitude, p.longitude)
                shown = round(km, 1) if km < 10 else float(round(km))
                assert r.data["km"] == pytest.approx(shown) and r.text == f"距本大厅{shown:g}公里"
            elif r.code == "skill":
                assert r.data["skill"] in seeker.skills and r.data["word"] in found
            elif r.code == "occupation_wanted":
                shared, levels = scores.shared_levels(p.occupation_code, str(r.data["wanted"]))
                assert shared >= levels > 0 and r.data["wanted"] in seeker.occupations
            elif r.code == "occupation_past":
                assert scores.shared_levels(p.occupation_code, str(r.data["past"]))[0] >= scores.PAST_LEVELS
            elif r.code == "headcount":
                assert r.data["headcount"] == p.headcount and r.text == f"招{p.headcount}人"
            elif r.code == "new":
                assert scores.age_days(p.created_at, AT) <= scores.NEW_DAYS
        # What should be said is said: every required group gets a ✓ or a ✗.
        assert sum(1 for c in codes if c.startswith("certificate_") and c != "certificate_preferred") == len(
            asked.required
        )
        if seeker.pay_min is not None and p.salary_min is not None and p.salary_min >= seeker.pay_min:
            assert "pay_fits" in codes


def _person(sex_code: str, region_code: str) -> PersonRecord:
    return PersonRecord(
        ref="demo:1", name="张三", sex_code=sex_code, birth_date=date(1990, 5, 1), masked_id="620102********1234",
        region_code=region_code,
    )  # fmt: skip


def _seeker_for(person: PersonRecord, profile: JobSeekerProfile | None, education: str) -> Seeker:
    """What the kiosk does with a person: everything from the records except who they are by birth."""
    return seeker_from(
        profile,
        age=age_on(person.birth_date, AT.date()),
        education=education,
        hall_latitude=HALL[0],
        hall_longitude=HALL[1],
        fallback_districts=("城关区",),
    )


PROFILES = st.one_of(
    st.none(),
    st.builds(
        JobSeekerProfile,
        desired_occupations=st.sampled_from((("6-30-05-01",), ("4-03",), ())),
        desired_pay_min=st.one_of(st.none(), st.integers(2500, 7000)),
        districts=st.sampled_from(((), ("七里河区",))),
        certificates=st.sampled_from(((), ("叉车证",), ("健康证", "电工证"))),
        work_history=st.sampled_from(((), (WorkSpell("4-03-02-05", "服务员", "某餐厅", "2020-01", None),))),
    ),
)


@PROPERTY
@given(posting_lists(), PROFILES, st.sampled_from(("初中", "高中/中专", "本科")), UNITS)
def test_sex_ethnicity_and_region_never_change_a_result(
    postings: list[JobPosting], profile: JobSeekerProfile | None, education: str, units: set[int]
) -> None:
    man_here = _person("1", "620102")  # 男, 兰州市城关区
    woman_elsewhere = _person("2", "540102")  # 女, 拉萨市城关区 (a region where many are Tibetan)
    first, second = _seeker_for(man_here, profile, education), _seeker_for(woman_elsewhere, profile, education)
    assert first == second
    index = build(postings)
    assert everything(index, first, units) == everything(index, second, units)
