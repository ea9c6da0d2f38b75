"""Coordinates of the demo world: every hall and employer placed, in Gansu, employers near their district."""

from __future__ import annotations

import math
import random
from datetime import date

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from content.demo.employers import employer_position, make_employers
from content.demo.places import DISTRICT_CENTRES, DISTRICTS, HALLS, LANZHOU, TIANSHUI
from content.demo.seed import seed_demo
from content.library.items import Employer
from content.models import Base
from content.org.tree import Hall

# Gansu spans roughly 32.5–42.8 N and 92.2–108.7 E.
GANSU = ((32.5, 42.8), (92.2, 108.7))


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Straight-line distance on a sphere (haversine), in kilometres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(h))


def _in_gansu(point: tuple[float, float]) -> bool:
    (south, north), (west, east) = GANSU
    return south <= point[0] <= north and west <= point[1] <= east


def test_every_district_and_hall_has_a_centre_in_gansu_near_its_city() -> None:
    assert set(DISTRICT_CENTRES) == set(DISTRICTS)
    assert all(_in_gansu(p) for p in DISTRICT_CENTRES.values())
    lanzhou, tianshui = DISTRICT_CENTRES["城关区"], DISTRICT_CENTRES["秦州区"]
    assert 230 < _km(lanzhou, tianshui) < 300  # the two cities are some 250 km apart
    for name, (city, _, _) in DISTRICTS.items():
        assert _km(DISTRICT_CENTRES[name], {LANZHOU: lanzhou, TIANSHUI: tianshui}[city]) < 25, name
    for hall in HALLS:
        assert hall.position is not None and _in_gansu(hall.position), hall.name
        city_centre = tianshui if TIANSHUI in hall.address else lanzhou
        assert _km(hall.position, city_centre) < 25, hall.name


def test_employers_sit_within_a_few_km_of_their_district_and_do_not_move() -> None:
    employers = make_employers(random.Random(7))
    for e in employers:
        distance = _km((e.latitude, e.longitude), DISTRICT_CENTRES[e.district])
        assert distance < 4.5, (e.name, distance)
        assert employer_position(e.district, e.credit_code) == (e.latitude, e.longitude)
    assert len({(e.latitude, e.longitude) for e in employers}) == len(employers)


def test_the_seeded_world_stores_the_coordinates() -> None:
    session = Session(create_engine("sqlite://"))
    Base.metadata.create_all(session.get_bind())
    seed_demo(session, today=date(2026, 12, 7))
    halls = session.scalars(select(Hall)).all()
    employers = session.scalars(select(Employer)).all()
    assert halls and employers
    assert all(h.latitude is not None and h.longitude is not None for h in halls)
    assert all(e.latitude is not None and e.longitude is not None for e in employers)
    by_name = {spec.name: spec.position for spec in HALLS}
    assert all((h.latitude, h.longitude) == by_name[h.name] for h in halls)
    session.close()
