"""Kiosk device agents: issue a kiosk's agent credential (shown once), list the readers its agent reports."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app
from pydantic import BaseModel, Field

from content.accounts import audit
from content.citizens.kiosk_agents import NotAKiosk, ReaderKind, ReaderState, issue_agent_credential, reader_statuses
from kiosk_server.api._errors import Conflict
from kiosk_server.api._routing import Operation, route
from kiosk_server.api._schemas import Out
from kiosk_server.api.screens import SCREENS
from kiosk_server.auth import Need, current_actor
from kiosk_server.database import request_session
from kiosk_server.records_backends import agent_credential_key
from kiosk_server.settings_access import settings


class AgentCredentialOut(BaseModel):
    credential: str = Field(description="shown this once: the server keeps only a keyed hash; a new one revokes it")
    screen_key: str = Field(description="the kiosk's screen key, which the agent presents as its device")


class ReaderStatusOut(Out):
    reader_id: str
    kind: ReaderKind
    state: ReaderState = Field(description="unknown while the kiosk's agent is not connected")
    message: str
    reason: str = Field(description="a fault's code as the agent reported it; empty in other states")
    repeated: int = Field(description="how often the agent saw the fault in its last reporting interval")
    last_good_read_at: datetime | None = Field(description="when the reader last read a card")
    changed_at: datetime


class ReaderList(BaseModel):
    items: list[ReaderStatusOut]


@route(
    "/screens/<int:ident>/agent-credential",
    "POST",
    "screens_agent_credential",
    Operation(
        "Issue the kiosk's device agent credential (revokes the previous one)",
        "screens",
        response=AgentCredentialOut,
        status=201,
        errors=(404, 409),
        need=Need.ADMIN,
    ),
)
def issue_credential(ident: int) -> Any:
    session = request_session()
    screen = SCREENS.get(session, ident)
    try:
        credential = issue_agent_credential(session, screen, agent_credential_key(settings(current_app).secret_key))
    except NotAKiosk as err:
        raise Conflict(str(err)) from err
    audit.record(
        session,
        actor=current_actor() or "unknown",
        action="agent_credential.issued",
        obj_kind="screen",
        obj_id=screen.id,
        summary={},
    )
    session.commit()
    return {"credential": credential, "screen_key": screen.key}, 201


@route(
    "/screens/<int:ident>/readers",
    "GET",
    "screens_readers",
    Operation("The card readers a kiosk's agent last reported", "screens", response=ReaderList, errors=(404,)),
)
def list_readers(ident: int) -> Any:
    session = request_session()
    screen = SCREENS.get(session, ident)
    rows = reader_statuses(session, screen.id)
    return {"items": [ReaderStatusOut.model_validate(row).model_dump(mode="json") for row in rows]}
