"""Kiosks with agent credentials, demo card holders, and the card_read payloads an agent would send."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import socketio
from sqlalchemy.orm import Session

from content.citizens.demo_backend import add_demo_person
from content.citizens.idnumbers import compose_id_number
from content.citizens.kiosk_agents import issue_agent_credential
from content.citizens.records import CardSource, RecordsBackend, identity_from_card
from content.citizens.sessions import identify_and_open
from content.org.screens import Screen
from devices.agent.sio_disconnect import disconnect_promptly


@dataclass(frozen=True)
class Kiosk:
    screen_id: int
    key: str
    credential: str = field(repr=False)


@dataclass(frozen=True)
class Holder:
    """A synthetic person stored in ``demo_people``, with the raw numbers only the test knows."""

    person_id: int
    name: str
    id_number: str = field(repr=False)
    card_number: str = field(repr=False)
    birth_date: date
    sex_code: str

    @property
    def masked_id(self) -> str:
        return f"{self.id_number[:6]}********{self.id_number[-4:]}"


def add_kiosk(session: Session, hall_id: int, credential_key: bytes, name: str = "求职自助终端") -> Kiosk:
    """A kiosk screen in ``hall_id`` with an agent credential (committed)."""
    screen = Screen(hall_id=hall_id, name=name, kind="kiosk", width_px=1080, height_px=1920, orientation="portrait")
    session.add(screen)
    session.flush()
    credential = issue_agent_credential(session, screen, credential_key)
    session.commit()
    return Kiosk(screen.id, screen.key, credential)


def add_holder(
    session: Session,
    records_key: bytes,
    *,
    name: str = "欧阳明华",
    birth: date = date(1985, 3, 4),
    sequence: int = 123,
    card_number: str = "A12345678",
    region_code: str = "620102",
) -> Holder:
    """A demo person (committed); ``sequence`` odd makes a man, even a woman."""
    id_number = compose_id_number(region_code, birth, sequence)
    sex_code = "1" if sequence % 2 else "2"
    person = add_demo_person(
        session,
        key=records_key,
        id_number=id_number,
        name=name,
        sex_code=sex_code,
        birth_date=birth,
        region_code=region_code,
        ssc_card_number=card_number,
    )
    session.commit()
    return Holder(person.id, name, id_number, card_number, birth, sex_code)


def idcard_read(holder: Holder, reader_id: str = "idcard-serial-1", **identity: Any) -> dict[str, Any]:
    fields = {
        "document_kind": "resident",
        "id_number": holder.id_number,
        "name": holder.name,
        "sex_code": holder.sex_code,
        "birth_date": holder.birth_date.strftime("%Y%m%d"),
        **identity,
    }
    return {"reader_id": reader_id, "source": "idcard", "identity": fields}


def ssc_read(holder: Holder, reader_id: str = "ssc-pcsc-1", *, psam: bool = True, **identity: Any) -> dict[str, Any]:
    """A social-security card read; ``psam=False`` is a 3.0 card read without a PSAM (card fields only)."""
    fields = {
        "card_number": holder.card_number,
        "card_id_code": "620100D15600000500A1B2C3D4E5F60",
        "region_code": "620100",
        "generation": 3 if not psam else 2,
        "id_number": holder.id_number if psam else "",
        "name": holder.name if psam else "",
        "personal_fields_available": psam,
        **identity,
    }
    return {"reader_id": reader_id, "source": "ssc", "identity": fields}


def ecard_read(token: str, reader_id: str = "scanner-hid-1") -> dict[str, Any]:
    return {"reader_id": reader_id, "source": "ecard", "identity": {"token": token}}


class AgentClient:
    """A device agent over the real Socket.IO protocol (python-socketio client), for server-process tests."""

    def __init__(self, base_url: str, kiosk: Kiosk) -> None:
        self.base_url = base_url
        self.kiosk = kiosk
        self.sio = socketio.Client(reconnection=False)

    def connect(self) -> AgentClient:
        self.sio.connect(
            self.base_url,
            namespaces=["/agent"],
            transports=["websocket"],
            wait_timeout=10,
            auth={"device": self.kiosk.key, "credential": self.kiosk.credential},
        )
        return self

    def call(self, event: str, data: Any) -> Any:
        return self.sio.call(event, data, namespace="/agent", timeout=10)

    def close(self) -> None:
        disconnect_promptly(self.sio)


class KioskScreenClient:
    """A kiosk page's Socket.IO side: hello on connect, and every citizen-session event it receives."""

    def __init__(self, base_url: str, key: str) -> None:
        self.base_url = base_url
        self.key = key
        self.lock = threading.Lock()
        self.events: list[tuple[str, dict[str, Any]]] = []
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("connect", lambda: self.sio.emit("hello", {"held": {}}, namespace="/screen"), namespace="/screen")
        for name in ("citizen_session", "citizen_session_ended", "citizen_session_refused", "welcome"):
            self.sio.on(name, self._recorder(name), namespace="/screen")

    def _recorder(self, name: str) -> Any:
        def record(data: dict[str, Any]) -> None:
            with self.lock:
                self.events.append((name, data))

        return record

    def connect(self) -> KioskScreenClient:
        self.sio.connect(
            self.base_url, namespaces=["/screen"], auth={"key": self.key}, transports=["websocket"], wait_timeout=10
        )
        return self

    def received(self, name: str) -> list[dict[str, Any]]:
        with self.lock:
            return [data for event, data in self.events if event == name]

    def close(self) -> None:
        disconnect_promptly(self.sio)


def open_citizen_session(
    session: Session,
    backend: RecordsBackend,
    kiosk: Kiosk,
    holder: Holder,
    now: datetime | None = None,
    idle_seconds: int = 180,
    max_seconds: int = 1200,
) -> str:
    """Open a citizen session for ``holder`` at ``kiosk`` the way a card read does; returns its token (committed)."""
    now = now or datetime.now(UTC)
    screen = session.get(Screen, kiosk.screen_id)
    assert screen is not None
    identity = identity_from_card(
        CardSource.IDCARD, "idcard-serial-1", idcard_read(holder)["identity"], today=now.date()
    )
    opened = identify_and_open(session, backend, screen, identity, now, idle_seconds, max_seconds)
    session.commit()
    return opened.token
