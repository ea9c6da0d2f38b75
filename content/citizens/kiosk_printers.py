"""Kiosk printers: what a kiosk's agent last said about its slip and A4 printers (docs/protocol.md §7).

A kiosk has at most one printer per role (``slip``: queue slips on a receipt printer; ``a4``:
certificates). ``agent_hello`` replaces the kiosk's whole set (a printer it no longer lists is gone),
``printer_status`` one row, and a disconnected agent leaves them ``unknown``: with its agent gone
nothing can print, whatever the printer itself would say. Mirrors the reader statuses of
``kiosk_agents.py``; printers are their own rows because the kiosk page, the print requests and the
alerts ask "can this kiosk print a slip now", which is one row by role, not a scan of readers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final

from sqlalchemy import ForeignKey, String, UniqueConstraint, delete, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from content.db import Base

MAX_MESSAGE: Final = 255


class PrinterRole(StrEnum):
    SLIP = "slip"  # queue slips on an ESC/POS receipt printer
    A4 = "a4"  # certificates on A4 through CUPS


class PrinterKind(StrEnum):
    ESCPOS_NETWORK = "escpos-network"
    ESCPOS_USB = "escpos-usb"
    CUPS = "cups"


class PrinterState(StrEnum):
    READY = "ready"
    PAPER_LOW = "paper_low"  # still prints: the roll is near its end
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    PAUSED = "paused"  # a CUPS queue that is disabled
    OFFLINE = "offline"  # no answer, connection refused, unknown queue or cupsd down
    ERROR = "error"
    UNKNOWN = "unknown"  # set by the server when the agent is gone; never sent by an agent


# The states in which a job can be handed to the printer.
PRINTABLE: Final = frozenset({PrinterState.READY, PrinterState.PAPER_LOW})
# The states that raise a printer alert (content/signage/alert_rules.py): nothing comes out until someone acts.
# ``unknown`` is not among them: the agent is gone, and the kiosk's own silence says so.
NEEDS_HANDS: Final = frozenset(
    {PrinterState.PAPER_OUT, PrinterState.COVER_OPEN, PrinterState.PAUSED, PrinterState.OFFLINE, PrinterState.ERROR}
)
PAPER_WIDTHS: Final = (58, 80)


class PrinterStatus(Base):
    """What a kiosk's agent last said about its printer of one role."""

    __tablename__ = "printer_statuses"
    __table_args__ = (UniqueConstraint("screen_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # No index of its own: the unique (screen_id, role) constraint leads with it.
    screen_id: Mapped[int] = mapped_column(ForeignKey("screens.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(String(MAX_MESSAGE), default="")
    paper_mm: Mapped[int | None]  # slip printers: 58 or 80
    checked_at: Mapped[datetime | None]  # when the agent last asked the printer (its clock)
    changed_at: Mapped[datetime]  # when the role's kind, state or message last changed (the server's clock)

    @property
    def printable(self) -> bool:
        return self.state in PRINTABLE


@dataclass(frozen=True)
class PrinterReport:
    """One printer as the agent reports it (``printer_status`` payload, or an entry of ``agent_hello``)."""

    role: PrinterRole
    kind: PrinterKind
    state: PrinterState
    message: str = ""
    checked_at: datetime | None = None
    paper_mm: int | None = None


def printer_statuses(session: Session, screen_id: int) -> list[PrinterStatus]:
    """The kiosk's printers, slip first."""
    rows = session.scalars(select(PrinterStatus).where(PrinterStatus.screen_id == screen_id))
    return sorted(rows, key=lambda row: row.role != PrinterRole.SLIP.value)


def printer_for(session: Session, screen_id: int, role: PrinterRole) -> PrinterStatus | None:
    return session.scalar(
        select(PrinterStatus).where(PrinterStatus.screen_id == screen_id, PrinterStatus.role == role.value)
    )


def set_printer_status(session: Session, screen_id: int, report: PrinterReport, now: datetime) -> PrinterStatus:
    """Insert or update the kiosk's printer of ``report.role``; ``changed_at`` moves only when kind, state or message change."""
    row = printer_for(session, screen_id, report.role)
    if row is None:
        row = PrinterStatus(screen_id=screen_id, role=report.role.value)
        session.add(row)
    shown = (report.kind.value, report.state.value, report.message[:MAX_MESSAGE])
    if (row.kind, row.state, row.message) != shown:
        row.kind, row.state, row.message = shown
        row.changed_at = now
    row.paper_mm = report.paper_mm if report.role is PrinterRole.SLIP else None
    row.checked_at = report.checked_at
    session.flush()
    return row


def replace_printer_statuses(
    session: Session, screen_id: int, reports: Iterable[PrinterReport], now: datetime
) -> list[PrinterStatus]:
    """Make the kiosk's printer rows exactly ``reports`` (the agent's full list at hello; one per role)."""
    wanted = {report.role: report for report in reports}
    session.execute(
        delete(PrinterStatus)
        .where(PrinterStatus.screen_id == screen_id, PrinterStatus.role.not_in([r.value for r in wanted]))
        .execution_options(synchronize_session="fetch")
    )
    return [set_printer_status(session, screen_id, report, now) for report in wanted.values()]


def mark_printers_unknown(session: Session, screen_id: int, now: datetime) -> int:
    """The agent is gone: every printer of the kiosk becomes ``unknown``. Returns the rows changed."""
    result = session.execute(
        update(PrinterStatus)
        .where(PrinterStatus.screen_id == screen_id, PrinterStatus.state != PrinterState.UNKNOWN.value)
        .values(state=PrinterState.UNKNOWN.value, message="agent disconnected", changed_at=now)
        .execution_options(synchronize_session="fetch")
    )
    return int(getattr(result, "rowcount", 0) or 0)
