"""The zh-CN demo world: Gansu's halls, screens, vacancies, notices and schedules."""

from content.demo.occupations import OCCUPATIONS, OCCUPATIONS_BY_CODE, Occupation
from content.demo.people import (
    DEMO_PEOPLE_COUNT,
    Person,
    card_holder_json,
    demo_card_holders,
    id_number_is_valid,
    synthetic_people,
)
from content.demo.seed import (
    DEFAULT_RNG_SEED,
    DemoDatabaseNotEmpty,
    DemoScreen,
    DemoSummary,
    drop_stale_histories,
    seed_demo,
    seed_histories,
    seed_people,
)

__all__ = [
    "DEFAULT_RNG_SEED",
    "DEMO_PEOPLE_COUNT",
    "OCCUPATIONS",
    "OCCUPATIONS_BY_CODE",
    "DemoDatabaseNotEmpty",
    "DemoScreen",
    "DemoSummary",
    "Occupation",
    "Person",
    "card_holder_json",
    "demo_card_holders",
    "id_number_is_valid",
    "seed_demo",
    "drop_stale_histories",
    "seed_histories",
    "seed_people",
    "synthetic_people",
]
