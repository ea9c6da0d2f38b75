"""The counter staff page (/counter): sign-in through the sign-in guard (counter roles only), CSRF, the hall
boundary, and each queue action."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from limits.storage import MemoryStorage
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.accounts.staff import Role, StaffAccount, add_account
from content.org.tree import OrgUnit
from content.queue.models import QueueBoard, Ticket, TicketState
from content.queue.setup import add_counter, add_service_type
from content.queue.ticketing import take_ticket
from kiosk_server.database import database
from kiosk_server.settings_access import runtime
from kiosk_server.sign_in_guard import SignInGuard
from tests.support.world import build_world

PASSWORD = "counter-pass-1"
# 09:00 in Lanzhou on a Wednesday.
NINE = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)
CSRF_IN_FORM = re.compile(r'name="csrf_token" value="([^"]+)"')
CSRF_IN_PAGE = re.compile(r'data-csrf="([^"]+)"')


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Hall:
    clock: Clock
    hall_id: int
    social: int  # service type A
    jobs: int  # service type B
    window1: int  # serves A and B
    window2: int  # serves B
    elsewhere: int  # a counter of another hall


@pytest.fixture
def hall(app: Flask) -> Hall:
    clock = Clock(NINE)
    runtime(app).clock = clock
    with Session(database(app).engine) as session:
        world = build_world(session, vacancies=0)
        social = add_service_type(session, world.hall_id, prefix="A", name="社保业务", name_en="Social security")
        jobs = add_service_type(session, world.hall_id, prefix="B", name="就业登记", name_en="Job registration")
        window1 = add_counter(session, world.hall_id, number=1, services=[social, jobs])
        window2 = add_counter(session, world.hall_id, number=2, services=[jobs])
        theirs = add_service_type(session, world.other_hall_id, prefix="A", name="社保业务")
        elsewhere = add_counter(session, world.other_hall_id, number=1, services=[theirs])
        add_account(
            session,
            username="wang",
            password=PASSWORD,
            display_name="王芳",
            role=Role.COUNTER_STAFF,
            hall_id=world.hall_id,
        )
        add_account(
            session,
            username="li",
            password=PASSWORD,
            display_name="李强",
            role=Role.COUNTER_STAFF,
            hall_id=world.other_hall_id,
        )
        for minute, service in enumerate((social, social, jobs)):  # A001, A002, B001
            take_ticket(session, service.id, NINE - timedelta(minutes=30 - minute))
        session.commit()
        return Hall(clock, world.hall_id, social.id, jobs.id, window1.id, window2.id, elsewhere.id)


def form_token(client: Any) -> str:
    found = CSRF_IN_FORM.search(client.get("/counter/login").get_data(as_text=True))
    assert found, "the sign-in form carries a CSRF token"
    return found.group(1)


def sign_in(client: Any, username: str = "wang", password: str = PASSWORD, **extra: str) -> Any:
    return client.post(
        "/counter/login", data={"csrf_token": form_token(client), "username": username, "password": password, **extra}
    )


@pytest.fixture
def staff(client: Any, hall: Hall) -> str:
    """Signed in as wang of the first hall; returns the page's CSRF token for the JSON calls."""
    assert sign_in(client).status_code == 302
    found = CSRF_IN_PAGE.search(client.get(f"/counter/{hall.window1}").get_data(as_text=True))
    assert found
    return found.group(1)


def act(client: Any, token: str, counter_id: int, action: str, body: Any = None) -> Any:
    return client.post(f"/counter/api/{counter_id}/{action}", headers={"X-CSRF-Token": token}, json=body)


def state(client: Any, counter_id: int) -> dict[str, Any]:
    answer = client.get(f"/counter/api/{counter_id}/state")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return dict(answer.json)


def account(app: Flask, username: str) -> StaffAccount:
    with Session(database(app).engine) as session:
        found = session.scalar(select(StaffAccount).where(StaffAccount.username == username))
        assert found is not None
        return found


# -- signing in ------------------------------------------------------------------------------------


def test_signing_in_leads_to_the_counters_of_the_staff_members_hall(client: Any, hall: Hall) -> None:
    answer = sign_in(client)
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/counter")
    page = client.get("/counter").get_data(as_text=True)
    assert "请选择您的窗口" in page and "城关区公共就业服务中心" in page and "王芳" in page
    assert f'href="/counter/{hall.window1}"' in page and f'href="/counter/{hall.window2}"' in page
    assert f'href="/counter/{hall.elsewhere}"' not in page, "another hall's counters are not offered"
    assert "A 社保业务 · B 就业登记" in page


def test_a_wrong_password_is_refused_and_counted(app: Flask, client: Any, hall: Hall) -> None:
    answer = sign_in(client, password="not-the-password")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "用户名或密码不正确" in page and 'value="wang"' in page
    assert account(app, "wang").failed_logins == 1, "the failure is committed although sign-in raised"
    assert client.get("/counter").status_code == 302, "nobody is signed in"


def test_wrong_passwords_delay_the_name_and_the_owner_signs_in_after(app: Flask, client: Any, hall: Hall) -> None:
    for _ in range(5):
        assert "用户名或密码不正确" in sign_in(client, password="wrong-password").get_data(as_text=True)
    assert account(app, "wang").locked_until == hall.clock.now + timedelta(seconds=1)
    waiting = sign_in(client)
    assert waiting.status_code == 429 and waiting.headers["Retry-After"] == "1"
    assert "登录尝试过于频繁，请1秒后再试" in waiting.get_data(as_text=True)
    hall.clock.advance(seconds=1)
    assert sign_in(client).status_code == 302, "the owner is only slowed down, never locked out"


def test_the_counter_sign_in_is_throttled_per_address(app: Flask, client: Any, hall: Hall) -> None:
    app.extensions["kiosk_sign_in_guard"] = SignInGuard(MemoryStorage(), address_failures=3)
    for name in ("x1", "x2", "x3"):
        assert sign_in(client, username=name, password="wrong-password").status_code == 200
    throttled = sign_in(client)
    assert throttled.status_code == 429 and int(throttled.headers["Retry-After"]) > 0
    assert client.get("/counter").status_code == 302, "nobody is signed in"


def test_the_counter_page_never_checks_another_roles_password(app: Flask, client: Any, hall: Hall) -> None:
    with Session(database(app).engine) as session:
        add_account(session, username="root", password=PASSWORD, display_name="管理员", role=Role.SYSTEM_ADMIN)
        session.commit()
    right = sign_in(client, username="root").get_data(as_text=True)
    wrong = sign_in(client, username="root", password="wrong-password").get_data(as_text=True)
    unknown = sign_in(client, username="nobody", password="wrong-password").get_data(as_text=True)
    assert "用户名或密码不正确" in right and right.replace("root", "?") == wrong.replace("root", "?")
    assert unknown.replace("nobody", "?") == right.replace("root", "?"), "the same generic refusal"
    assert client.get("/counter").status_code == 302
    assert account(app, "root").failed_logins == 2, "counted like any failure, so guessing here is delayed too"


def test_empty_fields_are_named_each_at_its_field(client: Any, hall: Hall) -> None:
    answer = sign_in(client, username="", password="")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert 'id="username-error"' in page and "请输入用户名" in page
    assert 'id="password-error"' in page and "请输入密码" in page
    assert page.count('aria-invalid="true"') == 2


def test_signing_in_without_the_forms_token_is_refused(client: Any, hall: Hall) -> None:
    answer = client.post("/counter/login", data={"username": "wang", "password": PASSWORD})
    assert answer.status_code == 400 and "页面已过期，请重新登录" in answer.get_data(as_text=True)
    assert client.get("/counter").status_code == 302


def test_the_sign_in_page_speaks_english_on_request(client: Any, hall: Hall) -> None:
    page = client.get("/counter/login?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in page and "Counter staff sign-in" in page and "中文" in page
    refused = sign_in(client, password="wrong-password").get_data(as_text=True)
    assert "Wrong user name or password" in refused, "the choice lasts for the session"


def test_after_signing_in_only_a_counter_page_may_come_next(client: Any, hall: Hall) -> None:
    assert sign_in(client, next=f"/counter/{hall.window2}").headers["Location"].endswith(f"/counter/{hall.window2}")
    client.post(
        "/counter/logout",
        data={
            "csrf_token": CSRF_IN_PAGE.search(client.get(f"/counter/{hall.window2}").get_data(as_text=True)).group(1)
        },
    )
    assert sign_in(client, next="//evil.example/counter").headers["Location"].endswith("/counter")


def test_signing_out_ends_the_session(client: Any, hall: Hall, staff: str) -> None:
    assert client.post("/counter/logout", data={}).status_code == 400, "signing out needs the form token too"
    answer = client.post("/counter/logout", data={"csrf_token": staff})
    assert answer.status_code == 302 and "signed_out=1" in answer.headers["Location"]
    assert "您已退出登录" in client.get(answer.headers["Location"]).get_data(as_text=True)
    assert client.get(f"/counter/api/{hall.window1}/state").status_code == 401


def test_a_session_ends_after_a_twelve_hour_shift(client: Any, hall: Hall, staff: str) -> None:
    hall.clock.advance(hours=11, minutes=59)
    assert client.get(f"/counter/api/{hall.window1}/state").status_code == 200
    hall.clock.advance(minutes=2)
    assert client.get(f"/counter/api/{hall.window1}/state").status_code == 401
    assert client.get(f"/counter/{hall.window1}").headers["Location"].startswith("/counter/login")


def test_disabling_an_account_ends_its_session_at_once(app: Flask, client: Any, hall: Hall, staff: str) -> None:
    with Session(database(app).engine) as session:
        session.get(StaffAccount, account(app, "wang").id).active = False
        session.commit()
    assert client.get(f"/counter/api/{hall.window1}/state").status_code == 401


def test_an_account_of_no_hall_cannot_work_a_counter(app: Flask, client: Any, hall: Hall) -> None:
    with Session(database(app).engine) as session:
        province = session.scalar(select(OrgUnit.id).where(OrgUnit.parent_id.is_(None)))
        add_account(
            session, username="zhao", password=PASSWORD, display_name="赵省级", role=Role.EDITOR, org_unit_id=province
        )
        session.commit()
    answer = sign_in(client, username="zhao")
    assert answer.status_code == 200 and "用户名或密码不正确" in answer.get_data(as_text=True)
    assert client.get("/counter").status_code == 302


def test_the_chosen_counter_is_remembered(client: Any, hall: Hall, staff: str) -> None:
    again = client.get("/counter")
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/counter/{hall.window1}")
    assert client.get("/counter?choose=1").status_code == 200, "changing counters stays possible"


def test_the_page_carries_its_catalogue_token_and_shortcuts(client: Any, hall: Hall, staff: str) -> None:
    page = client.get(f"/counter/{hall.window1}").get_data(as_text=True)
    assert '<h1 class="cbar__title">1号窗口</h1>' in page
    assert 'id="counter-strings"' in page and '"action.no-show": "过号"' in page
    assert f'data-csrf="{staff}"' in page and f'data-api="/counter/api/{hall.window1}"' in page
    assert 'aria-keyshortcuts="N Space"' in page and "N / 空格" in page
    assert 'src="/display-static/js/counter/app.js"' in page


# -- who may call what ---------------------------------------------------------------------------


def test_the_api_answers_401_when_nobody_is_signed_in(client: Any, hall: Hall) -> None:
    answer = client.get(f"/counter/api/{hall.window1}/state")
    assert answer.status_code == 401 and answer.json["error"] == "signed_out"
    assert client.post(f"/counter/api/{hall.window1}/call").status_code == 401
    assert client.get(f"/counter/{hall.window1}").headers["Location"].startswith("/counter/login")


@pytest.mark.parametrize("headers", [{}, {"X-CSRF-Token": "forged"}])
def test_an_action_without_the_sessions_token_is_refused(
    client: Any, hall: Hall, staff: str, headers: dict[str, str]
) -> None:
    answer = client.post(f"/counter/api/{hall.window1}/call", headers=headers)
    assert answer.status_code == 403 and answer.json["error"] == "csrf"
    assert state(client, hall.window1)["ticket"] is None, "nothing was called"


def test_a_counter_of_another_hall_is_403_and_an_unknown_one_404(client: Any, hall: Hall, staff: str) -> None:
    assert client.get(f"/counter/api/{hall.elsewhere}/state").status_code == 403
    refused = act(client, staff, hall.elsewhere, "call")
    assert refused.status_code == 403 and refused.json["message"] == "该窗口不属于您所在的服务大厅"
    assert refused.json["message_en"] == "This counter belongs to another hall"
    assert client.get(f"/counter/{hall.elsewhere}").status_code == 403
    assert client.get("/counter/api/99999/state").status_code == 404


# -- the actions -----------------------------------------------------------------------------------


def test_state_lists_each_line_with_its_next_numbers(client: Any, hall: Hall, staff: str) -> None:
    shown = state(client, hall.window1)
    assert shown["counter"]["name"] == "1号窗口" and shown["ticket"] is None
    lines = {line["service"]["prefix"]: line for line in shown["lines"]}
    assert lines["A"]["waiting"] == 2 and [t["number"] for t in lines["A"]["next"]] == ["A001", "A002"]
    assert lines["B"]["waiting"] == 1 and shown["directed"]["waiting"] == 0
    assert [s["prefix"] for s in shown["transfer"]["services"]] == ["A", "B"]
    assert [c["name"] for c in shown["transfer"]["counters"]] == ["2号窗口"], "its own counter is not a target"


def test_call_next_calls_the_longest_waiting_ticket(client: Any, hall: Hall, staff: str) -> None:
    answer = act(client, staff, hall.window1, "call")
    assert answer.status_code == 200
    assert answer.json["ticket"]["number"] == "A001" and answer.json["ticket"]["state"] == "called"
    shown = answer.json["state"]
    assert shown["ticket"]["number"] == "A001" and shown["ticket"]["since"] == NINE.isoformat()
    assert [t["number"] for t in shown["lines"][0]["next"]] == ["A002"]


def test_each_action_bumps_the_halls_board_for_the_wall_screens(
    app: Flask, client: Any, hall: Hall, staff: str
) -> None:
    before = state(client, hall.window1)["version"]
    after = act(client, staff, hall.window1, "call").json["state"]["version"]
    assert after > before
    with Session(database(app).engine) as session:
        assert session.get(QueueBoard, hall.hall_id).version == after, "committed"


def test_recall_keeps_the_ticket_called_and_counts(client: Any, hall: Hall, staff: str) -> None:
    act(client, staff, hall.window1, "call")
    hall.clock.advance(minutes=1)
    answer = act(client, staff, hall.window1, "recall")
    assert answer.status_code == 200
    ticket = answer.json["state"]["ticket"]
    assert ticket["number"] == "A001" and ticket["state"] == "called" and ticket["recalls"] == 1
    assert ticket["since"] == (NINE + timedelta(minutes=1)).isoformat()


def test_start_then_finish_serves_the_ticket_and_frees_the_counter(client: Any, hall: Hall, staff: str) -> None:
    act(client, staff, hall.window1, "call")
    started = act(client, staff, hall.window1, "start").json["state"]["ticket"]
    assert started["state"] == "serving"
    finished = act(client, staff, hall.window1, "finish")
    assert finished.json["ticket"]["state"] == "done" and finished.json["state"]["ticket"] is None


def test_no_show_voids_the_called_ticket(client: Any, hall: Hall, staff: str) -> None:
    act(client, staff, hall.window1, "call")
    answer = act(client, staff, hall.window1, "no-show")
    assert answer.json["ticket"]["number"] == "A001" and answer.json["ticket"]["state"] == "no_show"
    assert answer.json["state"]["ticket"] is None


def test_transfer_to_another_service_queues_the_same_number_there(client: Any, hall: Hall, staff: str) -> None:
    act(client, staff, hall.window1, "call")
    answer = act(client, staff, hall.window1, "transfer", {"service_type_id": hall.jobs})
    assert answer.status_code == 200
    assert answer.json["ticket"]["number"] == "A001" and answer.json["ticket"]["state"] == "waiting"
    assert answer.json["ticket"]["service"]["prefix"] == "B"
    lines = {line["service"]["prefix"]: line for line in answer.json["state"]["lines"]}
    assert [t["number"] for t in lines["B"]["next"]] == ["A001", "B001"], "it keeps its arrival time"
    assert answer.json["state"]["ticket"] is None


def test_transfer_to_a_counter_sends_it_there_first(client: Any, hall: Hall, staff: str) -> None:
    act(client, staff, hall.window1, "call")
    assert act(client, staff, hall.window1, "transfer", {"counter_id": hall.window2}).status_code == 200
    there = state(client, hall.window2)
    assert there["directed"]["waiting"] == 1 and there["directed"]["next"][0]["number"] == "A001"
    assert act(client, staff, hall.window2, "call").json["ticket"]["number"] == "A001"


def test_calling_with_nobody_waiting_answers_no_ticket(client: Any, hall: Hall, staff: str) -> None:
    assert act(client, staff, hall.window2, "call").json["ticket"]["number"] == "B001"  # its only line
    answer = act(client, staff, hall.window2, "call")
    assert answer.status_code == 200 and answer.json["ticket"] is None and answer.json["state"]["ticket"] is None


def test_recall_with_nothing_called_is_409_in_both_languages(client: Any, hall: Hall, staff: str) -> None:
    before = state(client, hall.window1)["version"]
    answer = act(client, staff, hall.window1, "recall")
    assert answer.status_code == 409 and answer.json["error"] == "no_current_ticket"
    assert answer.json["message"] == "当前没有已叫号的票，无法重呼"
    assert answer.json["message_en"] == "There is no called ticket to recall"
    assert state(client, hall.window1)["version"] == before, "a refused action leaves the board alone"


def test_start_after_start_is_409(client: Any, hall: Hall, staff: str) -> None:
    act(client, staff, hall.window1, "call")
    act(client, staff, hall.window1, "start")
    again = act(client, staff, hall.window1, "start")
    assert again.status_code == 409 and again.json["message"] == "当前没有已叫号的票，无法开始办理"


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "to"),
        ({"service_type_id": "B"}, "service_type_id"),
        ({"counter_id": True}, "counter_id"),
        ([1], None),
        ({"counter_id": 99999}, "to"),
    ],
)
def test_a_malformed_transfer_is_400_and_changes_nothing(
    client: Any, hall: Hall, staff: str, body: Any, field: str | None
) -> None:
    act(client, staff, hall.window1, "call")
    answer = act(client, staff, hall.window1, "transfer", body)
    assert answer.status_code == 400 and answer.json["error"] == "invalid" and answer.json["message"]
    if field:
        assert field in answer.json["fields"]
    assert state(client, hall.window1)["ticket"]["state"] == TicketState.CALLED.value


def test_transferring_to_its_own_counter_is_400(app: Flask, client: Any, hall: Hall, staff: str) -> None:
    act(client, staff, hall.window1, "call")
    answer = act(client, staff, hall.window1, "transfer", {"counter_id": hall.window1})
    assert answer.status_code == 400 and "counter_id" in answer.json["fields"]
    with Session(database(app).engine) as session:
        assert session.scalar(select(Ticket).where(Ticket.number == "A001")).state == TicketState.CALLED.value
