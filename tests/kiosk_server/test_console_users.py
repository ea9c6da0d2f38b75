"""Accounts in the console: org admins manage only their subtree and never grant more than they hold."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.accounts.audit import AuditEntry
from content.accounts.staff import StaffAccount, password_matches
from content.org.tree import OrgUnit
from kiosk_server.database import database
from tests.support.console_world import PASSWORD, ConsoleWorld, build_console_world, csrf_now, sign_in


@pytest.fixture
def cw(app: Flask) -> ConsoleWorld:
    return build_console_world(app)


def _account(app: Flask, username: str) -> StaffAccount | None:
    with Session(database(app).engine) as session:
        found = session.scalar(select(StaffAccount).where(StaffAccount.username == username))
        if found is not None:
            session.expunge(found)
        return found


def test_an_org_admin_lists_only_the_accounts_below_their_node(cw: ConsoleWorld, client: Any) -> None:
    sign_in(client, "orgadmin")
    page = client.get("/console/users").get_data(as_text=True)
    for below in ("manager", "counter", "tech"):  # the city's hall, the county
        assert f">{below}</a>" in page
    for not_theirs in ("admin", "tianshui", "editor", "approver", "orgadmin"):  # peers on the city node too
        assert f">{not_theirs}</a>" not in page


@pytest.mark.parametrize("role", ["org_admin", "editor"])
def test_an_org_admin_cannot_create_a_peer_on_their_own_node(
    cw: ConsoleWorld, client: Any, app: Flask, role: str
) -> None:
    sign_in(client, "orgadmin")
    form = client.get("/console/users/new").get_data(as_text=True)
    assert f'<option value="{cw.world.county_id}"' in form
    assert f'<option value="{cw.world.city_id}"' not in form  # their own node is not offered
    page = client.post(
        "/console/users/new",
        data={
            "csrf_token": csrf_now(client),
            "username": "peer",
            "display_name": "同级",
            "role": role,
            "org_unit_id": str(cw.world.city_id),
            "password": "a-long-pass-9",
        },
    )
    assert page.status_code == 400
    assert "只能管理本级机构以下的账号" in page.get_data(as_text=True)
    assert _account(app, "peer") is None


def test_an_org_admin_cannot_reset_or_disable_a_peer(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "orgadmin")
    assert client.get(f"/console/users/{cw.account_ids['editor']}").status_code == 404
    refused = client.post(
        f"/console/users/{cw.account_ids['editor']}",
        data={
            "csrf_token": csrf_now(client),
            "display_name": "x",
            "role": "editor",
            "org_unit_id": str(cw.world.county_id),
            "password": "taken-over-pass",
        },
    )
    assert refused.status_code == 404
    editor = _account(app, "editor")
    assert editor is not None and editor.active and editor.org_unit_id == cw.world.city_id
    assert not password_matches("taken-over-pass", editor.password_hash)


def test_a_system_admin_manages_an_org_admin_on_any_node(cw: ConsoleWorld, client: Any) -> None:
    sign_in(client, "admin")
    assert client.get(f"/console/users/{cw.account_ids['orgadmin']}").status_code == 200
    assert f'<option value="{cw.world.city_id}"' in client.get("/console/users/new").get_data(as_text=True)


def test_an_org_admin_creates_an_editor_below_their_node(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "orgadmin")
    done = client.post(
        "/console/users/new",
        data={
            "csrf_token": csrf_now(client),
            "username": "zhang",
            "display_name": "张敏",
            "role": "editor",
            "org_unit_id": str(cw.world.county_id),
            "password": "a-long-pass-9",
        },
    )
    assert done.status_code == 302
    made = _account(app, "zhang")
    assert made is not None and made.role == "editor" and made.org_unit_id == cw.world.county_id
    assert password_matches("a-long-pass-9", made.password_hash)
    with Session(database(app).engine) as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.object_kind == "account")).one()
        county = session.get(OrgUnit, cw.world.county_id)
        assert entry.actor == "orgadmin" and entry.action == "created" and entry.org_path == county.path
        assert "a-long-pass-9" not in str(entry.summary) and entry.summary["after"]["username"] == "zhang"


def test_a_node_outside_the_subtree_is_refused_beside_the_field(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "orgadmin")
    page = client.post(
        "/console/users/new",
        data={
            "csrf_token": csrf_now(client),
            "username": "zhang",
            "display_name": "张敏",
            "role": "editor",
            "org_unit_id": str(cw.other_city_id),
            "password": "a-long-pass-9",
        },
    )
    text = page.get_data(as_text=True)
    assert page.status_code == 400
    assert 'id="f-org_unit_id-error"' in text
    assert _account(app, "zhang") is None


def test_an_org_admin_cannot_make_a_system_admin(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "orgadmin")
    page = client.post(
        "/console/users/new",
        data={
            "csrf_token": csrf_now(client),
            "username": "boss",
            "display_name": "x",
            "role": "system_admin",
            "password": "a-long-pass-9",
        },
    )
    assert page.status_code == 400 and 'id="f-role-error"' in page.get_data(as_text=True)
    assert _account(app, "boss") is None
    assert 'value="system_admin"' not in client.get("/console/users/new").get_data(as_text=True)


def test_every_bad_field_is_reported_at_once(cw: ConsoleWorld, client: Any) -> None:
    sign_in(client, "admin")
    page = client.post(
        "/console/users/new",
        data={
            "csrf_token": csrf_now(client),
            "username": "editor",
            "display_name": "",
            "role": "hall_manager",
            "hall_id": "",
            "password": "short",
        },
    )
    text = page.get_data(as_text=True)
    assert page.status_code == 400
    assert "该用户名已被使用" in text and "密码至少8位" in text and 'id="f-hall_id-error"' in text


def test_accounts_outside_the_subtree_answer_404(cw: ConsoleWorld, client: Any) -> None:
    sign_in(client, "orgadmin")
    assert client.get(f"/console/users/{cw.account_ids['tianshui']}").status_code == 404
    assert client.get(f"/console/users/{cw.account_ids['admin']}").status_code == 404
    assert (
        client.post(
            f"/console/users/{cw.account_ids['tianshui']}",
            data={"csrf_token": csrf_now(client), "role": "editor", "org_unit_id": str(cw.world.city_id)},
        ).status_code
        == 404
    )


def save_tech(client: Any, cw: ConsoleWorld, **fields: str) -> Any:
    """Post the technician's account form as it stands, with ``fields`` added (unticked boxes are absent)."""
    return client.post(
        f"/console/users/{cw.account_ids['tech']}",
        data={
            "csrf_token": csrf_now(client),
            "display_name": "技术员",
            "role": "field_technician",
            "org_unit_id": str(cw.world.county_id),
            **fields,
        },
    )


def test_disabling_and_unlocking_are_audited_without_the_password(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    for _ in range(5):
        sign_in(client, "tech", "wrong-password")
    assert _account(app, "tech").locked_until is not None
    sign_in(client, "orgadmin")
    assert save_tech(client, cw, unlock="1", password="brand-new-pass").status_code == 302
    tech = _account(app, "tech")
    assert tech.active is False and tech.locked_until is None  # "active" was not ticked
    assert password_matches("brand-new-pass", tech.password_hash)
    with Session(database(app).engine) as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "updated")).one()
        assert entry.summary["changed"]["active"] == [True, False]
        assert "brand-new-pass" not in str(entry.summary)


def test_nobody_disables_themselves(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "admin")
    page = client.post(
        f"/console/users/{cw.account_ids['admin']}",
        data={"csrf_token": csrf_now(client), "display_name": "x", "role": "system_admin"},
    )
    assert page.status_code == 400
    assert _account(app, "admin").active is True


def test_an_org_admin_does_not_manage_their_own_account(cw: ConsoleWorld, client: Any) -> None:
    sign_in(client, "orgadmin")
    assert client.get(f"/console/users/{cw.account_ids['orgadmin']}").status_code == 404


def test_the_audit_page_shows_an_org_admin_their_subtree_only(cw: ConsoleWorld, client: Any) -> None:
    sign_in(client, "orgadmin")
    client.post(
        "/console/users/new",
        data={
            "csrf_token": csrf_now(client),
            "username": "zhang",
            "display_name": "张敏",
            "role": "editor",
            "org_unit_id": str(cw.world.county_id),
            "password": "a-long-pass-9",
        },
    )
    client.post("/console/logout", data={"csrf_token": csrf_now(client)})
    sign_in(client, "tianshui")
    assert "zhang" not in client.get("/console/audit").get_data(as_text=True)
    client.post("/console/logout", data={"csrf_token": csrf_now(client)})
    sign_in(client, "orgadmin")
    assert "zhang" in client.get("/console/audit").get_data(as_text=True)
    assert PASSWORD not in client.get("/console/audit").get_data(as_text=True)


def test_wrong_passwords_can_be_cleared_after_the_delay_has_passed(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    for _ in range(6):
        assert sign_in(client, "tech", "wrong-password").status_code == 401
        cw.clock.advance(seconds=2)  # past each growing delay (1 s after the fifth), so every one counts
    cw.clock.advance(seconds=3600)  # long past the delay: the name may sign in again, the count stays
    sign_in(client, "orgadmin")
    listed = client.get("/console/users").get_data(as_text=True)
    assert "密码错误 6 次" in listed and "已锁定" not in listed
    form = client.get(f"/console/users/{cw.account_ids['tech']}").get_data(as_text=True)
    assert "清除 6 次密码错误记录" in form and "需等待至" not in form
    assert save_tech(client, cw, active="1", unlock="1").status_code == 302
    assert _account(app, "tech").failed_logins == 0
    with Session(database(app).engine) as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "updated")).one()
        assert entry.summary["changed"]["failed_logins"] == [6, 0]


def test_an_account_gets_an_e_mail_address_shown_in_the_list_and_audited(
    cw: ConsoleWorld, client: Any, app: Flask
) -> None:
    sign_in(client, "orgadmin")
    form = {
        "csrf_token": csrf_now(client),
        "username": "zhang",
        "display_name": "张敏",
        "email": "  zhang.min@gov.example.cn ",
        "role": "editor",
        "org_unit_id": str(cw.world.county_id),
        "password": "a-long-pass-9",
    }
    assert client.post("/console/users/new", data=form).status_code == 302
    made = _account(app, "zhang")
    assert made is not None and made.email == "zhang.min@gov.example.cn", "stored trimmed"
    assert "zhang.min@gov.example.cn" in client.get("/console/users?q=gov.example").get_data(as_text=True)

    cleared = client.post(
        f"/console/users/{made.id}",
        data={k: v for k, v in form.items() if k not in ("username", "password")} | {"email": "", "active": "1"},
    )
    assert cleared.status_code == 302
    again = _account(app, "zhang")
    assert again is not None and again.email is None, "an empty field removes the address"
    with Session(database(app).engine) as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.object_kind == "account", AuditEntry.action == "updated")
        ).one()
        assert entry.summary["changed"]["email"] == ["zhang.min@gov.example.cn", ""]


@pytest.mark.parametrize("bad", ["zhang.min", "zhang@", "zhang@gov", "张 敏@gov.example.cn", "a@b.cn, c@d.cn"])
def test_a_bad_e_mail_address_is_refused_in_chinese_and_nothing_is_saved(
    cw: ConsoleWorld, client: Any, app: Flask, bad: str
) -> None:
    sign_in(client, "admin")
    base = {
        "csrf_token": csrf_now(client),
        "display_name": "张敏",
        "role": "editor",
        "org_unit_id": str(cw.world.county_id),
    }
    page = client.post(
        "/console/users/new", data=base | {"username": "zhang", "password": "a-long-pass-9", "email": bad}
    )
    text = page.get_data(as_text=True)
    assert page.status_code == 400
    assert 'id="f-email-error"' in text and "电子邮箱格式不正确" in text
    assert _account(app, "zhang") is None

    editor_id = cw.account_ids["editor"]
    before = _account(app, "editor")
    assert before is not None
    edited = client.post(
        f"/console/users/{editor_id}",
        data=base | {"display_name": "改了名", "email": bad, "active": "1", "password": "another-pass-9"},
    )
    assert edited.status_code == 400 and "电子邮箱格式不正确" in edited.get_data(as_text=True)
    after = _account(app, "editor")
    assert after is not None and after.display_name == before.display_name and after.email is None
    assert after.password_hash == before.password_hash, "nothing saved, the new password neither"
