"""Every console page speaks human words: no snake_case key and no ISO timestamp in what a manager reads.

The pages are the app's ``console.*`` GET routes (tests/support/console_pages.py fills their
arguments from the demo world with a history on every page), rendered in Chinese for the system
admin. Visible text is the text nodes outside <script>, <style> and <template>; attributes are not.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any, Final

from flask import Flask
from sqlalchemy.orm import Session

from kiosk_server.console.audit_text import change_lines
from kiosk_server.database import database
from kiosk_server.settings_access import runtime, settings
from tests.support.console_pages import ADMIN, PASSWORD, console_page_urls, seed_console_demo
from tests.support.console_world import Clock, sign_in

NOW: Final = datetime(2026, 12, 6, 6, 5, tzinfo=UTC)  # 14:05 in Beijing
SNAKE: Final = re.compile(r"\b[a-z]+_[a-z_]+\b")
ISO_INSTANT: Final = re.compile(r"\d{4}-\d\d-\d\dT\d\d:")
# Identifiers a manager really types or reads as such; each with why.
ALLOWED: Final[frozenset[str]] = frozenset()
HIDDEN: Final = frozenset({"script", "style", "template"})


class VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hidden = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in HIDDEN:
            self.hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in HIDDEN:
            self.hidden = max(0, self.hidden - 1)

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def test_visible_text_keeps_text_nodes_and_drops_scripts_and_attributes() -> None:
    html = '<p title="raw_key">见 <b>字段</b></p><script>const some_key = 1;</script><style>.a_b{}</style>'
    assert visible_text(html) == "见 字段"


def test_every_console_page_shows_words_not_keys_nor_iso_times(app: Flask) -> None:
    runtime(app).clock = Clock(NOW)
    with Session(database(app).engine) as session:
        seed_console_demo(session, today=NOW.date(), now=NOW, media_dir=settings(app).data_dir / "media")
        urls = console_page_urls(app, session)
    assert {"console.audit", "console.fleet", "console.plays", "console.home", "console.screen"} <= set(urls)
    client = app.test_client()
    assert sign_in(client, ADMIN, PASSWORD).status_code == 302
    client.get("/console/?lang=zh-CN")
    problems: dict[str, list[str]] = {}
    for endpoint, url in sorted(urls.items()):
        response = client.get(url)
        assert response.status_code == 200, f"{url} answered {response.status_code}"
        assert response.mimetype == "text/html", url
        text = visible_text(response.get_data(as_text=True))
        found = sorted({w for w in SNAKE.findall(text) if w not in ALLOWED} | set(ISO_INSTANT.findall(text)))
        if found:
            problems[f"{endpoint} {url}"] = found
    assert not problems, problems

    audit = visible_text(client.get("/console/audit").get_data(as_text=True))
    assert "查询个人参保记录" in audit  # citizen_lookup.records
    assert "招聘人数：3 → 5" in audit  # a diff as 字段：旧值 → 新值
    assert "结束时间：— → 2026-12-06 14:05" in audit  # an ISO instant in Beijing time
    assert "状态：待审核 → 草稿" in audit
    fleet = visible_text(client.get(urls["console.fleet"]).get_data(as_text=True))
    assert "身份证阅读器：故障" in fleet and "协议错误" in fleet  # idcard_serial, protocol_error
    plays = visible_text(client.get(urls["console.plays"]).get_data(as_text=True))
    assert "招聘岗位" in plays  # the item kind vacancy


def test_a_change_reads_in_english_too() -> None:
    lines = change_lines(
        "en",
        {"before": {"headcount": 3, "valid_until": "2026-12-31T16:00:00+00:00"}, "after": {"headcount": 5}},
        lambda at: at.strftime("%Y-%m-%d %H:%M"),
    )
    assert lines == ["Headcount: 3 → 5", "Valid until: 2026-12-31 16:00 → (removed)"]
