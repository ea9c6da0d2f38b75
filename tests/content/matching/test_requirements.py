"""Reading a vacancy's requirement text: ages, required and preferred certificates, and nothing about sex."""

from __future__ import annotations

import pytest

from content.matching.requirements import Requirements, age_fits, parse_requirements


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("年龄18-45周岁；身体健康", 18, 45),
        ("18至45岁，吃苦耐劳", 18, 45),
        ("年龄20～35岁", 20, 35),
        ("45周岁以下，男女不限", None, 45),
        ("年龄不超过50岁", None, 50),
        ("年满18周岁", 18, None),
        ("22周岁以上，有3年以上相关工作经验", 22, None),
        ("有2年以上相关工作经验", None, None),
    ],
)
def test_the_age_range_is_read_in_the_ways_vacancies_write_it(text: str, low: int | None, high: int | None) -> None:
    asked = parse_requirements(text)
    assert (asked.age_min, asked.age_max) == (low, high)


def test_an_age_outside_the_range_does_not_fit_and_an_unknown_age_does() -> None:
    asked = parse_requirements("年龄20-45周岁")
    assert asked.age_fits(20) and asked.age_fits(45) and asked.age_fits(None)
    assert not asked.age_fits(19) and not asked.age_fits(46)
    assert age_fits("年龄20-45周岁", 46) is False and age_fits("经验不限", 70) is True


def test_words_about_sex_are_not_a_filter_nor_a_word_to_match() -> None:
    plain = "年龄18-45周岁；须持有健康证。"
    for said in ("限男性；", "限女性；", "男女不限；", "限本地户籍；"):
        assert parse_requirements(said + plain) == parse_requirements(plain)


def test_age_bounds_that_differ_by_sex_are_read_as_the_widest() -> None:
    asked = parse_requirements("男性60岁以下、女性50岁以下；女18-40岁，男18-45岁")
    assert (asked.age_min, asked.age_max) == (18, 45)
    assert parse_requirements("女性50周岁以下，男性60周岁以下").age_max == 60


def test_a_clause_with_youxian_prefers_and_any_other_requires() -> None:
    asked = parse_requirements("须持有特种作业操作证（低压电工作业）；汽车维修工职业技能等级证书优先。")
    assert asked.required == (frozenset({"电工证"}),)
    assert asked.preferred == (frozenset({"汽车维修工证"}),)


def test_certificates_joined_by_huo_are_alternatives_and_others_are_all_needed() -> None:
    asked = parse_requirements("须持有A1或B1驾驶证及道路旅客运输从业资格证")
    assert asked.required == (frozenset({"A1驾驶证", "B1驾驶证"}), frozenset({"客运从业资格证"}))
    both = parse_requirements("须持有育婴员职业技能等级证书、健康证")
    assert both.required == (frozenset({"育婴员证"}), frozenset({"健康证"}))


def test_a_conditional_parenthesis_asks_nothing() -> None:
    asked = parse_requirements("C1及以上驾驶证（重型货车需A2或B2）及道路货物运输从业资格证")
    assert asked.required == (frozenset({"C1驾驶证"}), frozenset({"货运从业资格证"}))


def test_the_words_are_the_trade_words_without_stop_words() -> None:
    asked = parse_requirements("会电焊、氩弧焊者优先；熟练使用办公软件")
    assert {"电焊", "氩弧焊", "办公", "软件"} <= set(asked.words)
    assert "优先" not in asked.words and "年龄" not in parse_requirements("年龄18-45周岁").words


def test_an_empty_text_asks_nothing() -> None:
    assert parse_requirements("") == Requirements()
