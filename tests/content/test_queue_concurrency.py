"""Eight counters calling in parallel, 200 calls each: no ticket is called twice and none is skipped.

Real engines with a connection per thread: a SQLite file in WAL mode, and PostgreSQL when reachable.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.orm import Session

from content import models
from content.org.tree import Hall, OrgUnit
from content.queue.models import EventKind, Ticket, TicketEvent, TicketState
from content.queue.setup import add_counter, add_service_type
from content.queue.ticketing import call_next, take_ticket
from tests.conftest import POSTGRES_SKIP, POSTGRES_UP

COUNTERS = 8
CALLS_EACH = 60  # 480 calls racing on 8 threads: contention enough to catch a double call
START = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)


def _sqlite_engine(path: str) -> Engine:
    engine = create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine


def _prepare(engine: Engine) -> tuple[list[int], list[int]]:
    """A hall with one line, COUNTERS counters and COUNTERS × CALLS_EACH waiting tickets."""
    models.Base.metadata.create_all(engine)
    with Session(engine) as session:
        province = OrgUnit(level="province", name="甘肃省", path="")
        session.add(province)
        session.flush()
        province.path = f"/{province.id}/"
        hall = Hall(org_unit=province, name="兰州市人力资源市场", timezone="Asia/Shanghai")
        session.add(hall)
        session.flush()
        line = add_service_type(session, hall.id, prefix="A", name="社保业务")
        counters = [add_counter(session, hall.id, number=n, services=[line]).id for n in range(1, COUNTERS + 1)]
        tickets = [
            take_ticket(session, line.id, START + timedelta(milliseconds=i)).id for i in range(COUNTERS * CALLS_EACH)
        ]
        session.commit()
    return counters, tickets


def _call_in_parallel(engine: Engine, counters: list[int]) -> tuple[dict[int, list[int]], list[BaseException]]:
    called: dict[int, list[int]] = {c: [] for c in counters}
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(counters))

    def work(counter_id: int) -> None:
        try:
            barrier.wait(timeout=30)
            with Session(engine) as session:
                for i in range(CALLS_EACH):
                    ticket = call_next(session, counter_id, START + timedelta(minutes=10, milliseconds=i))
                    session.commit()
                    assert ticket is not None, f"counter {counter_id} found nobody waiting at call {i}"
                    called[counter_id].append(ticket.id)
        except BaseException as err:  # noqa: BLE001 - reported by the test thread below
            errors.append(err)

    threads = [threading.Thread(target=work, args=(c,)) for c in counters]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(t.is_alive() for t in threads), "a counter thread did not finish within 5 minutes"
    return called, errors


def _check(engine: Engine, tickets: list[int], called: dict[int, list[int]]) -> None:
    every = [t for ids in called.values() for t in ids]
    assert len(every) == len(set(every)), "a ticket was called twice"
    assert sorted(every) == sorted(tickets), "a ticket was skipped"
    with Session(engine) as session:
        assert session.scalar(select(Ticket.id).where(Ticket.state == TicketState.WAITING.value)) is None
        order = session.scalars(
            select(TicketEvent.ticket_id).where(TicketEvent.kind == EventKind.CALL.value).order_by(TicketEvent.id)
        ).all()
    # Calls were serialised: taken in the order the tickets were issued, first come first served.
    assert list(order) == sorted(tickets)
    for ids in called.values():
        assert ids == sorted(ids)


def _run(engine: Engine) -> None:
    counters, tickets = _prepare(engine)
    called, errors = _call_in_parallel(engine, counters)
    assert not errors, errors[0]
    _check(engine, tickets, called)


def test_parallel_counters_on_sqlite(tmp_path: Any) -> None:
    engine = _sqlite_engine(str(tmp_path / "queue.db"))
    try:
        _run(engine)
    finally:
        engine.dispose()


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES_UP, reason=POSTGRES_SKIP)
def test_parallel_counters_on_postgres(postgres_schemas: Callable[[], str]) -> None:
    engine = create_engine(postgres_schemas(), pool_size=COUNTERS + 2)
    try:
        _run(engine)
    finally:
        engine.dispose()
