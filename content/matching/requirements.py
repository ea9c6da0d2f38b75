"""What a vacancy's requirement text asks of a person, read once per text: ages, certificates, words.

Demo and imported vacancies write requirements as clauses (年龄18-45周岁；须持有健康证；有叉车驾驶
经验者优先). Ages: a range (18-45周岁, 18至45岁), an upper bound (45周岁以下, 不超过45岁) or a lower one
(18周岁以上, 年满18周岁). Certificates: a clause that says 优先 prefers them, any other requires them;
certificates joined by 或 are alternatives (N1叉车或Q2桥门式起重机: either will do), joined otherwise
all are needed; a parenthesis that makes a condition (重型货车需A2或B2) is left out. Words about sex
(男女不限, 限男性) are read as nothing at all, and of several age bounds the widest counts: the
matcher never filters or ranks by sex.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from content.matching import certificates
from content.matching._words import words

_YEARS: Final = r"\s*(?:周岁|岁)"
_RANGE: Final = re.compile(rf"(\d{{1,2}})\s*(?:周岁|岁)?\s*[-~～－—–至到]\s*(\d{{1,2}}){_YEARS}")
_AT_MOST: Final = re.compile(rf"(?:不超过|不大于|不高于)\s*(\d{{1,2}}){_YEARS}|(\d{{1,2}}){_YEARS}\s*(?:及|或)?以下")
_AT_LEAST: Final = re.compile(rf"(?:年满|不低于|不小于)\s*(\d{{1,2}}){_YEARS}|(\d{{1,2}}){_YEARS}\s*(?:及|或)?以上")
_CLAUSES: Final = re.compile(r"[；;。\n]+")
_CONDITION: Final = re.compile(r"[（(][^（）()]*需[^（）()]*[）)]")
_PREFERRED: Final = "优先"
_ALTERNATIVE: Final = "或"


@dataclass(frozen=True)
class Requirements:
    """What one requirement text asks; ``required`` and ``preferred`` are groups of alternative certificates."""

    age_min: int | None = None
    age_max: int | None = None
    required: tuple[frozenset[str], ...] = ()  # each group is met by any one of its canonical names
    preferred: tuple[frozenset[str], ...] = ()
    words: tuple[str, ...] = ()  # segmented words worth matching on, repeats kept

    def age_fits(self, age: int | None) -> bool:
        """False only when ``age`` is known and outside the range the text states."""
        if age is None:
            return True
        return (self.age_min is None or age >= self.age_min) and (self.age_max is None or age <= self.age_max)


def _numbers(pattern: re.Pattern[str], text: str) -> list[int]:
    return [int(next(group for group in found if group)) for found in pattern.findall(text)]


def _ages(text: str) -> tuple[int | None, int | None]:
    """The widest age bounds the text states.

    Where it gives several (男性60岁以下、女性50岁以下), a person any of them admits is admitted, so a
    bound that depends on sex never keeps anyone out.
    """
    ranges = [(int(low), int(high)) for low, high in _RANGE.findall(text)]
    if ranges:
        return min(min(r) for r in ranges), max(max(r) for r in ranges)
    lows, highs = _numbers(_AT_LEAST, text), _numbers(_AT_MOST, text)
    return (min(lows) if lows else None), (max(highs) if highs else None)


def _groups(clause: str) -> list[frozenset[str]]:
    """The certificate groups ``clause`` names: neighbours joined by 或 share a group."""
    groups: list[set[str]] = []
    previous_end: int | None = None
    for mention in certificates.mentions(clause):
        joined = previous_end is not None and _ALTERNATIVE in clause[previous_end : mention.start]
        if groups and (joined or mention.name in groups[-1]):
            groups[-1].add(mention.name)
        else:
            groups.append({mention.name})
        previous_end = mention.end
    return [frozenset(group) for group in groups]


@lru_cache(maxsize=65536)
def parse_requirements(text: str) -> Requirements:
    """Read a vacancy's requirement text (cached: demo and imported texts repeat a great deal)."""
    age_min, age_max = _ages(text)
    required: list[frozenset[str]] = []
    preferred: list[frozenset[str]] = []
    for clause in _CLAUSES.split(_CONDITION.sub("", text)):
        target = preferred if _PREFERRED in clause else required
        for group in _groups(clause):
            if group not in target:
                target.append(group)
    return Requirements(age_min, age_max, tuple(required), tuple(preferred), words(text))


def age_fits(requirements: str, age: int) -> bool:
    """False only when the requirement text states an age range (年龄18-45周岁, 45周岁以下) that ``age`` is outside."""
    return parse_requirements(requirements).age_fits(age)
