"""Named API keys: confined to their subtree or hall, reviewed like an editor, revocable, hashed, managed in the console and CLI."""

from __future__ import annotations

import logging
import subprocess
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.accounts.api_keys import ApiKey, KeyScope, create_key
from content.accounts.audit import AuditEntry
from content.accounts.staff import StaffAccount
from content.library import approval
from content.library.items import PolicyNotice, Vacancy
from content.library.kiosk_catalogue import visible_notices
from content.org.tree import OrgUnit
from content.signage.emergencies import Emergency
from content.signage.emergency_proposals import EmergencyProposal, approve
from kiosk_server.auth import api_key_hash_key
from kiosk_server.database import database, make_engine
from kiosk_server.settings_access import settings
from tests.support import migrated_schema
from tests.support.console_world import ConsoleWorld, build_console_world, csrf_now, sign_in
from tests.support.kiosk_cli import run_kiosk

SECRET = "api-keys-test-secret"


@pytest.fixture
def cw(app: Flask) -> ConsoleWorld:
    return build_console_world(app)


def make_key(
    app: Flask,
    cw: ConsoleWorld,
    name: str,
    scope: str,
    *,
    node: int | None = None,
    hall: int | None = None,
    by: str = "admin",
) -> str:
    with Session(database(app).engine) as session:
        creator = session.get(StaffAccount, cw.account_ids[by])
        _, secret = create_key(
            session,
            name=name,
            scope=scope,
            key=api_key_hash_key(settings(app).secret_key),
            creator=creator,
            org_unit_id=node,
            hall_id=hall,
        )
        session.commit()
    return secret


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def vacancy(cw: ConsoleWorld, unit: int, **o: Any) -> dict[str, Any]:
    return {
        "org_unit_id": unit,
        "employer_id": cw.world.employer_id,
        "title": "仓储物流专员",
        "occupation_code": "4-02-06-03",
        "headcount": 2,
        "salary_min": 4000,
        "salary_max": 5000,
        **o,
    }


def queue_hall(client: Any, hall_id: int) -> None:
    """Line A and counter 1 in the hall, made with the bootstrap token."""
    boot = {"Authorization": "Bearer test-token"}
    base = f"/api/v1/halls/{hall_id}/queue"
    line = client.post(f"{base}/service-types", json={"prefix": "A", "name": "社保业务"}, headers=boot)
    assert line.status_code == 201, line.get_json()
    counter = client.post(
        f"{base}/counters", json={"number": 1, "service_type_ids": [line.get_json()["id"]]}, headers=boot
    )
    assert counter.status_code == 201


def events(*ids: str) -> dict[str, Any]:
    return {
        "source": "hallq",
        "events": [
            {"id": i, "type": "arrive", "at": "2026-12-02T11:00:00+08:00", "ticket": f"A00{n}", "service": "A"}
            for n, i in enumerate(ids, 1)
        ],
    }


# ---- scopes --------------------------------------------------------------------------------


def test_a_queue_vendor_key_ingests_for_its_hall_and_nothing_else(app: Flask, client: Any, cw: ConsoleWorld) -> None:
    hall, other = cw.world.hall_id, cw.world.other_hall_id
    queue_hall(client, hall)
    queue_hall(client, other)
    vendor = bearer(make_key(app, cw, "hallq-vendor", "queue_ingest", hall=hall))
    ok = client.post(f"/api/v1/halls/{hall}/queue/events", json=events("e1"), headers=vendor)
    assert ok.status_code == 200 and ok.get_json()["accepted"] == 1
    assert client.post(f"/api/v1/halls/{other}/queue/events", json=events("e2"), headers=vendor).status_code == 404
    assert client.get(f"/api/v1/halls/{hall}/queue/board", headers=vendor).status_code == 403
    assert client.post("/api/v1/vacancies", json=vacancy(cw, cw.world.county_id), headers=vendor).status_code == 403
    assert client.get("/api/v1/vacancies", headers=vendor).status_code == 403


def test_a_content_key_works_inside_its_subtree_only(app: Flask, client: Any, cw: ConsoleWorld) -> None:
    key = bearer(make_key(app, cw, "chengguan-feed", "content", node=cw.world.county_id))
    made = client.post("/api/v1/vacancies", json=vacancy(cw, cw.world.county_id), headers=key)
    assert made.status_code == 201, made.get_json()
    outside = client.post("/api/v1/vacancies", json=vacancy(cw, cw.world.city_id), headers=key)
    assert outside.status_code == 403 and "org_unit_id" in outside.get_json()["message"]
    with Session(database(app).engine) as session:
        theirs = session.scalars(select(Vacancy).where(Vacancy.org_unit_id == cw.world.city_id)).first()
        assert theirs is not None  # the world's vacancies are published at the city, above the key's county
    assert client.get(f"/api/v1/vacancies/{theirs.id}", headers=key).status_code == 404
    assert client.patch(f"/api/v1/vacancies/{theirs.id}", json={"headcount": 9}, headers=key).status_code == 404
    listed = client.get("/api/v1/vacancies?per_page=100", headers=key).get_json()["items"]
    assert [v["id"] for v in listed] == [made.get_json()["id"]]


def test_a_content_key_does_no_admin_things(app: Flask, client: Any, cw: ConsoleWorld) -> None:
    key = bearer(make_key(app, cw, "lanzhou-feed", "content", node=cw.world.city_id))
    unit = {"name": "七里河区", "level": "county", "parent_id": cw.world.city_id}
    assert client.post("/api/v1/org-units", json=unit, headers=key).status_code == 403
    hall = {"org_unit_id": cw.world.county_id, "name": "新大厅"}
    assert client.post("/api/v1/halls", json=hall, headers=key).status_code == 403
    screens = client.get(f"/api/v1/screens?hall_id={cw.world.hall_id}", headers=key).get_json()["items"]
    assert screens, "the key sees its subtree's screens"
    one = client.get(f"/api/v1/screens/{screens[0]['id']}", headers=key).get_json()
    assert one["key"] == ""  # a screen's key is its credential
    boot = client.get(f"/api/v1/screens/{screens[0]['id']}", headers=bearer("test-token")).get_json()
    assert boot["key"] in cw.world.wall_keys + [cw.world.led_key]
    credential = client.post(f"/api/v1/screens/{screens[0]['id']}/agent-credential", headers=key)
    assert credential.status_code == 403


def test_a_read_key_reads_its_subtree_and_writes_nothing(app: Flask, client: Any, cw: ConsoleWorld) -> None:
    key = bearer(make_key(app, cw, "stats-reader", "read", node=cw.world.city_id))
    assert client.get(f"/api/v1/halls/{cw.world.hall_id}/queue/stats", headers=key).status_code == 200
    assert client.get(f"/api/v1/halls/{cw.world.other_hall_id}/queue/stats", headers=key).status_code == 404
    halls = client.get("/api/v1/halls", headers=key).get_json()["items"]
    assert [h["id"] for h in halls] == [cw.world.hall_id]
    refused = client.post("/api/v1/vacancies", json=vacancy(cw, cw.world.county_id), headers=key)
    assert refused.status_code == 403 and refused.get_json()["error"] == "forbidden"


def test_a_revoked_or_unknown_key_is_refused(app: Flask, client: Any, cw: ConsoleWorld) -> None:
    secret = make_key(app, cw, "short-lived", "read", node=cw.world.city_id)
    assert client.get("/api/v1/halls", headers=bearer(secret)).status_code == 200
    with Session(database(app).engine) as session:
        session.scalars(select(ApiKey)).one().revoked_at = cw.clock()
        session.commit()
    assert client.get("/api/v1/halls", headers=bearer(secret)).status_code == 401
    forged = secret[:-4] + ("AAAA" if not secret.endswith("AAAA") else "BBBB")
    assert client.get("/api/v1/halls", headers=bearer(forged)).status_code == 401


# ---- review ----------------------------------------------------------------------------------


def test_a_notice_made_with_a_content_key_waits_for_review(app: Flask, client: Any, cw: ConsoleWorld) -> None:
    key = bearer(make_key(app, cw, "lanzhou-feed", "content", node=cw.world.city_id, by="admin"))
    body = {"org_unit_id": cw.world.city_id, "title": "新政策", "body_markdown": "内容", "status": "published"}
    made = client.post("/api/v1/policy-notices", json=body, headers=key)
    assert made.status_code == 201 and made.get_json()["status"] == "in_review"
    ident = made.get_json()["id"]
    with Session(database(app).engine) as session:
        county = session.get(OrgUnit, cw.world.county_id)
        assert county is not None
        assert ident not in {n.id for n in visible_notices(session, county, cw.clock())}
        notice = session.get(PolicyNotice, ident)
        admin = session.get(StaffAccount, cw.account_ids["admin"])
        approver = session.get(StaffAccount, cw.account_ids["approver"])
        assert notice is not None and admin is not None and approver is not None
        with pytest.raises(approval.ReviewRefused):  # the key's creator acts through it: four eyes
            approval.approve(session, notice, admin, now=cw.clock())
        approval.approve(session, notice, approver, now=cw.clock())
        approval.publish(session, notice, approver, now=cw.clock())
        session.commit()
        assert ident in {n.id for n in visible_notices(session, county, cw.clock())}
    edited = client.patch(f"/api/v1/policy-notices/{ident}", json={"body_markdown": "改过"}, headers=key)
    assert edited.get_json()["status"] == "in_review"  # off the screens again until approved


def test_the_bootstrap_token_still_publishes_directly(client: Any, cw: ConsoleWorld) -> None:
    body = {"org_unit_id": cw.world.city_id, "title": "新政策", "body_markdown": "内容"}
    made = client.post("/api/v1/policy-notices", json=body, headers=bearer("test-token"))
    assert made.get_json()["status"] == "published"


def test_an_emergency_from_a_content_key_is_a_proposal(app: Flask, client: Any, cw: ConsoleWorld) -> None:
    key = bearer(make_key(app, cw, "lanzhou-feed", "content", node=cw.world.city_id))
    body = {
        "org_unit_id": cw.world.city_id,
        "title": "暴雨停业",
        "expires_at": (cw.clock() + timedelta(hours=2)).isoformat(),
        "targets": [{"kind": "org", "ref": str(cw.world.city_id)}],
    }
    answer = client.post("/api/v1/emergencies", json=body, headers=key)
    assert answer.status_code == 202 and answer.get_json()["status"] == "proposed", answer.get_json()
    with Session(database(app).engine) as session:
        assert session.scalar(select(Emergency.id)) is None
        proposal = session.get(EmergencyProposal, answer.get_json()["proposal_id"])
        assert proposal is not None and proposal.proposed_by == "api-key:lanzhou-feed"
        assert proposal.proposed_by_id == cw.account_ids["admin"], "the creator may not approve it"
    outside = body | {"targets": [{"kind": "hall", "ref": str(cw.world.other_hall_id)}]}
    assert client.post("/api/v1/emergencies", json=outside, headers=key).status_code == 404


@pytest.mark.parametrize("by", ["orgadmin", None], ids=["org-admin", "command-line"])
def test_a_content_key_proposes_whoever_made_it(app: Flask, client: Any, cw: ConsoleWorld, by: str | None) -> None:
    # An org administrator (and the command line) may not propose emergencies themselves; the key's
    # content scope is what allows its proposals, and an approver of the city puts them on air.
    with Session(database(app).engine) as session:
        creator = session.get(StaffAccount, cw.account_ids[by]) if by else None
        _, secret = create_key(
            session,
            name="city-feed",
            scope="content",
            key=api_key_hash_key(settings(app).secret_key),
            creator=creator,
            org_unit_id=cw.world.city_id,
        )
        session.commit()
    body = {
        "org_unit_id": cw.world.city_id,
        "title": "暴雨停业",
        "expires_at": (cw.clock() + timedelta(hours=2)).isoformat(),
        "targets": [{"kind": "org", "ref": str(cw.world.city_id)}],
    }
    answer = client.post("/api/v1/emergencies", json=body, headers=bearer(secret))
    assert answer.status_code == 202, answer.get_json()
    proposal_id = answer.get_json()["proposal_id"]
    with Session(database(app).engine) as session:
        proposal = session.get(EmergencyProposal, proposal_id)
        assert proposal is not None and proposal.proposed_by == "api-key:city-feed"
        approver = session.get(StaffAccount, cw.account_ids["approver"])
        assert approver is not None
        emergency = approve(session, proposal, approver, cw.clock())
        session.commit()
        assert emergency.title == "暴雨停业" and emergency.created_by == "approver"


def test_a_proposal_from_a_content_key_may_ask_to_start_later(app: Flask, client: Any, cw: ConsoleWorld) -> None:
    key = bearer(make_key(app, cw, "weather-feed", "content", node=cw.world.city_id))
    later = cw.clock() + timedelta(hours=3)
    body = {
        "org_unit_id": cw.world.city_id,
        "title": "明日暴雪停业",
        "starts_at": later.isoformat(),
        "expires_at": (later + timedelta(hours=8)).isoformat(),
        "targets": [{"kind": "org", "ref": str(cw.world.city_id)}],
    }
    too_late = body | {"starts_at": (later + timedelta(hours=9)).isoformat()}
    refused = client.post("/api/v1/emergencies", json=too_late, headers=key)
    errors = {e["field"]: e["message"] for e in refused.get_json()["errors"]}
    assert refused.status_code == 422 and "is not before expires_at" in errors["starts_at"]
    answer = client.post("/api/v1/emergencies", json=body, headers=key)
    assert answer.status_code == 202, answer.get_json()
    with Session(database(app).engine) as session:
        proposal = session.get(EmergencyProposal, answer.get_json()["proposal_id"])
        assert proposal is not None and proposal.starts_at == later
        filed = session.scalars(select(AuditEntry).where(AuditEntry.action == "proposed")).one()
        assert filed.summary["after"]["starts_at"] == later.astimezone(UTC).isoformat(), "audit instants in UTC"
        approver = session.get(StaffAccount, cw.account_ids["approver"])
        assert approver is not None
        emergency = approve(session, proposal, approver, cw.clock())
        session.commit()
        assert emergency.starts_at == later, "held until the asked start: 待生效"


# ---- secrets and last use ----------------------------------------------------------------------


def test_the_secret_is_never_stored_or_logged(app: Flask, client: Any, cw: ConsoleWorld, caplog: Any) -> None:
    caplog.set_level(logging.DEBUG)
    secret = make_key(app, cw, "hallq-vendor", "queue_ingest", hall=cw.world.hall_id)
    random_part = secret.split("_", 2)[2]
    client.get("/api/v1/halls", headers=bearer(secret))
    with Session(database(app).engine) as session:
        row = session.scalars(select(ApiKey)).one()
        stored = " ".join(str(getattr(row, c.key)) for c in ApiKey.__table__.columns)
        audit = " ".join(str(a.summary) + a.actor for a in session.scalars(select(AuditEntry)))
    assert random_part not in stored and random_part not in audit
    assert random_part not in caplog.text


def test_last_used_moves_at_most_once_a_minute(app: Flask, client: Any, cw: ConsoleWorld) -> None:
    secret = make_key(app, cw, "stats-reader", "read", node=cw.world.city_id)

    def last_used() -> Any:
        with Session(database(app).engine) as session:
            return session.scalars(select(ApiKey)).one().last_used_at

    assert last_used() is None
    start = cw.clock()
    client.get("/api/v1/halls", headers=bearer(secret))
    assert last_used() == start
    cw.clock.advance(seconds=30)
    client.get("/api/v1/halls", headers=bearer(secret))
    assert last_used() == start
    cw.clock.advance(seconds=31)
    client.get("/api/v1/halls", headers=bearer(secret))
    assert last_used() == cw.clock()


# ---- console --------------------------------------------------------------------------------


def test_an_org_admin_creates_lists_and_revokes_a_key_in_the_console(app: Flask, client: Any, cw: ConsoleWorld) -> None:
    queue_hall(client, cw.world.hall_id)
    sign_in(client, "orgadmin")
    page = client.get("/console/api-keys").get_data(as_text=True)
    assert "城关区公共就业服务中心" in page and "天水市人力资源市场" not in page  # only the admin's subtree
    made = client.post(
        "/console/api-keys",
        data={
            "csrf_token": csrf_now(client),
            "name": "hallq-vendor",
            "scope": "queue_ingest",
            "hall_id": cw.world.hall_id,
        },
    )
    assert made.status_code == 201
    text = made.get_data(as_text=True)
    secret = text.split('id="api-key-secret" class="secret" readonly value="', 1)[1].split('"', 1)[0]
    assert secret.startswith("hsk_")
    ingest = client.post(f"/api/v1/halls/{cw.world.hall_id}/queue/events", json=events("c1"), headers=bearer(secret))
    assert ingest.status_code == 200
    assert secret not in client.get("/console/api-keys").get_data(as_text=True)  # shown once
    with Session(database(app).engine) as session:
        key_id = session.scalars(select(ApiKey)).one().id
    revoked = client.post(f"/console/api-keys/{key_id}/revoke", data={"csrf_token": csrf_now(client)})
    assert revoked.status_code == 302
    again = client.post(f"/api/v1/halls/{cw.world.hall_id}/queue/events", json=events("c2"), headers=bearer(secret))
    assert again.status_code == 401
    with Session(database(app).engine) as session:
        actions = [
            (a.actor, a.action) for a in session.scalars(select(AuditEntry).where(AuditEntry.object_kind == "api_key"))
        ]
    assert actions == [("orgadmin", "api_key.created"), ("orgadmin", "api_key.revoked")]


def test_an_org_admin_may_not_make_a_full_key_or_one_outside(client: Any, cw: ConsoleWorld) -> None:
    sign_in(client, "orgadmin")
    full = client.post("/console/api-keys", data={"csrf_token": csrf_now(client), "name": "all", "scope": "full"})
    assert full.status_code == 403
    outside = client.post(
        "/console/api-keys",
        data={"csrf_token": csrf_now(client), "name": "ts", "scope": "read", "org_unit_id": cw.other_city_id},
    )
    assert outside.status_code == 403


# ---- command line ---------------------------------------------------------------------------


def run_cli(tmp_path: Path, database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"KIOSK_DATA_DIR": str(tmp_path / "cli-data"), "KIOSK_DATABASE_URL": database_url, "KIOSK_SECRET_KEY": SECRET}
    return run_kiosk(env, "api-keys", *args)


def test_the_cli_creates_lists_and_revokes(tmp_path: Path, database_url: str) -> None:
    from tests.support.world import build_world

    engine = make_engine(database_url)
    migrated_schema.ready(engine)
    with Session(engine) as session:
        world = build_world(session, vacancies=1)
        session.commit()
    made = run_cli(
        tmp_path, database_url, "create", "hallq-vendor", "--scope", "queue_ingest", "--hall", str(world.hall_id)
    )
    assert made.returncode == 0, made.stderr
    secret = made.stdout.strip()
    assert secret.startswith("hsk_") and "shown this once" in made.stderr
    listed = run_cli(tmp_path, database_url, "list")
    assert "hallq-vendor\tqueue_ingest\thall" in listed.stdout and secret not in listed.stdout
    bad = run_cli(tmp_path, database_url, "create", "reader", "--scope", "read")
    assert bad.returncode == 2 and "node" in bad.stderr
    assert run_cli(tmp_path, database_url, "revoke", "hallq-vendor").returncode == 0
    with Session(engine) as session:
        row = session.scalars(select(ApiKey)).one()
        assert row.revoked_at is not None and row.created_by == "cli"
        assert [a.action for a in session.scalars(select(AuditEntry).where(AuditEntry.object_kind == "api_key"))] == [
            "api_key.created",
            "api_key.revoked",
        ]
    engine.dispose()


def test_the_cli_scope_choices_are_the_domain_scopes() -> None:
    from kiosk_server.api_keys_cli import SCOPES

    assert SCOPES == tuple(s.value for s in KeyScope)


@pytest.mark.parametrize(
    ("before", "requested", "changed", "after"),
    [
        (None, "published", False, "in_review"),
        (None, "draft", False, "draft"),
        ("draft", "published", False, "in_review"),
        ("approved", None, True, "in_review"),
        ("published", None, True, "in_review"),
        ("published", "published", False, "published"),
        ("approved", "published", False, "approved"),  # publishing is an approver's step
        ("published", "archived", False, "archived"),
    ],
)
def test_a_reviewed_key_never_publishes_by_itself(
    before: str | None, requested: str | None, changed: bool, after: str
) -> None:
    from content.library.items import ItemStatus as S

    got = approval.reviewed_integration_status(
        S(before) if before else None, S(requested) if requested else None, changed
    )
    assert got is S(after)
