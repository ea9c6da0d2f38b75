"""Reader statuses and unreadable cards over /agent, on SQLite and PostgreSQL (docs/protocol.md §7).

A reader that goes (or loses sight of its card) ends the session it opened; statuses keep a fault's
reason, its count and the last good read; a card the reader could not read is passed to the kiosk
page as a hint. Malformed payloads get a clear refusal in the ack, never an exception.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from content.citizens.kiosk_agents import ReaderStatus, reader_statuses
from content.citizens.records import CardIdentity, PersonRecord
from kiosk_server.database import database
from kiosk_server.records_backends import CitizenPolicy
from kiosk_server.settings_access import runtime
from tests.support.agent_sockets import agent, call, kiosk_page, received
from tests.support.citizens import Holder, Kiosk, add_holder, add_kiosk, idcard_read, ssc_read
from tests.support.world import build_world

ID_READER = "idcard-serial-1"
SSC_READER = "ssc-pcsc-1"


@dataclass
class Hall:
    kiosk: Kiosk
    holder: Holder


@pytest.fixture
def hall(app: Flask) -> Hall:
    policy = runtime(app).policy
    with Session(database(app).engine) as session:
        world = build_world(session, vacancies=1)
        kiosk = add_kiosk(session, world.hall_id, policy.credential_key)
        holder = add_holder(session, policy.records_key)
    return Hall(kiosk, holder)


def status(reader_id: str = ID_READER, state: str = "idle", **extra: Any) -> dict[str, Any]:
    kind = "ssc_pcsc" if reader_id.startswith("ssc") else "idcard_serial"
    return {"reader_id": reader_id, "kind": kind, "state": state, "message": "", **extra}


def rows(app: Flask, kiosk: Kiosk) -> dict[str, ReaderStatus]:
    with Session(database(app).engine) as session:
        return {row.reader_id: row for row in reader_statuses(session, kiosk.screen_id)}


# -- a reader that goes ends the session it opened -----------------------------------------------------


@pytest.mark.parametrize(
    ("report", "reason"),
    [
        (status(state="detached", message="unplugged"), "reader_detached"),
        (status(state="fault", reason="io_error", card_lost=True), "reader_fault"),
    ],
    ids=["detached", "fault-card-lost"],
)
def test_a_reader_that_loses_the_card_ends_its_session_and_tells_the_page(
    app: Flask, hall: Hall, report: dict[str, Any], reason: str
) -> None:
    client = agent(app, hall.kiosk)
    page = kiosk_page(app, hall.kiosk.key)
    opened = call(client, "card_read", idcard_read(hall.holder, reader_id=ID_READER))["session"]["id"]
    received(page)
    assert call(client, "reader_status", report) == {"ok": True}
    assert received(page) == [("citizen_session_ended", {"session_id": opened, "reason": reason})]
    # Said once: the same status again finds nothing left to end.
    assert call(client, "reader_status", report) == {"ok": True}
    assert received(page) == []


@pytest.mark.parametrize(
    "report",
    [
        status(SSC_READER, "detached"),
        status(ID_READER, "fault", reason="timeout", card_lost=False),
        status(ID_READER, "fault", reason="timeout"),
        status(ID_READER, "reading"),
        status(ID_READER, "idle"),
    ],
    ids=["other-reader-detached", "fault-card-seen", "fault-old-agent", "reading", "idle"],
)
def test_other_statuses_leave_the_session_alone(app: Flask, hall: Hall, report: dict[str, Any]) -> None:
    client = agent(app, hall.kiosk)
    page = kiosk_page(app, hall.kiosk.key)
    call(client, "card_read", idcard_read(hall.holder, reader_id=ID_READER))
    received(page)
    assert call(client, "reader_status", report) == {"ok": True}
    assert received(page) == []


def test_an_ssc_session_survives_the_id_reader_going(app: Flask, hall: Hall) -> None:
    client = agent(app, hall.kiosk)
    page = kiosk_page(app, hall.kiosk.key)
    opened = call(client, "card_read", ssc_read(hall.holder, reader_id=SSC_READER))["session"]["id"]
    received(page)
    call(client, "reader_status", status(ID_READER, "detached"))
    assert received(page) == []
    call(client, "reader_status", status(SSC_READER, "detached"))
    assert received(page) == [("citizen_session_ended", {"session_id": opened, "reason": "reader_detached"})]


# -- what the fleet sees ----------------------------------------------------------------------------------


def test_an_old_agents_status_without_the_new_keys_is_accepted(app: Flask, hall: Hall) -> None:
    old = {"reader_id": ID_READER, "kind": "idcard_serial", "state": "attached", "message": "SAM 05.01"}
    assert call(agent(app, hall.kiosk), "reader_status", old) == {"ok": True}
    row = rows(app, hall.kiosk)[ID_READER]
    assert (row.state, row.message, row.reason, row.repeated, row.last_good_read_at) == (
        "attached",
        "SAM 05.01",
        "",
        1,
        None,
    )


def test_a_fault_keeps_reason_count_and_last_good_read_and_clears_on_the_next_good_status(
    app: Flask, hall: Hall
) -> None:
    client = agent(app, hall.kiosk)
    good = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=3)
    fault = status(state="fault", message="no answer", reason="timeout", repeated=12, card_lost=False)
    assert call(client, "reader_status", {**fault, "last_good_read_at": good.isoformat()}) == {"ok": True}
    row = rows(app, hall.kiosk)[ID_READER]
    assert (row.state, row.reason, row.repeated, row.last_good_read_at) == ("fault", "timeout", 12, good)
    assert call(client, "reader_status", status(state="idle", last_good_read_at=None)) == {"ok": True}
    row = rows(app, hall.kiosk)[ID_READER]
    assert (row.state, row.reason, row.repeated, row.last_good_read_at) == ("idle", "", 1, good)


def test_hello_takes_the_new_reader_shape_and_a_z_suffix(app: Flask, hall: Hall) -> None:
    ack = call(
        agent(app, hall.kiosk),
        "agent_hello",
        {
            "agent_version": "0.2.0",
            "cards_present": [],
            "readers": [
                status(state="idle", last_good_read_at="2026-12-01T02:00:00Z"),
                status(SSC_READER, "fault", reason="SCARD_E_NO_SMARTCARD", repeated=3, card_lost=False),
            ],
        },
    )
    assert ack["ok"] is True
    found = rows(app, hall.kiosk)
    assert found[ID_READER].last_good_read_at == datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    assert (found[SSC_READER].reason, found[SSC_READER].repeated) == ("SCARD_E_NO_SMARTCARD", 3)


def test_a_card_read_stamps_the_readers_last_good_read_and_ends_its_fault(app: Flask, hall: Hall) -> None:
    client = agent(app, hall.kiosk)
    call(client, "reader_status", status(state="fault", reason="bad_frame", repeated=2))
    before = datetime.now(UTC)
    assert call(client, "card_read", idcard_read(hall.holder, reader_id=ID_READER))["ok"] is True
    row = rows(app, hall.kiosk)[ID_READER]
    assert row.state == "reading" and row.reason == ""
    assert row.last_good_read_at is not None and row.last_good_read_at >= before - timedelta(seconds=1)


FAR_FUTURE = (datetime.now(UTC) + timedelta(days=3)).isoformat()


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        (status(message="bad\x00line"), "reader_status.message: control characters"),
        (status(message="x" * 10_000), "reader_status.message: at most 4096"),
        (status(message=7), "reader_status.message: expected text"),
        (status(state="fault", reason="t" * 41), "reader_status.reason: at most 40"),
        (status(state="fault", reason="time\x00out"), "reader_status.reason: control characters"),
        (status(state="fault", reason=["timeout"]), "reader_status.reason: expected text"),
        (status(state="fault", repeated="3"), "reader_status.repeated"),
        (status(state="fault", repeated=True), "reader_status.repeated"),
        (status(state="fault", repeated=0), "reader_status.repeated"),
        (status(state="fault", repeated=2**40), "reader_status.repeated"),
        (status(state="fault", repeated=1.5), "reader_status.repeated"),
        (status(state="fault", card_lost="yes"), "reader_status.card_lost"),
        (status(state="fault", card_lost=1), "reader_status.card_lost"),
        (status(last_good_read_at="yesterday"), "reader_status.last_good_read_at: not an ISO 8601"),
        (status(last_good_read_at="2026-12-01T02:00:00"), "reader_status.last_good_read_at: the time needs"),
        (status(last_good_read_at="1970-01-01T00:00:00Z"), "reader_status.last_good_read_at: the time is before"),
        (status(last_good_read_at=FAR_FUTURE), "reader_status.last_good_read_at: the time is before 2000 or more"),
        (status(last_good_read_at=1733000000), "reader_status.last_good_read_at: expected an ISO 8601"),
        (status(last_good_read_at="9" * 500), "reader_status.last_good_read_at: expected an ISO 8601"),
        (status(state="reading\x00"), "reader_status.state"),
        (status(reader_id="r\x00"), "reader_status.reader_id"),
    ],
    ids=lambda value: None if isinstance(value, dict) else str(value)[:40],
)
def test_a_malformed_reader_status_is_refused_in_the_ack(
    app: Flask, hall: Hall, payload: dict[str, Any], fragment: str
) -> None:
    client = agent(app, hall.kiosk)
    ack = call(client, "reader_status", payload)
    assert ack["ok"] is False and ack["error"] == "bad_request"
    assert fragment in ack["message"]
    assert "\x00" not in ack["message"] and len(ack["message"]) < 200, "the refusal never repeats the value"
    assert rows(app, hall.kiosk) == {}
    hello = call(client, "agent_hello", {"agent_version": "0.2.0", "readers": [payload], "cards_present": []})
    assert hello["ok"] is False and "agent_hello.readers.0" in hello["message"]
    assert call(client, "reader_status", status()) == {"ok": True}, "the link is still fine"


# -- a card the reader could not read --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hint", "shown"),
    [
        ("reposition", "reposition"),
        ("removed_too_early", "removed_too_early"),
        ("needs_psam", "needs_psam"),
        ("unsupported_card", "unsupported_card"),
        ("", ""),
        (None, ""),
        ("<img src=x onerror=alert(1)>", ""),
        ("REPOSITION", ""),
    ],
)
def test_an_unreadable_card_tells_the_kiosk_page_with_a_known_hint_only(
    app: Flask, hall: Hall, hint: str | None, shown: str
) -> None:
    page = kiosk_page(app, hall.kiosk.key)
    payload: dict[str, Any] = {"reader_id": SSC_READER, "source": "ssc"}
    if hint is not None:
        payload["hint"] = hint
    assert call(agent(app, hall.kiosk), "card_unreadable", payload) == {"ok": True}
    assert received(page) == [("citizen_card_unreadable", {"source": "ssc", "hint": shown})]


def test_only_the_kiosks_own_page_hears_of_an_unreadable_card(app: Flask, hall: Hall) -> None:
    with Session(database(app).engine) as session:
        other = add_kiosk(session, build_world(session, vacancies=0).hall_id, runtime(app).policy.credential_key)
    other_page = kiosk_page(app, other.key)
    call(agent(app, hall.kiosk), "card_unreadable", {"reader_id": ID_READER, "source": "idcard", "hint": ""})
    assert received(other_page) == []


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        ("nope", "card_unreadable: expected a JSON object"),
        ({"reader_id": ID_READER, "source": "ecard", "hint": ""}, "card_unreadable.source"),
        ({"reader_id": ID_READER, "hint": ""}, "card_unreadable.source"),
        ({"reader_id": "", "source": "idcard"}, "card_unreadable.reader_id"),
        ({"reader_id": ID_READER, "source": "idcard", "hint": 3}, "card_unreadable.hint: expected text"),
        ({"reader_id": ID_READER, "source": "idcard", "hint": "x" * 5000}, "card_unreadable.hint: at most"),
        ({"reader_id": ID_READER, "source": "idcard", "hint": "re\x00position"}, "card_unreadable.hint: control"),
    ],
    ids=["not-object", "ecard", "no-source", "no-reader", "hint-number", "hint-huge", "hint-nul"],
)
def test_a_malformed_card_unreadable_is_refused_and_the_page_hears_nothing(
    app: Flask, hall: Hall, payload: Any, fragment: str
) -> None:
    page = kiosk_page(app, hall.kiosk.key)
    ack = call(agent(app, hall.kiosk), "card_unreadable", payload)
    assert ack["ok"] is False and ack["error"] == "bad_request" and fragment in ack["message"]
    assert received(page) == []


# -- a records backend that gives no masked ID --------------------------------------------------------------


class NoIdBackend:
    """Knows everyone, but gives no masked ID number (an upstream that leaves it out)."""

    def identify(self, identity: CardIdentity) -> PersonRecord:
        return PersonRecord(
            ref="http:1", name="李四", sex_code="1", birth_date=date(1980, 1, 2), masked_id="", region_code=""
        )

    def records(self, person_ref: str, today: date) -> Any:
        raise AssertionError("not asked in this test")


def test_a_session_without_a_masked_id_logs_that_it_has_none(
    app: Flask, hall: Hall, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(CitizenPolicy, "backend", lambda self, session, clock: NoIdBackend())
    page = kiosk_page(app, hall.kiosk.key)
    with caplog.at_level(logging.INFO, logger="kiosk_server.agent_namespace"):
        ack = call(agent(app, hall.kiosk), "card_read", idcard_read(hall.holder))
    assert ack["ok"] is True and ack["session"]["citizen"]["masked_id"] == ""
    [line] = [r.getMessage() for r in caplog.records if "card_read on kiosk screen" in r.getMessage()]
    assert line.endswith(f"session {ack['session']['id']} for (no ID number from the records backend)")
    [(_, payload)] = received(page)
    assert payload["citizen"]["masked_id"] == "", "the page says 未提供 itself (display_client)"
