"""What a print command carries: the ESC/POS bytes of a slip or the PDF of a certificate, made when it is sent.

A print command's row keeps what to print (a ticket, a certificate) and never the bytes: remote care
(``kiosk_server/remote_care.py``) calls ``document_bytes`` as it sends the command, and the bytes go
out as the Socket.IO binary attachment ``data`` (docs/protocol.md, "Printers"). A slip is drawn for
the paper width the kiosk's slip printer reports, with the queue as it stands when it is sent.

The server's own arguments start with ``_`` and never reach the agent (``DeviceCommand.wire``):
``_ticket_id`` and ``_status_url`` for a slip (the page's address is known only in the request that
took the ticket), ``_vacancy_ids`` for a slip listing matched vacancies (drawn when sent, so a
vacancy deleted in between is left out). A certificate's PDF is kept (sealed) only for its download
window: a print after it fails with ``no_document``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from content.citizens.certificates import Certificate, pdf_for_print
from content.citizens.kiosk_printers import PrinterRole, printer_for
from content.library.items import Vacancy
from content.org.device_commands import DeviceCommand
from content.org.screens import Screen
from content.queue.board import ticket_status
from content.queue.models import Ticket
from content.queue.ticketing import latest_of
from kiosk_server.match_slip import ListedVacancy, MatchList, match_list_bytes
from kiosk_server.ticket_slip import Paper, SlipContent, SlipError, slip_bytes

NO_DOCUMENT: Final = "no_document"  # the command fails with this when there is nothing to print any more
SLIP: Final = "slip"
CERTIFICATE: Final = "certificate"
# A slip that lists matched vacancies (kiosk_server/match_slip.py) carries their ids under this server-only
# argument; on the wire it is a ``slip`` like the queue's, since the agent knows one document per printer.
MATCH_LIST_ARG: Final = "_vacancy_ids"


class NoDocument(Exception):
    """The print's document cannot be made (the ticket is gone, the certificate's PDF is no longer kept)."""


def slip_content(session: Session, ticket: Ticket, now: datetime, status_url: str) -> SlipContent:
    """The slip of ``ticket`` as the queue stands at ``now`` (it follows the ticket through transfers)."""
    status = ticket_status(session, latest_of(session, ticket), now)
    return SlipContent(
        hall_name=status["hall"]["name"],
        service_name=status["service"]["name"],
        number=status["number"],
        ahead=status["ahead"],
        wait_minutes=status["wait_minutes"],
        wait_minutes_low=status.get("wait_minutes_low"),
        wait_minutes_high=status.get("wait_minutes_high"),
        issued_at=ticket.arrived_at,
        timezone=status["hall"]["timezone"],
        status_url=status_url,
        priority=ticket.priority,
    )


def paper_of(session: Session, screen_id: int) -> Paper:
    """The paper width of the kiosk's slip printer (80 mm unless it reports 58)."""
    printer = printer_for(session, screen_id, PrinterRole.SLIP)
    return Paper.MM58 if printer is not None and printer.paper_mm == Paper.MM58 else Paper.MM80


def document_bytes(session: Session, row: DeviceCommand, now: datetime, certificate_print_key: bytes) -> bytes:
    """The bytes the print command ``row`` carries; NoDocument when there is nothing to print.

    ``certificate_print_key`` opens a kept certificate PDF (``CitizenPolicy.certificate_print_key``): every
    process has it, so whichever one holds the kiosk's agent can send the print.
    """
    args: dict[str, Any] = dict(row.args or {})
    document = args.get("document")
    if document == SLIP and MATCH_LIST_ARG in args:
        return _match_list(session, row.screen_id, args[MATCH_LIST_ARG], now)
    if document == SLIP:
        ticket = session.get(Ticket, args.get("_ticket_id"))
        if ticket is None:
            raise NoDocument("the ticket no longer exists")
        try:
            return slip_bytes(
                slip_content(session, ticket, now, str(args.get("_status_url", ""))), paper_of(session, row.screen_id)
            )
        except SlipError as err:
            raise NoDocument(str(err)) from err
    if document == CERTIFICATE:
        return _certificate_pdf(session, args.get("certificate"), now, certificate_print_key)
    raise NoDocument(f"unknown document {document!r}")


def _match_list(session: Session, screen_id: int, vacancy_ids: Any, now: datetime) -> bytes:
    """The list of the vacancies still there, in the order asked (those deleted since are left out)."""
    screen = session.get(Screen, screen_id)
    ids = [i for i in vacancy_ids if isinstance(i, int)] if isinstance(vacancy_ids, list) else []
    found = {v.id: v for v in session.scalars(select(Vacancy).where(Vacancy.id.in_(ids)))} if ids else {}
    listed = [
        ListedVacancy(v.title, v.employer.name, v.salary_text, v.district, v.contact)
        for v in (found.get(i) for i in ids)
        if v is not None
    ]
    if screen is None or not listed:
        raise NoDocument("the vacancies of the list no longer exist")
    try:
        return match_list_bytes(MatchList(screen.hall.name, listed, now, screen.hall.timezone))
    except SlipError as err:
        raise NoDocument(str(err)) from err


def _certificate_pdf(session: Session, certificate_id: Any, now: datetime, print_key: bytes) -> bytes:
    cert = session.get(Certificate, certificate_id) if isinstance(certificate_id, int) else None
    pdf = pdf_for_print(cert, print_key, now) if cert is not None else None
    if not pdf:
        raise NoDocument("the certificate's PDF is no longer kept (it is kept for its download window only)")
    return pdf
