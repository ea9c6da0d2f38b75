"""The power schedule in the console: who sets what, what the card shows, and the push to a kiosk's agent.

A served app (a real server in a thread) with a python-socketio client signed in as a kiosk's
agent, as in test_remote_care.py; the console is the Flask test client of the same app. The clock
is the console world's NOON (2026-12-02, a Wednesday, 04:00 UTC). Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
import socketio
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.accounts.audit import AuditEntry
from content.org import power_schedules as power
from content.org.opening_hours import OpeningHoursError, parse_hours
from content.org.power_schedules import HallOpeningHours, ScreenPowerOverride
from content.org.screens import Screen
from content.org.tree import Hall
from devices.agent.sio_disconnect import disconnect_promptly
from kiosk_server.console._power_text import hours_in_words, hours_problem
from kiosk_server.database import database
from kiosk_server.settings_access import runtime
from tests.support.citizens import Kiosk, add_kiosk
from tests.support.console_world import ConsoleWorld, build_console_world, csrf_now, sign_in
from tests.support.server import app_in_thread, wait_for

DEADLINE = 10
WEEKDAYS = "Mon-Fri 08:30-12:00,14:00-17:30"


class Agent:
    """A kiosk's agent on ``/agent``: past its hello, recording every ``power_schedule`` it is sent."""

    def __init__(self, base_url: str, kiosk: Kiosk) -> None:
        self.lock = threading.Lock()
        self.schedules: list[dict[str, Any]] = []
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("power_schedule", self._got, namespace="/agent")
        self.sio.connect(
            base_url,
            namespaces=["/agent"],
            auth={"device": kiosk.key, "credential": kiosk.credential},
            transports=["websocket"],
            wait_timeout=10,
        )
        self.hello = self.sio.call("agent_hello", {"readers": []}, namespace="/agent", timeout=10)
        assert self.hello["ok"] is True

    def _got(self, data: dict[str, Any]) -> None:
        with self.lock:
            self.schedules.append(data)

    def schedule(self, number: int) -> dict[str, Any]:
        """The ``number``-th schedule received (1 first), waiting for it up to the deadline."""

        def got() -> dict[str, Any] | None:
            with self.lock:
                return self.schedules[number - 1] if len(self.schedules) >= number else None

        found: dict[str, Any] = wait_for(got, DEADLINE, f"power_schedule number {number}")
        return found


@pytest.fixture
def cw(app: Flask) -> ConsoleWorld:
    return build_console_world(app)


@pytest.fixture
def kiosk(app: Flask, cw: ConsoleWorld) -> Kiosk:
    with Session(database(app).engine) as session:
        return add_kiosk(session, cw.world.hall_id, runtime(app).policy.credential_key)


@pytest.fixture
def served(app: Flask, cw: ConsoleWorld) -> Iterator[str]:
    with app_in_thread(app) as url:
        yield url


@pytest.fixture
def agents() -> Iterator[list[Agent]]:
    opened: list[Agent] = []
    yield opened
    for agent in opened:
        disconnect_promptly(agent.sio)


def console(app: Flask, username: str) -> Any:
    client = app.test_client()
    sign_in(client, username)
    return client


def set_hall(client: Any, screen_id: int, hours: str, margin: str = "15") -> Any:
    data = {"csrf_token": csrf_now(client), "hours": hours, "margin_minutes": margin}
    return client.post(f"/console/screens/{screen_id}/power/hall", data=data)


def set_screen(client: Any, screen_id: int, mode: str, hours: str = "") -> Any:
    data = {"csrf_token": csrf_now(client), "mode": mode, "hours": hours}
    return client.post(f"/console/screens/{screen_id}/power", data=data)


def wall_id(app: Flask, cw: ConsoleWorld, key: str | None = None) -> int:
    with Session(database(app).engine) as session:
        return int(session.scalars(select(Screen.id).where(Screen.key == (key or cw.world.wall_keys[0]))).one())


def other_hall_screen(app: Flask, cw: ConsoleWorld) -> int:
    with Session(database(app).engine) as session:
        return int(session.scalars(select(Screen.id).where(Screen.hall_id == cw.world.other_hall_id)).first() or 0)


def stored_hall(app: Flask, hall_id: int) -> tuple[str, int] | None:
    with Session(database(app).engine) as session:
        row = session.get(HallOpeningHours, hall_id)
        return (row.hours, row.margin_minutes) if row is not None else None


def audit_rows(app: Flask, action: str) -> list[tuple[str, str, str, dict[str, Any]]]:
    with Session(database(app).engine) as session:
        rows = session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id))
        return [(r.actor, r.object_kind, r.object_id, r.summary) for r in rows]


# -- the push to the agent ----------------------------------------------------------------------------


def test_a_hall_managers_new_hours_reach_the_connected_agent_and_are_audited(
    app: Flask, cw: ConsoleWorld, kiosk: Kiosk, served: str, agents: list[Agent]
) -> None:
    agent = Agent(served, kiosk)
    agents.append(agent)
    assert "power_schedule" not in agent.hello  # nothing set anywhere: the agent leaves the panel on
    manager = console(app, "manager")
    response = set_hall(manager, kiosk.screen_id, "周一至周五 08:30-12:00,14:00-17:30", margin="20")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/console/screens/{kiosk.screen_id}#power")
    assert agent.schedule(1) == {"hours": WEEKDAYS, "tz": "Asia/Shanghai", "margin_minutes": 20}
    assert stored_hall(app, cw.world.hall_id) == (WEEKDAYS, 20)
    assert audit_rows(app, "opening_hours_set") == [
        ("manager", "hall", str(cw.world.hall_id), {"hours": WEEKDAYS, "margin_minutes": 20, "before": None})
    ]


def test_a_screens_override_reaches_its_agent_and_clearing_it_sends_the_halls_hours_again(
    app: Flask, cw: ConsoleWorld, kiosk: Kiosk, served: str, agents: list[Agent]
) -> None:
    set_hall(console(app, "manager"), kiosk.screen_id, WEEKDAYS)
    agent = Agent(served, kiosk)
    agents.append(agent)
    assert agent.hello["power_schedule"] == {"hours": WEEKDAYS, "tz": "Asia/Shanghai", "margin_minutes": 15}
    tech = console(app, "tech")
    assert set_screen(tech, kiosk.screen_id, "always_on").status_code == 302
    assert agent.schedule(1) == {"hours": None, "tz": "Asia/Shanghai", "margin_minutes": 15}
    assert set_screen(tech, kiosk.screen_id, "hours", "Sat 09:00-12:00").status_code == 302
    assert agent.schedule(2)["hours"] == "Sat 09:00-12:00"
    assert set_screen(tech, kiosk.screen_id, "hall").status_code == 302
    assert agent.schedule(3)["hours"] == WEEKDAYS
    assert [(actor, kind, summary["mode"]) for actor, kind, _, summary in audit_rows(app, "power_schedule_set")] == [
        ("tech", "screen", "always_on"),
        ("tech", "screen", "hours"),
        ("tech", "screen", "hall"),
    ]


def test_hall_hours_are_not_pushed_to_a_kiosk_with_its_own_schedule(
    app: Flask, cw: ConsoleWorld, kiosk: Kiosk, served: str, agents: list[Agent]
) -> None:
    with Session(database(app).engine) as session:
        other = add_kiosk(session, cw.world.hall_id, runtime(app).policy.credential_key, name="社保自助终端")
    tech = console(app, "tech")
    set_screen(tech, other.screen_id, "always_on")
    own, following = Agent(served, other), Agent(served, kiosk)
    agents.extend([own, following])
    set_hall(console(app, "manager"), kiosk.screen_id, WEEKDAYS)
    assert following.schedule(1)["hours"] == WEEKDAYS
    set_screen(tech, other.screen_id, "hours", "Sat 09:00-12:00")
    # One socket keeps its order: had the hall's hours gone to this agent too, they would come first.
    assert own.schedule(1)["hours"] == "Sat 09:00-12:00"


# -- bad input -----------------------------------------------------------------------------------------


def test_bad_hours_keep_nothing_and_show_the_bad_part_in_chinese_with_the_text_kept(
    app: Flask, cw: ConsoleWorld, kiosk: Kiosk
) -> None:
    manager = console(app, "manager")
    typed = "周一至周五 08:30-12:00; Mun 09:00-12:00"
    response = set_hall(manager, kiosk.screen_id, typed)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "“Mun 09:00-12:00”中的“Mun”不是星期" in page
    assert f">{typed}</textarea>" in page
    assert stored_hall(app, cw.world.hall_id) is None
    assert audit_rows(app, "opening_hours_set") == []


def test_a_bad_margin_is_named_and_keeps_nothing(app: Flask, cw: ConsoleWorld, kiosk: Kiosk) -> None:
    response = set_hall(console(app, "manager"), kiosk.screen_id, WEEKDAYS, margin="两刻钟")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "分钟数应为 0 到 180 之间的整数，“两刻钟”不是" in page
    assert 'value="两刻钟"' in page and f">{WEEKDAYS}</textarea>" in page
    assert stored_hall(app, cw.world.hall_id) is None


def test_bad_screen_hours_keep_the_old_override(app: Flask, cw: ConsoleWorld, kiosk: Kiosk) -> None:
    tech = console(app, "tech")
    set_screen(tech, kiosk.screen_id, "always_on")
    response = set_screen(tech, kiosk.screen_id, "hours", "Mon-Fri 18:00-08:00")
    assert response.status_code == 400
    assert "“Mon-Fri 18:00-08:00”中的“18:00-08:00”结束早于开始" in response.get_data(as_text=True)
    with Session(database(app).engine) as session:
        row = session.get(ScreenPowerOverride, kiosk.screen_id)
        assert row is not None and row.always_on and row.hours is None
    assert len(audit_rows(app, "power_schedule_set")) == 1


def test_an_unknown_mode_is_refused(app: Flask, cw: ConsoleWorld, kiosk: Kiosk) -> None:
    response = set_screen(console(app, "tech"), kiosk.screen_id, "sometimes")
    assert response.status_code == 400 and "请选择一种电源计划" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "请填写开放时间"),
        ("Mon-Fri", "“Mon-Fri”：应先写星期再写时间"),
        ("Mon 8点-12点", "“Mon 8点-12点”中的“8点-12点”不是时间段"),
        ("Mon 08:00-12:00,11:00-13:00", "“Mon 08:00-12:00,11:00-13:00”中的 08:00-12:00 与 11:00-13:00 重叠"),
        ("Mon 08:00-25:00", "“Mon 08:00-25:00”中的“08:00-25:00”含有不存在的时间"),
        ("Fri-Mon 08:00-12:00", "“Fri-Mon 08:00-12:00”中的“Fri-Mon”顺序颠倒"),
        ("Mon-Wed-Fri 08:00-12:00", "“Mon-Wed-Fri 08:00-12:00”中的“Mon-Wed-Fri”不是星期或星期范围"),
        ("Mon 08:00-12:00; 周一 09:00-10:00", "“周一 09:00-10:00”：Mon 已在其他条目中写过"),
        ("2026-10-07..2026-10-01 closed", "日期范围“2026-10-07..2026-10-01”结束早于开始"),
        ("2026-01-01..2027-06-01 closed", "日期范围“2026-01-01..2027-06-01”超过一年"),
        ("2026-13-01 closed", "“2026-13-01 closed”中的“2026-13-01”不是日期"),
        ("2026-10-01..2026-10-03..2026-10-05 closed", "不是日期或日期范围"),
    ],
)
def test_every_kind_of_parser_problem_has_chinese_words(text: str, words: str) -> None:
    with pytest.raises(OpeningHoursError) as caught:
        parse_hours(text)
    said = hours_problem(caught.value, "zh-CN")
    assert words in said, said
    assert "无法识别" not in said  # matched a known kind, not the fallback


def test_the_english_console_names_the_bad_part_too() -> None:
    with pytest.raises(OpeningHoursError) as caught:
        parse_hours("Mun 08:00-12:00")
    assert hours_problem(caught.value, "en").startswith("“Mun 08:00-12:00”: “Mun” is not a day")


def test_hours_read_in_chinese() -> None:
    canonical = "Mon-Fri 08:30-12:00,14:00-17:30; Sat 09:00-12:00; 2026-10-01..2026-10-07 closed"
    assert hours_in_words(canonical, "zh-CN") == (
        "周一至周五 08:30-12:00、14:00-17:30；周六 09:00-12:00；2026-10-01至2026-10-07 休息"
    )
    assert hours_in_words(canonical, "en") == canonical


# -- what the card shows ----------------------------------------------------------------------------


def test_the_card_shows_the_source_and_next_off_and_on_in_the_halls_zone(
    app: Flask, cw: ConsoleWorld, kiosk: Kiosk
) -> None:
    with Session(database(app).engine) as session:
        hall = session.get(Hall, cw.world.hall_id)
        assert hall is not None
        hall.timezone = "Asia/Urumqi"  # UTC+6: NOON is 10:00 there, 12:00 in the console's Beijing time
        power.set_hall_hours(session, hall, WEEKDAYS, 15, by="test")
        session.commit()
    page = console(app, "manager").get(f"/console/screens/{kiosk.screen_id}/power").get_data(as_text=True)
    assert 'data-source="hall"' in page
    assert "周一至周五 08:30-12:00、14:00-17:30" in page
    assert 'data-power-now="on"' in page
    assert "<dd data-power-next-off>2026-12-02 周三 12:15</dd>" in page  # 12:00 closing + 15 min, Urumqi time
    assert "<dd data-power-next-on>2026-12-02 周三 13:45</dd>" in page
    assert "Asia/Urumqi" in page


def test_an_always_on_screen_shows_no_next_change(app: Flask, cw: ConsoleWorld, kiosk: Kiosk) -> None:
    tech = console(app, "tech")
    set_screen(tech, kiosk.screen_id, "always_on")
    page = tech.get(f"/console/screens/{kiosk.screen_id}/power").get_data(as_text=True)
    assert 'data-source="always_on"' in page and "本屏幕设为始终开启" in page
    assert "data-power-next-off" not in page


def test_the_screen_page_carries_the_card(app: Flask, cw: ConsoleWorld, kiosk: Kiosk) -> None:
    page = console(app, "manager").get(f"/console/screens/{kiosk.screen_id}").get_data(as_text=True)
    assert 'id="power"' in page and "data-power-hall-form" in page and "data-power-screen-form" in page


# -- permissions and scope -----------------------------------------------------------------------------


def test_a_field_technician_overrides_a_screen_but_may_not_set_the_halls_hours(
    app: Flask, cw: ConsoleWorld, kiosk: Kiosk
) -> None:
    tech = console(app, "tech")
    page = tech.get(f"/console/screens/{kiosk.screen_id}/power").get_data(as_text=True)
    assert "data-power-screen-form" in page and "data-power-hall-form" not in page
    assert "大厅开放时间由大厅负责人或机构管理员设置" in page
    assert set_hall(tech, kiosk.screen_id, WEEKDAYS).status_code == 403
    assert stored_hall(app, cw.world.hall_id) is None


def test_an_org_admin_sets_the_hours_of_a_hall_below_them(app: Flask, cw: ConsoleWorld, kiosk: Kiosk) -> None:
    assert set_hall(console(app, "orgadmin"), kiosk.screen_id, WEEKDAYS).status_code == 302
    assert stored_hall(app, cw.world.hall_id) == (WEEKDAYS, 15)


@pytest.mark.parametrize("username", ["manager", "tianshui"])
def test_a_screen_outside_the_scope_is_not_found(app: Flask, cw: ConsoleWorld, username: str) -> None:
    """The manager runs the other hall's neighbour; the 天水 org admin another city entirely."""
    client = console(app, username)
    screen = other_hall_screen(app, cw) if username == "manager" else wall_id(app, cw)
    assert client.get(f"/console/screens/{screen}/power").status_code == 404
    assert set_screen(client, screen, "always_on").status_code == 404
    assert set_hall(client, screen, WEEKDAYS).status_code == 404


@pytest.mark.parametrize("username", ["editor", "approver"])
def test_roles_without_remote_care_are_refused(app: Flask, cw: ConsoleWorld, kiosk: Kiosk, username: str) -> None:
    client = console(app, username)
    assert set_screen(client, kiosk.screen_id, "always_on").status_code == 403
    assert set_hall(client, kiosk.screen_id, WEEKDAYS).status_code == 403
    assert "data-power" not in client.get(f"/console/screens/{kiosk.screen_id}").get_data(as_text=True)


def test_a_post_without_the_csrf_token_is_refused(app: Flask, cw: ConsoleWorld, kiosk: Kiosk) -> None:
    response = console(app, "manager").post(f"/console/screens/{kiosk.screen_id}/power", data={"mode": "always_on"})
    assert response.status_code == 400
    with Session(database(app).engine) as session:
        assert session.get(ScreenPowerOverride, kiosk.screen_id) is None


def test_the_card_reads_in_english(app: Flask, cw: ConsoleWorld, kiosk: Kiosk) -> None:
    manager = console(app, "manager")
    set_hall(manager, kiosk.screen_id, WEEKDAYS)
    page = manager.get(f"/console/screens/{kiosk.screen_id}/power?lang=en").get_data(as_text=True)
    assert "Power schedule" in page and "the hall&#39;s opening hours" in page
    assert "<dd data-power-next-off>Wed 2026-12-02 12:15</dd>" in page  # NOON is 12:00 in Beijing
    assert f"<dd data-power-in-force>{WEEKDAYS}</dd>" in page
