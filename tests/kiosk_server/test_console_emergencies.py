"""Emergency broadcast from the console: checked form, a confirmation with the reach, audited start and end."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from content.accounts.audit import AuditEntry
from content.outbox import OutboxEvent
from content.signage.emergencies import Emergency
from kiosk_server.database import database
from tests.support.console_world import ConsoleWorld, build_console_world, csrf_now, sign_in


@pytest.fixture
def cw(app: Flask) -> ConsoleWorld:
    return build_console_world(app)


def _form(client: Any, **fields: Any) -> dict[str, Any]:
    base = {
        "csrf_token": csrf_now(client),
        "title": "暴雨红色预警",
        "body": "今日16时起暂停对外服务",
        "severity": "critical",
        "minutes": "60",
    }
    base.update(fields)
    return base


def _emergencies(app: Flask) -> list[Emergency]:
    with Session(database(app).engine) as session:
        found = list(session.scalars(select(Emergency).options(selectinload(Emergency.targets))))
        session.expunge_all()
        return found


def test_the_form_reports_every_missing_field(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "approver")
    page = client.post("/console/emergencies", data=_form(client, title="", minutes=""))
    text = page.get_data(as_text=True)
    assert page.status_code == 400
    assert "请输入标题" in text and "请选择自动结束时间" in text and "请至少选择一个发布范围" in text
    assert _emergencies(app) == []


def test_there_is_no_expiry_beyond_the_offered_ones(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "approver")
    page = client.post("/console/emergencies", data=_form(client, minutes="99999", unit=str(cw.world.city_id)))
    assert page.status_code == 400 and 'id="f-minutes-error"' in page.get_data(as_text=True)


def test_the_confirmation_says_how_many_screens_and_nothing_is_sent_yet(
    cw: ConsoleWorld, client: Any, app: Flask
) -> None:
    sign_in(client, "approver")
    page = client.post("/console/emergencies", data=_form(client, unit=str(cw.world.county_id)))
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "将立即显示在 3 块屏幕上" in text  # the county's hall has three walls
    assert _emergencies(app) == []


def test_confirming_puts_it_on_air_with_its_outbox_row_and_audit(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "approver")
    done = client.post(
        "/console/emergencies",
        data=_form(client, unit=str(cw.world.county_id), group=str(cw.group_id), confirmed="yes"),
    )
    assert done.status_code == 302
    (emergency,) = _emergencies(app)
    assert emergency.created_by == "approver" and emergency.starts_at == cw.clock.now
    assert (emergency.expires_at - emergency.starts_at).total_seconds() == 3600
    assert sorted((t.kind, t.ref) for t in emergency.targets) == sorted(
        [("org", str(cw.world.county_id)), ("group", str(cw.group_id))]
    )
    with Session(database(app).engine) as session:
        assert (
            session.scalars(select(OutboxEvent).where(OutboxEvent.topic == "content").order_by(OutboxEvent.id.desc()))
            .first()
            .payload["kind"]
            == "emergency"
        )
        entry = session.scalars(select(AuditEntry).where(AuditEntry.object_kind == "emergency")).one()
        assert entry.actor == "approver" and entry.summary["after"]["screens"] == 3
    assert "暴雨红色预警" in client.get("/console/emergencies").get_data(as_text=True)


def test_end_now_takes_it_off_and_is_audited(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "approver")
    client.post("/console/emergencies", data=_form(client, unit=str(cw.world.city_id), confirmed="yes"))
    (emergency,) = _emergencies(app)
    cw.clock.advance(minutes=5)
    done = client.post(f"/console/emergencies/{emergency.id}/end", data={"csrf_token": csrf_now(client)})
    assert done.status_code == 302
    (ended,) = _emergencies(app)
    assert ended.ended_at == cw.clock.now
    with Session(database(app).engine) as session:
        actions = [e.action for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
        assert actions[-2:] == ["created", "ended"]


def test_places_outside_the_scope_are_refused(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "approver")  # 兰州市: the other hall lies in 天水市
    page = client.post("/console/emergencies", data=_form(client, hall=str(cw.world.other_hall_id), confirmed="yes"))
    assert page.status_code == 400 and 'id="f-targets-error"' in page.get_data(as_text=True)
    page = client.post("/console/emergencies", data=_form(client, unit=str(cw.world.province_id), confirmed="yes"))
    assert page.status_code == 400
    assert _emergencies(app) == []


def test_a_hall_manager_sends_to_their_hall_only(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "manager")
    form = client.get("/console/emergencies").get_data(as_text=True)
    assert f'name="hall" value="{cw.world.hall_id}"' in form
    assert 'name="unit"' not in form and f'value="{cw.world.other_hall_id}"' not in form
    assert (
        client.post("/console/emergencies", data=_form(client, hall=str(cw.world.hall_id), confirmed="yes")).status_code
        == 302
    )


def test_someone_elses_emergency_cannot_be_ended_from_outside(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "admin")
    client.post("/console/emergencies", data=_form(client, unit=str(cw.world.province_id), confirmed="yes"))
    (emergency,) = _emergencies(app)
    client.post("/console/logout", data={"csrf_token": csrf_now(client)})
    sign_in(client, "manager")
    assert (
        client.post(f"/console/emergencies/{emergency.id}/end", data={"csrf_token": csrf_now(client)}).status_code
        == 404
    )
    assert _emergencies(app)[0].ended_at is None


def test_it_can_run_until_a_chosen_beijing_time_within_a_week(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "approver")  # the clock stands at 12:00 Beijing time on 2 December
    late = client.post(
        "/console/emergencies",
        data=_form(client, minutes="until", until="2026-12-10T12:00", unit=str(cw.world.city_id), confirmed="yes"),
    )
    past = client.post(
        "/console/emergencies",
        data=_form(client, minutes="until", until="2026-12-02T11:59", unit=str(cw.world.city_id), confirmed="yes"),
    )
    assert late.status_code == past.status_code == 400
    assert "须晚于现在，且在7天之内" in past.get_data(as_text=True)
    confirm = client.post(
        "/console/emergencies",
        data=_form(client, minutes="until", until="2026-12-02T17:30:15", unit=str(cw.world.city_id)),
    )
    assert 'name="until" value="2026-12-02T17:30:15"' in confirm.get_data(as_text=True)
    client.post(
        "/console/emergencies",
        data=_form(client, minutes="until", until="2026-12-02T17:30:15", unit=str(cw.world.city_id), confirmed="yes"),
    )
    (emergency,) = _emergencies(app)
    assert emergency.expires_at.isoformat() == "2026-12-02T09:30:15+00:00"


def test_an_editor_proposes_and_an_approver_puts_it_on_air(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    from content.accounts.notifications import Notification
    from content.signage.emergency_proposals import EmergencyProposal

    sign_in(client, "editor")
    page = client.get("/console/emergencies/propose").get_data(as_text=True)
    assert "提议紧急通知" in page and "立即结束" not in page
    bad = client.post("/console/emergencies/propose", data=_form(client, title="", unit=str(cw.world.county_id)))
    assert bad.status_code == 400 and "请输入标题" in bad.get_data(as_text=True)
    done = client.post("/console/emergencies/propose", data=_form(client, unit=str(cw.world.county_id)))
    assert done.status_code == 302 and _emergencies(app) == []  # nothing on air yet
    with Session(database(app).engine) as session:
        (proposal,) = session.scalars(select(EmergencyProposal))
        told = {n.recipient_id for n in session.scalars(select(Notification))}
        assert told == {cw.account_ids["approver"], cw.account_ids["admin"]}  # approvers whose scope covers it
        proposal_id = proposal.id
    client.post("/console/logout", data={"csrf_token": csrf_now(client)})
    sign_in(client, "approver")
    assert f'data-proposal="{proposal_id}"' in client.get("/console/emergencies").get_data(as_text=True)
    cw.clock.advance(minutes=10)
    approved = client.post(
        f"/console/emergencies/proposals/{proposal_id}/approve", data={"csrf_token": csrf_now(client)}
    )
    assert approved.status_code == 302
    (emergency,) = _emergencies(app)
    assert emergency.starts_at == cw.clock.now, "on air from the approval, not the proposal"
    assert (emergency.expires_at - emergency.starts_at).total_seconds() == 3600
    assert emergency.created_by == "approver"
    again = client.post(f"/console/emergencies/proposals/{proposal_id}/approve", data={"csrf_token": csrf_now(client)})
    assert again.status_code == 303 and len(_emergencies(app)) == 1


def test_nobody_approves_their_own_proposal(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    from content.signage.emergency_proposals import EmergencyProposal

    sign_in(client, "admin")  # holds both permissions
    client.post("/console/emergencies/propose", data=_form(client, unit=str(cw.world.county_id)))
    with Session(database(app).engine) as session:
        proposal_id = session.scalars(select(EmergencyProposal.id)).one()
    own = client.post(f"/console/emergencies/proposals/{proposal_id}/approve", data={"csrf_token": csrf_now(client)})
    assert own.status_code == 303 and _emergencies(app) == []
    assert "不能批准自己提议的紧急通知" in client.get("/console/emergencies").get_data(as_text=True)


def test_a_rejection_needs_a_reason_and_tells_the_proposer(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    from content.accounts.notifications import Notification
    from content.signage.emergency_proposals import EmergencyProposal

    sign_in(client, "editor")
    client.post("/console/emergencies/propose", data=_form(client, unit=str(cw.world.county_id)))
    with Session(database(app).engine) as session:
        proposal_id = session.scalars(select(EmergencyProposal.id)).one()
    client.post("/console/logout", data={"csrf_token": csrf_now(client)})
    sign_in(client, "approver")
    assert (
        client.post(
            f"/console/emergencies/proposals/{proposal_id}/reject", data={"csrf_token": csrf_now(client), "reason": ""}
        ).status_code
        == 400
    )
    assert (
        client.post(
            f"/console/emergencies/proposals/{proposal_id}/reject",
            data={"csrf_token": csrf_now(client), "reason": "已由省厅统一发布"},
        ).status_code
        == 302
    )
    with Session(database(app).engine) as session:
        assert session.get(EmergencyProposal, proposal_id).status == "rejected"
        told = session.scalars(select(Notification).where(Notification.recipient_id == cw.account_ids["editor"]))
        assert [n.kind for n in told] == ["emergency_rejected"]
    assert _emergencies(app) == []


def test_a_proposal_outside_the_subtree_is_not_found(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    from content.signage.emergency_proposals import EmergencyProposal

    sign_in(client, "editor")
    client.post("/console/emergencies/propose", data=_form(client, unit=str(cw.world.county_id)))
    with Session(database(app).engine) as session:
        proposal_id = session.scalars(select(EmergencyProposal.id)).one()
    client.post("/console/logout", data={"csrf_token": csrf_now(client)})
    sign_in(client, "manager")  # a hall scope holds no org node
    assert (
        client.post(
            f"/console/emergencies/proposals/{proposal_id}/approve", data={"csrf_token": csrf_now(client)}
        ).status_code
        == 404
    )
    assert _emergencies(app) == []


def test_an_emergency_scheduled_for_later_says_when_it_starts_not_on_air(
    cw: ConsoleWorld, client: Any, app: Flask
) -> None:
    from datetime import timedelta

    from content.signage.targeting import Target

    later = cw.clock.now + timedelta(hours=3)  # 15:00 Beijing time
    with Session(database(app).engine) as session:
        emergency = Emergency(
            org_unit_id=cw.world.city_id,
            title="明日停电检修",
            starts_at=later,
            expires_at=later + timedelta(hours=2),
            created_by="api-token",
            targets=[Target(kind="org", ref=str(cw.world.city_id))],
        )
        session.add(emergency)
        session.commit()
    sign_in(client, "approver")
    page = client.get("/console/emergencies").get_data(as_text=True)
    recent = page[page.index("明日停电检修", page.index('class="table"')) :]
    row = recent[: recent.index("</tr>")]
    assert "待生效（2026-12-02 15:00 开始）" in row and "正在播出" not in row
    on_air = page[: page.index("</section>")]
    assert "待生效（2026-12-02 15:00 开始）" in on_air
    home = client.get("/console/").get_data(as_text=True)
    assert "待生效（12-02 15:00 开始）" in home
