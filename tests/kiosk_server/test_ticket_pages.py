"""The public status page of a ticket (/q/<code>) and its JSON: state in words, the queue ahead, no person."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from content.queue.setup import add_counter, add_service_type
from content.queue.ticketing import Transfer, call_next, finish, no_show, start_service, take_ticket, transfer
from kiosk_server.database import database
from kiosk_server.settings_access import runtime
from tests.support.world import build_world

NINE = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)  # 09:00 in Lanzhou


@dataclass
class Hall:
    social: int
    jobs: int
    counter5: int
    counter6: int


@pytest.fixture
def now(app: Flask) -> Iterator[list[datetime]]:
    """The app's clock as a one-element list the test may move."""
    at = [NINE + timedelta(minutes=30)]
    rt = runtime(app)
    real, rt.clock = rt.clock, lambda: at[0]
    yield at
    rt.clock = real


@pytest.fixture
def hall(app: Flask) -> Hall:
    with Session(database(app).engine) as session:
        world = build_world(session, vacancies=0)
        social = add_service_type(session, world.hall_id, prefix="A", name="社保业务", name_en="Social insurance")
        jobs = add_service_type(session, world.hall_id, prefix="B", name="就业登记", name_en="Employment registration")
        five = add_counter(session, world.hall_id, number=5, services=[social])
        six = add_counter(session, world.hall_id, number=6, services=[jobs])
        session.commit()
        return Hall(social.id, jobs.id, five.id, six.id)


def issue(app: Flask, line: int, count: int = 1, at: datetime = NINE, **kwargs: Any) -> list[str]:
    with Session(database(app).engine) as session:
        codes = [take_ticket(session, line, at + timedelta(minutes=n), **kwargs).public_code for n in range(count)]
        session.commit()
        return codes


def at_counter(app: Flask, action: Any, counter: int, *args: Any) -> None:
    with Session(database(app).engine) as session:
        action(session, counter, *args, NINE + timedelta(minutes=20))
        session.commit()


def page(client: Any, code: str) -> str:
    answer = client.get(f"/q/{code}")
    assert answer.status_code == 200, answer.data
    assert answer.headers["Cache-Control"] == "no-store" and answer.headers["Referrer-Policy"] == "no-referrer"
    return answer.get_data(as_text=True)


def test_a_waiting_ticket_shows_its_number_line_queue_and_wait_and_refreshes(
    client: Any, app: Flask, hall: Hall, now: list[datetime]
) -> None:
    *_, mine = issue(app, hall.social, 3, person_ref="f" * 64)
    html = page(client, mine)
    assert '<html lang="zh-CN">' in html and '<main data-open="true">' in html
    assert "}, 15000);" in html, "it fetches itself again every 15 s"
    assert '<noscript><meta http-equiv="refresh" content="15"></noscript>' in html, "and reloads without script"
    assert '<p class="number" id="ticket-number">A003</p>' in html
    assert "社保业务" in html and "Social insurance" in html and "城关区公共就业服务中心" in html
    assert "等待中" in html and "Waiting" in html
    assert "您前面还有" in html and "<strong>2</strong> 人" in html
    # No service yet: 2 ahead at the line's default 5 minutes, shown as a range around the 10.
    wait = re.search(r"约 <strong>(\d+)–(\d+)</strong> 分钟", html)
    assert wait and int(wait[1]) < 10 < int(wait[2]), html
    assert "过号无效，请重新取号" in html
    assert "取号时间 2026-12-02 09:02" in html and "更新于 09:30:00" in html, "hall-local times"
    assert "f" * 64 not in html, "the linked person's hash is never shown"


def test_the_json_gives_the_same_facts_and_nothing_personal(
    client: Any, app: Flask, hall: Hall, now: list[datetime]
) -> None:
    *_, mine = issue(app, hall.social, 2, person_ref="f" * 64)
    answer = client.get(f"/q/{mine}.json")
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    body = answer.json
    assert body["number"] == "A002" and body["state"] == "waiting" and body["open"] is True
    assert body["state_text"] == {"zh": "等待中", "en": "Waiting"}
    assert body["ahead"] == 1 and body["wait_minutes"] == 5 and body["transferred"] is False
    assert body["service"] == {"prefix": "A", "name": "社保业务", "name_en": "Social insurance"}
    assert body["refresh_seconds"] == 15 and body["updated_at"] == now[0].isoformat()
    assert "person_ref" not in body and "f" * 64 not in str(body)


def test_a_called_ticket_says_which_counter_to_go_to(client: Any, app: Flask, hall: Hall, now: list[datetime]) -> None:
    (code,) = issue(app, hall.social)
    at_counter(app, call_next, hall.counter5)
    html = page(client, code)
    assert "请到5号窗口办理" in html and "Please go to counter 5 now" in html
    assert 'data-state="called"' in html and "您前面还有" not in html
    at_counter(app, start_service, hall.counter5)
    assert client.get(f"/q/{code}.json").json["state_text"] == {
        "zh": "办理中（5号窗口）",
        "en": "Being served at counter 5",
    }


@pytest.mark.parametrize("ending, words", [(finish, "已完成"), (no_show, "已过号")])
def test_an_ended_ticket_says_how_and_stops_refreshing(
    client: Any, app: Flask, hall: Hall, now: list[datetime], ending: Any, words: str
) -> None:
    (code,) = issue(app, hall.social)
    at_counter(app, call_next, hall.counter5)
    at_counter(app, ending, hall.counter5)
    html = page(client, code)
    assert words in html and '<main data-open="false">' in html
    assert "refresh" not in html and "<script>" not in html and "每 15 秒自动刷新" not in html
    assert client.get(f"/q/{code}.json").json["open"] is False


def test_a_transferred_ticket_is_followed_and_says_it_moved(
    client: Any, app: Flask, hall: Hall, now: list[datetime]
) -> None:
    (code,) = issue(app, hall.social)
    at_counter(app, call_next, hall.counter5)
    at_counter(app, transfer, hall.counter5, Transfer(service_type_id=hall.jobs))
    html = page(client, code)
    assert '<p class="number" id="ticket-number">A001</p>' in html, "the number stays"
    assert "您的号码已转到「就业登记」" in html and "等待中" in html
    body = client.get(f"/q/{code}.json").json
    assert body["transferred"] is True and body["service"]["name"] == "就业登记" and body["state"] == "waiting"


def test_a_number_of_an_earlier_day_has_expired(client: Any, app: Flask, hall: Hall, now: list[datetime]) -> None:
    (code,) = issue(app, hall.social)
    now[0] = NINE + timedelta(days=1)
    body = client.get(f"/q/{code}.json").json
    assert body["state"] == "expired" and body["open"] is False and body["ahead"] == 0
    assert "已失效" in page(client, code)


def test_an_unknown_code_is_a_404_page_in_chinese(client: Any, hall: Hall) -> None:
    answer = client.get("/q/no-such-code")
    assert answer.status_code == 404 and answer.headers["Cache-Control"] == "no-store"
    html = answer.get_data(as_text=True)
    assert "未找到该号码" in html and '<html lang="zh-CN">' in html and "<script>" not in html
    missing = client.get("/q/no-such-code.json")
    assert missing.status_code == 404 and missing.json["error"] == "not_found"
