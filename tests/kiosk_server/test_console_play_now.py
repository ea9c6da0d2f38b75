"""立即播放 and 上屏时间 on the item pages: who may press it, what it says, and the audit row."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.accounts.audit import AuditEntry
from content.library.items import PolicyNotice, Ticker
from kiosk_server.database import database
from tests.support.console_world import ConsoleWorld, build_console_world, csrf_now, sign_in


@pytest.fixture
def cw(app: Flask) -> ConsoleWorld:
    return build_console_world(app)


def _id(app: Flask, model: Any, title: str) -> int:
    with Session(database(app).engine) as session:
        return int(session.scalar(select(model.id).where(model.title == title)))


def test_the_notice_page_says_when_a_change_is_on_screens(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "admin")
    notice_id = _id(app, PolicyNotice, "失业保险金申领指南")
    page = unescape(client.get(f"/console/notices/{notice_id}").get_data(as_text=True))
    # The hall's walls play a one-page vacancy board (10 s) then the notice feed (15 s): 10 s + 2 s → 15 s.
    found = re.search(r"改动约 (\d+) 秒内上屏（正在 (\d+) 块屏上播放）", page)
    assert found, "no wait on the notice page"
    assert int(found.group(1)) == 15
    assert int(found.group(2)) == 4  # the county hall's three walls and 天水's
    assert "立即播放" in page


def test_a_ticker_page_gives_the_ticker_loop(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "admin")
    ticker_id = _id(app, Ticker, "本中心工作时间：周一至周五 9:00-17:00")
    page = unescape(client.get(f"/console/tickers/{ticker_id}").get_data(as_text=True))
    found = re.search(r"改动约 (\d+) 秒内上屏", page)
    assert found and int(found.group(1)) >= 10  # the line's loop across a 1920 px wide region


def test_play_now_is_audited_and_says_how_many_screens(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "admin")
    notice_id = _id(app, PolicyNotice, "失业保险金申领指南")
    answer = client.post(
        f"/console/items/{notice_id}/play-now",
        data={"csrf_token": csrf_now(client), "next": f"/console/notices/{notice_id}"},
    )
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"/console/notices/{notice_id}")
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "已通知 4 块屏立即播放" in page
    with Session(database(app).engine) as session:
        row = session.scalars(select(AuditEntry).where(AuditEntry.action == "play_now")).one()
        assert (row.object_kind, row.object_id, row.summary["screens"]) == ("notice", str(notice_id), 4)


def test_play_now_needs_the_right_to_edit_the_item(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    notice_id = _id(app, PolicyNotice, "失业保险金申领指南")  # the province's: a city editor may not change it
    sign_in(client, "editor")
    answer = client.post(f"/console/items/{notice_id}/play-now", data={"csrf_token": csrf_now(client)})
    assert answer.status_code == 404
    page = client.get(f"/console/notices/{notice_id}").get_data(as_text=True)
    assert "立即播放" not in page  # the wait is shown, the button is not
    with Session(database(app).engine) as session:
        assert session.scalars(select(AuditEntry).where(AuditEntry.action == "play_now")).first() is None


def test_play_now_never_redirects_off_the_console(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "admin")
    notice_id = _id(app, PolicyNotice, "失业保险金申领指南")
    answer = client.post(
        f"/console/items/{notice_id}/play-now", data={"csrf_token": csrf_now(client), "next": "https://evil.example/"}
    )
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/console/")
