"""Taking a queue ticket at the kiosk (/kiosk/api/queue): lines, tickets, linking a card, the limit, the slip."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.citizens.kiosk_printers import (
    PrinterKind,
    PrinterReport,
    PrinterRole,
    PrinterState,
    set_printer_status,
)
from content.citizens.sessions import CitizenSession
from content.org.device_commands import DeviceCommand
from content.queue.models import ServiceType, Ticket
from content.queue.setup import add_counter, add_service_type
from content.queue.ticketing import take_ticket
from kiosk_server.database import database
from kiosk_server.settings_access import runtime
from tests.support.citizens import Holder, Kiosk, add_holder, add_kiosk, open_citizen_session
from tests.support.world import World, build_world

NOON = datetime(2026, 12, 2, 4, 0, tzinfo=UTC)  # 12:00 in Lanzhou


@dataclass
class Site:
    world: World
    kiosk: Kiosk
    second_kiosk: Kiosk
    other_hall_kiosk: Kiosk
    holder: Holder
    social: int  # A 社保业务
    jobs: int  # B 就业登记
    closed: int  # D, inactive
    other_hall_line: int


class Clock:
    """The runtime's clock, moved by the test."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


@pytest.fixture
def clock(app: Flask) -> Iterator[Clock]:
    fake = Clock(NOON)
    rt = runtime(app)
    real, rt.clock = rt.clock, fake
    yield fake
    rt.clock = real


@pytest.fixture
def site(app: Flask) -> Site:
    policy = runtime(app).policy
    with Session(database(app).engine) as session:
        world = build_world(session, vacancies=0)
        kiosk = add_kiosk(session, world.hall_id, policy.credential_key)
        second = add_kiosk(session, world.hall_id, policy.credential_key, name="二号终端")
        elsewhere = add_kiosk(session, world.other_hall_id, policy.credential_key, name="天水终端")
        holder = add_holder(session, policy.records_key)
        social = add_service_type(session, world.hall_id, prefix="A", name="社保业务", name_en="Social insurance")
        jobs = add_service_type(
            session,
            world.hall_id,
            prefix="B",
            name="就业登记",
            name_en="Employment registration",
            default_service_seconds=600,
        )
        closed = add_service_type(session, world.hall_id, prefix="D", name="暂停业务")
        closed.active = False
        other = add_service_type(session, world.other_hall_id, prefix="A", name="天水社保业务")
        add_counter(session, world.hall_id, number=5, services=[social, jobs])
        session.commit()
        return Site(world, kiosk, second, elsewhere, holder, social.id, jobs.id, closed.id, other.id)


def headers(kiosk: Kiosk | None, token: str = "") -> dict[str, str]:
    out = {"X-Screen-Key": kiosk.key} if kiosk else {}
    return {**out, "X-Citizen-Session": token} if token else out


def take(client: Any, kiosk: Kiosk, body: Any, token: str = "") -> Any:
    return client.post("/kiosk/api/queue/tickets", json=body, headers=headers(kiosk, token))


def queue_tickets(app: Flask, line: int, count: int, at: datetime) -> None:
    with Session(database(app).engine) as session:
        for n in range(count):
            take_ticket(session, line, at - timedelta(minutes=count - n))
        session.commit()


def stored(app: Flask, number: str) -> Ticket:
    with Session(database(app).engine) as session:
        ticket = session.scalar(select(Ticket).where(Ticket.number == number))
        assert ticket is not None
        return ticket


def test_lines_are_the_kiosks_own_halls_active_ones_with_their_queue_and_wait(
    client: Any, app: Flask, site: Site, clock: Clock
) -> None:
    queue_tickets(app, site.social, 2, clock())
    answer = client.get("/kiosk/api/queue/lines", headers=headers(site.kiosk))
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    body = answer.json
    assert body["hall"] == {"name": "城关区公共就业服务中心"} and body["printer"] is None
    assert [(x["prefix"], x["name"], x["name_en"], x["waiting"]) for x in body["lines"]] == [
        ("A", "社保业务", "Social insurance", 2),
        ("B", "就业登记", "Employment registration", 0),
    ]
    social, jobs = body["lines"]
    assert social["wait_minutes"] == 10 and social["wait_seconds"] == 600, "two ahead × 300 s at one counter"
    assert jobs["wait_minutes"] == 0
    assert set(social) == {
        "id",
        "prefix",
        "name",
        "name_en",
        "waiting",
        "wait_minutes",
        "wait_seconds",
        "wait_minutes_low",
        "wait_minutes_high",
    }


def test_only_a_kiosk_may_ask(client: Any, site: Site) -> None:
    assert client.get("/kiosk/api/queue/lines").json["error"] == "unknown_screen"
    wall = Kiosk(0, site.world.wall_keys[0], "")
    for answer in (
        client.get("/kiosk/api/queue/lines", headers=headers(wall)),
        take(client, wall, {"service_type_id": site.social}),
    ):
        assert answer.status_code == 403 and answer.json["error"] == "not_a_kiosk"


def test_taking_a_ticket_answers_its_status_the_status_page_the_slip_and_a_qr_code(
    client: Any, app: Flask, site: Site, clock: Clock
) -> None:
    queue_tickets(app, site.social, 3, clock())
    answer = take(client, site.kiosk, {"service_type_id": site.social})
    assert answer.status_code == 201
    ticket = answer.json
    assert ticket["number"] == "A004" and ticket["state"] == "waiting" and ticket["priority"] is False
    assert ticket["ahead"] == 3 and ticket["wait_minutes"] == 15
    assert ticket["service"]["name"] == "社保业务" and ticket["hall"]["name"] == "城关区公共就业服务中心"
    code = ticket["code"]
    assert ticket["status_url"] == f"http://localhost/q/{code}"
    assert ticket["slip_url"] == f"/kiosk/api/queue/tickets/{code}/slip"
    assert (
        ticket["qr_svg"].startswith("<svg")
        and ticket["printer"] is None
        and ticket["print"] is None
        and ticket["linked"] is False
    )
    row = stored(app, "A004")
    assert row.source == "kiosk" and row.person_ref is None and row.public_code == code


def test_the_priority_lane_is_open_to_anyone_and_goes_ahead(client: Any, app: Flask, site: Site, clock: Clock) -> None:
    queue_tickets(app, site.social, 2, clock())
    ticket = take(client, site.kiosk, {"service_type_id": site.social, "priority": True}).json
    assert ticket["priority"] is True and ticket["ahead"] == 0
    assert stored(app, ticket["number"]).priority is True


def test_a_line_of_another_hall_or_none_at_all_is_not_found(client: Any, site: Site, clock: Clock) -> None:
    for ident in (site.other_hall_line, 987654):
        answer = take(client, site.kiosk, {"service_type_id": ident})
        assert answer.status_code == 404 and answer.json["error"] == "not_found"
        assert answer.json["message"] == "本厅没有该业务，请重新选择。"


def test_a_paused_line_says_so(client: Any, site: Site, clock: Clock) -> None:
    answer = take(client, site.kiosk, {"service_type_id": site.closed})
    assert answer.status_code == 409 and answer.json == {
        "error": "line_closed",
        "message": "暂停业务暂停取号，请到服务台咨询。",
    }
    assert take(client, site.kiosk, {"service_type_id": site.social}).status_code == 201, "the refusal used no turn"


@pytest.mark.parametrize(
    "body, field",
    [
        (None, "JSON"),
        ([1], "JSON"),
        ({}, "service_type_id"),
        ({"service_type_id": "1"}, "service_type_id"),
        ({"service_type_id": True}, "service_type_id"),
        ({"service_type_id": 1, "priority": "yes"}, "priority"),
        ({"service_type_id": 1, "link_card": 1}, "link_card"),
    ],
)
def test_a_malformed_request_is_400_naming_what_is_wrong(client: Any, site: Site, body: Any, field: str) -> None:
    answer = take(client, site.kiosk, body)
    assert answer.status_code == 400 and answer.json["error"] == "bad_request" and field in answer.json["message"]


def test_linking_the_card_keeps_only_a_keyed_hash_of_the_person(
    client: Any, app: Flask, site: Site, clock: Clock
) -> None:
    rt = runtime(app)
    with Session(database(app).engine) as session:
        token = open_citizen_session(
            session, rt.policy.backend(session, rt.clock), site.kiosk, site.holder, now=clock()
        )
        citizen = session.scalar(select(CitizenSession))
        assert citizen is not None
        backend_ref = citizen.person_ref
    first = take(client, site.kiosk, {"service_type_id": site.social, "link_card": True}, token)
    assert first.status_code == 201 and first.json["linked"] is True
    clock.advance(3)
    again = take(client, site.kiosk, {"service_type_id": site.jobs, "link_card": True}, token).json
    clock.advance(3)
    unlinked = take(client, site.kiosk, {"service_type_id": site.jobs}, token).json
    kept = stored(app, first.json["number"]).person_ref
    assert kept is not None and re.fullmatch(r"[0-9a-f]{64}", kept)
    assert kept != backend_ref and backend_ref not in kept
    assert site.holder.id_number not in kept and site.holder.card_number not in kept
    assert stored(app, again["number"]).person_ref == kept, "the same person, the same hash"
    assert stored(app, unlinked["number"]).person_ref is None, "not linking keeps nothing"
    everything = str(first.json) + str(again)
    assert site.holder.name not in everything and site.holder.id_number not in everything and kept not in everything


def test_linking_needs_an_open_session_of_this_kiosk(client: Any, app: Flask, site: Site, clock: Clock) -> None:
    rt = runtime(app)
    with Session(database(app).engine) as session:
        token = open_citizen_session(
            session, rt.policy.backend(session, rt.clock), site.second_kiosk, site.holder, now=clock()
        )
    for tok in ("", "not-a-token", token):  # none, unknown, another kiosk's
        answer = take(client, site.kiosk, {"service_type_id": site.social, "link_card": True}, tok)
        assert answer.status_code == 401 and answer.json["error"] == "session_ended"
    assert take(client, site.kiosk, {"service_type_id": site.social}).status_code == 201, "no turn was used"


def test_a_kiosk_takes_at_most_one_ticket_every_three_seconds(client: Any, site: Site, clock: Clock) -> None:
    assert take(client, site.kiosk, {"service_type_id": site.social}).status_code == 201
    clock.advance(1.2)
    refused = take(client, site.kiosk, {"service_type_id": site.jobs})
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "2"
    assert refused.json == {"error": "too_many_tickets", "message": "取号过于频繁，请稍等几秒再取。"}
    assert refused.headers["Cache-Control"] == "no-store"
    assert take(client, site.second_kiosk, {"service_type_id": site.jobs}).status_code == 201, "per kiosk"
    clock.advance(1.8)
    assert take(client, site.kiosk, {"service_type_id": site.jobs}).json["number"] == "B002"


def test_the_slip_is_the_esc_pos_job_of_the_ticket(client: Any, app: Flask, site: Site, clock: Clock) -> None:
    queue_tickets(app, site.social, 1, clock())
    ticket = take(client, site.kiosk, {"service_type_id": site.social}).json
    answer = client.get(ticket["slip_url"], headers=headers(site.kiosk))
    assert answer.status_code == 200 and answer.mimetype == "application/octet-stream"
    assert answer.headers["Cache-Control"] == "no-store"
    job = answer.data
    assert job.startswith(b"\x1b@\x1c&") and job.endswith(b"\x1dVB\x00")
    assert b"A002" in job and "您前面还有 1 人".encode("gb18030") in job
    assert "取号时间：2026-12-02 12:00".encode("gb18030") in job, "hall-local time"
    assert ticket["status_url"].encode() in job
    narrow = client.get(ticket["slip_url"] + "?paper=58", headers=headers(site.kiosk)).data
    assert b"\x1d(k\x03\x001C\x05" in narrow
    assert client.get(ticket["slip_url"] + "?paper=99", headers=headers(site.kiosk)).status_code == 400
    assert client.get(ticket["slip_url"], headers=headers(site.other_hall_kiosk)).status_code == 404, "another hall"
    assert client.get("/kiosk/api/queue/tickets/nope/slip", headers=headers(site.kiosk)).status_code == 404


def test_the_answers_say_the_slip_printers_state_and_print_nothing_it_cannot_print(
    client: Any, app: Flask, site: Site, clock: Clock
) -> None:
    report = PrinterReport(PrinterRole.SLIP, PrinterKind.ESCPOS_NETWORK, PrinterState.PAPER_OUT, paper_mm=58)
    with Session(database(app).engine) as session:
        set_printer_status(session, site.kiosk.screen_id, report, clock())
        session.commit()
    printer = {"state": "paper_out", "ready": False, "paper_mm": 58}
    assert client.get("/kiosk/api/queue/lines", headers=headers(site.kiosk)).json["printer"] == printer
    ticket = take(client, site.kiosk, {"service_type_id": site.social}).json
    assert ticket["printer"] == printer and ticket["print"] is None, "out of paper: nothing is sent"
    with Session(database(app).engine) as session:
        assert session.scalars(select(DeviceCommand)).all() == []
    assert client.get("/kiosk/api/queue/lines", headers=headers(site.second_kiosk)).json["printer"] is None


def test_a_hall_without_lines_lists_none(client: Any, app: Flask, site: Site) -> None:
    with Session(database(app).engine) as session:
        for line in session.scalars(select(ServiceType).where(ServiceType.hall_id == site.world.hall_id)):
            line.active = False
        session.commit()
    assert client.get("/kiosk/api/queue/lines", headers=headers(site.kiosk)).json["lines"] == []
