"""What kiosk screens are told about citizen sessions (``/screen`` room ``screen:<id>``), shaped and emitted.

Payloads carry masked facts only (docs/protocol.md §7): the masked name and ID number, sex, age,
and the session token for the kiosk page; never the number, the full name or the card data.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from flask_socketio import SocketIO

from content.citizens.records import RecordsError, sex_label
from content.citizens.sessions import CitizenSession
from kiosk_server.events import (
    CITIZEN_CARD_REMOVED,
    CITIZEN_CARD_UNREADABLE,
    CITIZEN_SESSION,
    CITIZEN_SESSION_ENDED,
    CITIZEN_SESSION_REFUSED,
    SCREEN_NAMESPACE,
    screen_room,
)


def citizen_json(citizen: CitizenSession, today: date) -> dict[str, Any]:
    return {
        "masked_name": citizen.masked_name,
        "masked_id": citizen.masked_id,
        "sex": sex_label(citizen.sex_code),
        "age": citizen.age_on(today),
    }


def session_payload(citizen: CitizenSession, token: str, today: date) -> dict[str, Any]:
    """``citizen_session``: the session as the kiosk page needs it; ``today`` is the hall's date (for the age)."""
    return {
        "session_id": citizen.id,
        "token": token,
        "source": citizen.source,
        "opened_at": citizen.opened_at.isoformat(),
        "expires_at": citizen.expires_at.isoformat(),
        "idle_seconds": citizen.idle_seconds,
        "citizen": citizen_json(citizen, today),
        "notice": citizen.notice,
    }


def ack_session(citizen: CitizenSession, today: date) -> dict[str, Any]:
    """The ``session`` of a successful ``card_read`` ack (no token: the agent never needs it)."""
    return {"id": citizen.id, "expires_at": citizen.expires_at.isoformat(), "citizen": citizen_json(citizen, today)}


def ended_payload(citizen: CitizenSession) -> dict[str, Any]:
    return {"session_id": citizen.id, "reason": citizen.end_reason}


def refused_payload(source: str, err: RecordsError) -> dict[str, Any]:
    return {"source": source, "error": err.code, "message": str(err)}


def unreadable_payload(source: str, hint: str) -> dict[str, Any]:
    """``citizen_card_unreadable``: which kind of card, and the reader's hint (one of the known codes, or "")."""
    return {"source": source, "hint": hint}


def card_removed_payload(reader_id: str) -> dict[str, Any]:
    """``citizen_card_removed``: which reader is empty now (no personal data)."""
    return {"reader_id": reader_id}


class CitizenEvents:
    """Emits citizen-session events to kiosk screens' rooms (through the message queue when there is one)."""

    def __init__(self, socketio: SocketIO) -> None:
        self._socketio = socketio

    def _emit(self, event: str, payload: dict[str, Any], screen_id: int) -> None:
        self._socketio.emit(event, payload, to=screen_room(screen_id), namespace=SCREEN_NAMESPACE)

    def opened(self, citizen: CitizenSession, token: str, today: date) -> None:
        self._emit(CITIZEN_SESSION, session_payload(citizen, token, today), citizen.screen_id)

    def ended(self, sessions: Iterable[CitizenSession]) -> None:
        for citizen in sessions:
            self._emit(CITIZEN_SESSION_ENDED, ended_payload(citizen), citizen.screen_id)

    def refused(self, screen_id: int, source: str, err: RecordsError) -> None:
        self._emit(CITIZEN_SESSION_REFUSED, refused_payload(source, err), screen_id)

    def unreadable(self, screen_id: int, source: str, hint: str) -> None:
        self._emit(CITIZEN_CARD_UNREADABLE, unreadable_payload(source, hint), screen_id)

    def card_removed(self, screen_id: int, reader_id: str) -> None:
        """A card left ``reader_id`` after its session had ended: the page stops asking to take it."""
        self._emit(CITIZEN_CARD_REMOVED, card_removed_payload(reader_id), screen_id)
