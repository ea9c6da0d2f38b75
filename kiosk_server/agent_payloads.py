"""Reading the payloads of the ``/agent`` events (docs/protocol.md §7); a malformed one raises ``BadRequest``.

Messages say what is wrong with the shape, never repeat a value (a value may be an ID number).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, Final

from content.citizens.kiosk_agents import (
    MAX_MESSAGE,
    MAX_READERS,
    MAX_REASON,
    ReaderKind,
    ReaderReport,
    ReaderState,
)
from content.citizens.kiosk_printers import PAPER_WIDTHS, PrinterKind, PrinterReport, PrinterRole, PrinterState
from content.citizens.records import CardSource

MAX_READER_ID: Final = 64
# A message longer than the row keeps is cut, but one this long is a broken agent, not a long error.
MAX_MESSAGE_SENT: Final = 4096
MAX_REPEATED: Final = 1_000_000_000  # fits a 32-bit integer column
MAX_HINT: Final = 64
# A reader's last good read lies between this and a little after the server's clock (clocks drift).
EARLIEST_READ: Final = datetime(2000, 1, 1, tzinfo=UTC)
CLOCK_SLACK: Final = timedelta(days=1)
_AGENT_STATES: Final = tuple(s.value for s in ReaderState if s is not ReaderState.UNKNOWN)
_PRINTER_STATES: Final = tuple(s.value for s in PrinterState if s is not PrinterState.UNKNOWN)
MAX_PRINTERS: Final = len(PrinterRole)  # at most one per role


class UnreadableHint(StrEnum):
    """Why the agent thinks a card could not be read (``card_unreadable.hint``); unknown ones become NONE."""

    NONE = ""
    REPOSITION = "reposition"  # upside down or badly placed
    REMOVED_TOO_EARLY = "removed_too_early"  # moved away while it was being read
    NEEDS_PSAM = "needs_psam"  # a 3.0 social-security card on a reader without a PSAM
    UNSUPPORTED_CARD = "unsupported_card"


# Only cards are unreadable: an e-card QR that fails is a refused card_read (token_invalid).
UNREADABLE_SOURCES: Final = (CardSource.IDCARD.value, CardSource.SSC.value)


class BadRequest(Exception):
    """The payload does not have the shape the contract gives; ``message`` says what is wrong."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def ack(self) -> dict[str, Any]:
        return {"ok": False, "error": "bad_request", "message": self.message}


@dataclass(frozen=True)
class Hello:
    agent_version: str
    readers: list[ReaderReport]
    cards_present: list[str]
    printers: list[PrinterReport] | None = None  # None: the agent predates printing (it has no printers)


@dataclass(frozen=True)
class CardUnreadable:
    reader_id: str
    source: CardSource
    hint: UnreadableHint


@dataclass(frozen=True, repr=False)
class CardRead:
    reader_id: str
    source: CardSource
    identity: Mapping[str, Any]  # checked by content.citizens.records.identity_from_card

    def __repr__(self) -> str:
        return f"CardRead(reader_id={self.reader_id!r}, source={self.source.value!r})"


def _object(data: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(data, dict):
        raise BadRequest(f"{what}: expected a JSON object, got {type(data).__name__}")
    return data


def _reader_id(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise BadRequest(f"{where}: a non-empty reader_id text is required")
    if len(value) > MAX_READER_ID or not value.isprintable():
        raise BadRequest(f"{where}: reader_id must be printable and at most {MAX_READER_ID} characters")
    return value.strip()


def _choice(value: Any, allowed: tuple[str, ...], where: str) -> str:
    if value not in allowed:
        raise BadRequest(f"{where}: expected one of {', '.join(allowed)}")
    return str(value)


def _text(value: Any, where: str, longest: int) -> str:
    """Text without NUL or other control characters, at most ``longest`` characters (never repeated back)."""
    if not isinstance(value, str):
        raise BadRequest(f"{where}: expected text, got {type(value).__name__}")
    if len(value) > longest:
        raise BadRequest(f"{where}: at most {longest} characters, got {len(value)}")
    if any(ord(ch) < 32 and ch not in "\t\n" for ch in value) or "\x7f" in value:
        raise BadRequest(f"{where}: control characters (such as NUL) are not allowed")
    return value


def _reason(value: Any, where: str) -> str:
    if value is None:
        return ""
    text = _text(value, where, MAX_REASON)
    if not text.isprintable():
        raise BadRequest(f"{where}: expected a printable code")
    return text.strip()


def _repeated(value: Any, where: str) -> int:
    if value is None:
        return 1
    # bool is an int in Python: true is not a count.
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_REPEATED:
        raise BadRequest(f"{where}: expected a whole number from 1 to {MAX_REPEATED}")
    return value


def _flag(value: Any, where: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise BadRequest(f"{where}: expected true or false")
    return value


def _instant(value: Any, where: str, now: datetime) -> datetime | None:
    """An ISO 8601 instant with its offset, no earlier than 2000 and no later than a day ahead of ``now``."""
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > 40:
        raise BadRequest(f"{where}: expected an ISO 8601 time text with its UTC offset, or null")
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise BadRequest(f"{where}: not an ISO 8601 time (e.g. 2026-12-10T02:00:00Z)") from None
    if at.tzinfo is None or at.utcoffset() is None:
        raise BadRequest(f"{where}: the time needs its UTC offset (Z or +08:00)")
    at = at.astimezone(UTC)
    if at < EARLIEST_READ or at > now + CLOCK_SLACK:
        raise BadRequest(f"{where}: the time is before 2000 or more than a day ahead of the server's clock")
    return min(at, now)


def reader_report(data: Any, now: datetime, where: str = "reader_status") -> ReaderReport:
    """A reader status; the keys after ``message`` are optional (older agents do not send them)."""
    body = _object(data, where)
    message = _text(body.get("message", ""), f"{where}.message", MAX_MESSAGE_SENT)
    return ReaderReport(
        reader_id=_reader_id(body.get("reader_id"), f"{where}.reader_id"),
        kind=ReaderKind(_choice(body.get("kind"), tuple(k.value for k in ReaderKind), f"{where}.kind")),
        state=ReaderState(_choice(body.get("state"), _AGENT_STATES, f"{where}.state")),
        message=message[:MAX_MESSAGE],
        reason=_reason(body.get("reason"), f"{where}.reason"),
        repeated=_repeated(body.get("repeated"), f"{where}.repeated"),
        card_lost=_flag(body.get("card_lost"), f"{where}.card_lost"),
        last_good_read_at=_instant(body.get("last_good_read_at"), f"{where}.last_good_read_at", now),
    )


def printer_report(data: Any, now: datetime, where: str = "printer_status") -> PrinterReport:
    """A printer status (docs/protocol.md, "Printers"); ``paper_mm`` only for a slip printer, 80 when it is not sent."""
    body = _object(data, where)
    role = PrinterRole(_choice(body.get("role"), tuple(r.value for r in PrinterRole), f"{where}.role"))
    paper = body.get("paper_mm")
    if role is PrinterRole.SLIP:
        if paper is None:
            paper = 80
        elif isinstance(paper, bool) or paper not in PAPER_WIDTHS:
            raise BadRequest(f"{where}.paper_mm: expected 58 or 80")
    elif paper is not None:
        raise BadRequest(f"{where}.paper_mm: only a slip printer has a paper width")
    return PrinterReport(
        role=role,
        kind=PrinterKind(_choice(body.get("kind"), tuple(k.value for k in PrinterKind), f"{where}.kind")),
        state=PrinterState(_choice(body.get("state"), _PRINTER_STATES, f"{where}.state")),
        message=_text(body.get("message", ""), f"{where}.message", MAX_MESSAGE_SENT)[:MAX_MESSAGE],
        checked_at=_instant(body.get("checked_at"), f"{where}.checked_at", now),
        paper_mm=paper,
    )


def _printers(value: Any, now: datetime) -> list[PrinterReport] | None:
    if value is None:
        return None
    if not isinstance(value, list) or len(value) > MAX_PRINTERS:
        raise BadRequest(f"agent_hello.printers: expected a list of at most {MAX_PRINTERS} printer statuses")
    found = [printer_report(p, now, f"agent_hello.printers.{i}") for i, p in enumerate(value)]
    if len({p.role for p in found}) != len(found):
        raise BadRequest("agent_hello.printers: at most one printer per role")
    return found


def hello(data: Any, now: datetime) -> Hello:
    body = _object(data, "agent_hello")
    version = body.get("agent_version", "")
    if not isinstance(version, str) or len(version) > 40:
        raise BadRequest("agent_hello.agent_version: expected a version text of at most 40 characters")
    readers = body.get("readers", [])
    present = body.get("cards_present", [])
    if not isinstance(readers, list) or len(readers) > MAX_READERS:
        raise BadRequest(f"agent_hello.readers: expected a list of at most {MAX_READERS} reader statuses")
    if not isinstance(present, list) or len(present) > MAX_READERS:
        raise BadRequest(f"agent_hello.cards_present: expected a list of at most {MAX_READERS} reader ids")
    return Hello(
        agent_version=version,
        readers=[reader_report(r, now, f"agent_hello.readers.{i}") for i, r in enumerate(readers)],
        cards_present=[_reader_id(r, f"agent_hello.cards_present.{i}") for i, r in enumerate(present)],
        printers=_printers(body.get("printers"), now),
    )


def card_read(data: Any) -> CardRead:
    body = _object(data, "card_read")
    source = _choice(body.get("source"), tuple(s.value for s in CardSource), "card_read.source")
    return CardRead(
        reader_id=_reader_id(body.get("reader_id"), "card_read.reader_id"),
        source=CardSource(source),
        identity=_object(body.get("identity"), "card_read.identity"),
    )


def card_removed(data: Any) -> str:
    return _reader_id(_object(data, "card_removed").get("reader_id"), "card_removed.reader_id")


def card_unreadable(data: Any) -> CardUnreadable:
    """A card the reader saw but could not read; an unknown hint is kept as none (never passed on raw)."""
    body = _object(data, "card_unreadable")
    source = _choice(body.get("source"), UNREADABLE_SOURCES, "card_unreadable.source")
    hint = body.get("hint")
    hint = "" if hint is None else _text(hint, "card_unreadable.hint", MAX_HINT)
    known = {h.value for h in UnreadableHint}
    return CardUnreadable(
        reader_id=_reader_id(body.get("reader_id"), "card_unreadable.reader_id"),
        source=CardSource(source),
        hint=UnreadableHint(hint) if hint in known else UnreadableHint.NONE,
    )
