"""How much each part of a match counts: one set of weights with a documented default, read from a mapping.

Every part of a match is scored in [0, 1] (certificates in [-0.5, 1]: a required certificate the
person lacks counts against) and multiplied by its weight here; the sum is ``Match.score``. The
default favours what the person asked for (the occupation) over where and for how much, and leaves
freshness and headcount to separate near-equals. The server may override any of them with a JSON
object read from a setting (``weights_from_mapping``); a weight of 0 switches a part off.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Final


class WeightsError(ValueError):
    """A weights mapping the matcher cannot use; ``key`` names the offending entry."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"matching weight {key!r}: {problem}")
        self.key = key


def _check(key: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise WeightsError(key, f"expected a number, got {type(value).__name__}")
    if not math.isfinite(value):
        raise WeightsError(key, f"expected a finite number, got {value}")
    if value < 0:
        raise WeightsError(key, f"expected 0 or more, got {value}")
    return float(value)


@dataclass(frozen=True)
class Weights:
    """The weight of each part of the score (all finite and ≥ 0)."""

    occupation: float = 4.0  # closeness in GB/T 6565 to what the person wants (or did before)
    pay: float = 2.0  # the posting's pay against the person's minimum (面议 counts half)
    place: float = 2.0  # in one of the person's districts, or near the hall
    certificates: float = 2.0  # required and preferred certificates held (a missing required one counts -0.5)
    skills: float = 1.5  # the person's skills and major in the posting's words (BM25, 1 when the rarest skill is there)
    freshness: float = 0.6  # newly posted (halves every week)
    headcount: float = 0.3  # many places to fill

    def __post_init__(self) -> None:
        for field in fields(self):
            _check(field.name, getattr(self, field.name))


DEFAULT_WEIGHTS: Final = Weights()


def weights_from_mapping(mapping: Mapping[str, object]) -> Weights:
    """``DEFAULT_WEIGHTS`` with the entries of ``mapping`` replaced; unknown keys and bad values raise ``WeightsError``."""
    known = {field.name for field in fields(Weights)}
    values: dict[str, float] = {}
    for key, value in mapping.items():
        if key not in known:
            raise WeightsError(str(key), "unknown; expected one of " + ", ".join(sorted(known)))
        values[key] = _check(key, value)
    return Weights(**{**{name: getattr(DEFAULT_WEIGHTS, name) for name in known}, **values})
