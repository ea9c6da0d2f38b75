"""Print commands in the domain: the server's own, never the console's; their short time limits; their rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from content_factories import Factory
from sqlalchemy.orm import Session

from content.citizens.kiosk_printers import (
    PrinterKind,
    PrinterReport,
    PrinterRole,
    PrinterState,
    mark_printers_unknown,
    printer_statuses,
    replace_printer_statuses,
    set_printer_status,
)
from content.org import device_commands as dc
from content.org.device_commands import Command, UnsupportedCommand

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
SLIP_ARGS = {"role": "slip", "document": "slip", "ticket": "A005", "_ticket_id": 7, "_status_url": "https://x/q/c"}


def test_a_print_is_never_offered_to_nor_taken_from_the_console() -> None:
    assert Command.PRINT not in dc.commands_for("kiosk")
    with pytest.raises(UnsupportedCommand, match="unknown command 'print'; use one of reload"):
        dc.parse_command("print")
    with pytest.raises(UnsupportedCommand, match="needs a kiosk device agent"):
        dc.executor_for("wall", Command.PRINT)


def test_a_print_keeps_its_args_and_sends_only_the_contracts(session: Session, make: Factory) -> None:
    kiosk = make.screen(kind="kiosk")
    row = dc.request(session, kiosk, Command.PRINT, requested_by="kiosk", now=T0, args=SLIP_ARGS)
    assert row.executor == "agent" and row.args == SLIP_ARGS
    assert row.wire() == {
        "id": row.id,
        "command": "print",
        "args": {"role": "slip", "document": "slip", "ticket": "A005"},
    }
    other = dc.request(session, kiosk, Command.DOCTOR, requested_by="tech", now=T0, args={"ignored": True})
    assert other.args == {}, "only a print takes args from its caller"


def test_a_print_times_out_after_20_s_and_fails_agent_offline_when_nobody_sends_it(
    session: Session, make: Factory
) -> None:
    kiosk = make.screen(kind="kiosk")
    sent = dc.request(session, kiosk, Command.PRINT, requested_by="kiosk", now=T0, args=SLIP_ARGS)
    waiting = dc.request(session, kiosk, Command.PRINT, requested_by="kiosk", now=T0, args=SLIP_ARGS)
    dc.mark_sent(session, sent.id, T0)
    assert dc.expire(session, T0 + timedelta(seconds=9)) == []
    ended = dc.expire(session, T0 + timedelta(seconds=11))
    assert [(r.id, r.state, r.error) for r in ended] == [(waiting.id, "failed", "agent_offline")]
    ended = dc.expire(session, T0 + timedelta(seconds=21))
    assert [(r.id, r.state, r.error, r.message) for r in ended] == [
        (sent.id, "failed", "timeout", "no answer within 20 s")
    ]


def test_printer_rows_follow_the_hello_the_status_and_the_agent_leaving(session: Session, make: Factory) -> None:
    kiosk = make.screen(kind="kiosk")
    slip = PrinterReport(PrinterRole.SLIP, PrinterKind.ESCPOS_NETWORK, PrinterState.READY, "ok", paper_mm=58)
    a4 = PrinterReport(PrinterRole.A4, PrinterKind.CUPS, PrinterState.READY, "idle", paper_mm=80)
    replace_printer_statuses(session, kiosk.id, [a4, slip], T0)
    rows = printer_statuses(session, kiosk.id)
    assert [(r.role, r.paper_mm, r.printable) for r in rows] == [("slip", 58, True), ("a4", None, True)]
    same = set_printer_status(session, kiosk.id, slip, T0 + timedelta(minutes=1))
    assert same.changed_at == T0, "nothing changed: the change time stays"
    out = PrinterReport(PrinterRole.SLIP, PrinterKind.ESCPOS_NETWORK, PrinterState.PAPER_OUT, "paper end", paper_mm=58)
    changed = set_printer_status(session, kiosk.id, out, T0 + timedelta(minutes=2))
    assert changed.changed_at == T0 + timedelta(minutes=2) and not changed.printable
    assert mark_printers_unknown(session, kiosk.id, T0 + timedelta(minutes=3)) == 2
    assert {r.state for r in printer_statuses(session, kiosk.id)} == {"unknown"}
    replace_printer_statuses(session, kiosk.id, [], T0 + timedelta(minutes=4))
    assert printer_statuses(session, kiosk.id) == []
