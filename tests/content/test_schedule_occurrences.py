"""When a schedule is on: dayparts, RRULE days, date windows and time zones, as UTC intervals."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from hypothesis import given, settings
from hypothesis import strategies as st

from content.signage._recurrence import FALLBACK_ANCHOR, rule_days
from content.signage.schedules import Schedule, occurrences

# Timestamps, times and JSON must round-trip the same way through both databases.
DATABASES = ("sqlite", "postgres")

SHANGHAI = ZoneInfo("Asia/Shanghai")
URUMQI = ZoneInfo("Asia/Urumqi")
BERLIN = ZoneInfo("Europe/Berlin")


def timing(**overrides: Any) -> Schedule:
    """A transient schedule with every timing field set (column defaults only apply on insert)."""
    fields: dict[str, Any] = {
        "layer": "scheduled",
        "date_from": None,
        "date_until": None,
        "daypart_start": None,
        "daypart_end": None,
        "rrule": None,
        "exdates": [],
        "starts_at": None,
        "ends_at": None,
    }
    return Schedule(**(fields | overrides))


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local(tz: ZoneInfo, *args: int) -> datetime:
    return datetime(*args, tzinfo=tz)


def test_daypart_across_midnight_ends_next_morning_and_is_clipped_to_the_window() -> None:
    schedule = timing(daypart_start=time(22), daypart_end=time(6))
    got = occurrences(schedule, SHANGHAI, local(SHANGHAI, 2026, 11, 22), local(SHANGHAI, 2026, 11, 24))
    assert got == [
        (utc(2026, 11, 21, 16), utc(2026, 11, 21, 22)),  # the night that began on the 21st, from the window start
        (utc(2026, 11, 22, 14), utc(2026, 11, 22, 22)),  # 22:00 on the 22nd to 06:00 on the 23rd
        (utc(2026, 11, 23, 14), utc(2026, 11, 23, 16)),  # cut at the window end (local midnight)
    ]


def test_rrule_picks_days_and_exdate_removes_one() -> None:
    # 2026-11-23 is a Monday; the Wednesday 25th is a holiday.
    schedule = timing(
        rrule="FREQ=WEEKLY;BYDAY=MO,WE,FR", exdates=["2026-11-25"], daypart_start=time(9), daypart_end=time(12)
    )
    got = occurrences(schedule, SHANGHAI, local(SHANGHAI, 2026, 11, 23), local(SHANGHAI, 2026, 11, 30))
    starts = [start.astimezone(SHANGHAI).date() for start, _ in got]
    assert starts == [date(2026, 11, 23), date(2026, 11, 27)]
    assert all(end - start == timedelta(hours=3) for start, end in got)
    assert got[0] == (utc(2026, 11, 23, 1), utc(2026, 11, 23, 4))


def test_rrule_prefix_and_interval_are_anchored_at_date_from() -> None:
    schedule = timing(rrule="RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", date_from=date(2026, 11, 3))
    got = occurrences(schedule, SHANGHAI, local(SHANGHAI, 2026, 11, 1), local(SHANGHAI, 2026, 12, 1))
    assert [start.astimezone(SHANGHAI).date() for start, _ in got] == [date(2026, 11, 3), date(2026, 11, 17)]


def test_date_window_is_inclusive_and_whole_days_merge() -> None:
    schedule = timing(date_from=date(2026, 11, 23), date_until=date(2026, 11, 24))
    got = occurrences(schedule, SHANGHAI, local(SHANGHAI, 2026, 11, 20), local(SHANGHAI, 2026, 11, 30))
    assert got == [(local(SHANGHAI, 2026, 11, 23), local(SHANGHAI, 2026, 11, 25))]


def test_overnight_daypart_starting_on_date_until_still_runs_past_midnight() -> None:
    schedule = timing(date_until=date(2026, 11, 22), daypart_start=time(22), daypart_end=time(2))
    got = occurrences(schedule, SHANGHAI, local(SHANGHAI, 2026, 11, 22), local(SHANGHAI, 2026, 11, 24))
    assert got[-1] == (local(SHANGHAI, 2026, 11, 22, 22), local(SHANGHAI, 2026, 11, 23, 2))


def test_same_daypart_lands_at_different_utc_instants_in_urumqi_and_shanghai() -> None:
    schedule = timing(daypart_start=time(9), daypart_end=time(10))
    window = (utc(2026, 11, 22), utc(2026, 11, 23))
    assert occurrences(schedule, SHANGHAI, *window)[0] == (utc(2026, 11, 22, 1), utc(2026, 11, 22, 2))
    assert occurrences(schedule, URUMQI, *window)[0] == (utc(2026, 11, 22, 3), utc(2026, 11, 22, 4))


def test_dst_start_moves_the_utc_instant_not_the_wall_clock() -> None:
    schedule = timing(daypart_start=time(9), daypart_end=time(10))
    got = occurrences(schedule, BERLIN, utc(2026, 3, 28), utc(2026, 3, 31))
    assert [start for start, _ in got] == [utc(2026, 3, 28, 8), utc(2026, 3, 29, 7), utc(2026, 3, 30, 7)]


def test_overnight_daypart_on_dst_nights_is_an_hour_shorter_or_longer() -> None:
    schedule = timing(daypart_start=time(22), daypart_end=time(6))
    spring = occurrences(schedule, BERLIN, local(BERLIN, 2026, 3, 28, 12), local(BERLIN, 2026, 3, 29, 12))
    autumn = occurrences(schedule, BERLIN, local(BERLIN, 2026, 10, 24, 12), local(BERLIN, 2026, 10, 25, 12))
    assert spring == [(utc(2026, 3, 28, 21), utc(2026, 3, 29, 4))]  # 7 hours: 02:00 never happened
    assert autumn == [(utc(2026, 10, 24, 20), utc(2026, 10, 25, 5))]  # 9 hours: 02:00-03:00 twice


def test_whole_day_on_dst_change_is_23_hours() -> None:
    schedule = timing(rrule="FREQ=WEEKLY;BYDAY=SU")
    got = occurrences(schedule, BERLIN, utc(2026, 3, 27), utc(2026, 4, 1))
    assert got == [(utc(2026, 3, 28, 23), utc(2026, 3, 29, 22))]


def test_absolute_window_clips_dayparts() -> None:
    schedule = timing(
        daypart_start=time(9),
        daypart_end=time(17),
        starts_at=local(SHANGHAI, 2026, 11, 22, 12),
        ends_at=local(SHANGHAI, 2026, 11, 23, 10),
    )
    got = occurrences(schedule, SHANGHAI, local(SHANGHAI, 2026, 11, 22), local(SHANGHAI, 2026, 11, 25))
    assert got == [
        (local(SHANGHAI, 2026, 11, 22, 12), local(SHANGHAI, 2026, 11, 22, 17)),
        (local(SHANGHAI, 2026, 11, 23, 9), local(SHANGHAI, 2026, 11, 23, 10)),
    ]


def test_campaign_is_its_absolute_window() -> None:
    schedule = timing(layer="campaign", starts_at=utc(2026, 11, 22, 3), ends_at=utc(2026, 11, 22, 5))
    assert occurrences(schedule, SHANGHAI, utc(2026, 11, 22), utc(2026, 11, 23)) == [
        (utc(2026, 11, 22, 3), utc(2026, 11, 22, 5))
    ]


def test_default_layer_ignores_timing() -> None:
    schedule = timing(layer="default", daypart_start=time(9), daypart_end=time(10), date_until=date(2000, 1, 1))
    assert occurrences(schedule, SHANGHAI, utc(2026, 11, 22), utc(2026, 11, 23)) == [
        (utc(2026, 11, 22), utc(2026, 11, 23))
    ]


def test_window_outside_date_range_is_empty() -> None:
    schedule = timing(date_from=date(2027, 1, 1))
    assert occurrences(schedule, SHANGHAI, utc(2026, 11, 22), utc(2026, 11, 23)) == []


def test_rrule_until_as_local_date_includes_that_day() -> None:
    schedule = timing(rrule="FREQ=DAILY;UNTIL=20261123", daypart_start=time(18), daypart_end=time(19))
    got = occurrences(schedule, SHANGHAI, local(SHANGHAI, 2026, 11, 22), local(SHANGHAI, 2026, 11, 26))
    assert [start.astimezone(SHANGHAI).day for start, _ in got] == [22, 23]


RULES = st.sampled_from(
    [
        "FREQ=DAILY",
        "FREQ=DAILY;INTERVAL=3",
        "FREQ=WEEKLY;BYDAY=MO,TH",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=SA",
        "FREQ=WEEKLY;INTERVAL=3",
        "FREQ=MONTHLY;BYMONTHDAY=1,15",
        "FREQ=MONTHLY;INTERVAL=2;BYDAY=1MO",
        "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
        "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=8",
        "FREQ=YEARLY;INTERVAL=2",
        "FREQ=MONTHLY",
        "FREQ=DAILY;UNTIL=20300101",
    ]
)


@settings(max_examples=150, deadline=None)
@given(
    rule=RULES,
    anchor=st.one_of(st.none(), st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 1, 1))),
    first=st.dates(min_value=date(2000, 1, 1), max_value=date(2035, 1, 1)),
    span=st.integers(min_value=0, max_value=70),
)
def test_shifted_anchor_gives_the_same_days_as_iterating_from_dtstart(
    rule: str, anchor: date | None, first: date, span: int
) -> None:
    last = first + timedelta(days=span)
    start = datetime.combine(anchor or FALLBACK_ANCHOR, time())
    slow = rrulestr(rule, dtstart=start).between(
        datetime.combine(first, time()), datetime.combine(last, time.max), inc=True
    )
    assert rule_days(rule, anchor, first, last) == [hit.date() for hit in slow]
