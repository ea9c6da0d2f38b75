"""Enrolment by code over HTTP: the device's code and poll API, the console's claim and revoke, the audit."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.accounts.audit import AuditEntry
from content.citizens.kiosk_agents import AgentCredential, verify_agent_credential
from content.org.enrolment import REQUEST_LIMIT, WRONG_CODE_LIMIT
from content.org.screens import Screen
from kiosk_server.database import database
from kiosk_server.records_backends import agent_credential_key
from kiosk_server.settings_access import settings
from tests.support.console_world import ConsoleWorld, build_console_world, csrf_now, sign_in


@pytest.fixture
def cw(app: Flask) -> ConsoleWorld:
    return build_console_world(app)


def _code(client: Any, device: str = "display", address: str = "10.1.1.1") -> dict[str, Any]:
    response = client.post("/enrol/api/codes", json={"device": device}, environ_base={"REMOTE_ADDR": address})
    assert response.status_code == 201, response.get_data(as_text=True)
    data: dict[str, Any] = response.get_json()
    return data


def _poll(client: Any, secret: str) -> Any:
    return client.post("/enrol/api/poll", json={"secret": secret})


def _claim(client: Any, code: str, **fields: Any) -> Any:
    form = {"csrf_token": csrf_now(client), "code": code, "mode": "new", "kind": "wall", "preset": "lcd_landscape"}
    return client.post("/console/enrol", data=form | fields)


def _session(app: Flask) -> Session:
    return Session(database(app).engine)


def test_a_code_answer_has_the_contract_shape(cw: ConsoleWorld, client: Any) -> None:
    data = _code(client)
    assert set(data) == {"code", "secret", "expires_at", "poll_seconds", "enrol_url"}
    assert re.fullmatch(r"[34679ACDEFGHJKMNPQRTUVWXY]{6}", data["code"])
    assert len(data["secret"]) >= 43 and data["expires_at"].endswith("Z") and data["poll_seconds"] == 2
    assert data["enrol_url"] == f"http://localhost/console/enrol?code={data['code']}"
    assert _poll(client, data["secret"]).get_json() == {"state": "waiting", "expires_at": data["expires_at"]}


def test_bad_requests_say_what_to_send(cw: ConsoleWorld, client: Any) -> None:
    assert client.post("/enrol/api/codes", json={"device": "toaster"}).status_code == 400
    assert client.post("/enrol/api/codes", data="nope").status_code == 400
    assert client.post("/enrol/api/codes", json={"device": "box", "client": "x" * 121}).status_code == 400
    assert _poll(client, "").status_code == 400


def test_code_requests_are_rate_limited_per_address(cw: ConsoleWorld, client: Any) -> None:
    for _ in range(REQUEST_LIMIT):
        _code(client, address="10.9.9.9")
    refused = client.post("/enrol/api/codes", json={"device": "box"}, environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert refused.status_code == 429 and refused.get_json()["error"] == "rate_limited"
    assert 0 < int(refused.headers["Retry-After"]) <= 600
    _code(client, address="10.9.9.8")


def test_an_unknown_secret_is_404(cw: ConsoleWorld, client: Any) -> None:
    response = _poll(client, "not-a-secret-anyone-was-given")
    assert response.status_code == 404 and response.get_json()["error"] == "unknown"


def test_a_technician_enrols_a_wall_and_the_device_collects_it_once(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    device = app.test_client()
    data = _code(device, "box")
    sign_in(client, "tech")
    answer = _claim(
        client,
        data["code"].lower()[:3] + "-" + data["code"][3:],
        hall_id=str(cw.world.hall_id),
        name="二楼大屏",
        group_ids=str(cw.group_id),
        tags="二楼, 入口",
    )
    assert answer.status_code == 302
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "已登记「二楼大屏」" in page and 'data-revoke="' in page
    enrolled = _poll(device, data["secret"])
    assert enrolled.status_code == 200
    body = enrolled.get_json()
    screen = body["screen"]
    assert body["state"] == "enrolled" and "agent_credential" not in body
    assert (screen["name"], screen["kind"], screen["hall_id"]) == ("二楼大屏", "wall", cw.world.hall_id)
    assert (screen["width_px"], screen["height_px"], screen["orientation"], screen["panel"]) == (
        1920,
        1080,
        "landscape",
        "lcd",
    )
    assert body["screen_url"] == f"http://localhost/screen/{screen['key']}"
    assert device.get(f"/screen/{screen['key']}").status_code == 200
    again = _poll(device, data["secret"])
    assert again.status_code == 410 and again.get_json() == {"state": "delivered"}
    with _session(app) as db:
        row = db.get(Screen, screen["id"])
        assert row is not None and row.tags == ["二楼", "入口"] and [g.id for g in row.groups] == [cw.group_id]
        audit = list(db.scalars(select(AuditEntry).where(AuditEntry.action.like("enrolment.%"))))
    assert [a.action for a in audit] == ["enrolment.code_created", "enrolment.claimed", "enrolment.delivered"]
    text = repr([(a.actor, a.summary, a.object_id) for a in audit])
    assert data["code"] not in text and data["secret"] not in text and screen["key"] not in text


def test_a_kiosk_enrolment_carries_an_agent_credential_that_verifies(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    device = app.test_client()
    data = _code(device, "box")
    sign_in(client, "manager")
    _claim(client, data["code"], hall_id=str(cw.world.hall_id), name="自助终端1", kind="kiosk", preset="kiosk_portrait")
    body = _poll(device, data["secret"]).get_json()
    assert body["screen"]["kind"] == "kiosk" and body["screen"]["orientation"] == "portrait"
    key = agent_credential_key(settings(app).secret_key)
    with _session(app) as db:
        found = verify_agent_credential(db, body["screen"]["key"], body["agent_credential"], key)
        assert found is not None and found.id == body["screen"]["id"]
        stored = db.scalar(select(AgentCredential.credential_hash).where(AgentCredential.screen_id == found.id))
    assert stored is not None and body["agent_credential"] not in stored


def test_wrong_expired_and_reused_codes_are_refused_in_chinese(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    device = app.test_client()
    sign_in(client, "tech")
    wrong = _claim(client, "YYYYYY", hall_id=str(cw.world.hall_id), name="屏")
    assert wrong.status_code == 400 and "没有这个登记码" in wrong.get_data(as_text=True)
    malformed = _claim(client, "ABC", hall_id=str(cw.world.hall_id), name="屏")
    assert "登记码是 6 位字母或数字" in malformed.get_data(as_text=True)
    data = _code(device)
    assert _claim(client, data["code"], hall_id=str(cw.world.hall_id), name="屏A").status_code == 302
    reused = _claim(client, data["code"], hall_id=str(cw.world.hall_id), name="屏B")
    assert reused.status_code == 400 and "已经用过" in reused.get_data(as_text=True)
    late = _code(device)
    cw.clock.advance(minutes=10)
    expired = _claim(client, late["code"], hall_id=str(cw.world.hall_id), name="屏C")
    assert expired.status_code == 400 and "已过期" in expired.get_data(as_text=True)
    gone = _poll(device, late["secret"])
    assert gone.status_code == 410 and gone.get_json() == {"state": "expired"}


def test_wrong_codes_are_rate_limited_per_account(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "tech")
    for _ in range(WRONG_CODE_LIMIT):
        assert _claim(client, "YYYYYY", hall_id=str(cw.world.hall_id), name="屏").status_code == 400
    data = _code(app.test_client())
    limited = _claim(client, data["code"], hall_id=str(cw.world.hall_id), name="屏")
    assert limited.status_code == 429 and "错误登记码太多" in limited.get_data(as_text=True)
    other = app.test_client()
    sign_in(other, "manager")
    assert _claim(other, data["code"], hall_id=str(cw.world.hall_id), name="屏").status_code == 302


def test_a_hall_outside_the_scope_is_refused_without_spending_the_code(
    cw: ConsoleWorld, client: Any, app: Flask
) -> None:
    data = _code(app.test_client())
    sign_in(client, "tech")  # 城关区: the other hall lies in 天水市
    refused = _claim(client, data["code"], hall_id=str(cw.world.other_hall_id), name="越权屏")
    assert refused.status_code == 400 and "管辖范围内的大厅" in refused.get_data(as_text=True)
    assert _poll(app.test_client(), data["secret"]).get_json()["state"] == "waiting"


def test_replacing_a_device_rekeys_its_screen(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    with _session(app) as db:
        screen = db.scalars(select(Screen).where(Screen.name == "大厅1号屏")).one()
        old_key, screen_id = screen.key, screen.id
    device = app.test_client()
    data = _code(device)
    sign_in(client, "tech")
    assert "大厅1号屏" in client.get(f"/console/enrol?replace={screen_id}").get_data(as_text=True)
    assert _claim(client, data["code"], mode="replace", replace=str(screen_id)).status_code == 302
    assert device.get(f"/screen/{old_key}").status_code == 404
    body = _poll(device, data["secret"]).get_json()
    assert body["screen"]["id"] == screen_id and body["screen"]["key"] != old_key


def test_revoking_rekeys_the_screen_and_revokes_its_agent(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    device = app.test_client()
    data = _code(device, "box")
    sign_in(client, "tech")
    _claim(client, data["code"], hall_id=str(cw.world.hall_id), name="自助终端2", kind="kiosk")
    body = _poll(device, data["secret"]).get_json()
    screen_id, key = body["screen"]["id"], body["screen"]["key"]
    revoked = client.post(
        f"/console/screens/{screen_id}/revoke", data={"csrf_token": csrf_now(client), "next": "/console/fleet"}
    )
    assert revoked.status_code == 302 and revoked.headers["Location"] == "/console/fleet"
    assert device.get(f"/screen/{key}").status_code == 404
    with _session(app) as db:
        assert verify_agent_credential(db, key, body["agent_credential"], b"x") is None
        assert db.scalar(select(AgentCredential).where(AgentCredential.screen_id == screen_id)) is None
        entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "enrolment.revoked")).one()
    assert entry.summary["agent_credential"] == "revoked" and key not in repr(entry.summary)


def test_a_screen_outside_the_scope_cannot_be_revoked(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    with _session(app) as db:
        other = db.scalars(select(Screen).where(Screen.hall_id == cw.world.other_hall_id)).first()
        assert other is not None
        other_id, key = other.id, other.key
    sign_in(client, "tech")
    response = client.post(f"/console/screens/{other_id}/revoke", data={"csrf_token": csrf_now(client)})
    assert response.status_code == 404
    assert client.get(f"/screen/{key}").status_code == 200


def test_the_code_page_and_its_qr(cw: ConsoleWorld, client: Any) -> None:
    page = client.get("/enrol")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert '<script type="module" src="/display-static/js/enrol.js"></script>' in html
    assert not re.search(r"<script(?![^>]*\ssrc=)", html), "no inline script"
    data = _code(client)
    qr = client.get(f"/enrol/qr.svg?code={data['code']}")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml" and b"<svg" in qr.data
    assert client.get("/enrol/qr.svg?code=<script>").status_code == 404
