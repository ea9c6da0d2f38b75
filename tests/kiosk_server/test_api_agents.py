"""POST /screens/<id>/agent-credential and GET /screens/<id>/readers, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.accounts.audit import AuditEntry
from content.citizens.kiosk_agents import ReaderKind, ReaderReport, ReaderState, replace_reader_statuses
from kiosk_server.database import database
from kiosk_server.settings_access import runtime
from tests.kiosk_server.api_factories import Api, Factory


def kiosk_id(make: Factory) -> int:
    return make.screen(name="求职自助终端", kind="kiosk", width_px=1080, height_px=1920)["id"]


def connects(app: Flask, screen_key: str, credential: str) -> bool:
    client = runtime(app).socketio.test_client(
        app, namespace="/agent", auth={"device": screen_key, "credential": credential}
    )
    return bool(client.is_connected("/agent"))


def test_issuing_a_credential_shows_it_once_and_it_connects(app: Flask, api: Api, make: Factory) -> None:
    ident = kiosk_id(make)
    issued = api.post(f"screens/{ident}/agent-credential", None, expect=201)
    assert set(issued) == {"credential", "screen_key"}
    assert issued["screen_key"] == api.get(f"screens/{ident}")["key"]
    assert connects(app, issued["screen_key"], issued["credential"])
    with Session(database(app).engine) as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "agent_credential.issued")).one()
        assert entry.actor == "api-token" and entry.object_id == str(ident)
        assert issued["credential"] not in repr(entry.summary)


def test_issuing_again_revokes_the_first(app: Flask, api: Api, make: Factory) -> None:
    ident = kiosk_id(make)
    first = api.post(f"screens/{ident}/agent-credential", None)
    second = api.post(f"screens/{ident}/agent-credential", None)
    assert first["credential"] != second["credential"]
    assert not connects(app, first["screen_key"], first["credential"])
    assert connects(app, second["screen_key"], second["credential"])


def test_a_wall_gets_no_credential(api: Api, make: Factory) -> None:
    wall = make.screen()
    answer = api.post(f"screens/{wall['id']}/agent-credential", None, expect=409)
    assert answer["error"] == "conflict"
    assert "wall screen" in answer["message"] and "only kiosk screens" in answer["message"]


def test_unknown_screens_and_missing_tokens_are_refused(client: Any, api: Api) -> None:
    assert api.post("screens/999999/agent-credential", None, expect=404)["error"] == "not_found"
    assert client.post("/api/v1/screens/1/agent-credential").status_code == 401
    assert client.get("/api/v1/screens/1/readers").status_code == 401


def test_readers_lists_what_the_agent_reported(app: Flask, api: Api, make: Factory) -> None:
    ident = kiosk_id(make)
    assert api.get(f"screens/{ident}/readers") == {"items": []}
    with Session(database(app).engine) as session:
        replace_reader_statuses(
            session,
            ident,
            [
                ReaderReport("ssc-pcsc-1", ReaderKind.SSC_PCSC, ReaderState.FAULT, "card mute"),
                ReaderReport("idcard-serial-1", ReaderKind.IDCARD_SERIAL, ReaderState.ATTACHED),
            ],
            runtime(app).clock(),
        )
        session.commit()
    items = api.get(f"screens/{ident}/readers")["items"]
    assert [(r["reader_id"], r["kind"], r["state"], r["message"]) for r in items] == [
        ("idcard-serial-1", "idcard_serial", "attached", ""),
        ("ssc-pcsc-1", "ssc_pcsc", "fault", "card mute"),
    ]
    assert all(r["changed_at"] for r in items)
    api.get("screens/999999/readers", expect=404)


def test_both_routes_are_in_the_openapi_document(api: Api) -> None:
    paths = api.get("openapi.json", expect=200)["paths"]
    issue = paths["/api/v1/screens/{ident}/agent-credential"]["post"]
    assert issue["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].endswith("/AgentCredentialOut")
    assert {"401", "404", "409"} <= set(issue["responses"])
    readers = paths["/api/v1/screens/{ident}/readers"]["get"]
    assert readers["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/ReaderList")
