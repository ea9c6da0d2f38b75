"""A card left in its reader after its session ended: the kiosk page hears when it is taken (docs/kiosk.md §3).

The agent reports ``card_removed``; when that ends no session because the session had ended by the
idle timeout or by 结束, the kiosk's screen room gets ``citizen_card_removed`` so the page can stop
saying 请取走您的证件. A removal that ends nothing else (no session, or one that ended otherwise) is
not told.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from content.citizens.sessions import end_expired
from kiosk_server.database import database
from kiosk_server.settings_access import runtime
from tests.support.agent_sockets import agent, call, kiosk_page, received
from tests.support.citizens import Holder, Kiosk, add_holder, add_kiosk, idcard_read
from tests.support.world import build_world

READER = "idcard-serial-1"


@dataclass
class Hall:
    kiosk: Kiosk
    holder: Holder


@pytest.fixture
def hall(app: Flask) -> Hall:
    policy = runtime(app).policy
    with Session(database(app).engine) as session:
        world = build_world(session, vacancies=0)
        kiosk = add_kiosk(session, world.hall_id, policy.credential_key)
        holder = add_holder(session, policy.records_key)
    return Hall(kiosk, holder)


def open_session(app: Flask, hall: Hall) -> tuple[Any, Any, dict[str, Any]]:
    """The agent reads the holder's ID card; returns the agent, the page and the page's citizen_session."""
    client = agent(app, hall.kiosk)
    page = kiosk_page(app, hall.kiosk.key)
    assert call(client, "card_read", idcard_read(hall.holder, reader_id=READER))["ok"] is True
    opened = [data for name, data in received(page) if name == "citizen_session"]
    assert len(opened) == 1
    return client, page, opened[0]


def test_a_card_taken_after_finish_is_told_to_the_page(app: Flask, hall: Hall) -> None:
    client, page, opened = open_session(app, hall)
    answer = app.test_client().post(
        "/kiosk/api/session/finish",
        headers={"X-Screen-Key": hall.kiosk.key, "X-Citizen-Session": opened["token"]},
    )
    assert answer.status_code == 204
    assert received(page) == [("citizen_session_ended", {"session_id": opened["session_id"], "reason": "finished"})]
    assert call(client, "card_removed", {"reader_id": READER}) == {"ok": True, "ended": 0}
    assert received(page) == [("citizen_card_removed", {"reader_id": READER})]


def test_a_card_taken_after_the_idle_timeout_is_told_to_the_page(app: Flask, hall: Hall) -> None:
    client, page, opened = open_session(app, hall)
    with Session(database(app).engine) as session:
        ended = [row.id for row in end_expired(session, datetime.now(UTC) + timedelta(hours=1))]
        session.commit()
    assert ended == [opened["session_id"]]
    received(page)
    assert call(client, "card_removed", {"reader_id": READER}) == {"ok": True, "ended": 0}
    assert received(page) == [("citizen_card_removed", {"reader_id": READER})]


def test_a_removal_that_ends_the_session_is_told_once_as_its_end(app: Flask, hall: Hall) -> None:
    client, page, opened = open_session(app, hall)
    assert call(client, "card_removed", {"reader_id": READER}) == {"ok": True, "ended": 1}
    assert received(page) == [("citizen_session_ended", {"session_id": opened["session_id"], "reason": "card_removed"})]
    # The same reader reporting an empty slot again (a bounce) says nothing: no card was left behind.
    assert call(client, "card_removed", {"reader_id": READER}) == {"ok": True, "ended": 0}
    assert received(page) == []


def test_a_reader_that_never_opened_a_session_is_not_told(app: Flask, hall: Hall) -> None:
    client, page, _opened = open_session(app, hall)
    assert call(client, "card_removed", {"reader_id": "ssc-pcsc-1"}) == {"ok": True, "ended": 0}
    assert received(page) == []
