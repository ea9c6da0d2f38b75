"""BM25 over the words of every posting in the index, kept up to date one posting at a time.

Each word holds compact arrays of (slot, generation, term frequency); a slot's generation moves on
when its posting is replaced or removed, which leaves its old entries stale without searching for
them. Stale entries are skipped at query time and dropped once they outnumber the live ones, so an
update costs the posting's own words only. Document frequencies are counted exactly, so scores
depend on the set of postings held, never on the order they came in.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from collections.abc import Iterable
from typing import Final

import numpy as np
import numpy.typing as npt

K1: Final = 1.2
B: Final = 0.75


class _Postings:
    __slots__ = ("slots", "generations", "frequencies", "stale")

    def __init__(self) -> None:
        self.slots = array("i")
        self.generations = array("i")
        self.frequencies = array("H")
        self.stale = 0


class TextIndex:
    """Words per slot and their BM25 score for a query, in [0, 1]."""

    def __init__(self) -> None:
        self._words: dict[str, _Postings] = {}
        self._df: Counter[str] = Counter()
        self._documents = 0
        self._total_length = 0
        self.lengths = np.zeros(0, dtype=np.int32)
        self.generations = np.zeros(0, dtype=np.int32)

    def grow(self, capacity: int) -> None:
        for name in ("lengths", "generations"):
            old = getattr(self, name)
            new = np.zeros(capacity, dtype=old.dtype)
            new[: old.size] = old
            setattr(self, name, new)

    def add(self, slot: int, words: Iterable[str]) -> None:
        counts = Counter(words)
        generation = int(self.generations[slot])
        for word, tf in counts.items():
            entry = self._words.get(word)
            if entry is None:
                entry = self._words[word] = _Postings()
            entry.slots.append(slot)
            entry.generations.append(generation)
            entry.frequencies.append(min(tf, 65535))
            self._df[word] += 1
        length = sum(counts.values())
        self.lengths[slot] = length
        self._documents += 1
        self._total_length += length

    def remove(self, slot: int, words: Iterable[str]) -> None:
        """Forget what ``slot`` held (``words`` as it was added)."""
        for word in set(words):
            self._df[word] -= 1
            if not self._df[word]:
                del self._df[word]
            entry = self._words[word]
            entry.stale += 1
            if entry.stale * 2 > len(entry.slots):
                self._compact(word, entry, slot)
        self._documents -= 1
        self._total_length -= int(self.lengths[slot])
        self.lengths[slot] = 0
        self.generations[slot] += 1

    def _compact(self, word: str, entry: _Postings, leaving: int) -> None:
        slots = np.frombuffer(entry.slots, dtype=np.int32)
        generations = np.frombuffer(entry.generations, dtype=np.int32)
        keep = (generations == self.generations[slots]) & (slots != leaving)
        if not keep.any():
            del self._words[word]
            return
        fresh = _Postings()
        fresh.slots = array("i", slots[keep].tobytes())
        fresh.generations = array("i", generations[keep].tobytes())
        fresh.frequencies = array("H", np.frombuffer(entry.frequencies, dtype=np.uint16)[keep].tobytes())
        self._words[word] = fresh

    def scores(self, terms: Iterable[str], size: int) -> npt.NDArray[np.float64] | None:
        """BM25 of ``terms`` for slots ``[0, size)`` in [0, 1]; None when no term is known.

        Divided by what the rarest term alone could reach (and capped at 1): a posting that has one of
        the person's skills scores high however many other skills the person listed.
        """
        known = sorted({t for t in terms if t in self._df})
        if not known or not self._documents:
            return None
        average = self._total_length / self._documents
        out = np.zeros(size, dtype=np.float64)
        ceiling = 0.0
        for term in known:
            df = self._df[term]
            idf = math.log(1.0 + (self._documents - df + 0.5) / (df + 0.5))
            ceiling = max(ceiling, idf * (K1 + 1.0))
            entry = self._words[term]
            slots = np.frombuffer(entry.slots, dtype=np.int32)
            live = np.frombuffer(entry.generations, dtype=np.int32) == self.generations[slots]
            slots = slots[live]
            tf = np.frombuffer(entry.frequencies, dtype=np.uint16)[live].astype(np.float64)
            norm = K1 * (1.0 - B + B * self.lengths[slots] / average)
            out[slots] += idf * tf * (K1 + 1.0) / (tf + norm)
        out /= ceiling
        return np.minimum(out, 1.0, out=out)
