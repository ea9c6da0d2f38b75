"""The index's columns: one numpy array per fact of a posting, a slot per posting, grown by doubling.

Strings that rules compare (org units, districts) are interned to small integers so a query turns
a set of them into a lookup table; times are epoch seconds; a missing salary, coordinate or age
bound is NaN or an open bound, so the hard rules and scores are plain array expressions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt

NO_AGE_MIN: Final = 0
NO_AGE_MAX: Final = 999
INITIAL_CAPACITY: Final = 1024

# name → (dtype, the value of an empty slot)
SPEC: Final[dict[str, tuple[type[np.generic], float | int | bool]]] = {
    "alive": (np.bool_, False),
    "ids": (np.int64, 0),
    "org": (np.int32, -1),  # interned org unit id
    "code": (np.int64, -1),  # packed GB/T 6565 code, -1 when it is not one
    "salary_min": (np.float64, np.nan),
    "salary_max": (np.float64, np.nan),
    "education": (np.int8, 0),  # content.library.kiosk_catalogue.education_rank
    "age_min": (np.int16, NO_AGE_MIN),
    "age_max": (np.int16, NO_AGE_MAX),
    "district": (np.int32, -1),  # interned; -1 for none
    "x": (np.float64, np.nan),  # the employer's place on the unit sphere (scores.unit_vector), NaN when unknown
    "y": (np.float64, np.nan),
    "z": (np.float64, np.nan),
    "created": (np.float64, 0.0),
    "valid_from": (np.float64, -np.inf),
    "valid_until": (np.float64, np.inf),
    "headcount": (np.float64, 0.0),  # scores.headcount_score, computed once
    "asks": (np.int8, 0),  # how many certificate groups the requirements make necessary
}


@dataclass
class Columns:
    """Every column, ``capacity`` long; certificate groups are 2-D (slot × group) bit masks."""

    arrays: dict[str, npt.NDArray[Any]]
    required: npt.NDArray[np.uint64]
    preferred: npt.NDArray[np.uint64]

    @classmethod
    def empty(cls, capacity: int = INITIAL_CAPACITY) -> Columns:
        arrays = {name: np.full(capacity, fill, dtype=dtype) for name, (dtype, fill) in SPEC.items()}
        return cls(arrays, np.zeros((capacity, 1), dtype=np.uint64), np.zeros((capacity, 1), dtype=np.uint64))

    @property
    def capacity(self) -> int:
        return int(self.arrays["alive"].size)

    def grow(self, capacity: int) -> None:
        for name, (dtype, fill) in SPEC.items():
            old = self.arrays[name]
            new = np.full(capacity, fill, dtype=dtype)
            new[: old.size] = old
            self.arrays[name] = new
        self.required = _grown(self.required, capacity, self.required.shape[1])
        self.preferred = _grown(self.preferred, capacity, self.preferred.shape[1])

    def set_groups(self, slot: int, required: list[int], preferred: list[int]) -> None:
        if len(required) > self.required.shape[1]:
            self.required = _grown(self.required, self.capacity, len(required))
        if len(preferred) > self.preferred.shape[1]:
            self.preferred = _grown(self.preferred, self.capacity, len(preferred))
        self.required[slot] = 0
        self.preferred[slot] = 0
        self.required[slot, : len(required)] = required
        self.preferred[slot, : len(preferred)] = preferred

    def clear(self, slot: int) -> None:
        for name, (_, fill) in SPEC.items():
            self.arrays[name][slot] = fill
        self.required[slot] = 0
        self.preferred[slot] = 0


def _grown(old: npt.NDArray[np.uint64], rows: int, width: int) -> npt.NDArray[np.uint64]:
    new = np.zeros((rows, width), dtype=np.uint64)
    new[: old.shape[0], : old.shape[1]] = old
    return new
