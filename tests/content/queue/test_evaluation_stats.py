"""好差评 statistics on known data: counts per level, 未评价, 满意率, grouping, and the CSV."""

from __future__ import annotations

import csv
import io
from datetime import date

from content.queue.evaluation_stats import EvaluationRow, GroupBy, csv_of, percent, tally

D1, D2 = date(2026, 12, 1), date(2026, 12, 2)


def _row(level: int | None, state: str = "rated", counter: str = "1号窗口", staff: str = "王芳", day: date = D1):
    return EvaluationRow(day=day, counter=counter, staff=staff, service="社保业务", state=state, level=level)


ROWS = [
    _row(5),
    _row(5),
    _row(4),
    _row(3),
    _row(1),
    _row(None, "expired"),
    _row(None, "withdrawn"),
    _row(None, "pending"),
    _row(2, counter="2号窗口", staff='=HYPERLINK("x")', day=D2),
    _row(5, counter="2号窗口", staff='=HYPERLINK("x")', day=D2),
]


def test_counts_levels_not_rated_and_satisfaction_per_counter_with_a_total() -> None:
    one, two, total = tally(ROWS, GroupBy.COUNTER)
    assert one.key == "1号窗口"
    assert one.evaluations == 8
    assert one.levels == {5: 2, 4: 1, 3: 1, 2: 0, 1: 1}
    assert (one.rated, one.not_rated) == (5, 2)  # the pending one is neither
    assert one.satisfaction == 4 / 5
    assert (two.rated, two.satisfaction) == (2, 0.5)
    assert total.key == ""
    assert (total.evaluations, total.rated, total.not_rated) == (10, 7, 2)
    assert total.satisfaction == 5 / 7


def test_grouping_by_day_and_staff() -> None:
    by_day = tally(ROWS, GroupBy.DAY)
    assert [(t.key, t.evaluations) for t in by_day] == [("2026-12-01", 8), ("2026-12-02", 2), ("", 10)]
    by_staff = tally(ROWS, GroupBy.STAFF)
    assert [t.key for t in by_staff][:-1] == sorted(["王芳", '=HYPERLINK("x")'])


def test_satisfaction_is_none_without_ratings_and_shown_with_one_decimal() -> None:
    (only, _total) = tally([_row(None, "expired")], GroupBy.COUNTER)
    assert only.satisfaction is None
    assert percent(None) == ""
    assert percent(5 / 7) == "71.4%"


def test_the_csv_has_every_column_and_no_cell_a_spreadsheet_would_run() -> None:
    text = csv_of(tally(ROWS, GroupBy.STAFF), GroupBy.STAFF)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == [
        "工作人员 staff member",
        "评价数 evaluations",
        "非常满意 very satisfied",
        "满意 satisfied",
        "基本满意 fairly satisfied",
        "不满意 dissatisfied",
        "非常不满意 very dissatisfied",
        "已评价 rated",
        "未评价 not rated",
        "满意率 satisfaction",
    ]
    body = {row[0]: row[1:] for row in rows[1:]}
    assert body['\'=HYPERLINK("x")'] == ["2", "1", "0", "0", "1", "0", "2", "0", "50.0%"]
    assert body["王芳"] == ["8", "2", "1", "1", "0", "1", "5", "2", "80.0%"]
    assert body["合计 total"] == ["10", "3", "1", "1", "1", "1", "7", "2", "71.4%"]
