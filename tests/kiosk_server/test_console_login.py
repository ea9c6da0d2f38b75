"""Console sign-in: the right account gets in, growing delays after failures that never lock the owner
out, a per-address throttle, CSRF on every form, idle and absolute expiry, and disabling an account
takes effect at once. The guard's own rules are in test_sign_in_guard.py."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from limits.storage import MemoryStorage
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.accounts.audit import AuditEntry
from content.accounts.staff import StaffAccount
from kiosk_server.database import database
from kiosk_server.sign_in_guard import SignInGuard
from tests.support.console_world import ConsoleWorld, build_console_world, csrf_now, csrf_of, sign_in


@pytest.fixture
def cw(app: Flask) -> ConsoleWorld:
    return build_console_world(app)


def test_signing_in_opens_the_console_and_shows_who_and_where(cw: ConsoleWorld, client: Any) -> None:
    response = sign_in(client, "editor")
    assert response.status_code == 302 and response.headers["Location"].endswith("/console/")
    page = client.get("/console/").get_data(as_text=True)
    assert "editor名（编辑）" in page
    assert "管辖范围：兰州市" in page


def test_a_page_asked_for_before_signing_in_comes_back_after(cw: ConsoleWorld, client: Any) -> None:
    first = client.get("/console/users?q=wang")
    assert first.status_code == 302 and "/console/login" in first.headers["Location"]
    login_page = client.get(first.headers["Location"]).get_data(as_text=True)
    token = csrf_of(login_page)
    assert 'name="next" value="/console/users?q=wang"' in login_page
    done = client.post(
        "/console/login",
        data={
            "csrf_token": token,
            "username": "orgadmin",
            "password": "console-pass-1",
            "next": "/console/users?q=wang",
        },
    )
    assert done.headers["Location"].endswith("/console/users?q=wang")


def test_next_never_leads_off_the_console(cw: ConsoleWorld, client: Any) -> None:
    token = csrf_of(client.get("/console/login").get_data(as_text=True))
    done = client.post(
        "/console/login",
        data={
            "csrf_token": token,
            "username": "editor",
            "password": "console-pass-1",
            "next": "//evil.example/console",
        },
    )
    assert done.headers["Location"].endswith("/console/")


def test_wrong_passwords_delay_the_name_but_never_lock_its_owner_out(cw: ConsoleWorld, client: Any) -> None:
    for _ in range(5):
        refused = sign_in(client, "editor", "wrong-password")
        assert refused.status_code == 401
        assert "用户名或密码不正确" in refused.get_data(as_text=True)
    # Now the name waits a second before its next check, even for the right password ...
    waiting = sign_in(client, "editor")
    assert waiting.status_code == 429 and waiting.headers["Retry-After"] == "1"
    assert "登录尝试过于频繁，请1秒后再试" in waiting.get_data(as_text=True)
    # ... and once the second has passed, the owner signs in: no lock anyone else can renew.
    cw.clock.advance(seconds=1)
    assert sign_in(client, "editor").status_code == 302


def test_anonymous_failures_cannot_keep_an_account_from_signing_in(cw: ConsoleWorld, client: Any) -> None:
    for _ in range(12):  # a stranger guesses as fast as the name may be tried
        answer = sign_in(client, "admin", "a-guess")
        if answer.status_code == 429:  # told to wait: tries again the moment the wait is over
            cw.clock.advance(seconds=int(answer.headers["Retry-After"]))
            answer = sign_in(client, "admin", "a-guess")
        assert answer.status_code == 401
    delayed = sign_in(client, "admin")
    assert delayed.status_code == 429, "twelve failures in a row delay the name"
    assert int(delayed.headers["Retry-After"]) == 2 ** (12 - 5)
    cw.clock.advance(seconds=int(delayed.headers["Retry-After"]))
    assert sign_in(client, "admin").status_code == 302, "the right password after the delay signs in"


def test_an_unknown_name_and_a_wrong_password_read_the_same(cw: ConsoleWorld, client: Any) -> None:
    unknown = sign_in(client, "nobody-here", "whatever-pass")
    wrong = sign_in(client, "editor", "whatever-pass")
    problem = 'id="login-problem"'
    assert unknown.status_code == wrong.status_code == 401
    assert problem in unknown.get_data(as_text=True) and problem in wrong.get_data(as_text=True)
    assert "nobody-here" not in unknown.get_data(as_text=True).split(problem)[1].split("</p>")[0]


def test_empty_fields_get_field_level_messages(cw: ConsoleWorld, client: Any) -> None:
    token = csrf_of(client.get("/console/login").get_data(as_text=True))
    page = client.post("/console/login", data={"csrf_token": token, "username": "", "password": ""})
    text = page.get_data(as_text=True)
    assert page.status_code == 400
    assert 'id="f-username-error"' in text and "请输入用户名" in text
    assert 'id="f-password-error"' in text and "请输入密码" in text


def test_one_address_is_throttled_whatever_names_it_tries(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    app.extensions["kiosk_sign_in_guard"] = SignInGuard(MemoryStorage(), address_failures=3)
    for name in ("a1", "a2", "a3"):
        assert sign_in(client, name, "wrong-password").status_code == 401
    throttled = sign_in(client, "editor")
    assert throttled.status_code == 429
    assert int(throttled.headers["Retry-After"]) > 0
    assert "登录尝试过于频繁" in throttled.get_data(as_text=True)


def test_successful_sign_ins_do_not_count_against_the_address(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    app.extensions["kiosk_sign_in_guard"] = SignInGuard(MemoryStorage(), address_failures=3)
    for name in ("editor", "orgadmin", "approver", "admin", "tech"):
        assert sign_in(app.test_client(), name).status_code == 302, name
    assert sign_in(client, "nobody", "wrong-password").status_code == 401
    assert sign_in(client, "editor").status_code == 302


def test_a_form_without_its_csrf_token_is_refused(cw: ConsoleWorld, client: Any) -> None:
    client.get("/console/login")
    refused = client.post("/console/login", data={"username": "editor", "password": "console-pass-1"})
    assert refused.status_code == 400 and "页面已过期" in refused.get_data(as_text=True)
    assert sign_in(client, "editor").status_code == 302
    # Signed in, a POST with a wrong token changes nothing.
    bad = client.post("/console/emergencies", data={"csrf_token": "forged", "title": "x"})
    assert bad.status_code in (400, 403)


def test_the_sign_in_ends_after_thirty_idle_minutes(cw: ConsoleWorld, client: Any) -> None:
    sign_in(client, "editor")
    cw.clock.advance(minutes=29)
    assert client.get("/console/").status_code == 200  # activity restarts the idle clock
    cw.clock.advance(minutes=29)
    assert client.get("/console/").status_code == 200
    cw.clock.advance(minutes=31)
    gone = client.get("/console/")
    assert gone.status_code == 302 and "timed_out=1" in gone.headers["Location"]
    assert "长时间未操作" in client.get(gone.headers["Location"]).get_data(as_text=True)


def test_the_sign_in_ends_after_twelve_hours_however_busy(cw: ConsoleWorld, client: Any) -> None:
    sign_in(client, "editor")
    started = cw.clock.now
    for _ in range(30):
        cw.clock.advance(minutes=29)
        if client.get("/console/").status_code != 200:
            break
    assert timedelta(hours=12) <= cw.clock.now - started < timedelta(hours=12, minutes=29)
    assert client.get("/console/").status_code == 302


def test_disabling_an_account_signs_it_out_at_once(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "editor")
    assert client.get("/console/").status_code == 200
    with Session(database(app).engine) as session:
        session.get(StaffAccount, cw.account_ids["editor"]).active = False
        session.commit()
    assert client.get("/console/").status_code == 302


def test_counter_staff_may_not_use_the_console(cw: ConsoleWorld, client: Any) -> None:
    refused = sign_in(client, "counter")
    assert refused.status_code == 403 and "不能使用管理控制台" in refused.get_data(as_text=True)
    assert client.get("/console/").status_code == 302


def test_signing_out_needs_the_token_and_ends_the_sign_in(cw: ConsoleWorld, client: Any) -> None:
    sign_in(client, "editor")
    assert client.post("/console/logout", data={}).status_code == 400
    assert client.get("/console/").status_code == 200
    done = client.post("/console/logout", data={"csrf_token": csrf_now(client)})
    assert done.status_code == 302 and "signed_out=1" in done.headers["Location"]
    assert client.get("/console/").status_code == 302


def test_english_is_one_click_away(cw: ConsoleWorld, client: Any) -> None:
    page = client.get("/console/login?lang=en").get_data(as_text=True)
    assert "Console sign-in" in page and 'lang="en"' in page
    sign_in(client, "editor", "wrong-password")
    assert "Wrong user name or password" in sign_in(client, "editor", "wrong-password").get_data(as_text=True)


def test_a_console_session_does_not_open_the_rest_api(cw: ConsoleWorld, client: Any) -> None:
    sign_in(client, "admin")
    assert client.get("/api/v1/halls").status_code == 401


def test_signing_in_is_not_audited_as_a_change_but_is_stamped(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "editor")
    with Session(database(app).engine) as session:
        assert session.get(StaffAccount, cw.account_ids["editor"]).last_login_at == cw.clock.now
        assert session.scalars(select(AuditEntry).where(AuditEntry.object_kind == "account")).first() is None
