"""The /agent namespace in-process (Flask-SocketIO test clients) on SQLite and PostgreSQL (docs/protocol.md §7)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.citizens.demo_backend import issue_ecard_token
from content.citizens.kiosk_agents import issue_agent_credential, reader_statuses
from content.citizens.sessions import CitizenSession, token_hash
from content.org.screens import Screen
from kiosk_server.database import database
from kiosk_server.settings_access import runtime
from tests.support.agent_sockets import agent, call, kiosk_page, received
from tests.support.citizens import Holder, Kiosk, add_holder, add_kiosk, ecard_read, idcard_read, ssc_read
from tests.support.world import World, build_world

SESSION_KEYS = {"session_id", "token", "source", "opened_at", "expires_at", "idle_seconds", "citizen", "notice"}


@dataclass
class Hall:
    world: World
    kiosk: Kiosk
    holder: Holder


@pytest.fixture
def hall(app: Flask) -> Hall:
    policy = runtime(app).policy
    with Session(database(app).engine) as session:
        world = build_world(session, vacancies=2)
        kiosk = add_kiosk(session, world.hall_id, policy.credential_key)
        holder = add_holder(session, policy.records_key)
    return Hall(world, kiosk, holder)


def sessions(app: Flask) -> list[CitizenSession]:
    with Session(database(app).engine) as session:
        return list(session.scalars(select(CitizenSession).order_by(CitizenSession.id)))


# -- connecting -----------------------------------------------------------------------------------------


def test_the_right_credential_connects(app: Flask, hall: Hall) -> None:
    assert agent(app, hall.kiosk).is_connected("/agent")


@pytest.mark.parametrize(
    "auth",
    [
        {"device": "KEY", "credential": "wrong"},
        {"device": "no-such-screen", "credential": "CRED"},
        {"device": "KEY"},
        None,
        {"device": "KEY\x00", "credential": "CRED"},
        {"device": "KEY", "credential": "CRED\x00"},
    ],
    ids=["wrong-credential", "unknown-device", "no-credential", "no-auth", "nul-in-device", "nul-in-credential"],
)
def test_a_bad_connect_is_refused(app: Flask, hall: Hall, auth: dict[str, str] | None) -> None:
    if auth is not None:
        auth = {k: v.replace("KEY", hall.kiosk.key).replace("CRED", hall.kiosk.credential) for k, v in auth.items()}
    client = runtime(app).socketio.test_client(app, namespace="/agent", auth=auth)
    assert not client.is_connected("/agent")


def test_a_wall_is_refused_even_with_a_kiosks_credential(app: Flask, hall: Hall) -> None:
    assert not agent(app, hall.kiosk, device=hall.world.wall_keys[0]).is_connected("/agent")


def test_a_reissued_credential_revokes_the_old_one(app: Flask, hall: Hall) -> None:
    with Session(database(app).engine) as session:
        screen = session.get(Screen, hall.kiosk.screen_id)
        assert screen is not None
        new = issue_agent_credential(session, screen, runtime(app).policy.credential_key)
        session.commit()
    assert not agent(app, hall.kiosk).is_connected("/agent")
    assert agent(app, hall.kiosk, credential=new).is_connected("/agent")


# -- hello and readers ------------------------------------------------------------------------------------


def test_hello_answers_with_the_kiosk_and_replaces_its_readers(app: Flask, hall: Hall) -> None:
    client = agent(app, hall.kiosk)
    ack = call(
        client,
        "agent_hello",
        {
            "agent_version": "0.1.0",
            "cards_present": [],
            "readers": [
                {"reader_id": "idcard-serial-1", "kind": "idcard_serial", "state": "attached", "message": ""},
                {"reader_id": "ssc-pcsc-1", "kind": "ssc_pcsc", "state": "fault", "message": "no PSAM"},
            ],
        },
    )
    assert ack == {
        "ok": True,
        "session_idle_seconds": 180,
        "screen": {
            "id": hall.kiosk.screen_id,
            "name": "求职自助终端",
            "hall": {"id": hall.world.hall_id, "name": "城关区公共就业服务中心"},
        },
    }
    assert call(
        client, "reader_status", {"reader_id": "ssc-pcsc-1", "kind": "ssc_pcsc", "state": "attached", "message": ""}
    ) == {"ok": True}
    with Session(database(app).engine) as session:
        rows = {r.reader_id: (r.kind, r.state) for r in reader_statuses(session, hall.kiosk.screen_id)}
    assert rows == {"idcard-serial-1": ("idcard_serial", "attached"), "ssc-pcsc-1": ("ssc_pcsc", "attached")}


def test_a_disconnected_agent_leaves_its_readers_unknown(app: Flask, hall: Hall) -> None:
    client = agent(app, hall.kiosk)
    call(
        client,
        "agent_hello",
        {
            "agent_version": "0.1.0",
            "cards_present": [],
            "readers": [{"reader_id": "ssc-pcsc-1", "kind": "ssc_pcsc", "state": "attached", "message": ""}],
        },
    )
    client.disconnect(namespace="/agent")
    with Session(database(app).engine) as session:
        assert [r.state for r in reader_statuses(session, hall.kiosk.screen_id)] == ["unknown"]


def test_an_agent_emitting_reserved_event_names_stays_linked_with_its_readers(app: Flask, hall: Hall) -> None:
    client = agent(app, hall.kiosk)
    reader = {"reader_id": "ssc-pcsc-1", "kind": "ssc_pcsc", "state": "attached", "message": ""}
    call(client, "agent_hello", {"agent_version": "0.1.0", "cards_present": [], "readers": [reader]})
    client.emit("disconnect", namespace="/agent")
    client.emit("connect_error", {"message": "x"}, namespace="/agent")
    auth = {"device": hall.kiosk.key, "credential": "wrong"}
    client.emit("connect", auth, auth, namespace="/agent")  # a second argument would reach on_connect as auth
    assert runtime(app).agents.connected_kiosks() == {hall.kiosk.screen_id}
    with Session(database(app).engine) as session:
        assert [r.state for r in reader_statuses(session, hall.kiosk.screen_id)] == ["attached"]
    assert call(client, "card_removed", {"reader_id": "ssc-pcsc-1"}) == {"ok": True, "ended": 0}


@pytest.mark.parametrize(
    ("event", "payload", "fragment"),
    [
        ("card_read", "not an object", "card_read: expected a JSON object"),
        ("card_read", {"reader_id": "r", "source": "passport", "identity": {}}, "card_read.source"),
        ("card_read", {"reader_id": "", "source": "idcard", "identity": {}}, "card_read.reader_id"),
        ("card_read", {"reader_id": "r", "source": "idcard", "identity": []}, "card_read.identity"),
        ("card_removed", {}, "card_removed.reader_id"),
        ("reader_status", {"reader_id": "r", "kind": "ssc_pcsc", "state": "unknown"}, "reader_status.state"),
        ("reader_status", {"reader_id": "r", "kind": "floppy", "state": "attached"}, "reader_status.kind"),
        ("agent_hello", {"readers": "all of them"}, "agent_hello.readers"),
        ("agent_hello", {"readers": [], "cards_present": [7]}, "agent_hello.cards_present.0"),
    ],
)
def test_a_malformed_payload_gets_bad_request_naming_the_field(
    app: Flask, hall: Hall, event: str, payload: Any, fragment: str
) -> None:
    ack = call(agent(app, hall.kiosk), event, payload)
    assert ack["ok"] is False and ack["error"] == "bad_request"
    assert fragment in ack["message"]


# -- card reads ---------------------------------------------------------------------------------------------


def test_a_card_read_opens_a_session_and_the_kiosk_page_gets_masked_facts_only(app: Flask, hall: Hall) -> None:
    page = kiosk_page(app, hall.kiosk.key)
    wall = kiosk_page(app, hall.world.wall_keys[0])
    ack = call(agent(app, hall.kiosk), "card_read", idcard_read(hall.holder))
    assert ack["ok"] is True
    assert ack["session"]["citizen"] == {
        "masked_name": "欧***",
        "masked_id": hall.holder.masked_id,
        "sex": "男",
        "age": ack["session"]["citizen"]["age"],
    }
    [(name, payload)] = received(page)
    assert name == "citizen_session" and set(payload) == SESSION_KEYS
    assert payload["session_id"] == ack["session"]["id"] and payload["source"] == "idcard"
    assert payload["citizen"] == ack["session"]["citizen"] and payload["notice"] == ""
    assert payload["idle_seconds"] == 180
    text = repr(payload) + repr(ack)
    for secret in (hall.holder.id_number, hall.holder.name, hall.holder.card_number):
        assert secret not in text
    [stored] = sessions(app)
    assert stored.token_hash == token_hash(payload["token"]) and payload["token"] not in stored.token_hash
    assert received(wall) == [], "only the kiosk's own room hears of it"


def test_a_card_only_ssc_read_carries_the_psam_notice(app: Flask, hall: Hall) -> None:
    page = kiosk_page(app, hall.kiosk.key)
    assert call(agent(app, hall.kiosk), "card_read", ssc_read(hall.holder, psam=False))["ok"] is True
    [(_, payload)] = received(page)
    assert payload["notice"] == "此卡为第三代社保卡，本机未配备PSAM安全模块，个人信息将通过卡号查询。"


def test_an_ecard_read_opens_a_session(app: Flask, hall: Hall) -> None:
    token = issue_ecard_token(hall.holder.person_id, runtime(app).policy.records_key, datetime.now(UTC))
    ack = call(agent(app, hall.kiosk), "card_read", ecard_read(token))
    assert ack["ok"] is True and ack["session"]["citizen"]["masked_id"] == hall.holder.masked_id


@pytest.mark.parametrize(
    ("read", "code"),
    [
        (lambda h: ssc_read(h, psam=False, card_number="B00000001"), "unknown_person"),
        (
            lambda h: idcard_read(h, id_number=h.id_number[:17] + ("1" if h.id_number[17] == "0" else "0")),
            "invalid_identity",
        ),
        (lambda h: ecard_read("HRSS-ESSC:" + "A" * 55), "token_invalid"),
    ],
    ids=["unknown", "invalid", "forged"],
)
def test_a_refused_read_tells_the_agent_and_the_kiosk_page(app: Flask, hall: Hall, read: Any, code: str) -> None:
    page = kiosk_page(app, hall.kiosk.key)
    ack = call(agent(app, hall.kiosk), "card_read", read(hall.holder))
    assert ack["ok"] is False and ack["error"] == code and ack["message"]
    assert received(page) == [
        ("citizen_session_refused", {"source": read(hall.holder)["source"], "error": code, "message": ack["message"]})
    ]
    assert hall.holder.id_number not in ack["message"]
    assert sessions(app) == []


def test_an_expired_ecard_token_is_refused_as_expired(app: Flask, hall: Hall) -> None:
    token = issue_ecard_token(
        hall.holder.person_id, runtime(app).policy.records_key, datetime.now(UTC) - timedelta(minutes=5)
    )
    assert call(agent(app, hall.kiosk), "card_read", ecard_read(token))["error"] == "token_expired"


def test_a_new_card_replaces_the_session_and_the_page_hears_both(app: Flask, hall: Hall) -> None:
    client = agent(app, hall.kiosk)
    page = kiosk_page(app, hall.kiosk.key)
    first = call(client, "card_read", idcard_read(hall.holder))["session"]["id"]
    second = call(client, "card_read", ssc_read(hall.holder))["session"]["id"]
    events = received(page)
    assert [name for name, _ in events] == ["citizen_session", "citizen_session_ended", "citizen_session"]
    assert events[1][1] == {"session_id": first, "reason": "replaced"} and events[2][1]["session_id"] == second


def test_card_removal_ends_only_the_session_from_that_reader(app: Flask, hall: Hall) -> None:
    client = agent(app, hall.kiosk)
    page = kiosk_page(app, hall.kiosk.key)
    opened = call(client, "card_read", ssc_read(hall.holder, reader_id="ssc-pcsc-1"))["session"]["id"]
    received(page)
    assert call(client, "card_removed", {"reader_id": "idcard-serial-1"}) == {"ok": True, "ended": 0}
    assert received(page) == []
    assert call(client, "card_removed", {"reader_id": "ssc-pcsc-1"}) == {"ok": True, "ended": 1}
    assert received(page) == [("citizen_session_ended", {"session_id": opened, "reason": "card_removed"})]


def test_a_reconnected_agent_ends_sessions_whose_card_is_gone(app: Flask, hall: Hall) -> None:
    client = agent(app, hall.kiosk)
    opened = call(client, "card_read", ssc_read(hall.holder, reader_id="ssc-pcsc-1"))["session"]["id"]
    client.disconnect(namespace="/agent")
    page = kiosk_page(app, hall.kiosk.key)
    received(page)
    again = agent(app, hall.kiosk)
    call(again, "agent_hello", {"agent_version": "0.1.0", "readers": [], "cards_present": ["ssc-pcsc-1"]})
    assert received(page) == [], "the card is still there: the session goes on"
    call(again, "agent_hello", {"agent_version": "0.1.0", "readers": [], "cards_present": []})
    assert received(page) == [("citizen_session_ended", {"session_id": opened, "reason": "agent_reconnected"})]


# -- the kiosk page's hello and the sweeper ---------------------------------------------------------------


def test_a_reloaded_page_gets_the_open_session_with_a_fresh_token_before_welcome(app: Flask, hall: Hall) -> None:
    first_page = kiosk_page(app, hall.kiosk.key)
    call(agent(app, hall.kiosk), "card_read", idcard_read(hall.holder))
    [(_, original)] = received(first_page)
    reloaded = runtime(app).socketio.test_client(app, namespace="/screen", auth={"key": hall.kiosk.key})
    reloaded.emit("hello", {"held": {}}, namespace="/screen")
    events = received(reloaded)
    names = [name for name, _ in events]
    assert names.index("citizen_session") < names.index("welcome")
    again = dict(events)["citizen_session"]
    assert again["session_id"] == original["session_id"] and again["token"] != original["token"]
    [stored] = sessions(app)
    assert stored.token_hash == token_hash(again["token"]), "the old token stopped working"


def test_an_ended_session_is_not_sent_again_on_hello(app: Flask, hall: Hall) -> None:
    client = agent(app, hall.kiosk)
    call(client, "card_read", idcard_read(hall.holder, reader_id="idcard-serial-1"))
    call(client, "card_removed", {"reader_id": "idcard-serial-1"})
    page = runtime(app).socketio.test_client(app, namespace="/screen", auth={"key": hall.kiosk.key})
    page.emit("hello", {"held": {}}, namespace="/screen")
    assert [name for name, _ in received(page)] == ["manifest", "queue_board", "welcome"]


def test_the_sweeper_ends_an_idle_session_and_tells_the_page(app: Flask, hall: Hall) -> None:
    page = kiosk_page(app, hall.kiosk.key)
    opened = call(agent(app, hall.kiosk), "card_read", idcard_read(hall.holder))["session"]
    received(page)
    sweeper = runtime(app).sweeper
    expires = datetime.fromisoformat(opened["expires_at"])
    assert sweeper.sweep_once(expires - timedelta(seconds=1)) == []
    assert [c.id for c in sweeper.sweep_once(expires)] == [opened["id"]]
    assert received(page) == [("citizen_session_ended", {"session_id": opened["id"], "reason": "timeout"})]
    assert sweeper.sweep_once(expires + timedelta(seconds=5)) == [] and received(page) == []
