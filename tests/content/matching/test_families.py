"""Job families offered by the kiosk's three taps: stable keys, and codes held by whole segments."""

from __future__ import annotations

from content.library.occupations import CODES
from content.matching.families import FAMILIES, family, family_of


def test_keys_are_unique_and_each_family_is_found_by_its_key() -> None:
    assert len({f.key for f in FAMILIES}) == len(FAMILIES)
    assert all(family(f.key) is f for f in FAMILIES)
    assert family("9-99") is None and family("") is None


def test_a_prefix_holds_codes_by_whole_segments() -> None:
    catering = family("4-03")
    assert catering is not None
    assert catering.holds("4-03-02-01") and catering.holds("4-03")
    assert not catering.holds("4-030-01-01"), "a prefix is a whole segment, not a string start"
    assert family_of("2-02-10-03") is family("2")
    assert family_of("7-01-01-01") is None, "军人 is no job family a kiosk offers"


def test_every_occupation_halls_advertise_falls_in_some_family() -> None:
    homeless = [code for code, _name in CODES if family_of(code) is None]
    assert homeless == [], f"codes in no family: {homeless}"
