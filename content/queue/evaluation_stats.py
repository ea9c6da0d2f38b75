"""好差评 statistics per counter, staff member, service type or day: counts per level, 满意率, 未评价.

``load_rows`` reads one plain ``EvaluationRow`` per evaluation; ``tally`` aggregates plain rows and
knows nothing of sessions, so the arithmetic is tested with plain data. What is counted:

- **evaluations**: services finished at a counter with an evaluator (withdrawn ones included: the
  citizen left without answering);
- **each level** and **rated**: the ratings given;
- **未评价**: expired or withdrawn (still pending ones are neither rated nor 未评价 yet);
- **满意率** = (非常满意 + 满意 + 基本满意) ÷ rated, none when nothing was rated.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from content.csv_export import Cell, csv_text
from content.queue.evaluations import SATISFIED_LEVELS, EvaluationState, Level, ServiceEvaluation
from content.queue.models import Counter


class GroupBy(StrEnum):
    COUNTER = "counter"
    STAFF = "staff"
    SERVICE = "service"
    DAY = "day"


# Level words, best first: the CSV's columns and the console's table heads.
LEVEL_WORDS: Final = (
    (Level.VERY_SATISFIED, "非常满意", "very satisfied"),
    (Level.SATISFIED, "满意", "satisfied"),
    (Level.FAIRLY_SATISFIED, "基本满意", "fairly satisfied"),
    (Level.DISSATISFIED, "不满意", "dissatisfied"),
    (Level.VERY_DISSATISFIED, "非常不满意", "very dissatisfied"),
)
GROUP_WORDS: Final = {
    GroupBy.COUNTER: ("窗口", "counter"),
    GroupBy.STAFF: ("工作人员", "staff member"),
    GroupBy.SERVICE: ("业务类型", "service"),
    GroupBy.DAY: ("日期", "date"),
}
NO_STAFF: Final = "（未登记）"


@dataclass(frozen=True)
class EvaluationRow:
    """One evaluation as the statistics see it."""

    day: date
    counter: str
    staff: str
    service: str
    state: str
    level: int | None


@dataclass(frozen=True)
class Tally:
    """The counts of one group; ``satisfaction`` is a fraction 0…1, None when nothing was rated."""

    key: str
    evaluations: int
    levels: dict[int, int]
    not_rated: int

    @property
    def rated(self) -> int:
        return sum(self.levels.values())

    @property
    def satisfaction(self) -> float | None:
        rated = self.rated
        if not rated:
            return None
        return sum(self.levels[int(level)] for level in SATISFIED_LEVELS) / rated


def load_rows(session: Session, hall_ids: Sequence[int], first: date, last: date) -> list[EvaluationRow]:
    """The evaluations of the halls between two hall-local days, inclusive."""
    rows = session.execute(
        select(ServiceEvaluation, Counter.name)
        .join(Counter, Counter.id == ServiceEvaluation.counter_id)
        .where(ServiceEvaluation.hall_id.in_(list(hall_ids)), ServiceEvaluation.day.between(first, last))
        .order_by(ServiceEvaluation.id)
    ).all()
    return [
        EvaluationRow(
            day=evaluation.day,
            counter=counter_name,
            staff=evaluation.staff_name or NO_STAFF,
            service=evaluation.service_name,
            state=evaluation.state,
            level=evaluation.level,
        )
        for evaluation, counter_name in rows
    ]


_KEYS: Final[dict[GroupBy, Callable[[EvaluationRow], str]]] = {
    GroupBy.COUNTER: lambda row: row.counter,
    GroupBy.STAFF: lambda row: row.staff,
    GroupBy.SERVICE: lambda row: row.service,
    GroupBy.DAY: lambda row: row.day.isoformat(),
}


def tally(rows: Iterable[EvaluationRow], by: GroupBy) -> list[Tally]:
    """Group the rows and count each group, sorted by key, with the total last (key ``""``)."""
    groups: dict[str, list[EvaluationRow]] = defaultdict(list)
    every: list[EvaluationRow] = []
    for row in rows:
        groups[_KEYS[by](row)].append(row)
        every.append(row)
    return [_count(key, groups[key]) for key in sorted(groups)] + [_count("", every)]


def _count(key: str, rows: list[EvaluationRow]) -> Tally:
    levels = {int(level): 0 for level in Level}
    not_rated = 0
    for row in rows:
        if row.state == EvaluationState.RATED.value and row.level in levels:
            levels[row.level] += 1
        elif row.state in (EvaluationState.EXPIRED.value, EvaluationState.WITHDRAWN.value):
            not_rated += 1
    return Tally(key=key, evaluations=len(rows), levels=levels, not_rated=not_rated)


def percent(fraction: float | None) -> str:
    """满意率 as shown and exported: one decimal, or an empty cell when nothing was rated."""
    return "" if fraction is None else f"{fraction * 100:.1f}%"


def csv_of(tallies: Sequence[Tally], by: GroupBy) -> str:
    """The tallies as CSV (formula-safe, through content/csv_export.py), heads in Chinese and English."""
    group_zh, group_en = GROUP_WORDS[by]
    header = [
        f"{group_zh} {group_en}",
        "评价数 evaluations",
        *(f"{zh} {en}" for _, zh, en in LEVEL_WORDS),
        "已评价 rated",
        "未评价 not rated",
        "满意率 satisfaction",
    ]
    rows: list[list[Cell]] = [
        [
            tally_.key or "合计 total",
            tally_.evaluations,
            *(tally_.levels[int(level)] for level, _, _ in LEVEL_WORDS),
            tally_.rated,
            tally_.not_rated,
            percent(tally_.satisfaction),
        ]
        for tally_ in tallies
    ]
    return csv_text(header, rows)
