"""The printers' worker: a status the server did not take is said again; the hello carries them all."""

from __future__ import annotations

import threading
from typing import Any

from devices.agent.printer_config import PrinterConfig
from devices.agent.printing import Printing
from devices.drivers.printer_states import PrinterKind, PrinterRole, PrinterState, StateReport
from tests.support.server import wait_for

SLIP = PrinterConfig(PrinterRole.SLIP, PrinterKind.ESCPOS_NETWORK, host="192.0.2.1", paper_mm=80)


class FakeDriver:
    """Answers ``check`` with a settable report; anything else a driver offers raises."""

    def __init__(self) -> None:
        self.report = StateReport(PrinterState.READY)

    def check(self) -> StateReport:
        return self.report

    def __getattr__(self, name: str) -> Any:
        raise NotImplementedError(f"FakeDriver.{name}")


class Link:
    """Records sends; answers with the next ack from ``acks`` (None: not connected)."""

    def __init__(self, *acks: Any) -> None:
        self.acks = list(acks)
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self.changed = threading.Condition()

    def send(self, event: str, payload: dict[str, Any]) -> Any:
        with self.changed:
            self.sent.append((event, payload))
            self.changed.notify_all()
            return self.acks.pop(0) if self.acks else {"ok": True}

    def wait_sent(self, count: int) -> list[tuple[str, dict[str, Any]]]:
        with self.changed:
            assert self.changed.wait_for(lambda: len(self.sent) >= count, 10), f"only {self.sent!r}"
            return list(self.sent)


def checked(printing: Printing, driver: FakeDriver, state: PrinterState, message: str = "") -> None:
    """Set the printer's state and wait until the worker has checked it."""
    driver.report = StateReport(state, message)
    printing.poll_now()

    def seen() -> bool:
        status = printing.status(PrinterRole.SLIP)
        return status is not None and status.state == state.value

    wait_for(seen, 10, f"the worker to see {state}")


def test_a_status_the_server_did_not_take_is_sent_again_at_the_next_check() -> None:
    driver = FakeDriver()
    link = Link()
    printing = Printing((SLIP,), drivers={PrinterRole.SLIP: driver}, poll_seconds=3600)  # type: ignore[dict-item]
    printing.attach(link.send)
    printing.start()
    try:
        link.wait_sent(1)  # the first check: ready, taken
        link.acks = [None]  # the link drops: the next status is not taken
        checked(printing, driver, PrinterState.PAPER_OUT, "the paper roll is empty")
        link.wait_sent(2)
        printing.poll_now()  # same state, but the server never heard it
        sent = link.wait_sent(3)
        printing.poll_now()  # taken now: the same state is not sent again
        printing.poll_now()
        driver.report = StateReport(PrinterState.READY)
        printing.poll_now()
        sent = link.wait_sent(4)
    finally:
        printing.stop()
    assert [p["state"] for _e, p in sent] == ["ready", "paper_out", "paper_out", "ready"]
    assert {e for e, _p in sent} == {"printer_status"}


def test_the_hello_waits_for_the_first_check_and_carries_what_was_not_taken() -> None:
    driver = FakeDriver()
    driver.report = StateReport(PrinterState.PAPER_LOW, "the paper roll is near its end")
    link = Link(None)  # the first status goes nowhere: the agent is still connecting
    printing = Printing((SLIP,), drivers={PrinterRole.SLIP: driver}, poll_seconds=3600)  # type: ignore[dict-item]
    printing.attach(link.send)
    printing.start()
    try:
        hello = printing.statuses(wait=10)
        printing.poll_now()  # the hello carried it: nothing to say again
        driver.report = StateReport(PrinterState.READY)
        printing.poll_now()
        sent = link.wait_sent(2)
    finally:
        printing.stop()
    assert hello == [
        {
            "role": "slip",
            "kind": "escpos-network",
            "state": "paper_low",
            "message": "the paper roll is near its end",
            "checked_at": hello[0]["checked_at"],
            "paper_mm": 80,
        }
    ]
    assert [p["state"] for _e, p in sent] == ["paper_low", "ready"]


def test_a_job_that_breaks_the_driver_is_answered_and_the_worker_carries_on() -> None:
    driver = FakeDriver()  # print_job raises NotImplementedError
    link = Link()
    printing = Printing((SLIP,), drivers={PrinterRole.SLIP: driver}, poll_seconds=3600)  # type: ignore[dict-item]
    printing.attach(link.send)
    printing.start()
    try:
        link.wait_sent(1)
        printing.submit(
            {"id": 5, "command": "print", "args": {"role": "slip", "document": "slip", "ticket": "A1"}, "data": b"x"}
        )
        sent = link.wait_sent(2)
        driver.report = StateReport(PrinterState.PAPER_LOW, "low")
        printing.poll_now()
        sent = link.wait_sent(3)
    finally:
        printing.stop()
    assert sent[1] == (
        "command_result",
        {"id": 5, "ok": False, "error": "print_failed", "message": "the agent failed while printing"},
    )
    assert sent[2][1]["state"] == "paper_low"
