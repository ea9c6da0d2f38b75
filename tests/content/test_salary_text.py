"""Salary text (薪资待遇) as halls write it: real-world spellings, monthly conversion, errors, and properties."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from content.library.salary_text import Period, Salary, SalaryTextError, parse_salary
from content.library.vacancy_rules import MAX_YUAN

M, Y, D, H = Period.MONTH, Period.YEAR, Period.DAY, Period.HOUR


@pytest.mark.parametrize(
    ("text", "low", "high", "period", "monthly"),
    [
        ("3000-4500元/月", 3000, 4500, M, (3000, 4500)),
        ("４５００－６０００元", 4500, 6000, M, (4500, 6000)),
        ("4k-6k", 4000, 6000, M, (4000, 6000)),
        ("4K～6K", 4000, 6000, M, (4000, 6000)),
        ("4-6k", 4000, 6000, M, (4000, 6000)),
        ("4500-6k", 4500, 6000, M, (4500, 6000)),
        ("1.2w-1.5w", 12000, 15000, M, (12000, 15000)),
        ("月薪5000元以上", 5000, None, M, (5000, None)),
        ("月薪：5000元以上", 5000, None, M, (5000, None)),
        ("5000以上", 5000, None, M, (5000, None)),
        ("5000元/月起", 5000, None, M, (5000, None)),
        ("≥5000", 5000, None, M, (5000, None)),
        ("2000元以下", None, 2000, M, (None, 2000)),
        ("面议", None, None, M, (None, None)),
        ("薪资面议", None, None, M, (None, None)),
        (" 面 议 ", None, None, M, (None, None)),
        ("8-10万/年", 80000, 100000, Y, (6667, 8333)),
        ("年薪12万", 120000, 120000, Y, (10000, 10000)),
        ("150元/天", 150, 150, D, (3263, 3263)),
        ("日薪200", 200, 200, D, (4350, 4350)),
        ("20元/小时", 20, 20, H, (3480, 3480)),
        ("18.5元/时", Decimal("18.5"), Decimal("18.5"), H, (3219, 3219)),
        ("3000-4500", 3000, 4500, M, (3000, 4500)),
        ("3000–4500", 3000, 4500, M, (3000, 4500)),
        ("3000—4500元", 3000, 4500, M, (3000, 4500)),
        ("3000~4500", 3000, 4500, M, (3000, 4500)),
        ("3000至4500元", 3000, 4500, M, (3000, 4500)),
        ("3000到4500元/月", 3000, 4500, M, (3000, 4500)),
        ("3000元-4500元", 3000, 4500, M, (3000, 4500)),
        ("4,500-6,000元", 4500, 6000, M, (4500, 6000)),
        ("工资：3500", 3500, 3500, M, (3500, 3500)),
        ("（3000-4500元/月）", 3000, 4500, M, (3000, 4500)),
    ],
)
def test_real_world_salary_texts(
    text: str, low: int | None, high: int | None, period: Period, monthly: tuple[int | None, int | None]
) -> None:
    salary = parse_salary(text)
    assert (salary.low, salary.high, salary.period) == (low, high, period)
    assert salary.monthly() == monthly
    assert salary.negotiable == (low is None and high is None)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("6000-4500", "最低 6000 高于最高 4500"),
        ("8k-5k", "最低 8000 高于最高 5000"),
        ("年薪5000/月", "开头是按年计，结尾却是按月计"),
        ("若干", "不是可识别的薪资"),
        ("3000-5000以上", "不是可识别的薪资"),
        ("5000以上以下", "不是可识别的薪资"),
        ("-3000", "不是可识别的薪资"),
        ("2000万/月", "超出范围"),
        ("9" * 60, "超出范围"),
        ("5" * 101, "超过上限 100"),
    ],
)
def test_unreadable_salaries_say_why(text: str, message: str) -> None:
    with pytest.raises(SalaryTextError) as caught:
        parse_salary(text)
    assert message in caught.value.message_zh and caught.value.message_en


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_any_text_parses_or_raises_only_its_own_error(text: str) -> None:
    try:
        salary = parse_salary(text)
    except SalaryTextError as err:
        assert err.message_zh and err.message_en
        return
    low, high = salary.monthly()
    assert low is None or high is None or low <= high
    assert all(v is None or 0 <= v <= MAX_YUAN for v in (low, high))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789-~至到kK万wW元/月年天小时以上下面议.,，：: ≥<", max_size=24))
def test_salary_like_text_parses_or_raises_only_its_own_error(text: str) -> None:
    try:
        parse_salary(text)
    except SalaryTextError:
        pass


_DASHES = ["-", "–", "—", "~", "～", "－", "至", "到", "〜"]
_PERIODS = {M: ["", "元/月", "/月", "元每月"], Y: ["/年", "元/年"], D: ["元/天", "/日"], H: ["元/小时", "/时"]}


@st.composite
def written_ranges(draw: st.DrawFn) -> tuple[str, Salary]:
    """A salary range written as a person might, with the Salary it states."""
    period = draw(st.sampled_from(list(Period)))
    unit, factor = draw(st.sampled_from([("", 1), ("k", 1000), ("K", 1000), ("千", 1000), ("万", 10_000)]))
    cap = {M: MAX_YUAN, Y: MAX_YUAN, D: MAX_YUAN // 22, H: MAX_YUAN // 174}[period]  # in range per month
    low = draw(st.integers(0, cap // factor))
    high = draw(st.integers(low, cap // factor))
    dash = draw(st.sampled_from(_DASHES))
    suffix = draw(st.sampled_from(_PERIODS[period]))
    wide = draw(st.booleans())
    text = f"{low}{unit}{dash}{high}{unit}{suffix}"
    if wide:  # full-width digits, as an input method types them
        text = text.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    return text, Salary(Decimal(low * factor), Decimal(high * factor), period)


@settings(max_examples=300, deadline=None)
@given(written_ranges())
def test_generated_ranges_round_trip(case: tuple[str, Salary]) -> None:
    text, expected = case
    assert parse_salary(text) == expected


@settings(max_examples=200, deadline=None)
@given(st.integers(0, MAX_YUAN), st.sampled_from(["以上", "元以上", "起", "以下", "元以下"]))
def test_generated_open_ends_round_trip(amount: int, bound: str) -> None:
    salary = parse_salary(f"{amount}{bound}")
    above = bound in ("以上", "元以上", "起")
    assert (salary.low, salary.high) == ((amount, None) if above else (None, amount))
    assert salary.monthly() == ((amount, None) if above else (None, amount))
