"""Employers' coordinates over the REST API: optional, in range, stored and given back."""

from __future__ import annotations

import pytest

from tests.kiosk_server.api_factories import Api, Factory, field_errors


def test_an_employer_keeps_its_coordinates(api: Api, make: Factory) -> None:
    created = api.post("employers", make.employer_body(latitude=36.0611, longitude=103.8343), expect=201)
    assert (created["latitude"], created["longitude"]) == (36.0611, 103.8343)
    assert api.get(f"employers/{created['id']}")["latitude"] == 36.0611
    moved = api.patch(f"employers/{created['id']}", {"latitude": None, "longitude": None})
    assert (moved["latitude"], moved["longitude"]) == (None, None)


def test_an_employer_without_coordinates_has_none(api: Api, make: Factory) -> None:
    created = api.post("employers", make.employer_body(), expect=201)
    assert (created["latitude"], created["longitude"]) == (None, None)


@pytest.mark.parametrize(
    ("field", "value"), [("latitude", 90.5), ("latitude", -91), ("longitude", 180.01), ("longitude", "东经103度")]
)
def test_coordinates_out_of_range_are_422_naming_the_field(api: Api, make: Factory, field: str, value: object) -> None:
    errors = field_errors(api.post("employers", make.employer_body(**{field: value}), expect=422))
    assert list(errors) == [field]
