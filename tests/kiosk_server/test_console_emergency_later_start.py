"""An emergency sent (or proposed) from the console to start later: checked, held as 待生效, on screens from its start."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.accounts.audit import AuditEntry
from content.org.screens import Screen
from content.signage.emergencies import Emergency
from content.signage.emergency_proposals import EmergencyProposal
from content.signage.manifest import resolve
from kiosk_server.database import database
from tests.support.console_world import ConsoleWorld, build_console_world, csrf_now, sign_in


@pytest.fixture
def cw(app: Flask) -> ConsoleWorld:
    return build_console_world(app)  # the clock stands at 12:00 Beijing time on 2 December 2026


def _form(client: Any, cw: ConsoleWorld, **fields: Any) -> dict[str, Any]:
    base = {
        "csrf_token": csrf_now(client),
        "title": "明日停水通知",
        "body": "明日8时至12时大厅停水",
        "severity": "warning",
        "minutes": "120",
        "unit": str(cw.world.city_id),
    }
    base.update(fields)
    return base


def _emergencies(app: Flask) -> list[Emergency]:
    with Session(database(app).engine) as session:
        found = list(session.scalars(select(Emergency)))
        session.expunge_all()
        return found


def test_a_start_too_far_ahead_or_unreadable_is_refused_by_name(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "approver")
    far = client.post("/console/emergencies", data=_form(client, cw, starts="2027-01-02T12:00", confirmed="yes"))
    garbled = client.post("/console/emergencies", data=_form(client, cw, starts="明天早上", confirmed="yes"))
    assert far.status_code == garbled.status_code == 400
    assert "开始时间须在30天之内" in far.get_data(as_text=True)
    assert 'id="f-starts-error"' in garbled.get_data(as_text=True)
    assert "请按“年-月-日 时:分”填写开始时间" in garbled.get_data(as_text=True)
    assert _emergencies(app) == []


def test_the_chosen_end_must_follow_the_later_start_within_a_week(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "approver")
    before = client.post(
        "/console/emergencies",
        data=_form(client, cw, starts="2026-12-05T08:00", minutes="until", until="2026-12-04T20:00", confirmed="yes"),
    )
    too_long = client.post(
        "/console/emergencies",
        data=_form(client, cw, starts="2026-12-05T08:00", minutes="until", until="2026-12-12T08:01", confirmed="yes"),
    )
    assert before.status_code == too_long.status_code == 400
    assert "结束时间须晚于开始时间，且在开始后7天之内" in before.get_data(as_text=True)
    assert "结束时间须晚于开始时间，且在开始后7天之内" in too_long.get_data(as_text=True)
    ok = client.post(
        "/console/emergencies",
        data=_form(client, cw, starts="2026-12-05T08:00", minutes="until", until="2026-12-11T08:00", confirmed="yes"),
    )
    assert ok.status_code == 302, "ending six days after a start three days ahead is within a week of the start"
    (emergency,) = _emergencies(app)
    assert emergency.starts_at.isoformat() == "2026-12-05T00:00:00+00:00"  # 08:00 Beijing time
    assert emergency.expires_at.isoformat() == "2026-12-11T00:00:00+00:00"


def test_a_later_start_is_confirmed_stored_audited_and_listed_as_pending(
    cw: ConsoleWorld, client: Any, app: Flask
) -> None:
    sign_in(client, "approver")
    confirm = client.post("/console/emergencies", data=_form(client, cw, starts="2026-12-02T15:00"))
    text = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and _emergencies(app) == []
    assert "将于 2026-12-02 15:00 起显示在" in text and "2026-12-02 17:00 自动结束" in text
    assert 'name="starts" value="2026-12-02T15:00:00"' in text  # carried to the send
    done = client.post("/console/emergencies", data=_form(client, cw, starts="2026-12-02T15:00:00", confirmed="yes"))
    assert done.status_code == 302
    (emergency,) = _emergencies(app)
    assert emergency.starts_at == cw.clock.now + timedelta(hours=3)
    assert emergency.expires_at == emergency.starts_at + timedelta(hours=2), "the duration counts from the start"
    with Session(database(app).engine) as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.object_kind == "emergency")).one()
        assert entry.actor == "approver"
        assert datetime.fromisoformat(entry.summary["after"]["starts_at"]) == emergency.starts_at
    page = client.get("/console/emergencies").get_data(as_text=True)
    recent = page[page.index("明日停水通知", page.index('class="table"')) :]
    assert "待生效（2026-12-02 15:00 开始）" in recent[: recent.index("</tr>")]


def test_a_start_that_passed_while_confirming_starts_at_once(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "approver")
    client.post("/console/emergencies", data=_form(client, cw, starts="2026-12-02T12:05"))
    cw.clock.advance(minutes=10)  # the confirmation stood open past the chosen start
    done = client.post("/console/emergencies", data=_form(client, cw, starts="2026-12-02T12:05", confirmed="yes"))
    assert done.status_code == 302
    (emergency,) = _emergencies(app)
    assert emergency.starts_at == cw.clock.now
    assert emergency.expires_at == cw.clock.now + timedelta(hours=2)


def test_the_screens_manifest_carries_it_only_from_its_start(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "approver")
    client.post("/console/emergencies", data=_form(client, cw, starts="2026-12-02T15:00", confirmed="yes"))
    (emergency,) = _emergencies(app)
    with Session(database(app).engine) as session:
        screen = session.scalars(select(Screen).where(Screen.key == cw.world.wall_keys[0])).one()
        body = resolve(session, screen, cw.clock.now).body

    def showing(at: datetime) -> list[int]:
        (segment,) = [
            s for s in body["segments"] if datetime.fromisoformat(s["start"]) <= at < datetime.fromisoformat(s["end"])
        ]
        return [e["id"] for e in segment["emergencies"]]

    start = emergency.starts_at
    assert showing(cw.clock.now) == []
    assert showing(start - timedelta(seconds=1)) == []
    assert showing(start) == [emergency.id]
    assert showing(start + timedelta(hours=2) - timedelta(seconds=1)) == [emergency.id]
    assert showing(start + timedelta(hours=2)) == []


def test_a_proposal_carries_its_later_start_to_the_emergency_approved(
    cw: ConsoleWorld, client: Any, app: Flask
) -> None:
    sign_in(client, "editor")
    done = client.post("/console/emergencies/propose", data=_form(client, cw, starts="2026-12-03T09:00"))
    assert done.status_code == 302 and _emergencies(app) == []
    with Session(database(app).engine) as session:
        (proposal,) = session.scalars(select(EmergencyProposal))
        assert proposal.starts_at is not None and proposal.starts_at.isoformat() == "2026-12-03T01:00:00+00:00"
        proposal_id = proposal.id
    client.post("/console/logout", data={"csrf_token": csrf_now(client)})
    sign_in(client, "approver")
    pending = client.get("/console/emergencies").get_data(as_text=True)
    card = pending[pending.index(f'data-proposal="{proposal_id}"') :]
    assert "待生效（2026-12-03 09:00 开始）" in card[: card.index("</form>")]
    cw.clock.advance(minutes=10)
    approved = client.post(
        f"/console/emergencies/proposals/{proposal_id}/approve", data={"csrf_token": csrf_now(client)}
    )
    assert approved.status_code == 302
    (emergency,) = _emergencies(app)
    assert emergency.starts_at.isoformat() == "2026-12-03T01:00:00+00:00", "held until the start asked for"
    assert emergency.expires_at == emergency.starts_at + timedelta(hours=2)
