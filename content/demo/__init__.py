"""The zh-CN demo world: Gansu's halls, screens, vacancies, notices and schedules."""

from content.demo.occupations import OCCUPATIONS, OCCUPATIONS_BY_CODE, Occupation
from content.demo.people import Person, id_number_is_valid, synthetic_people
from content.demo.seed import DEFAULT_RNG_SEED, DemoDatabaseNotEmpty, DemoScreen, DemoSummary, seed_demo

__all__ = [
    "DEFAULT_RNG_SEED",
    "OCCUPATIONS",
    "OCCUPATIONS_BY_CODE",
    "DemoDatabaseNotEmpty",
    "DemoScreen",
    "DemoSummary",
    "Occupation",
    "Person",
    "id_number_is_valid",
    "seed_demo",
    "synthetic_people",
]
