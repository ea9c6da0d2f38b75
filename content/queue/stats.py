"""Queue statistics per hall-local day, service type and counter: counts, waits, service times, no-show rate.

``load_rows`` reads one plain ``TicketRow`` per ticket record from the database; ``summarise`` and
``figures`` aggregate plain rows and know nothing of sessions, so they are tested with plain data.

What is counted, per ticket record (a transfer ends one record and opens its continuation):

- **issued**: a number handed out (a transfer's continuation is not a new number);
- **called**: called at least once (recalls are not counted again);
- **done**, **no-shows**, **transferred**: the record's final state;
- **waiting time**: from joining the line (arrival; for a continuation, the transfer) to the first call;
- **service time**: from the start of service to its end (finished or transferred from the counter);
- **no-show rate**: no-shows ÷ called (none when nothing was called).

A record belongs to the day its number was issued on (``Ticket.day``, the hall-local date), to its
service type, and to the counter that called it (none while it was never called).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from content.csv_export import Cell, csv_text
from content.errors import NotFound, ValidationError
from content.org.tree import Hall
from content.queue.models import Counter, ServiceType, Ticket, TicketState

MAX_DAYS: Final = 366
PERCENTILE: Final = 90
CSV_COLUMNS: Final = (
    ("日期", "date"),
    ("业务", "service"),
    ("业务名称", "service name"),
    ("窗口", "counter"),
    ("窗口名称", "counter name"),
    ("取号", "issued"),
    ("叫号", "called"),
    ("办结", "done"),
    ("过号", "no-shows"),
    ("转移", "transferred"),
    ("平均等待(秒)", "mean wait (s)"),
    ("90%等待(秒)", "p90 wait (s)"),
    ("平均办理(秒)", "mean service (s)"),
    ("90%办理(秒)", "p90 service (s)"),
    ("过号率", "no-show rate"),
)


@dataclass(frozen=True)
class TicketRow:
    """One ticket record as the statistics see it."""

    day: date
    service: str  # the service type's letter
    service_name: str
    counter: int | None  # the number of the counter that called it; None while never called
    counter_name: str
    state: str
    issued: bool  # False for the continuation of a transfer: same number, not a new ticket
    queued_at: datetime  # arrival, or for a continuation the moment of the transfer
    called_at: datetime | None = None
    serving_at: datetime | None = None
    ended_at: datetime | None = None


@dataclass(frozen=True)
class Figures:
    """The counts and times of a group of ticket records; times in whole seconds, None without samples."""

    issued: int
    called: int
    done: int
    no_shows: int
    transferred: int
    wait_mean_seconds: int | None
    wait_p90_seconds: int | None
    service_mean_seconds: int | None
    service_p90_seconds: int | None
    no_show_rate: float | None  # no-shows ÷ called, to four places


@dataclass(frozen=True)
class StatsRow:
    """The figures of one hall-local day, service type and counter."""

    day: date
    service: str
    service_name: str
    counter: int | None
    counter_name: str
    figures: Figures

    def as_json(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "service": self.service,
            "service_name": self.service_name,
            "counter": self.counter,
            "counter_name": self.counter_name,
            **asdict(self.figures),
        }


@dataclass(frozen=True)
class Report:
    """A hall's statistics over the hall-local days ``first`` to ``last``, both included."""

    hall_id: int
    timezone: str
    first: date
    last: date
    rows: list[StatsRow]
    total: Figures

    def as_json(self) -> dict[str, Any]:
        return {
            "hall_id": self.hall_id,
            "timezone": self.timezone,
            "from": self.first.isoformat(),
            "to": self.last.isoformat(),
            "rows": [row.as_json() for row in self.rows],
            "total": asdict(self.total),
        }


def nearest_rank(values: Sequence[float], percent: int) -> float:
    """The ``percent``-th percentile of ``values`` by the nearest-rank method.

    Sorted ascending, it is the value at 1-based rank ⌈percent × N / 100⌉: the smallest value that at
    least ``percent`` % of the values are less than or equal to. It is always one of the values (no
    interpolation). The rank is computed in integers, so 90 % of 70 values is rank 63, never 64 by a
    floating-point 63.000…01. ``percent`` runs from 1 to 100; ``values`` must not be empty.
    """
    if not values:
        raise ValueError("the percentile of no values is undefined")
    if not 1 <= percent <= 100:
        raise ValueError(f"percent must be 1–100, got {percent}")
    ordered = sorted(values)
    rank = -(-percent * len(ordered) // 100)  # ceiling division
    return ordered[rank - 1]


def _whole(seconds: float) -> int:
    """Seconds rounded half up to an integer."""
    return math.floor(seconds + 0.5)


def _mean_and_p90(samples: list[float]) -> tuple[int | None, int | None]:
    if not samples:
        return None, None
    return _whole(sum(samples) / len(samples)), _whole(nearest_rank(samples, PERCENTILE))


def _seconds(delta: timedelta) -> float:
    return delta.total_seconds()


def figures(rows: Iterable[TicketRow]) -> Figures:
    """Aggregate ticket records into counts, mean and 90th-percentile times and the no-show rate."""
    issued = called = done = no_shows = transferred = 0
    waits: list[float] = []
    services: list[float] = []
    for row in rows:
        issued += row.issued
        done += row.state == TicketState.DONE.value
        no_shows += row.state == TicketState.NO_SHOW.value
        transferred += row.state == TicketState.TRANSFERRED.value
        if row.called_at is not None:
            called += 1
            waits.append(_seconds(row.called_at - row.queued_at))
        if row.serving_at is not None and row.ended_at is not None:
            services.append(_seconds(row.ended_at - row.serving_at))
    wait_mean, wait_p90 = _mean_and_p90(waits)
    service_mean, service_p90 = _mean_and_p90(services)
    rate = round(no_shows / called, 4) if called else None
    return Figures(issued, called, done, no_shows, transferred, wait_mean, wait_p90, service_mean, service_p90, rate)


def _group_key(row: TicketRow) -> tuple[date, str, int]:
    # Records never called sort after every counter of their service.
    return row.day, row.service, row.counter if row.counter is not None else 10**9


def summarise(rows: Iterable[TicketRow]) -> list[StatsRow]:
    """One StatsRow per hall-local day, service type and counter, in that order."""
    groups: dict[tuple[date, str, int], list[TicketRow]] = defaultdict(list)
    for row in rows:
        groups[_group_key(row)].append(row)
    found = []
    for key in sorted(groups):
        members = groups[key]
        first = members[0]
        found.append(
            StatsRow(first.day, first.service, first.service_name, first.counter, first.counter_name, figures(members))
        )
    return found


def check_range(first: date, last: date) -> None:
    """Refuse a reversed range or one longer than MAX_DAYS, naming the query field to fix."""
    if last < first:
        raise ValidationError.single("to", f"{last.isoformat()} is before from {first.isoformat()}")
    days = (last - first).days + 1
    if days > MAX_DAYS:
        raise ValidationError.single("from", f"at most {MAX_DAYS} days at once, asked for {days}")


def load_rows(session: Session, hall_id: int, first: date, last: date) -> list[TicketRow]:
    """Every ticket record of a hall issued on the hall-local days ``first`` to ``last``."""
    before = aliased(Ticket)  # the record a continuation was transferred from
    stmt = (
        select(
            Ticket.day,
            ServiceType.prefix,
            ServiceType.name,
            Counter.number,
            Counter.name,
            Ticket.state,
            Ticket.transferred_from_id,
            Ticket.arrived_at,
            before.ended_at,
            Ticket.called_at,
            Ticket.serving_at,
            Ticket.ended_at,
        )
        .join(ServiceType, ServiceType.id == Ticket.service_type_id)
        .outerjoin(Counter, Counter.id == Ticket.counter_id)
        .outerjoin(before, before.id == Ticket.transferred_from_id)
        .where(Ticket.hall_id == hall_id, Ticket.day >= first, Ticket.day <= last)
        .order_by(Ticket.id)
    )
    return [
        TicketRow(
            day=day,
            service=prefix,
            service_name=service_name,
            counter=counter,
            counter_name=counter_name or "",
            state=state,
            issued=from_id is None,
            queued_at=transferred_at or arrived_at,
            called_at=called_at,
            serving_at=serving_at,
            ended_at=ended_at,
        )
        for (
            day,
            prefix,
            service_name,
            counter,
            counter_name,
            state,
            from_id,
            arrived_at,
            transferred_at,
            called_at,
            serving_at,
            ended_at,
        ) in session.execute(stmt)
    ]


def hall_stats(session: Session, hall_id: int, first: date, last: date) -> Report:
    """The statistics of one hall over the hall-local days ``first`` to ``last``, both included."""
    hall = session.get(Hall, hall_id)
    if hall is None:
        raise NotFound("hall", hall_id)
    check_range(first, last)
    rows = load_rows(session, hall_id, first, last)
    return Report(hall.id, hall.timezone, first, last, summarise(rows), figures(rows))


def _cell(value: int | float | None, shown: Callable[[Any], str] = str) -> str:
    return "" if value is None else shown(value)


def to_csv(report: Report) -> bytes:
    """The report's rows as CSV for Excel: UTF-8 with a BOM, a bilingual header, seconds as integers.

    An empty counter cell means "never called". The no-show rate is a fraction with four places.
    Names (service types, counters) are written by ``content.csv_export``, so none runs as a formula.
    """
    rows: list[list[Cell]] = [
        [
            row.day.isoformat(),
            row.service,
            row.service_name,
            _cell(row.counter),
            row.counter_name,
            row.figures.issued,
            row.figures.called,
            row.figures.done,
            row.figures.no_shows,
            row.figures.transferred,
            _cell(row.figures.wait_mean_seconds),
            _cell(row.figures.wait_p90_seconds),
            _cell(row.figures.service_mean_seconds),
            _cell(row.figures.service_p90_seconds),
            _cell(row.figures.no_show_rate, lambda rate: f"{rate:.4f}"),
        ]
        for row in report.rows
    ]
    return csv_text([f"{zh} {en}" for zh, en in CSV_COLUMNS], rows).encode("utf-8")
