"""Sign-out, password resets, disabling and role changes end every session of the account, copies included."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from content.accounts.staff import StaffAccount
from kiosk_server.database import database
from tests.support.console_world import PASSWORD, ConsoleWorld, build_console_world, csrf_now, sign_in

COOKIE = "session"
COUNTER_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def cw(app: Flask) -> ConsoleWorld:
    return build_console_world(app)


def copy_of(app: Flask, client: Any) -> Any:
    """A second browser holding a copy of ``client``'s session cookie (as a thief would)."""
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None, "nobody is signed in on the client"
    thief = app.test_client()
    thief.set_cookie(COOKIE, cookie.value)
    return thief


def opens_console(client: Any) -> bool:
    return bool(client.get("/console/").status_code == 200)


def opens_counter(client: Any) -> bool:
    return bool(client.get("/counter?choose=1").status_code == 200)


def counter_sign_in(client: Any, username: str) -> None:
    token = COUNTER_CSRF.search(client.get("/counter/login").get_data(as_text=True))
    assert token is not None
    answer = client.post(
        "/counter/login", data={"csrf_token": token.group(1), "username": username, "password": PASSWORD}
    )
    assert answer.status_code == 302 and "/counter" in answer.headers["Location"]


def edit(admin: Any, cw: ConsoleWorld, username: str, **fields: str | None) -> None:
    """Post the account form of ``username`` as the signed-in admin; a field given as None is left out."""
    form: dict[str, str | None] = {
        "csrf_token": csrf_now(admin),
        "display_name": username,
        "role": "editor",
        "org_unit_id": str(cw.world.county_id),
        "active": "1",
        **fields,
    }
    data = {key: value for key, value in form.items() if value is not None}
    answer = admin.post(f"/console/users/{cw.account_ids[username]}", data=data)
    assert answer.status_code == 302, answer.get_data(as_text=True)


def test_a_copied_console_cookie_stops_working_after_sign_out(cw: ConsoleWorld, app: Flask, client: Any) -> None:
    sign_in(client, "editor")
    thief = copy_of(app, client)
    assert opens_console(thief)
    assert client.post("/console/logout", data={"csrf_token": csrf_now(client)}).status_code == 302
    assert not opens_console(thief)
    assert thief.get("/console/").headers["Location"].startswith("/console/login")


def test_a_copied_counter_cookie_stops_working_after_sign_out(cw: ConsoleWorld, app: Flask, client: Any) -> None:
    counter_sign_in(client, "counter")
    thief = copy_of(app, client)
    assert opens_counter(thief)
    token = COUNTER_CSRF.search(client.get("/counter?choose=1").get_data(as_text=True))
    assert token is not None
    assert client.post("/counter/logout", data={"csrf_token": token.group(1)}).status_code == 302
    assert not opens_counter(thief)


def test_a_password_reset_by_an_admin_ends_the_accounts_sessions(cw: ConsoleWorld, app: Flask, client: Any) -> None:
    sign_in(client, "tech")
    thief = copy_of(app, client)
    other = app.test_client()
    sign_in(other, "approver")
    admin = app.test_client()
    sign_in(admin, "admin")
    edit(admin, cw, "tech", role="field_technician", password="a-brand-new-pass")
    assert not opens_console(client) and not opens_console(thief)
    assert opens_console(other), "another account's session is unaffected"
    assert opens_console(admin), "and so is the admin's own"


def test_disabling_ends_the_accounts_sessions_on_console_and_counter(cw: ConsoleWorld, app: Flask, client: Any) -> None:
    counter_sign_in(client, "counter")
    manager = app.test_client()
    counter_sign_in(manager, "manager")
    admin = app.test_client()
    sign_in(admin, "admin")
    edit(admin, cw, "counter", role="counter_staff", hall_id=str(cw.world.hall_id), active=None)
    assert not opens_counter(client)
    assert opens_counter(manager)
    # Enabled again, the old cookie still does not come back: it was ended, not paused.
    edit(admin, cw, "counter", role="counter_staff", hall_id=str(cw.world.hall_id))
    assert not opens_counter(client)


def test_a_role_change_ends_the_accounts_sessions(cw: ConsoleWorld, app: Flask, client: Any) -> None:
    sign_in(client, "approver")
    thief = copy_of(app, client)
    editor = app.test_client()
    sign_in(editor, "editor")
    admin = app.test_client()
    sign_in(admin, "admin")
    edit(admin, cw, "approver", role="editor", org_unit_id=str(cw.world.city_id))
    assert not opens_console(client) and not opens_console(thief)
    assert opens_console(editor)


def test_a_display_name_change_keeps_the_session(cw: ConsoleWorld, app: Flask, client: Any) -> None:
    sign_in(client, "editor")
    admin = app.test_client()
    sign_in(admin, "admin")
    edit(admin, cw, "editor", display_name="新名字", org_unit_id=str(cw.world.city_id))
    assert opens_console(client)


def test_signing_in_again_after_a_reset_works(cw: ConsoleWorld, app: Flask, client: Any) -> None:
    sign_in(client, "tech")
    admin = app.test_client()
    sign_in(admin, "admin")
    edit(admin, cw, "tech", role="field_technician", password="a-brand-new-pass")
    assert sign_in(client, "tech", "a-brand-new-pass").status_code == 302
    assert opens_console(client)
    with Session(database(app).engine) as session:
        tech = session.get(StaffAccount, cw.account_ids["tech"])
        assert tech is not None and tech.session_version == 1
