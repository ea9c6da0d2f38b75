"""Reading the payloads of the ``/agent`` events (docs/protocol.md §7); a malformed one raises ``BadRequest``.

Messages say what is wrong with the shape, never repeat a value (a value may be an ID number).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from content.citizens.kiosk_agents import MAX_MESSAGE, MAX_READERS, ReaderKind, ReaderReport, ReaderState
from content.citizens.records import CardSource

MAX_READER_ID: Final = 64
_AGENT_STATES: Final = tuple(s.value for s in ReaderState if s is not ReaderState.UNKNOWN)


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


def reader_report(data: Any, where: str = "reader_status") -> ReaderReport:
    body = _object(data, where)
    message = body.get("message", "")
    if not isinstance(message, str):
        raise BadRequest(f"{where}.message: expected text")
    return ReaderReport(
        reader_id=_reader_id(body.get("reader_id"), f"{where}.reader_id"),
        kind=ReaderKind(_choice(body.get("kind"), tuple(k.value for k in ReaderKind), f"{where}.kind")),
        state=ReaderState(_choice(body.get("state"), _AGENT_STATES, f"{where}.state")),
        message=message[:MAX_MESSAGE],
    )


def hello(data: Any) -> Hello:
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
        readers=[reader_report(r, f"agent_hello.readers.{i}") for i, r in enumerate(readers)],
        cards_present=[_reader_id(r, f"agent_hello.cards_present.{i}") for i, r in enumerate(present)],
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
