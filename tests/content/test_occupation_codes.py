"""The GB/T 6565 table of content/library/occupations.py: searched by words, pinyin initials and code."""

from __future__ import annotations

from content.demo.occupations import OCCUPATIONS
from content.library.occupations import CODES, NAMES, search, table


def test_the_demo_world_uses_the_codes_and_names_of_the_table() -> None:
    assert {(o.code, o.name) for o in OCCUPATIONS} <= set(CODES)
    assert [code for code, _ in CODES] == sorted(NAMES)  # by code, each once


def test_an_occupation_is_found_by_part_of_its_name_its_initials_or_its_code() -> None:
    assert [o.code for o in search("快递")] == ["4-02-07-08"]
    assert [o.name for o in search("KDY ")] == ["快递员"]
    assert all(o.code.startswith("4-02") for o in search("4-02")) and len(search("4-02")) > 1
    assert search("电工")[0].name == "电工"


def test_matches_on_the_name_come_before_matches_on_the_initials() -> None:
    found = search("dg")  # 电工's initials; no name holds the letters dg
    assert found and found[0].name == "电工" and found[0].initials == "dg"
    assert search("") == [] and search("   ") == [] and search("没有这种职业") == []
    assert len(search("员", limit=5)) == 5


def test_every_entry_has_lower_case_initials_one_per_character() -> None:
    for o in table():
        assert o.initials.isascii() and o.initials == o.initials.lower()
        assert len(o.initials) == len(o.name.replace("（", "").replace("）", "")), o
