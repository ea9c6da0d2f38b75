"""Printer states, roles and kinds, and the meaning of ESC/POS real-time status bytes (DLE EOT n).

The agent reports one state per printer (docs/protocol.md §7, "Printers"). For ESC/POS printers it
comes from three real-time status answers (Epson ESC/POS reference, ``DLE EOT n`` = ``10 04 n``):

- ``n = 1``, printer status: bit 3 set = offline.
- ``n = 2``, offline cause: bit 2 cover open, bit 5 printing stopped at paper end, bit 6 an error.
- ``n = 4``, roll paper sensor: bits 2 and 3 both set = paper near its end, bits 5 and 6 both set
  = paper end.

Every answer byte has bits 1 and 4 set and bits 0 and 7 clear (``0x12`` on an idle printer). A byte
that breaks that rule is not a status (a garbled line, another device on the port): it becomes the
state ``error`` with a message naming the byte, never an exception.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

DLE_EOT: Final = b"\x10\x04"
PRINTER_STATUS: Final = 1  # n of DLE EOT n
OFFLINE_CAUSE: Final = 2
PAPER_SENSOR: Final = 4
STATUS_REQUESTS: Final = (PRINTER_STATUS, OFFLINE_CAUSE, PAPER_SENSOR)

_FIXED_MASK: Final = 0b1001_0011  # bits 7, 4, 1, 0
_FIXED_VALUE: Final = 0b0001_0010  # bits 4 and 1 set, 7 and 0 clear


class PrinterRole(StrEnum):
    """What a printer is for: queue slips on a receipt printer, or certificates on A4."""

    SLIP = "slip"
    A4 = "a4"


class PrinterKind(StrEnum):
    """How the agent reaches a printer."""

    ESCPOS_NETWORK = "escpos-network"  # raw TCP, port 9100 by default
    ESCPOS_USB = "escpos-usb"  # the kernel's usblp node (/dev/usb/lpN) of a vendor:product id
    CUPS = "cups"  # a CUPS queue, through lp and lpstat


class PrinterState(StrEnum):
    """A printer's state as the fleet view and the kiosk see it."""

    READY = "ready"
    PAPER_LOW = "paper_low"
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    PAUSED = "paused"  # a CUPS queue that is disabled or rejects jobs
    OFFLINE = "offline"  # no answer, connection refused, unplugged, cupsd down, unknown queue
    ERROR = "error"  # the printer reports an error, or answered something that is not a status

    @property
    def can_print(self) -> bool:
        """Whether a job is worth sending (paper low still prints)."""
        return self in (PrinterState.READY, PrinterState.PAPER_LOW)


@dataclass(frozen=True)
class StateReport:
    """A state and the English sentence for the technician that explains it."""

    state: PrinterState
    message: str = ""


def status_byte_fault(request: int, value: int) -> str | None:
    """Why ``value`` is not a valid answer to ``DLE EOT request``, or None when it is one."""
    if not 0 <= value <= 0xFF:
        return f"DLE EOT {request}: answer {value} is not a byte"
    if value & _FIXED_MASK != _FIXED_VALUE:
        return f"DLE EOT {request}: answer 0x{value:02x} is not a status byte (bits 1 and 4 set, 0 and 7 clear)"
    return None


def _bit(value: int, bit: int) -> bool:
    return bool(value >> bit & 1)


def escpos_state(answers: Mapping[int, int]) -> StateReport:
    """The state the answers to ``DLE EOT 1``, ``2`` and ``4`` (keyed by n) stand for.

    A missing answer means the printer did not answer in time: offline. Causes come before the
    bare offline bit: a printer with its cover open also says it is offline.
    """
    for request in STATUS_REQUESTS:
        if request not in answers:
            return StateReport(PrinterState.OFFLINE, f"no answer to DLE EOT {request}")
        fault = status_byte_fault(request, answers[request])
        if fault is not None:
            return StateReport(PrinterState.ERROR, fault)
    status, cause, paper = answers[PRINTER_STATUS], answers[OFFLINE_CAUSE], answers[PAPER_SENSOR]
    if _bit(cause, 2):
        return StateReport(PrinterState.COVER_OPEN, "the cover is open")
    if _bit(paper, 5) and _bit(paper, 6):
        return StateReport(PrinterState.PAPER_OUT, "the paper roll is empty")
    if _bit(cause, 5):
        return StateReport(PrinterState.PAPER_OUT, "printing stopped at the paper end")
    if _bit(cause, 6):
        return StateReport(PrinterState.ERROR, "the printer reports an error (cutter jam, head temperature, …)")
    if _bit(status, 3):
        return StateReport(PrinterState.OFFLINE, "the printer reports itself offline")
    if _bit(paper, 2) and _bit(paper, 3):
        return StateReport(PrinterState.PAPER_LOW, "the paper roll is near its end")
    return StateReport(PrinterState.READY)
