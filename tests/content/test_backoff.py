"""The retry policy (content.backoff): growth, cap, jitter range, and its refusal of nonsense."""

from __future__ import annotations

import random

import pytest

from content.backoff import RECONNECT, SERVER_RETRY, Backoff


def test_delays_double_from_the_base_until_the_cap() -> None:
    policy = Backoff(base=1.0, cap=60.0, jitter=0.0)
    assert [policy.delay(a) for a in range(8)] == [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0]
    assert policy.ceiling(-3) == 1.0, "a negative attempt is the first"
    assert policy.ceiling(10**9) == 60.0, "a huge attempt neither overflows nor loops for long"


def test_jitter_stays_within_its_range_around_the_ceiling() -> None:
    rng = random.Random(20240601)
    for attempt in range(12):
        ceiling = RECONNECT.ceiling(attempt)
        for _ in range(200):
            assert 0.5 * ceiling <= RECONNECT.delay(attempt, rng.random) < 1.5 * ceiling
    assert RECONNECT.delay(3, lambda: 0.0) == 4.0 and RECONNECT.delay(3, lambda: 0.5) == 8.0


def test_jitter_spreads_the_delays() -> None:
    rng = random.Random(7)
    delays = {RECONNECT.delay(2, rng.random) for _ in range(50)}
    assert len(delays) > 40 and min(delays) < 3.0 and max(delays) > 5.0


def test_the_iterator_follows_the_same_rule_from_attempt_zero() -> None:
    rng_a, rng_b = random.Random(3), random.Random(3)
    delays = RECONNECT.delays(rng_a.random)
    assert [next(delays) for _ in range(9)] == [RECONNECT.delay(a, rng_b.random) for a in range(9)]


def test_the_server_loops_retry_after_one_second_doubling_to_thirty_without_jitter() -> None:
    assert [SERVER_RETRY.delay(a, lambda: 0.99) for a in range(7)] == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]


def test_the_reconnect_rule_is_protocol_section_6() -> None:
    assert (RECONNECT.base, RECONNECT.cap, RECONNECT.factor, RECONNECT.jitter) == (1.0, 60.0, 2.0, 0.5)


@pytest.mark.parametrize(
    "settings", [{"base": 0.0}, {"base": 5.0, "cap": 1.0}, {"factor": 0.5}, {"jitter": 1.0}, {"jitter": -0.1}]
)
def test_a_policy_that_makes_no_sense_is_refused(settings: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="expected"):
        Backoff(**settings)


def test_a_factor_of_one_keeps_the_base() -> None:
    assert Backoff(base=2.0, cap=10.0, factor=1.0, jitter=0.0).delay(10**9) == 2.0
