"""The match index: upserts and removes, the hard rules one by one, ordering, paging and growth."""

from __future__ import annotations

from datetime import timedelta

import pytest

from content.matching.index import MatchIndex
from content.matching.weights import Weights
from tests.support.matching_data import AT, posting, seeker


def _ids(index: MatchIndex, **overrides: object) -> list[int]:
    ask = {"visible_units": {1}, "at": AT, "limit": 50, **overrides}
    person = ask.pop("person", seeker())
    return [m.vacancy_id for m in index.top(person, **ask).items]  # type: ignore[arg-type]


def test_upsert_replaces_and_remove_forgets() -> None:
    index = MatchIndex()
    index.upsert(posting(id=7, title="叉车司机"))
    index.upsert(posting(id=7, title="仓管员", occupation_code="4-02-06-01"))
    assert len(index) == 1 and 7 in index and 8 not in index
    assert _ids(index) == [7]
    index.remove(7)
    index.remove(7)  # twice is harmless
    assert len(index) == 0 and _ids(index) == []


@pytest.mark.parametrize(
    ("overrides", "person"),
    [
        ({"valid_until": AT}, seeker()),  # ended at the instant asked
        ({"valid_from": AT + timedelta(seconds=1)}, seeker()),  # not yet
        ({"org_unit_id": 2}, seeker()),  # published where this hall cannot see it
        ({"education": "本科"}, seeker(education="高中/中专")),
        ({"requirements": "年龄20-45周岁"}, seeker(age=46)),
        ({"requirements": "45周岁以下"}, seeker(age=50)),
    ],
)
def test_each_hard_rule_keeps_a_vacancy_out(overrides: dict[str, object], person: object) -> None:
    index = MatchIndex()
    index.upsert(posting(id=1))
    index.upsert(posting(id=2, **overrides))
    page = index.top(person, visible_units={1}, at=AT)  # type: ignore[arg-type]
    assert [m.vacancy_id for m in page.items] == [1] and page.total == 1


def test_unknown_age_and_education_pass_and_sex_words_never_filter() -> None:
    index = MatchIndex()
    index.upsert(posting(id=1, requirements="限男性，年龄20-30周岁", education="本科"))
    assert _ids(index, person=seeker(age=None, education="")) == [1]
    assert _ids(index, person=seeker(age=25, education="本科")) == [1]


def test_the_wanted_occupation_ranks_above_a_related_one_above_another_group() -> None:
    index = MatchIndex()
    index.upsert(posting(id=1, occupation_code="3-01-02-01", title="行政文员", requirements=""))
    index.upsert(posting(id=2, occupation_code="6-30-05-05", title="挖掘机司机", requirements=""))
    index.upsert(posting(id=3, occupation_code="6-30-05-01", title="叉车司机", requirements=""))
    assert _ids(index, person=seeker(occupations=("6-30-05-01",))) == [3, 2, 1]


def test_equal_scores_order_newer_first_then_higher_id() -> None:
    index = MatchIndex(Weights(freshness=0))
    for ident, days in ((1, 3), (2, 3), (3, 1)):
        index.upsert(posting(id=ident, created_at=AT - timedelta(days=days)))
    assert _ids(index) == [3, 2, 1]


def test_pages_are_slices_of_one_order_and_total_counts_all_that_pass() -> None:
    index = MatchIndex()
    for ident in range(1, 30):
        index.upsert(posting(id=ident, salary_min=3000 + ident * 50, created_at=AT - timedelta(hours=ident)))
    whole = _ids(index, person=seeker(pay_min=4000))
    pages = [index.top(seeker(pay_min=4000), visible_units={1}, at=AT, limit=10, offset=o) for o in (0, 10, 20)]
    assert [m.vacancy_id for p in pages for m in p.items] == whole
    assert {p.total for p in pages} == {29}
    assert index.top(seeker(), visible_units={1}, at=AT, offset=40).items == []


def test_the_index_grows_past_its_first_capacity_and_reuses_freed_slots() -> None:
    index = MatchIndex()
    for ident in range(1, 2501):
        index.upsert(posting(id=ident))
    for ident in range(1, 2501, 2):
        index.remove(ident)
    for ident in range(3001, 3101):
        index.upsert(posting(id=ident))
    page = index.top(seeker(), visible_units={1}, at=AT, limit=5)
    assert len(index) == 1350 == page.total
    assert all(m.vacancy_id % 2 == 0 or m.vacancy_id > 3000 for m in page.items)


def test_a_negative_limit_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="limit=-1"):
        MatchIndex().top(seeker(), visible_units={1}, at=AT, limit=-1)
