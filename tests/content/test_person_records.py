"""The shared records shapes: the 36-month window, month arithmetic, and runs of unpaid months."""

from __future__ import annotations

from datetime import date

from content.citizens.person_records import (
    HISTORY_MONTHS,
    ContributionMonth,
    Gap,
    contribution_gaps,
    history_months,
    month_index,
    month_start,
    month_text,
)


def months(pattern: str, first: str = "2026-01") -> list[ContributionMonth]:
    """Consecutive months from ``first``: "P" paid, "." unpaid."""
    start = month_index(date.fromisoformat(first + "-01"))
    return [
        ContributionMonth(
            month_text(start + n),
            mark == "P",
            500_000 if mark == "P" else None,
            40_000 if mark == "P" else None,
            "兰州鑫博物流有限公司" if mark == "P" else "",
        )
        for n, mark in enumerate(pattern)
    ]


def test_history_is_the_36_months_before_todays_month_oldest_first() -> None:
    window = history_months(date(2026, 11, 22))
    assert len(window) == HISTORY_MONTHS == 36
    assert window[0] == "2023-11" and window[-1] == "2026-10"
    assert window == sorted(window) and len(set(window)) == 36


def test_history_crosses_year_ends_and_ignores_the_day_of_the_month() -> None:
    assert history_months(date(2026, 1, 1), 3) == ["2025-10", "2025-11", "2025-12"]
    assert history_months(date(2026, 1, 31), 3) == history_months(date(2026, 1, 1), 3)
    assert history_months(date(2026, 3, 5), 0) == []


def test_month_index_text_and_start_round_trip() -> None:
    index = month_index(date(2024, 2, 29))
    assert month_text(index) == "2024-02" and month_start(index) == date(2024, 2, 1)
    assert month_index(date(2025, 1, 15)) - month_index(date(2024, 12, 31)) == 1
    assert month_text(month_index(date(999, 12, 1)) + 1) == "1000-01"


def test_no_unpaid_month_means_no_gap() -> None:
    assert contribution_gaps(months("PPPP")) == []
    assert contribution_gaps([]) == []


def test_gaps_are_runs_of_unpaid_months_with_their_ends_and_lengths() -> None:
    gaps = contribution_gaps(months("PP...PP.P..", first="2025-11"))
    assert gaps == [Gap("2026-01", "2026-03", 3), Gap("2026-06", "2026-06", 1), Gap("2026-08", "2026-09", 2)]


def test_a_gap_at_either_end_counts_and_all_unpaid_is_one_gap() -> None:
    assert contribution_gaps(months("..PP.")) == [Gap("2026-01", "2026-02", 2), Gap("2026-05", "2026-05", 1)]
    assert contribution_gaps(tuple(months("." * 36, first="2023-11"))) == [Gap("2023-11", "2026-10", 36)]


def test_a_retirees_months_after_retiring_are_no_gap() -> None:
    from content.citizens.person_records import (
        Balances,
        EmploymentState,
        EmploymentStatus,
        PersonRecords,
        gaps_while_liable,
        retired_from,
    )

    today = date(2026, 1, 5)
    months = tuple(
        ContributionMonth(m, m < "2025-03" and m != "2024-06", None, None, "") for m in history_months(today)
    )
    retired = EmploymentStatus(EmploymentState.RETIRED, date(2025, 3, 1), "", "")
    records = PersonRecords((), months, Balances(0, 0, today), retired, "不限", today)
    assert retired_from(records) == "2025-03"
    assert [(g.first, g.months) for g in gaps_while_liable(records)] == [("2024-06", 1)]
    working = PersonRecords(
        (), months, Balances(0, 0, today), EmploymentStatus(EmploymentState.EMPLOYED, None, "", ""), "不限", today
    )
    assert retired_from(working) is None and [g.first for g in gaps_while_liable(working)] == ["2024-06", "2025-03"]
