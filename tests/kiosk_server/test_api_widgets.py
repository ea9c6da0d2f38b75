"""REST API v1 for web pages and data feeds: the allow-list on save, the probe and first fetch, the wall page's CSP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.conftest import make_app
from tests.kiosk_server.api_factories import Api, Factory, field_errors, last_outbox, row_counts
from tests.support.widget_server import WidgetServer, widget_server


@pytest.fixture
def app(tmp_path: Path, database_url: str) -> Iterator[Flask]:
    from kiosk_server.database import database

    application = make_app(tmp_path, database_url, widget_hosts="http://127.0.0.1 www.gov.cn *.gansu.gov.cn")
    yield application
    database(application).engine.dispose()


@pytest.fixture
def server() -> Iterator[WidgetServer]:
    with widget_server() as running:
        yield running


def test_a_web_page_is_probed_when_saved_and_again_when_its_address_changes(
    api: Api, make: Factory, app: Any, server: WidgetServer
) -> None:
    body = {"org_unit_id": make.province_id(), "title": "网上办事大厅", "url": server.url("/page")}
    created = api.post("webpages", body)
    assert (created["kind"], created["frame_status"], created["frameable"]) == ("webpage", "ok", True)
    assert created["probed_at"] is not None
    assert last_outbox(app) == {"topic": "content", "kind": "webpage", "id": created["id"], "action": "created"}
    changed = api.patch(f"webpages/{created['id']}", {"url": server.url("/deny")})
    assert (changed["frame_status"], changed["frame_detail"], changed["frameable"]) == (
        "refuses",
        "X-Frame-Options: DENY",
        False,
    )
    assert server.hits == ["/page", "/deny"]
    api.patch(f"webpages/{created['id']}", {"title": "网办大厅"})  # the address as it was: not probed again
    assert server.hits == ["/page", "/deny"]


def test_an_address_off_the_allow_list_is_refused_naming_its_host(api: Api, make: Factory, app: Any) -> None:
    body = {"org_unit_id": make.province_id(), "title": "外部网站", "url": "https://evil.example.net/"}
    before = row_counts(app)
    assert field_errors(api.post("webpages", body, expect=422)) == {
        "url": "the host evil.example.net is not on the allow-list (KIOSK_WIDGET_HOSTS)"
    }
    errors = field_errors(api.post("feeds", {**body, "url": "http://www.gov.cn/rss"}, expect=422))
    assert "www.gov.cn is allowed over https only" in errors["url"]
    assert row_counts(app) == before


def test_without_an_allow_list_the_feature_says_how_to_enable_it(tmp_path: Path, database_url: str) -> None:
    from kiosk_server.database import database

    bare = make_app(tmp_path, database_url)
    try:
        api = Api(bare.test_client(), {"Authorization": "Bearer test-token"})
        province = api.post("org-units", {"name": "甘肃省", "level": "province"})["id"]
        body = {"org_unit_id": province, "title": "人社部", "url": "https://www.mohrss.gov.cn/"}
        message = field_errors(api.post("webpages", body, expect=422))["url"]
        assert "KIOSK_WIDGET_HOSTS" in message and "off" in message
    finally:
        database(bare).engine.dispose()


def test_a_feed_is_fetched_when_saved_and_keeps_its_entries_when_a_refetch_fails(
    api: Api, make: Factory, server: WidgetServer
) -> None:
    body = {"org_unit_id": make.province_id(), "title": "人社新闻", "url": server.url("/rss"), "template": "list"}
    created = api.post("feeds", body)
    assert [e["title"] for e in created["entries"]][:1] == ["2026年高校毕业生就业服务月启动"]
    assert created["last_error"] == "" and created["fetched_at"] is not None
    assert (created["refresh_minutes"], created["max_entries"]) == (30, 10)
    broken = api.patch(f"feeds/{created['id']}", {"url": server.url("/html")})
    assert broken["last_error"] == "html_not_feed"
    assert "web page" in broken["last_error_detail"]
    assert broken["entries"] == created["entries"]  # the last good entries stay


def test_feed_fields_are_checked(api: Api, make: Factory, server: WidgetServer) -> None:
    base = {"org_unit_id": make.province_id(), "title": "信息源", "url": server.url("/json")}
    assert "refresh_minutes" in field_errors(api.post("feeds", {**base, "refresh_minutes": 4}, expect=422))
    assert "template" in field_errors(api.post("feeds", {**base, "template": "carousel"}, expect=422))
    assert "json_mapping" in field_errors(api.post("feeds", {**base, "format": "json"}, expect=422))
    mapping = {"list": "data.items", "title": "name", "date": "time"}
    created = api.post("feeds", {**base, "format": "json", "json_mapping": mapping, "template": "cards"})
    assert [e["title"] for e in created["entries"]] == ["人力资源市场周五专场招聘", "创业担保贷款申请开放"]


def test_the_wall_page_may_frame_exactly_the_allow_listed_hosts(client: Any, app: Any, api: Api, make: Factory) -> None:
    from sqlalchemy import select

    from content.org.screens import Screen
    from kiosk_server.database import database

    api.post("screens", make.screen_body())
    with database(app).session() as session:
        key = session.scalar(select(Screen.key).limit(1))
    wall = client.get(f"/screen/{key}").headers["Content-Security-Policy"]
    assert (
        "frame-src 'self' https://127.0.0.1:* https://www.gov.cn:* https://*.gansu.gov.cn:* http://127.0.0.1:*" in wall
    )
    assert "frame-ancestors 'none'" in wall
    assert "frame-src" not in client.get("/console/login").headers["Content-Security-Policy"]
