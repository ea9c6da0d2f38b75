"""What is on screen X at time T: the preview's "why", its scope, and that it never acts as the screen."""

from __future__ import annotations

import html
import json
import re
from datetime import time
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import display_client
from content.library.items import Ticker
from content.org.screens import Screen, ScreenStatus
from content.outbox import OutboxEvent
from content.signage.emergencies import Emergency
from content.signage.playlists import Playlist, PlaylistEntry
from content.signage.proof_of_play import PlayTally
from content.signage.schedules import Schedule
from content.signage.targeting import Target
from kiosk_server.database import database
from kiosk_server.settings_access import runtime
from tests.support.console_world import ConsoleWorld, build_console_world, sign_in

WEDNESDAY = "2026-12-02"  # the console world's day; a weekday


@pytest.fixture
def cw(app: Flask) -> ConsoleWorld:
    world = build_console_world(app)
    with Session(database(app).engine) as session:
        notice = Ticker(org_unit_id=world.world.province_id, title="午间时段：自助服务区照常开放")
        session.add(notice)
        session.flush()
        lunch = Playlist(org_unit_id=world.world.city_id, name="午间字幕")
        lunch.entries = [PlaylistEntry(position=0, kind="item", item_id=notice.id, duration_seconds=20)]
        session.add(lunch)
        session.flush()
        daypart = Schedule(
            org_unit_id=world.world.city_id,
            name="午间政策",
            layer="scheduled",
            priority=5,
            layout_id=world.world.layout_id,
            region_playlists={"ticker": lunch.id},
            daypart_start=time(12),
            daypart_end=time(14),
            rrule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
        )
        daypart.targets = [
            Target(mode="include", kind="hall", ref=str(world.world.hall_id)),
            Target(mode="exclude", kind="screen", ref=str(_screen_id(session, "门口LED屏"))),
        ]
        session.add(daypart)
        session.commit()
    return world


def _screen_id(session: Session, name: str) -> int:
    return int(session.scalar(select(Screen.id).where(Screen.name == name)))


def _screen(app: Flask, name: str) -> Screen:
    with Session(database(app).engine) as session:
        screen = session.scalar(select(Screen).where(Screen.name == name))
        session.expunge_all()
        return screen


def _text(page: Any, element_id: str) -> str:
    """The text of the element with ``element_id`` (up to its closing tag), without markup or extra spaces."""
    body = page.get_data(as_text=True)
    found = re.search(rf'id="{element_id}"[^>]*>(.*?)</(?:p|ul|table)>', body, re.S)
    assert found, f"no #{element_id}"
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", found.group(1)))).strip()


def _frame_data(page: Any) -> dict[str, Any]:
    """The JSON the preview frame hands the player."""
    srcdoc = html.unescape(re.search(r'srcdoc="([^"]*)"', page.get_data(as_text=True)).group(1))
    return json.loads(re.search(r'<script type="application/json" id="preview">(.*?)</script>', srcdoc, re.S).group(1))


def test_the_daypart_at_one_instant_and_the_default_at_another(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "editor")
    wall = _screen(app, "大厅1号屏")
    lunch = client.get(f"/console/preview?screen={wall.id}&at={WEDNESDAY}T13:00")
    assert lunch.status_code == 200
    assert _text(lunch, "why-layer").startswith("此刻生效：排期层。 本时段持续到 12-02 14:00")
    assert _text(lunch, "why-schedule") == "午间政策 · 排期层 · 优先级 5 工作日（周一至周五） · 12:00–14:00"
    assert _text(lunch, "why-rules") == "包含 · 大厅：城关区公共就业服务中心 排除规则 1 条，均未命中本屏"
    assert "ticker 滚动字幕 午间字幕 排期“午间政策” 1" in _text(lunch, "why-regions")
    assert "main 轮播 岗位与政策 版式默认" in _text(lunch, "why-regions")
    assert "全省默认 （只读） 默认层 0 始终播放（没有更高层级的内容时） 在时段内，但被更高层级或优先级覆盖" in _text(
        lunch, "why-all"
    )

    later = client.get(f"/console/preview?screen={wall.id}&at={WEDNESDAY}T15:00")
    assert _text(later, "why-layer").startswith("此刻生效：默认层。 本时段持续到 12-03 12:00")
    assert _text(later, "why-schedule") == "全省默认 · 默认层 · 优先级 0 始终播放（没有更高层级的内容时）"
    assert _text(later, "why-rules") == "包含 · 机构：甘肃省 没有排除规则"
    assert "午间政策 排期层 5 工作日（周一至周五） · 12:00–14:00 不在播放时段" in _text(later, "why-all")

    # What the player is handed is the manifest that was explained: the daypart's ticker, then the default's.
    shown = _frame_data(lunch)
    segment = shown["payload"]["manifest"]["segments"][0]
    ticker_key = segment["regions"]["ticker"][0]["item"]
    assert shown["payload"]["manifest"]["items"][ticker_key]["text"] == "午间时段：自助服务区照常开放"
    assert shown["at"] == "2026-12-02T13:00:00+08:00" and segment["source"]["name"] == "午间政策"
    assert _frame_data(later)["payload"]["manifest"]["segments"][0]["source"]["name"] == "全省默认"
    assert f'href="/console/preview?screen={wall.id}&amp;at=2026-12-02T16:00"' in later.get_data(as_text=True)


def test_an_excluded_screen_keeps_the_default_and_says_so(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "manager")
    led = _screen(app, "门口LED屏")
    page = client.get(f"/console/preview?screen={led.id}&at={WEDNESDAY}T13:00")
    assert _text(page, "why-schedule").startswith("全省默认 · 默认层")
    assert "午间政策" not in _text(page, "why-all")  # excluded by its own rule: not aimed at this screen at all
    assert _frame_data(page)["screen"]["width"] == 768  # the LED panel's own size and profile


def test_an_emergency_is_named_with_its_rule(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    with Session(database(app).engine) as session:
        emergency = Emergency(
            org_unit_id=cw.world.city_id,
            title="暴雨红色预警",
            body="暂停服务",
            severity="critical",
            starts_at=cw.clock.now,
            expires_at=cw.clock.now.replace(hour=8),
            created_by="approver",
        )
        emergency.targets = [Target(mode="include", kind="org", ref=str(cw.world.county_id))]
        session.add(emergency)
        session.commit()
    sign_in(client, "editor")
    page = client.get(f"/console/preview?screen={_screen(app, '大厅2号屏').id}&at={WEDNESDAY}T13:00")
    body = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.get_data(as_text=True)))
    assert _text(page, "why-layer").startswith("此刻生效：紧急通知。")
    assert "暴雨红色预警 2026-12-02 16:00 自动结束 · 包含 · 机构：城关区" in body
    assert _text(page, "why-schedule").startswith("午间政策")  # what plays underneath


def test_a_screen_outside_the_scope_is_not_found(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    other = _screen(app, "天水大厅屏")
    for username in ("editor", "manager"):
        client = app.test_client()
        sign_in(client, username)
        assert client.get(f"/console/preview?screen={other.id}").status_code == 404, username
        assert client.get("/console/preview?screen=999999").status_code == 404, username
        assert "天水大厅屏" not in client.get("/console/preview").get_data(as_text=True)
    client = app.test_client()
    sign_in(client, "admin")
    assert client.get(f"/console/preview?screen={other.id}").status_code == 200


def test_a_malformed_instant_is_a_field_error(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "editor")
    page = client.get(f"/console/preview?screen={_screen(app, '大厅1号屏').id}&at=13点")
    assert page.status_code == 400
    assert 'id="f-at-error"' in page.get_data(as_text=True) and "请输入日期和时间" in page.get_data(as_text=True)


def test_without_an_instant_it_is_now_in_the_hall(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "editor")
    page = client.get(f"/console/preview?screen={_screen(app, '大厅1号屏').id}")
    assert 'value="2026-12-02T12:00"' in page.get_data(as_text=True)  # the app's clock, in Beijing
    assert _text(page, "why-schedule").startswith("午间政策")


def test_a_preview_never_acts_as_the_screen(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "editor")
    wall = _screen(app, "大厅1号屏")
    with Session(database(app).engine) as session:
        outbox_before = session.scalar(select(func.count()).select_from(OutboxEvent))
    page = client.get(f"/console/preview?screen={wall.id}&at={WEDNESDAY}T13:00")
    text = page.get_data(as_text=True)
    assert wall.key not in text  # the screen's credential never reaches the console
    srcdoc = html.unescape(re.search(r'srcdoc="([^"]*)"', text).group(1))
    assert 'data-preview="1"' in srcdoc and 'data-screen-key=""' in srcdoc
    assert runtime(app).beats.latest(wall.id) is None
    assert runtime(app).beats.flush() == 0
    with Session(database(app).engine) as session:
        assert session.scalar(select(func.count()).select_from(ScreenStatus)) == 0
        assert session.scalar(select(func.count()).select_from(PlayTally)) == 0
        assert session.scalar(select(func.count()).select_from(OutboxEvent)) == outbox_before  # nothing written


def test_the_frame_loads_the_players_own_shell(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    """Every stylesheet and module the wall player page loads, the preview frame loads too."""
    player = (Path(display_client.__file__).parent / "templates" / "player.html").read_text(encoding="utf-8")
    wall_part = re.sub(r"\{%- if screen_kind == \"kiosk\" %\}.*?\{%- endif %\}", "", player, flags=re.S)
    wanted = set(re.findall(r'(?:href|src)="\{\{ static_url \}\}(/[^"]+)"', wall_part))
    assert {"/css/wall.css", "/js/wall.js"} <= wanted
    sign_in(client, "editor")
    page = client.get(f"/console/preview?screen={_screen(app, '大厅1号屏').id}&at={WEDNESDAY}T13:00")
    srcdoc = html.unescape(re.search(r'srcdoc="([^"]*)"', page.get_data(as_text=True)).group(1))
    loaded = set(re.findall(r'(?:href|src)="/display-static(/[^"]+)"', srcdoc))
    assert wanted <= loaded
