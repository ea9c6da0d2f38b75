"""What the agent sends: driver events turned into ``/agent`` payloads (docs/protocol.md §7).

The payloads carry the ID number and name to the server over the authenticated link, because the
server resolves the person; they are never logged. ``describe`` gives the loggable summary.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from devices.drivers.scan_events import ECardScanned
from devices.events import (
    CardRemoved,
    IdCardRead,
    ReaderAttached,
    ReaderDetached,
    ReaderFault,
    SocialSecurityCardRead,
)

NAMESPACE: Final = "/agent"
AGENT_HELLO: Final = "agent_hello"
READER_STATUS: Final = "reader_status"
CARD_READ: Final = "card_read"
CARD_REMOVED: Final = "card_removed"
CARD_UNREADABLE: Final = "card_unreadable"
PRINTER_STATUS: Final = "printer_status"  # a printer's state changed (devices/agent/printing.py)

ATTACHED: Final = "attached"  # the reader answered (its SAM, its service) and has not read a card yet
READING: Final = "reading"  # a card it read is on it
IDLE: Final = "idle"  # working, no card on it
FAULT: Final = "fault"
DETACHED: Final = "detached"

CardEvent = IdCardRead | SocialSecurityCardRead | ECardScanned
StatusEvent = ReaderAttached | ReaderDetached | ReaderFault


@dataclass(frozen=True)
class ReaderStatus:
    """The last thing a reader said about itself, as the fleet view shows it (docs/protocol.md §7).

    ``repeated`` is how many identical faults this report stands for (the agent rate-limits them);
    ``last_good_read_at`` is the ISO 8601 UTC time of the reader's last good read, or None.
    """

    reader_id: str
    kind: str
    state: str
    message: str = ""
    reason: str = ""
    repeated: int = 1
    card_lost: bool = False
    last_good_read_at: str | None = None

    def payload(self) -> dict[str, Any]:
        return {
            "reader_id": self.reader_id,
            "kind": self.kind,
            "state": self.state,
            "message": self.message,
            "reason": self.reason,
            "repeated": self.repeated,
            "card_lost": self.card_lost,
            "last_good_read_at": self.last_good_read_at,
        }


def status_of(
    event: StatusEvent, kind: str, *, last_good_read_at: str | None = None, repeated: int = 1
) -> ReaderStatus:
    """The reader status a status event stands for."""
    if isinstance(event, ReaderAttached):
        message = f"SAM {event.sam_id}" if event.sam_id else ""
        return ReaderStatus(event.reader_id, kind, ATTACHED, message, last_good_read_at=last_good_read_at)
    if isinstance(event, ReaderDetached):
        return ReaderStatus(event.reader_id, kind, DETACHED, event.reason, last_good_read_at=last_good_read_at)
    return ReaderStatus(
        event.reader_id,
        kind,
        FAULT,
        event.message,
        reason=event.reason,
        repeated=repeated,
        card_lost=event.card_lost,
        last_good_read_at=last_good_read_at,
    )


def unreadable_source(kind: str) -> str | None:
    """The ``card_unreadable`` source for a reader kind: ``idcard``, ``ssc``, or None (scanners)."""
    if kind.startswith("idcard"):
        return "idcard"
    if kind.startswith("ssc"):
        return "ssc"
    return None


def card_unreadable_payload(event: ReaderFault, source: str) -> dict[str, str]:
    """The ``card_unreadable`` payload for a fault with reason ``unreadable_card``."""
    return {"reader_id": event.reader_id, "source": source, "hint": event.hint}


def card_read_payload(event: CardEvent) -> dict[str, Any]:
    """The ``card_read`` payload for a read card or a scanned e-card."""
    if isinstance(event, IdCardRead):
        identity: dict[str, Any] = {
            "document_kind": event.kind.value,
            "id_number": event.id_number,
            "name": event.name,
            "sex_code": event.sex_code,
            "birth_date": event.birth_date,
        }
        source = "idcard"
    elif isinstance(event, SocialSecurityCardRead):
        identity = {
            "card_number": event.card_number,
            "card_id_code": event.card_id_code,
            "region_code": event.region_code,
            "generation": event.generation,
            "id_number": event.id_number,
            "name": event.name,
            "personal_fields_available": event.personal_fields_available,
        }
        source = "ssc"
    else:
        identity = {"token": event.token}
        source = "ecard"
    return {"reader_id": event.reader_id, "source": source, "identity": identity}


def describe(event: CardEvent) -> str:
    """A loggable one-line summary of a card event: the source and the log form of the number, nothing else."""
    if isinstance(event, IdCardRead):
        return f"ID card ({event.kind.name}) {event.logged_id_number}"
    if isinstance(event, SocialSecurityCardRead):
        return f"social-security card, generation {event.generation}"
    return "e-card QR"


def card_removed_payload(event: CardRemoved) -> dict[str, str]:
    return {"reader_id": event.reader_id}
