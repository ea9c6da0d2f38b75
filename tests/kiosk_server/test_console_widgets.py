"""Web pages and data feeds in the console: the allow-list said on the field, probe and fetch now, errors in words."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.library.widgets.data_feeds import DataFeed
from content.library.widgets.web_pages import WebPage
from content.outbox import OutboxEvent
from kiosk_server.database import database
from tests.conftest import make_app
from tests.support.console_world import ConsoleWorld, build_console_world, csrf_now, sign_in
from tests.support.widget_server import WidgetServer, widget_server

FIELD_ERROR = re.compile(r'<p class="field__error" id="f-([\w-]+)-error"><span aria-hidden="true">⚠ </span>(.*?)</p>')


@pytest.fixture
def app(tmp_path: Path, database_url: str) -> Iterator[Flask]:
    application = make_app(tmp_path, database_url, widget_hosts="http://127.0.0.1 www.gov.cn")
    yield application
    database(application).engine.dispose()


@pytest.fixture
def cw(app: Flask) -> ConsoleWorld:
    return build_console_world(app)


@pytest.fixture
def server() -> Iterator[WidgetServer]:
    with widget_server() as running:
        yield running


def field_errors(page: Any) -> dict[str, str]:
    return {name: html.unescape(text) for name, text in FIELD_ERROR.findall(page.get_data(as_text=True))}


def rows(app: Flask, model: Any) -> list[Any]:
    with Session(database(app).engine) as session:
        found = list(session.scalars(select(model).order_by(model.id)))
        session.expunge_all()
        return found


def events(app: Flask, kind: str) -> list[tuple[Any, Any]]:
    with Session(database(app).engine) as session:
        return [
            (e.payload["id"], e.payload["action"])
            for e in session.scalars(select(OutboxEvent))
            if e.payload.get("kind") == kind
        ]


def page_form(client: Any, cw: ConsoleWorld, **fields: Any) -> dict[str, Any]:
    return {
        "csrf_token": csrf_now(client),
        "title": "网上办事大厅",
        "url": "https://www.gov.cn/",
        "org_unit_id": str(cw.world.city_id),
        "valid_from": "",
        "valid_until": "",
    } | fields


def feed_form(client: Any, cw: ConsoleWorld, **fields: Any) -> dict[str, Any]:
    return {
        "csrf_token": csrf_now(client),
        "title": "人社新闻",
        "url": "",
        "format": "xml",
        "template": "list",
        "max_entries": "10",
        "refresh_minutes": "30",
        "org_unit_id": str(cw.world.city_id),
        "valid_from": "",
        "valid_until": "",
    } | fields


def test_an_address_off_the_list_is_refused_on_its_field_naming_the_host(
    cw: ConsoleWorld, client: Any, app: Flask
) -> None:
    sign_in(client, "editor")
    page = client.post("/console/webpages/new", data=page_form(client, cw, url="https://evil.example.net/x"))
    assert page.status_code == 400
    assert field_errors(page) == {"url": "主机 evil.example.net 不在允许列表（KIOSK_WIDGET_HOSTS）中"}
    page = client.post("/console/feeds/new", data=feed_form(client, cw, url="http://www.gov.cn/rss"))
    assert field_errors(page) == {"url": "主机 www.gov.cn 只允许 https://"}
    assert rows(app, WebPage) == [] and rows(app, DataFeed) == []


def test_a_page_is_probed_on_save_and_on_demand_and_its_refusal_is_listed(
    cw: ConsoleWorld, client: Any, app: Flask, server: WidgetServer
) -> None:
    sign_in(client, "editor")
    saved = client.post("/console/webpages/new", data=page_form(client, cw, url=server.url("/deny")))
    assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]
    [row] = rows(app, WebPage)
    assert (row.frame_status, row.frame_detail) == ("refuses", "X-Frame-Options: DENY")
    assert events(app, "webpage") == [(row.id, "created")]
    listing = client.get("/console/webpages").get_data(as_text=True)
    assert "拒绝嵌入（屏幕显示名称和二维码）" in listing and "X-Frame-Options: DENY" in listing
    checked = client.post(f"/console/webpages/{row.id}/probe", data={"csrf_token": csrf_now(client)})
    assert checked.status_code == 302
    assert server.hits == ["/deny", "/deny"]


def test_a_feed_is_fetched_on_save_and_a_failed_fetch_is_said_in_words(
    cw: ConsoleWorld, client: Any, app: Flask, server: WidgetServer
) -> None:
    sign_in(client, "editor")
    saved = client.post("/console/feeds/new", data=feed_form(client, cw, url=server.url("/rss")))
    assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]
    [row] = rows(app, DataFeed)
    assert len(row.entries) == 3 and row.last_error == ""
    edit = client.get(f"/console/feeds/{row.id}").get_data(as_text=True)
    assert "2026年高校毕业生就业服务月启动" in edit  # the entries screens show

    client.post(f"/console/feeds/{row.id}", data=feed_form(client, cw, url=server.url("/laughs")))
    listing = client.get("/console/feeds").get_data(as_text=True)
    assert "非法XML" in listing
    [row] = rows(app, DataFeed)
    assert row.last_error == "bad_xml" and len(row.entries) == 3  # the last good entries stay

    client.post(f"/console/feeds/{row.id}", data=feed_form(client, cw, url=server.url("/html")))
    fetched = client.post(
        f"/console/feeds/{row.id}/fetch", data={"csrf_token": csrf_now(client)}, follow_redirects=True
    )
    assert "返回的是网页而不是RSS" in fetched.get_data(as_text=True)


def test_a_json_feed_needs_its_title_path(cw: ConsoleWorld, client: Any, app: Flask, server: WidgetServer) -> None:
    sign_in(client, "editor")
    page = client.post("/console/feeds/new", data=feed_form(client, cw, url=server.url("/json"), format="json"))
    assert page.status_code == 400 and "map_title" in field_errors(page)
    form = feed_form(client, cw, url=server.url("/json"), format="json", map_list="data.items", map_title="name")
    assert client.post("/console/feeds/new", data=form).status_code == 302
    [row] = rows(app, DataFeed)
    assert [e["title"] for e in row.entries] == ["人力资源市场周五专场招聘", "创业担保贷款申请开放"]
