"""A recurrence must occur within five years of its start; expansions stop at the window (issue 16, defect 7)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from content_factories import Factory
from sqlalchemy.orm import Session

from content.errors import ValidationError
from content.signage import _recurrence
from content.signage._recurrence import NEVER_OCCURS, rule_days
from content.signage.manifest import resolve
from content.signage.schedules import validate_schedule

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEVER = "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"


@pytest.fixture(autouse=True)
def fresh_rule_caches() -> Iterator[None]:
    """Each bad rule is logged once per process: start every test with nothing logged yet."""
    _recurrence._stored_rule_ok.cache_clear()
    yield
    _recurrence._stored_rule_ok.cache_clear()


def _rrule_error(rule: str, date_from: date | None = None) -> str:
    with pytest.raises(ValidationError) as caught:
        validate_schedule(layer="scheduled", rrule=rule, date_from=date_from)
    return caught.value.errors["rrule"]


@pytest.mark.parametrize(
    "rule",
    [
        NEVER,
        "FREQ=MONTHLY;BYMONTH=4;BYMONTHDAY=31",
        "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
        "FREQ=WEEKLY;UNTIL=20200101",  # over before the schedule starts
    ],
)
def test_a_rule_that_never_occurs_is_refused_and_says_why(rule: str) -> None:
    message = _rrule_error(rule, date(2026, 12, 1))
    assert message.startswith(NEVER_OCCURS)
    assert "2026-12-01" in message and "2031-12-01" in message


def test_without_date_from_the_rule_is_checked_from_its_fallback_start() -> None:
    assert _rrule_error(NEVER).startswith(NEVER_OCCURS)


def test_a_rule_that_occurs_once_in_four_years_is_accepted() -> None:
    validate_schedule(layer="scheduled", rrule="FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", date_from=date(2026, 3, 1))


def test_a_rule_first_occurring_after_five_years_is_refused() -> None:
    assert _rrule_error("FREQ=YEARLY;INTERVAL=6;BYMONTH=1;BYMONTHDAY=1", date(2026, 1, 2)).startswith(NEVER_OCCURS)


def test_a_count_rule_keeps_its_count_when_bounded() -> None:
    days = rule_days("FREQ=DAILY;COUNT=5", date(2026, 11, 20), date(2026, 11, 18), date(2026, 11, 30))
    assert days == [date(2026, 11, d) for d in range(20, 25)]


def test_a_huge_count_from_long_ago_still_finds_the_days_of_the_window() -> None:
    days = rule_days("FREQ=DAILY;COUNT=1000000", date(2000, 1, 3), date(2026, 11, 20), date(2026, 11, 22))
    assert days == [date(2026, 11, 20), date(2026, 11, 21), date(2026, 11, 22)]


def test_a_never_occurring_rule_expands_to_nothing_within_the_window() -> None:
    assert rule_days(NEVER, date(2000, 1, 3), date(2026, 11, 20), date(2026, 11, 30)) == []
    assert rule_days("FREQ=DAILY;COUNT=3;BYMONTH=2;BYMONTHDAY=30", None, date(2026, 1, 1), date(2026, 12, 31)) == []


def test_ten_stored_rules_that_never_occur_are_skipped_and_logged_once_each(
    session: Session, make: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    screen = make.screen(make.hall())
    layout = make.layout()
    default = make.schedule(layout, name="默认", layer="default")
    for n in range(10):  # written straight to the database, as rows saved before the check existed
        make.schedule(layout, name=f"坏规则{n}", rrule=f"{NEVER};INTERVAL={n + 1}", date_from=date(2026, 1, 1))
    session.commit()
    at = datetime(2026, 12, 2, 9, tzinfo=SHANGHAI)
    with caplog.at_level(logging.WARNING, logger=_recurrence.__name__):
        first = resolve(session, screen, at)
        second = resolve(session, screen, at)
    skipped = [r for r in caplog.records if r.name == _recurrence.__name__ and NEVER_OCCURS in r.getMessage()]
    assert len(skipped) == 10  # once per rule, not once per resolution
    assert {r.getMessage().split("'")[1] for r in skipped} == {f"{NEVER};INTERVAL={n + 1}" for n in range(10)}
    for manifest in (first, second):
        assert [(s["layer"], s["source"]["id"]) for s in manifest.body["segments"]] == [("default", default.id)]
