"""Asking a kiosk's agent to print: a queue slip when a ticket is taken, a certificate on 打印证明.

A print is a remote-care command (``print``, executed by the kiosk's agent: docs/protocol.md,
"Printers"), requested by the server itself, never by the console. Decisions:

- The slip is requested by the server in the request that takes the ticket, so one take is one
  slip, whatever the page does; the page may ask for one reprint (再打一张) per ticket, no more.
- A print is asked for only when the printer of its role says it can print now (ready, or paper
  low): a kiosk without one, or with one out of paper, tells the citizen before they ask, and
  nothing is queued to come out later when nobody stands there. A printer whose agent is gone
  (``unknown``) is asked anyway, and the print fails at once ``agent_offline``: the failure is
  counted, and an agent that is in fact connected to another server process still prints.
- The page follows a print by asking for its state (``kiosk_server/kiosk_print_api.py``); the
  command row is the one truth, across server processes.
"""

from __future__ import annotations

from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from content.citizens.kiosk_printers import PrinterRole, PrinterState, PrinterStatus, printer_for
from content.org.device_commands import Command, DeviceCommand
from content.org.screens import Screen
from content.queue.models import Ticket
from kiosk_server.print_documents import CERTIFICATE, MATCH_LIST_ARG, SLIP
from kiosk_server.remote_care import RemoteCare

SLIPS_PER_TICKET: Final = 2  # the one printed when it was taken, and one reprint


class NotPrintable(Exception):
    """The kiosk cannot print this now: ``code`` says why (``no_printer``, a printer state, ``reprinted``)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def kiosk_actor(screen_id: int) -> str:
    """Who asked, in the audit log: the kiosk's page (by id: keys are credentials)."""
    return f"kiosk:screen-{screen_id}"


def printer_view(row: PrinterStatus | None) -> dict[str, Any] | None:
    """A printer as the kiosk page sees it: its state, and whether a job would be sent to it now."""
    if row is None:
        return None
    view: dict[str, Any] = {"state": row.state, "ready": row.printable}
    if row.paper_mm is not None:
        view["paper_mm"] = row.paper_mm
    return view


def print_view(row: DeviceCommand) -> dict[str, Any]:
    """A print as the kiosk page follows it: id, state and, once failed, the error code (never the message)."""
    return {
        "id": row.id,
        "state": row.state,
        "error": row.error if row.finished else "",
        "document": row.args.get("document"),
    }


def _printable(session: Session, screen: Screen, role: PrinterRole) -> PrinterStatus:
    printer = printer_for(session, screen.id, role)
    if printer is None:
        raise NotPrintable("no_printer")
    if not printer.printable and printer.state != PrinterState.UNKNOWN.value:
        raise NotPrintable(printer.state)
    return printer


def _agent_seen(printer: PrinterStatus) -> bool:
    return printer.state != PrinterState.UNKNOWN.value


def slip_prints(session: Session, screen_id: int, ticket: Ticket) -> list[DeviceCommand]:
    """The slips this kiosk was asked to print for ``ticket``, oldest first."""
    rows = session.scalars(
        select(DeviceCommand)
        .where(
            DeviceCommand.screen_id == screen_id,
            DeviceCommand.command == Command.PRINT.value,
            DeviceCommand.requested_at >= ticket.arrived_at,
        )
        .order_by(DeviceCommand.id)
    )
    return [row for row in rows if row.args.get("_ticket_id") == ticket.id]


def print_slip(
    session: Session, care: RemoteCare, screen: Screen, ticket: Ticket, status_url: str, *, reprint: bool = False
) -> DeviceCommand:
    """Ask the kiosk's agent to print ``ticket``'s slip (committed); NotPrintable when it cannot now.

    ``reprint``: the page's 再打一张, allowed once per ticket (``reprinted`` after that).
    """
    printer = _printable(session, screen, PrinterRole.SLIP)
    if reprint and len(slip_prints(session, screen.id, ticket)) >= SLIPS_PER_TICKET:
        raise NotPrintable("reprinted")
    args = {
        "role": PrinterRole.SLIP.value,
        "document": SLIP,
        "ticket": ticket.number,
        "_ticket_id": ticket.id,
        "_status_url": status_url,
    }
    return care.request_print(session, screen, args, actor=kiosk_actor(screen.id), agent_seen=_agent_seen(printer))


def print_certificate(session: Session, care: RemoteCare, screen: Screen, certificate_id: int) -> DeviceCommand:
    """Ask the kiosk's agent to print certificate ``certificate_id`` on A4 (committed); NotPrintable when it cannot."""
    printer = _printable(session, screen, PrinterRole.A4)
    args = {"role": PrinterRole.A4.value, "document": CERTIFICATE, "certificate": certificate_id}
    return care.request_print(session, screen, args, actor=kiosk_actor(screen.id), agent_seen=_agent_seen(printer))


def print_match_list(session: Session, care: RemoteCare, screen: Screen, vacancy_ids: list[int]) -> DeviceCommand:
    """Ask the kiosk's agent to print a list of matched vacancies on its slip printer (committed).

    On the wire it is a ``slip`` (the agent knows one document per printer); ``ticket`` only labels it.
    """
    printer = _printable(session, screen, PrinterRole.SLIP)
    args = {"role": PrinterRole.SLIP.value, "document": SLIP, "ticket": "JOBLIST", MATCH_LIST_ARG: list(vacancy_ids)}
    return care.request_print(session, screen, args, actor=kiosk_actor(screen.id), agent_seen=_agent_seen(printer))


def kiosk_print(session: Session, screen_id: int, command_id: int) -> DeviceCommand | None:
    """The print ``command_id`` if it was asked of this kiosk, else None."""
    row = session.get(DeviceCommand, command_id)
    if row is None or row.screen_id != screen_id or row.command != Command.PRINT.value:
        return None
    return row
