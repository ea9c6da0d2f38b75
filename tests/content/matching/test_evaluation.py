"""The evaluation set: the matcher's first ten are the right answers the demo generator made by construction."""

from __future__ import annotations

import pytest

from content.demo.match_evaluation import (
    evaluation_cases,
    evaluation_index,
    evaluation_postings,
    misplaced,
    precision_at_10,
)
from content.matching.index import MatchIndex
from content.matching.postings import JobPosting
from content.matching.weights import Weights

# Measured 1.0 (2026-12-07, 8 seekers over 3,000 demo vacancies); the floor leaves room for tuning the weights.
PRECISION_FLOOR = 0.9


@pytest.fixture(scope="module")
def world() -> tuple[list[JobPosting], MatchIndex]:
    postings = evaluation_postings()
    return postings, evaluation_index(postings)


def test_precision_at_10_is_at_least_the_measured_floor(world: tuple[list[JobPosting], MatchIndex]) -> None:
    postings, index = world
    assert precision_at_10(index, evaluation_cases(), postings) >= PRECISION_FLOOR


def test_the_forklift_driver_sees_his_districts_forklift_jobs_before_any_clerical_one(
    world: tuple[list[JobPosting], MatchIndex],
) -> None:
    postings, index = world
    (forklift,) = [case for case in evaluation_cases() if case.name == "叉车司机"]
    assert sum(1 for p in postings if forklift.relevant(p)) >= 10  # the check below has something to order
    assert misplaced(index, forklift, postings) == []


def test_a_matcher_that_ignores_the_person_scores_far_below_the_floor(
    world: tuple[list[JobPosting], MatchIndex],
) -> None:
    """The floor means something: newest-first (what the kiosk did before) misses most right answers."""
    postings, _ = world
    blind = evaluation_index(postings, Weights(occupation=0, pay=0, place=0, certificates=0, skills=0))
    assert precision_at_10(blind, evaluation_cases(), postings) < 0.5
