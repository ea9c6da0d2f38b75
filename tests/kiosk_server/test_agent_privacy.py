"""No ID number, card number, token, credential or full name reaches a log line or the audit table (docs/architecture.md, "Personal data").

Card flows run at DEBUG twice: in-process (every log record captured) and against a real
``kiosk serve`` process (its whole log file), where the sweeper's idle timeout runs too.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.accounts.audit import AuditEntry
from content.citizens.demo_backend import issue_ecard_token
from content.citizens.idnumbers import mask_id_number_for_log
from kiosk_server.database import database, make_engine
from kiosk_server.records_backends import agent_credential_key, records_key
from kiosk_server.settings_access import runtime
from tests.support import migrated_schema
from tests.support.citizens import (
    AgentClient,
    Holder,
    Kiosk,
    KioskScreenClient,
    add_holder,
    add_kiosk,
    ecard_read,
    idcard_read,
    ssc_read,
)
from tests.support.server import ServerProcess, wait_for
from tests.support.world import build_world

SECRET = "privacy-test-secret-key"


def wrong_check(number: str) -> str:
    return number[:17] + ("1" if number[17] == "0" else "0")


def secrets_of(holder: Holder, kiosk: Kiosk, ecard_token: str) -> list[str]:
    return [
        holder.id_number,
        wrong_check(holder.id_number),
        holder.id_number[6:14] + holder.id_number[14:17],
        holder.name,
        holder.card_number,
        ecard_token,
        ecard_token[len("HRSS-ESSC:") :],
        kiosk.credential,
    ]


def audit_text(engine: Any) -> str:
    with Session(engine) as session:
        rows = session.scalars(select(AuditEntry)).all()
        return "\n".join(json.dumps([r.actor, r.action, r.object_id, r.summary], ensure_ascii=False) for r in rows)


def card_flows(call: Any, holder: Holder, ecard_token: str) -> list[dict[str, Any]]:
    """Every kind of card event an agent sends, with their acks."""
    return [
        call(
            "agent_hello",
            {
                "agent_version": "0.1.0",
                "cards_present": [],
                "readers": [
                    {"reader_id": "idcard-serial-1", "kind": "idcard_serial", "state": "attached", "message": ""},
                    {"reader_id": "ssc-pcsc-1", "kind": "ssc_pcsc", "state": "attached", "message": ""},
                ],
            },
        ),
        call("card_read", idcard_read(holder)),
        call("card_removed", {"reader_id": "idcard-serial-1"}),
        call("card_read", ssc_read(holder)),
        call("card_read", ssc_read(holder, psam=False)),
        call("card_removed", {"reader_id": "ssc-pcsc-1"}),
        call("card_read", idcard_read(holder, id_number=wrong_check(holder.id_number))),
        call("card_read", ssc_read(holder, psam=False, card_number="B00000001")),
        call("card_read", ecard_read(ecard_token)),
        call("card_read", ecard_read(ecard_token[:-6] + "AAAAAA")),
        call("reader_status", {"reader_id": "ssc-pcsc-1", "kind": "ssc_pcsc", "state": "fault", "message": "mute"}),
    ]


def test_in_process_logs_and_audit_hold_no_personal_data(app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    policy = runtime(app).policy
    with Session(database(app).engine) as session:
        world = build_world(session, vacancies=1)
        kiosk = add_kiosk(session, world.hall_id, policy.credential_key)
        holder = add_holder(session, policy.records_key)
    token = issue_ecard_token(holder.person_id, policy.records_key, datetime.now(UTC))
    caplog.set_level(logging.DEBUG)
    socketio = runtime(app).socketio
    page = socketio.test_client(app, namespace="/screen", auth={"key": kiosk.key})
    page.emit("hello", {"held": {}}, namespace="/screen")
    agent = socketio.test_client(app, namespace="/agent", auth={"device": kiosk.key, "credential": kiosk.credential})
    acks = card_flows(lambda event, data: agent.emit(event, data, namespace="/agent", callback=True), holder, token)
    assert [a["ok"] for a in acks] == [True, True, True, True, True, True, False, False, True, False, True]
    page.emit("hello", {"held": {}}, namespace="/screen")  # re-sends the open e-card session with a new token
    runtime(app).sweeper.sweep_once(datetime(2100, 1, 1, tzinfo=UTC))
    agent.disconnect(namespace="/agent")
    session_tokens = [e["args"][0]["token"] for e in page.get_received("/screen") if e["name"] == "citizen_session"]
    assert len(session_tokens) == 5

    logged = [record.getMessage() + (record.exc_text or "") for record in caplog.records]
    assert any("card_read on kiosk screen" in line for line in logged), "the flows must have been logged at all"
    logged_id = mask_id_number_for_log(holder.masked_id)
    assert any(logged_id in line for line in logged), "the log form of the number is what the log shows"
    forbidden = [*secrets_of(holder, kiosk, token), holder.masked_id, *session_tokens]
    for line in logged:
        for secret in forbidden:
            assert secret not in line, f"personal data in a log line: {line[:200]}"
    audit = audit_text(database(app).engine)
    assert "citizen_session.open" in audit and "citizen_session.refused" in audit
    for secret in forbidden:
        assert secret not in audit


@pytest.fixture
def served(database_url: str, tmp_path: Path) -> Iterator[tuple[ServerProcess, Any, Kiosk, Holder]]:
    engine = make_engine(database_url)
    migrated_schema.ready(engine)
    with Session(engine) as session:
        world = build_world(session, vacancies=1)
        kiosk = add_kiosk(session, world.hall_id, agent_credential_key(SECRET))
        holder = add_holder(session, records_key(SECRET))
    server = ServerProcess(
        tmp_path / "server",
        database_url,
        extra_env={
            "KIOSK_LOG_LEVEL": "DEBUG",
            "KIOSK_SECRET_KEY": SECRET,
            "KIOSK_CITIZEN_SESSION_IDLE_SECONDS": "10",
            "KIOSK_SESSION_SWEEP_SECONDS": "0.2",
        },
    )
    server.start()
    try:
        yield server, engine, kiosk, holder
    finally:
        server.stop()
        engine.dispose()


@pytest.mark.slow
def test_a_real_server_at_debug_logs_no_personal_data(served: tuple[ServerProcess, Any, Kiosk, Holder]) -> None:
    server, engine, kiosk, holder = served
    token = issue_ecard_token(holder.person_id, records_key(SECRET), datetime.now(UTC))
    page = KioskScreenClient(server.url, kiosk.key).connect()
    agent = AgentClient(server.url, kiosk).connect()
    try:
        wait_for(lambda: page.received("welcome"), 10, "the kiosk page's welcome")
        acks = card_flows(agent.call, holder, token)
        assert [a["ok"] for a in acks] == [True, True, True, True, True, True, False, False, True, False, True]
        wait_for(lambda: len(page.received("citizen_session")) == 4, 10, "four sessions on the kiosk page")
        wait_for(lambda: len(page.received("citizen_session_refused")) == 3, 10, "three refusals on the page")
        last = page.received("citizen_session")[-1]
        assert last["source"] == "ecard" and last["idle_seconds"] == 10
        # Nobody touches the e-card session: the server's sweeper ends it after 10 idle seconds.
        wait_for(
            lambda: {"session_id": last["session_id"], "reason": "timeout"} in page.received("citizen_session_ended"),
            20,
            "the idle timeout",
        )
        session_tokens = [s["token"] for s in page.received("citizen_session")]
    finally:
        agent.close()
        page.close()
    server.stop()
    log = server.log_path.read_text(encoding="utf-8", errors="replace")
    assert "card_read on kiosk screen" in log and mask_id_number_for_log(holder.masked_id) in log
    assert "citizen sessions timed out" in log
    for secret in [*secrets_of(holder, kiosk, token), holder.masked_id, *session_tokens]:
        assert secret not in log, "personal data in the server log"
    audit = audit_text(engine)
    for secret in secrets_of(holder, kiosk, token) + session_tokens:
        assert secret not in audit
