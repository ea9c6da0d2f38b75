"""Synthetic people for the demo records backend: names, sex, birth dates, valid ID numbers, card numbers.

Nobody here is real. ID numbers carry region codes of the demo counties, pass the GB 11643 check
and have the sequence parity that matches the person's sex. The demo seed stores them in
``demo_people`` as keyed hashes only; the raw numbers come from this generator alone (for the
demo card simulator), never from the database.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Final

from faker import Faker

from content.citizens.idnumbers import compose_id_number, is_valid_id_number
from content.demo.places import DISTRICTS, ORG_TREE, walk

# Birth dates span working age for a 2020s demo: 1961 through 2007.
EARLIEST_BIRTH: Final = date(1961, 1, 1)
LATEST_BIRTH: Final = date(2007, 12, 31)

# GB 3304 nation codes seen in Gansu, roughly weighted: 汉, 回, 藏, 东乡, 土, 裕固, 保安, 撒拉, 满.
_NATIONS: Final = (
    ("01", "汉族", 88),
    ("03", "回族", 6),
    ("04", "藏族", 2),
    ("26", "东乡族", 2),
    ("30", "土族", 1),
    ("48", "裕固族", 0.3),
    ("47", "保安族", 0.3),
    ("35", "撒拉族", 0.2),
    ("11", "满族", 0.2),
)

SEX_LABELS: Final = {"1": "男", "2": "女"}  # GB/T 2261.1
DEMO_PEOPLE_COUNT: Final = 60  # how many the demo seed stores
# Card numbers: one letter (no I or O, which read as digits) and eight digits, nine characters as on the card.
_CARD_LETTERS: Final = "ABCDEFGHJKLMNPQRSTUVWXYZ"


@dataclass(frozen=True)
class Person:
    name: str
    sex_code: str  # "1" male, "2" female
    birth_date: date
    nation_code: str
    nation: str
    region_code: str  # the county of the ID number (household registration)
    region_name: str
    id_number: str = field(repr=False)  # never in logs or reprs
    ssc_card_number: str = field(default="", repr=False)  # the social-security card's 9-character number

    @property
    def sex(self) -> str:
        return SEX_LABELS[self.sex_code]

    @property
    def masked_id_number(self) -> str:
        """The form screens show: region code, eight stars, last four characters."""
        return f"{self.id_number[:6]}********{self.id_number[-4:]}"


def id_number_is_valid(text: str) -> bool:
    """True when ``text`` is a well-formed ID number (see ``content.citizens.idnumbers``)."""
    return is_valid_id_number(text)


def _counties() -> list[tuple[str, str]]:
    return [(node.division_code, node.name) for node, _ in walk(ORG_TREE) if node.name in DISTRICTS]


def synthetic_people(n: int, rng_seed: int) -> list[Person]:
    """``n`` synthetic people with unique, valid ID numbers; the same seed gives the same people."""
    if n < 0:
        raise ValueError(f"n must be zero or more, got {n}")
    rng = random.Random(rng_seed)
    # Card numbers come from a stream of their own, so adding them left everyone else as they were.
    card_rng = random.Random(f"ssc-card-numbers/{rng_seed}")
    fake = Faker("zh_CN")
    fake.seed_instance(rng_seed)
    counties = _counties()
    nation_weights = [weight for _, _, weight in _NATIONS]
    span = (LATEST_BIRTH - EARLIEST_BIRTH).days
    people: list[Person] = []
    taken: set[str] = set()
    cards: set[str] = set()
    while len(people) < n:
        sex_code = rng.choice(("1", "2"))
        born = EARLIEST_BIRTH + timedelta(days=rng.randint(0, span))
        region_code, region_name = rng.choice(counties)
        # Three-digit sequence: odd for men, even for women.
        sequence = rng.randrange(1 if sex_code == "1" else 0, 1000, 2)
        id_number = compose_id_number(region_code, born, sequence)
        if id_number in taken:
            continue
        taken.add(id_number)
        nation_code, nation, _ = rng.choices(_NATIONS, weights=nation_weights)[0]
        name = fake.name_male() if sex_code == "1" else fake.name_female()
        card_number = _card_number(card_rng, cards)
        people.append(
            Person(name, sex_code, born, nation_code, nation, region_code, region_name, id_number, card_number)
        )
    return people


def _card_number(rng: random.Random, taken: set[str]) -> str:
    while True:
        number = rng.choice(_CARD_LETTERS) + f"{rng.randrange(10**8):08d}"
        if number not in taken:
            taken.add(number)
            return number


def demo_card_holders(rng_seed: int, n: int = DEMO_PEOPLE_COUNT) -> list[Person]:
    """The people the demo seed stores for ``rng_seed``, with their raw numbers, from the generator."""
    return synthetic_people(n, rng_seed)


def card_holder_json(person: Person) -> dict[str, Any]:
    """What the demo card simulator needs to present ``person``'s cards (synthetic data)."""
    return {
        "name": person.name,
        "id_number": person.id_number,
        "sex_code": person.sex_code,
        "nation_code": person.nation_code,
        "birth_date": person.birth_date.strftime("%Y%m%d"),
        "region_code": person.region_code,
        "ssc_card_number": person.ssc_card_number,
    }
