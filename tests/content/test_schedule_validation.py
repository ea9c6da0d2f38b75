"""Schedule and time-zone validation name the field to fix and say why."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import pytest

from content.errors import ValidationError
from content.org.timezones import validate_timezone
from content.signage.schedules import validate_schedule


def errors_of(**fields: Any) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        validate_schedule(**({"layer": "scheduled"} | fields))
    return caught.value.errors


def test_valid_schedule_passes() -> None:
    validate_schedule(
        layer="scheduled",
        date_from=date(2026, 1, 1),
        date_until=date(2026, 1, 1),
        daypart_start=time(22),
        daypart_end=time(6),
        rrule="FREQ=WEEKLY;BYDAY=MO",
        exdates=["2026-01-05"],
    )


def test_invalid_rrule_reports_the_parser_reason() -> None:
    assert "DAILLY" in errors_of(rrule="FREQ=DAILLY")["rrule"]
    assert "BYDAY" in errors_of(rrule="FREQ=WEEKLY;BYDAY=XX")["rrule"]


@pytest.mark.parametrize(
    ("rule", "word"),
    [
        ("FREQ=HOURLY", "HOURLY"),
        ("FREQ=DAILY;BYHOUR=9", "BYHOUR"),
        ("FREQ=DAILY;INTERVAL=0", "INTERVAL"),
        ("FREQ=DAILY;UNTIL=20261231T000000Z", "UNTIL"),
        ("INTERVAL=2", "FREQ"),
        ("DTSTART:20260101T000000\nRRULE:FREQ=DAILY", "date_from"),
    ],
)
def test_rrule_that_cannot_pick_days_is_refused(rule: str, word: str) -> None:
    assert word in errors_of(rrule=rule)["rrule"]


def test_date_until_before_date_from() -> None:
    assert "before" in errors_of(date_from=date(2026, 2, 1), date_until=date(2026, 1, 31))["date_until"]


def test_ends_at_not_after_starts_at() -> None:
    moment = datetime(2026, 11, 22, 8, tzinfo=UTC)
    assert "not after" in errors_of(starts_at=moment, ends_at=moment)["ends_at"]


def test_naive_absolute_times_are_refused() -> None:
    assert "offset" in errors_of(starts_at=datetime(2026, 11, 22, 8))["starts_at"]


def test_campaign_needs_both_bounds() -> None:
    errors = errors_of(layer="campaign")
    assert set(errors) == {"starts_at", "ends_at"}
    assert "time-boxed" in errors["ends_at"]


def test_equal_daypart_bounds() -> None:
    assert "equals" in errors_of(daypart_start=time(9), daypart_end=time(9))["daypart_end"]


@pytest.mark.parametrize(
    ("given", "missing"), [({"daypart_start": time(9)}, "daypart_end"), ({"daypart_end": time(9)}, "daypart_start")]
)
def test_one_daypart_bound_names_the_missing_one(given: dict[str, time], missing: str) -> None:
    assert set(errors_of(**given)) == {missing}


@pytest.mark.parametrize("layer", ["weekly", "emergency", ""])
def test_unknown_or_foreign_layer(layer: str) -> None:
    assert "layer" in errors_of(layer=layer)


def test_exdates_must_be_iso_dates() -> None:
    message = errors_of(exdates=["2026-01-05", "05/01/2026", 20260105])["exdates"]
    assert "'05/01/2026'" in message and "20260105" in message and "2026-01-05'" not in message


def test_several_problems_are_reported_together() -> None:
    errors = errors_of(layer="campaign", rrule="FREQ=NEVER", date_from=date(2026, 2, 1), date_until=date(2026, 1, 1))
    assert {"starts_at", "ends_at", "rrule", "date_until"} <= set(errors)


def test_known_timezone_returns_zone() -> None:
    assert validate_timezone("Asia/Urumqi").key == "Asia/Urumqi"


@pytest.mark.parametrize("value", ["Asia/Beijing", "", "../etc/passwd", None])
def test_unknown_timezone_names_the_field(value: object) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_timezone(value, "hall.timezone")
    assert list(caught.value.errors) == ["hall.timezone"]
