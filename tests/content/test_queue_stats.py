"""Queue statistics: the nearest-rank percentile, the aggregation, a recorded day, local days and the CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from content_factories import Factory
from sqlalchemy.orm import Session

from content.errors import ValidationError
from content.queue.setup import add_counter, add_service_type
from content.queue.stats import CSV_COLUMNS, Figures, TicketRow, figures, hall_stats, nearest_rank, to_csv
from content.queue.ticketing import Transfer, call_next, finish, no_show, start_service, take_ticket, transfer

DATABASES = ("sqlite", "postgres")

# 09:00 in Lanzhou (UTC+8) on Wednesday 2 December 2026.
NINE = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)
DAY = date(2026, 12, 2)


def _at(minutes: float) -> datetime:
    return NINE + timedelta(minutes=minutes)


def _row(wait: float | None = None, service: float | None = None, **overrides: object) -> TicketRow:
    """A ticket record queued at 09:00, called ``wait`` s later, served for ``service`` s right after the call."""
    called = _at(0) + timedelta(seconds=wait) if wait is not None else None
    fields: dict[str, object] = {
        "day": DAY,
        "service": "A",
        "service_name": "社保业务",
        "counter": 1 if called else None,
        "counter_name": "1号窗口" if called else "",
        "state": "done" if service is not None else "waiting",
        "issued": True,
        "queued_at": _at(0),
        "called_at": called,
        "serving_at": called if service is not None else None,
        "ended_at": called + timedelta(seconds=service) if called and service is not None else None,
    }
    return TicketRow(**{**fields, **overrides})  # type: ignore[arg-type]


@pytest.fixture
def hall(make: Factory):
    return make.hall(timezone="Asia/Shanghai")


@pytest.fixture
def social(session: Session, hall):
    return add_service_type(session, hall.id, prefix="A", name="社保业务", name_en="Social security")


# ---- the percentile ----------------------------------------------------------------------


@pytest.mark.parametrize(("percent", "expected"), [(5, 15), (30, 20), (40, 20), (50, 35), (100, 50)])
def test_nearest_rank_takes_the_value_at_the_ceiling_rank(percent: int, expected: float) -> None:
    # The worked example of the nearest-rank method: 15, 20, 35, 40, 50 (given unsorted).
    assert nearest_rank([40, 15, 50, 35, 20], percent) == expected


def test_nearest_rank_computes_the_rank_in_integers() -> None:
    # 0.9 × 70 is 63.000…01 in floating point; a float ceiling would wrongly pick rank 64.
    values = list(range(1, 71))
    assert nearest_rank(values, 90) == 63
    assert nearest_rank([7.5], 90) == 7.5


def test_nearest_rank_refuses_no_values_and_a_percent_out_of_range() -> None:
    with pytest.raises(ValueError, match="no values"):
        nearest_rank([], 90)
    with pytest.raises(ValueError, match="1–100, got 0"):
        nearest_rank([1.0], 0)


# ---- the pure aggregation ----------------------------------------------------------------


def test_figures_of_plain_rows_give_means_p90_and_the_no_show_rate() -> None:
    rows = [_row(wait=60 * i, service=100 + 10 * i) for i in range(1, 10)]  # waits 60..540 s, services 110..190 s
    rows.append(_row(wait=600, state="no_show"))
    rows.append(_row())  # still waiting: issued, not called
    result = figures(rows)
    # waits 60, 120, …, 600: mean 330; p90 of ten is rank 9: 540
    # services 110, 120, …, 190: mean 150; p90 of nine is rank ⌈8.1⌉ = 9: 190
    assert result == Figures(
        issued=11,
        called=10,
        done=9,
        no_shows=1,
        transferred=0,
        wait_mean_seconds=330,
        wait_p90_seconds=540,
        service_mean_seconds=150,
        service_p90_seconds=190,
        no_show_rate=0.1,
    )


def test_figures_without_calls_have_no_times_and_no_rate() -> None:
    result = figures([_row(), _row()])
    assert (result.issued, result.called, result.no_show_rate) == (2, 0, None)
    assert result.wait_mean_seconds is None and result.service_p90_seconds is None


def test_times_round_half_up_to_whole_seconds() -> None:
    result = figures([_row(wait=10.5), _row(wait=11.0)])  # mean 10.75
    assert result.wait_mean_seconds == 11
    assert figures([_row(wait=0.5)]).wait_p90_seconds == 1


# ---- recorded sequences ------------------------------------------------------------------


def test_a_recorded_morning_gives_hand_computed_figures_per_counter(session: Session, hall, social) -> None:
    one = add_counter(session, hall.id, number=1, services=[social])
    two = add_counter(session, hall.id, number=2, services=[social])
    for minute in (0, 2, 4, 5):
        take_ticket(session, social.id, _at(minute))  # A001..A004
    call_next(session, one.id, _at(10))  # A001 waited 600 s
    start_service(session, one.id, _at(11))
    call_next(session, two.id, _at(12))  # A002 waited 600 s
    no_show(session, two.id, _at(15))
    finish(session, one.id, _at(16))  # A001 served 300 s
    call_next(session, two.id, _at(16))  # A003 waited 720 s
    start_service(session, two.id, _at(17))
    call_next(session, one.id, _at(20))  # A004 waited 900 s
    start_service(session, one.id, _at(21))
    finish(session, one.id, _at(24))  # A004 served 180 s
    finish(session, two.id, _at(27))  # A003 served 600 s
    take_ticket(session, social.id, _at(30))  # A005, never called

    report = hall_stats(session, hall.id, DAY, DAY)

    by_counter = {row.counter: row.figures for row in report.rows}
    assert [row.counter for row in report.rows] == [1, 2, None]
    assert by_counter[1] == Figures(2, 2, 2, 0, 0, 750, 900, 240, 300, 0.0)
    assert by_counter[2] == Figures(2, 2, 1, 1, 0, 660, 720, 600, 600, 0.5)
    assert by_counter[None] == Figures(1, 0, 0, 0, 0, None, None, None, None, None)
    # waits 600, 900, 600, 720: mean 705, p90 rank 4 → 900; services 300, 180, 600: mean 360, p90 rank 3 → 600
    assert report.total == Figures(5, 4, 3, 1, 0, 705, 900, 360, 600, 0.25)
    assert {(row.day, row.service, row.counter_name) for row in report.rows} == {
        (DAY, "A", "1号窗口"),
        (DAY, "A", "2号窗口"),
        (DAY, "A", ""),
    }


def test_a_transfer_counts_one_issue_and_waits_from_the_transfer(session: Session, hall, social) -> None:
    jobs = add_service_type(session, hall.id, prefix="B", name="就业登记")
    one = add_counter(session, hall.id, number=1, services=[social])
    three = add_counter(session, hall.id, number=3, services=[jobs])
    take_ticket(session, social.id, _at(0))
    call_next(session, one.id, _at(5))  # waited 300 s
    start_service(session, one.id, _at(6))
    transfer(session, one.id, Transfer(service_type_id=jobs.id), _at(10))  # served 240 s at counter 1
    call_next(session, three.id, _at(13))  # waited 180 s since the transfer, not 780 s since arriving
    start_service(session, three.id, _at(14))
    finish(session, three.id, _at(20))  # served 360 s

    report = hall_stats(session, hall.id, DAY, DAY)

    assert [(row.service, row.counter, row.figures) for row in report.rows] == [
        ("A", 1, Figures(1, 1, 0, 0, 1, 300, 300, 240, 240, 0.0)),
        ("B", 3, Figures(0, 1, 1, 0, 0, 180, 180, 360, 360, 0.0)),
    ]
    assert report.total.issued == 1


def test_days_are_split_at_local_midnight_not_utc_midnight(session: Session, hall, social) -> None:
    late = datetime(2026, 12, 2, 15, 59, tzinfo=UTC)  # 23:59 on the 2nd in Lanzhou
    after_midnight = datetime(2026, 12, 2, 16, 0, 1, tzinfo=UTC)  # 00:00:01 on the 3rd, same UTC date
    take_ticket(session, social.id, late)
    take_ticket(session, social.id, after_midnight)
    take_ticket(session, social.id, after_midnight + timedelta(minutes=1))

    both = hall_stats(session, hall.id, DAY, DAY + timedelta(days=1))
    assert [(row.day, row.figures.issued) for row in both.rows] == [(DAY, 1), (DAY + timedelta(days=1), 2)]
    only_third = hall_stats(session, hall.id, DAY + timedelta(days=1), DAY + timedelta(days=1))
    assert only_third.total.issued == 2


def test_a_reversed_or_too_long_range_names_the_field_to_fix(session: Session, hall) -> None:
    with pytest.raises(ValidationError, match="to: 2026-12-01 is before from 2026-12-02"):
        hall_stats(session, hall.id, DAY, date(2026, 12, 1))
    with pytest.raises(ValidationError, match="from: at most 366 days at once, asked for 367"):
        hall_stats(session, hall.id, date(2025, 12, 1), date(2026, 12, 2))


# ---- CSV ---------------------------------------------------------------------------------


def test_csv_has_a_bom_a_bilingual_header_and_integer_seconds(session: Session, hall, social) -> None:
    one = add_counter(session, hall.id, number=1, services=[social])
    take_ticket(session, social.id, _at(0))
    take_ticket(session, social.id, _at(1))
    call_next(session, one.id, _at(3.5))  # waited 210 s
    start_service(session, one.id, _at(4))
    call_next(session, one.id, _at(9))  # A001 ended after 300 s; A002 waited 480 s
    no_show(session, one.id, _at(12))

    data = to_csv(hall_stats(session, hall.id, DAY, DAY))

    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == [f"{zh} {en}" for zh, en in CSV_COLUMNS]
    assert rows[0][:4] == ["日期 date", "业务 service", "业务名称 service name", "窗口 counter"]
    assert rows[1:] == [
        ["2026-12-02", "A", "社保业务", "1", "1号窗口", "2", "2", "1", "1", "0", "345", "480", "300", "300", "0.5000"]
    ]


def test_csv_makes_a_formula_named_service_or_counter_inert(session: Session, hall) -> None:
    hostile = add_service_type(session, hall.id, prefix="B", name="=cmd|' /C calc'!A0", name_en="x")
    counter = add_counter(session, hall.id, number=2, services=[hostile], name="@SUM(A1)")
    take_ticket(session, hostile.id, _at(0))
    call_next(session, counter.id, _at(1))

    rows = list(csv.reader(io.StringIO(to_csv(hall_stats(session, hall.id, DAY, DAY)).decode("utf-8-sig"))))

    assert rows[1][2] == "'=cmd|' /C calc'!A0"
    assert rows[1][4] == "'@SUM(A1)"
    assert rows[1][5] == "1"  # figures stay numbers
