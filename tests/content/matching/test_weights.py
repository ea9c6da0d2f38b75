"""Matching weights: a usable default and a mapping reader that names the key it cannot use."""

from __future__ import annotations

import math
from dataclasses import fields

import pytest

from content.matching.weights import DEFAULT_WEIGHTS, Weights, WeightsError, weights_from_mapping


def test_the_default_puts_the_wanted_occupation_first_and_every_weight_is_finite() -> None:
    values = {f.name: getattr(DEFAULT_WEIGHTS, f.name) for f in fields(Weights)}
    assert all(math.isfinite(v) and v >= 0 for v in values.values())
    assert max(values, key=lambda name: values[name]) == "occupation"


def test_a_mapping_replaces_only_the_weights_it_names() -> None:
    weights = weights_from_mapping({"pay": 3, "freshness": 0})
    assert weights.pay == 3.0 and weights.freshness == 0.0
    assert weights.occupation == DEFAULT_WEIGHTS.occupation
    assert weights_from_mapping({}) == DEFAULT_WEIGHTS


@pytest.mark.parametrize(
    ("mapping", "key", "words"),
    [
        ({"salary": 1.0}, "salary", "unknown; expected one of certificates, freshness"),
        ({"pay": -1}, "pay", "expected 0 or more, got -1"),
        ({"place": float("nan")}, "place", "expected a finite number, got nan"),
        ({"skills": float("inf")}, "skills", "expected a finite number, got inf"),
        ({"headcount": "2"}, "headcount", "expected a number, got str"),
        ({"occupation": True}, "occupation", "expected a number, got bool"),
    ],
)
def test_a_bad_entry_is_refused_with_a_message_naming_its_key(mapping: dict[str, object], key: str, words: str) -> None:
    with pytest.raises(WeightsError) as raised:
        weights_from_mapping(mapping)
    assert raised.value.key == key
    assert f"matching weight {key!r}" in str(raised.value) and words in str(raised.value)


def test_weights_built_directly_are_checked_too() -> None:
    with pytest.raises(WeightsError, match="'pay': expected 0 or more"):
        Weights(pay=-0.5)
