"""Opening hours and the panels' power schedule: parsing, formatting, a week of decisions in three zones,
holidays and 调休 days, and the two DST changes of Europe/Berlin."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from content.errors import ValidationError
from content.org.opening_hours import (
    OpeningHours,
    OpeningHoursError,
    Span,
    check_margin,
    format_hours,
    next_change,
    panel_on,
    parse_hours,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
URUMQI = ZoneInfo("Asia/Urumqi")
BERLIN = ZoneInfo("Europe/Berlin")
HALL = "Mon-Fri 08:30-12:00,14:00-17:30; Sat 09:00-12:00"
MARGIN = timedelta(minutes=15)
# What HALL means, written out by hand: (weekday, on, off) in local minutes with the 15-minute margin.
HALL_ON = [
    *((day, 8 * 60 + 15, 12 * 60 + 15) for day in range(5)),
    *((day, 13 * 60 + 45, 17 * 60 + 45) for day in range(5)),
    (5, 8 * 60 + 45, 12 * 60 + 15),
]


# parsing ------------------------------------------------------------------------------------------


def test_parses_a_week_with_a_lunch_break() -> None:
    hours = parse_hours(HALL)
    assert hours.week[0] == (Span(510, 720), Span(840, 1050))
    assert hours.week[4] == hours.week[0]
    assert hours.week[5] == (Span(540, 720),)
    assert hours.week[6] == ()
    assert hours.dates == ()


def test_chinese_day_names_mean_the_same_as_english_ones() -> None:
    chinese = parse_hours("周一至周五 08:30-12:00，14:00-17:30；星期六 09:00-12:00")
    assert chinese == parse_hours(HALL)
    assert parse_hours("周日 09:00-11:00").week[6] == (Span(540, 660),)
    assert parse_hours("星期天 09:00-11:00") == parse_hours("Sunday 09:00-11:00")


def test_lists_of_days_and_the_end_of_the_day() -> None:
    hours = parse_hours("Mon,Wed,Fri-Sun 00:00-24:00")
    assert [bool(day) for day in hours.week] == [True, False, True, False, True, True, True]
    assert hours.week[0] == (Span(0, 1440),)


def test_format_gives_back_the_canonical_text() -> None:
    text = "Mon-Fri 08:30-12:00,14:00-17:30; Sat 09:00-12:00; 2026-10-01..2026-10-07 closed; 2026-10-11 08:30-17:30"
    assert format_hours(parse_hours(text)) == text
    assert format_hours(parse_hours("周一至周五 8:30-17:30\n周六 休息")) == "Mon-Fri 08:30-17:30"
    assert parse_hours(format_hours(parse_hours(text))) == parse_hours(text)


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("Mon-Fri", "'Mon-Fri': expected days then times"),
        ("Mun 08:00-12:00", "'Mun' is not a day"),
        ("Mon-Fri 08:30-12:00; Fri 14:00-17:00", "Fri is already given"),
        ("Mon 8.30-12:00", "'8.30-12:00' is not a time range"),
        ("Mon 12:00-08:00", "'12:00-08:00' ends before it starts"),
        ("Mon 08:00-25:00", "'08:00-25:00' has a time that does not exist"),
        ("Mon 08:60-10:00", "'08:60-10:00' has a time that does not exist"),
        ("Mon 08:00-12:00,11:00-13:00", "08:00-12:00 and 11:00-13:00 overlap"),
        ("Fri-Mon 08:00-12:00", "'Fri-Mon' runs backwards"),
        ("2026-02-30 closed", "'2026-02-30' is not a date"),
        ("2026-10-07..2026-10-01 closed", "'2026-10-07..2026-10-01' ends before it starts"),
        ("2026-10-01 closed; 2026-10-01 09:00-12:00", "2026-10-01 is already given"),
        ("2026-01-01..2027-06-01 closed", "longer than a year"),
    ],
)
def test_a_bad_text_is_refused_naming_the_bad_part(text: str, names: str) -> None:
    with pytest.raises(OpeningHoursError) as raised:
        parse_hours(text)
    assert names in str(raised.value)
    assert isinstance(raised.value, ValidationError)
    assert list(raised.value.errors) == ["opening_hours"]


def test_margin_is_whole_minutes_within_bounds() -> None:
    assert check_margin(15) == MARGIN
    for bad in (-1, 181, 1.5, True, "15"):
        with pytest.raises(ValidationError, match="margin_minutes"):
            check_margin(bad)


# a week of decisions --------------------------------------------------------------------------------


def _expected_on(local: datetime) -> bool:
    """HALL_ON by hand, for a zone without DST: on when some day's window holds the local time."""
    minute = local.hour * 60 + local.minute
    return any(day == local.weekday() and on <= minute < off for day, on, off in HALL_ON)


@pytest.mark.parametrize("tz", [SHANGHAI, URUMQI, BERLIN], ids=str)
def test_a_week_of_decisions_every_five_minutes(tz: ZoneInfo) -> None:
    hours = parse_hours(HALL)
    # A week with no DST change in Berlin either (2026-06-01 is a Monday).
    start = datetime(2026, 6, 1, 0, 0, tzinfo=tz)
    for step in range(7 * 24 * 12):
        local = start + timedelta(minutes=5 * step)
        assert panel_on(hours, local, tz, MARGIN) is _expected_on(local), local.isoformat()


@pytest.mark.parametrize("tz", [SHANGHAI, URUMQI, BERLIN], ids=str)
def test_next_change_walks_the_week_through_every_switch(tz: ZoneInfo) -> None:
    hours = parse_hours(HALL)
    at = datetime(2026, 6, 1, 0, 0, tzinfo=tz)
    changes: list[datetime] = []
    while True:
        change = next_change(hours, at, tz, MARGIN)
        assert change is not None and change > at
        if change >= datetime(2026, 6, 8, tzinfo=tz):
            break
        # It is a real switch: the state differs just before and at the change.
        assert panel_on(hours, change - timedelta(microseconds=1), tz, MARGIN) != panel_on(hours, change, tz, MARGIN)
        changes.append(change)
        at = change
    local = [(c.astimezone(tz).weekday(), c.astimezone(tz).strftime("%H:%M")) for c in changes]
    assert local[:4] == [(0, "08:15"), (0, "12:15"), (0, "13:45"), (0, "17:45")]
    assert local[-2:] == [(5, "08:45"), (5, "12:15")]
    assert len(changes) == 5 * 4 + 2


def test_the_same_schedule_switches_at_different_instants_in_urumqi_and_shanghai() -> None:
    hours = parse_hours(HALL)
    monday_midnight = datetime(2026, 6, 1, 0, 0, tzinfo=UTC)
    shanghai = next_change(hours, datetime(2026, 6, 1, 0, 0, tzinfo=SHANGHAI), SHANGHAI, MARGIN)
    urumqi = next_change(hours, datetime(2026, 6, 1, 0, 0, tzinfo=URUMQI), URUMQI, MARGIN)
    assert shanghai == datetime(2026, 6, 1, 0, 15, tzinfo=UTC)  # 08:15 at UTC+8
    assert urumqi == datetime(2026, 6, 1, 2, 15, tzinfo=UTC)  # 08:15 at UTC+6
    at = datetime(2026, 6, 1, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai, 07:00 in Urumqi
    assert panel_on(hours, at, SHANGHAI, MARGIN) and not panel_on(hours, at, URUMQI, MARGIN)
    assert monday_midnight < shanghai < urumqi


def test_no_margin_switches_at_the_opening_times() -> None:
    hours = parse_hours("Mon 08:30-17:30")
    monday = datetime(2026, 6, 1, 8, 0, tzinfo=SHANGHAI)
    assert next_change(hours, monday, SHANGHAI, timedelta(0)) == datetime(2026, 6, 1, 8, 30, tzinfo=SHANGHAI)
    assert not panel_on(hours, datetime(2026, 6, 1, 8, 29, tzinfo=SHANGHAI), SHANGHAI, timedelta(0))


def test_a_margin_wider_than_the_lunch_break_keeps_the_panel_on() -> None:
    hours = parse_hours("Mon 08:30-12:00,12:30-17:30")
    noon = datetime(2026, 6, 1, 12, 15, tzinfo=SHANGHAI)
    assert panel_on(hours, noon, SHANGHAI, MARGIN)
    assert next_change(hours, noon, SHANGHAI, MARGIN) == datetime(2026, 6, 1, 17, 45, tzinfo=SHANGHAI)


def test_a_margin_reaches_over_midnight() -> None:
    hours = parse_hours("Tue 00:00-06:00; Mon 20:00-24:00")
    # Monday 20:00 to Tuesday 06:00 is one period: nothing switches at midnight.
    at = datetime(2026, 6, 1, 21, 0, tzinfo=SHANGHAI)
    assert next_change(hours, at, SHANGHAI, MARGIN) == datetime(2026, 6, 2, 6, 15, tzinfo=SHANGHAI)
    assert panel_on(hours, datetime(2026, 6, 1, 23, 59, tzinfo=SHANGHAI), SHANGHAI, MARGIN)


def test_always_on_and_never_open_have_no_next_change() -> None:
    at = datetime(2026, 6, 1, 3, 0, tzinfo=SHANGHAI)
    assert panel_on(None, at, SHANGHAI) and next_change(None, at, SHANGHAI) is None
    closed = OpeningHours(((), (), (), (), (), (), ()))
    assert not panel_on(closed, at, SHANGHAI) and next_change(closed, at, SHANGHAI) is None


def test_naive_instants_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        panel_on(parse_hours(HALL), datetime(2026, 6, 1, 9, 0), SHANGHAI)


# holidays and 调休 ----------------------------------------------------------------------------------


def test_national_day_is_closed_and_the_makeup_sunday_works() -> None:
    hours = parse_hours(f"{HALL}; 2026-10-01..2026-10-07 休息; 2026-10-11 08:30-12:00,14:00-17:30")
    thursday_holiday = datetime(2026, 10, 1, 10, 0, tzinfo=SHANGHAI)
    assert not panel_on(hours, thursday_holiday, SHANGHAI, MARGIN)
    # From the eve of the holiday, the next switch on is the makeup Sunday, 10 days later.
    eve = datetime(2026, 9, 30, 18, 0, tzinfo=SHANGHAI)
    assert next_change(hours, eve, SHANGHAI, MARGIN) == datetime(2026, 10, 8, 8, 15, tzinfo=SHANGHAI)
    sunday = datetime(2026, 10, 11, 9, 0, tzinfo=SHANGHAI)
    assert sunday.weekday() == 6 and panel_on(hours, sunday, SHANGHAI, MARGIN)
    assert not panel_on(hours, datetime(2026, 10, 4, 9, 0, tzinfo=SHANGHAI), SHANGHAI, MARGIN)  # a Sunday off
    assert hours.spans_on(date(2026, 10, 12)) == hours.week[0]


def test_a_long_closure_still_finds_the_reopening() -> None:
    hours = parse_hours("Mon-Fri 09:00-17:00; 2026-01-01..2026-03-31 closed")
    at = datetime(2026, 1, 1, 0, 0, tzinfo=SHANGHAI)
    assert next_change(hours, at, SHANGHAI, MARGIN) == datetime(2026, 4, 1, 8, 45, tzinfo=SHANGHAI)


# DST: Europe/Berlin ---------------------------------------------------------------------------------


def test_berlin_switches_at_the_same_wall_time_on_both_sides_of_spring_forward() -> None:
    hours = parse_hours("Mon-Sun 08:30-17:30")
    # Clocks go from 02:00 CET to 03:00 CEST on Sunday 2026-03-29.
    saturday = next_change(hours, datetime(2026, 3, 28, 0, 0, tzinfo=BERLIN), BERLIN, MARGIN)
    monday = next_change(hours, datetime(2026, 3, 30, 0, 0, tzinfo=BERLIN), BERLIN, MARGIN)
    assert saturday == datetime(2026, 3, 28, 7, 15, tzinfo=UTC)  # 08:15 CET
    assert monday == datetime(2026, 3, 30, 6, 15, tzinfo=UTC)  # 08:15 CEST
    assert saturday is not None and saturday.astimezone(BERLIN).strftime("%H:%M") == "08:15"


def test_berlin_week_across_fall_back_every_fifteen_minutes() -> None:
    hours = parse_hours("Mon-Sun 08:30-17:30")
    # Clocks go from 03:00 CEST back to 02:00 CET on Sunday 2026-10-25; step in real time.
    start = datetime(2026, 10, 21, 22, 0, tzinfo=UTC)
    for step in range(7 * 24 * 4):
        instant = start + timedelta(minutes=15 * step)
        local = instant.astimezone(BERLIN)
        minute = local.hour * 60 + local.minute
        assert panel_on(hours, instant, BERLIN, MARGIN) is (8 * 60 + 15 <= minute < 17 * 60 + 45), local.isoformat()


def test_berlin_night_hours_over_the_skipped_and_the_repeated_hour() -> None:
    spring = parse_hours("Sun 01:00-03:00")
    on = next_change(spring, datetime(2026, 3, 29, 0, 0, tzinfo=BERLIN), BERLIN, timedelta(0))
    assert on == datetime(2026, 3, 29, 0, 0, tzinfo=UTC)  # 01:00 CET
    off = next_change(spring, on, BERLIN, timedelta(0))
    assert off == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)  # 03:00 CEST: one real hour
    autumn = parse_hours("Sun 02:30-04:00")
    on = next_change(autumn, datetime(2026, 10, 25, 0, 0, tzinfo=BERLIN), BERLIN, timedelta(0))
    assert on == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # the first 02:30 (CEST)
    off = next_change(autumn, on, BERLIN, timedelta(0))
    assert off == datetime(2026, 10, 25, 3, 0, tzinfo=UTC)  # 04:00 CET: two and a half real hours
