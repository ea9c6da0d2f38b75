"""Service guides in the console: the form and its checks in words, the review with four eyes, the import page."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from content.library.guides.service_guides import ServiceGuide
from kiosk_server.database import database
from tests.support.console_world import ConsoleWorld, build_console_world, csrf_now, sign_in


@pytest.fixture
def cw(app: Flask) -> ConsoleWorld:
    return build_console_world(app)


def guides(app: Flask) -> list[ServiceGuide]:
    with Session(database(app).engine, expire_on_commit=False) as db:
        return list(db.scalars(select(ServiceGuide).order_by(ServiceGuide.id)))


def form(client: Any, cw: ConsoleWorld, **fields: str) -> dict[str, str]:
    return {
        "csrf_token": csrf_now(client),
        "org_unit_id": str(cw.world.county_id),
        "title": "失业登记",
        "category": "就业服务",
        "conditions": "法定劳动年龄内、有就业要求的失业人员",
        "materials": "居民身份证（原件）\n近期一寸照片×2",
        "steps": "窗口登记\n<script>alert(1)</script>职业指导",
        "time_limit": "即时办结",
        "fee": "不收费",
        "online_url": "https://example.gov.cn/sydj",
        **fields,
    }


def test_an_editor_writes_a_guide_stored_as_plain_text(app: Flask, client: Any, cw: ConsoleWorld) -> None:
    sign_in(client, "editor")
    page = client.get("/console/guides/new")
    assert page.status_code == 200 and "申请材料" in page.get_data(as_text=True)
    done = client.post("/console/guides/new", data=form(client, cw))
    assert done.status_code == 302
    [saved] = guides(app)
    assert saved.steps == ["窗口登记", "职业指导"] and saved.status == "draft"
    assert saved.materials[1] == {"name": "近期一寸照片", "copies": 2, "original": False, "note": ""}
    listed = client.get("/console/guides").get_data(as_text=True)
    assert "失业登记" in listed and "草稿" in listed


def test_the_form_says_what_is_wrong_in_chinese_and_saves_nothing(app: Flask, client: Any, cw: ConsoleWorld) -> None:
    sign_in(client, "editor")
    refused = client.post("/console/guides/new", data=form(client, cw, online_url="javascript:alert(1)", steps=""))
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "须为 http:// 或 https:// 开头的网址" in text and "至少填写一个办理步骤" in text
    assert guides(app) == []


def test_the_editor_may_not_approve_their_own_guide(app: Flask, client: Any, cw: ConsoleWorld) -> None:
    sign_in(client, "admin")  # may edit and approve
    client.post("/console/guides/new", data=form(client, cw))
    [saved] = guides(app)
    step = {"csrf_token": csrf_now(client), "revision": "1"}
    assert client.post(f"/console/guides/{saved.id}/step", data={**step, "step": "submitted"}).status_code == 302
    refused = client.post(f"/console/guides/{saved.id}/step", data={**step, "step": "approved"})
    assert refused.status_code == 409 and "双人复核" in refused.get_data(as_text=True)
    assert guides(app)[0].status == "in_review"


def test_an_approver_is_told_of_a_submitted_guide_and_the_note_opens_it(app: Flask, cw: ConsoleWorld) -> None:
    editor, approver = app.test_client(), app.test_client()
    sign_in(editor, "editor")
    editor.post("/console/guides/new", data=form(editor, cw))
    [saved] = guides(app)
    step = {"csrf_token": csrf_now(editor), "revision": "1", "step": "submitted"}
    assert editor.post(f"/console/guides/{saved.id}/step", data=step).status_code == 302
    sign_in(approver, "approver")
    inbox = approver.get("/console/notifications").get_data(as_text=True)
    assert "提交了办事指南《失业登记》，请审核" in inbox
    action = re.search(r'action="(/console/notifications/\d+/open)"', inbox)
    assert action is not None
    opened = approver.post(action.group(1), data={"csrf_token": csrf_now(approver)})
    assert opened.headers["Location"].endswith(f"/console/guides/{saved.id}")


def test_an_import_with_a_bad_entry_names_it_and_adds_nothing(app: Flask, client: Any, cw: ConsoleWorld) -> None:
    sign_in(client, "editor")
    good = {"title": "失业登记", "category": "就业服务", "steps": ["登记"]}
    data = json.dumps([good, {**good, "steps": ["登记"] * 10_000}]).encode()
    answer = client.post(
        "/console/guides/import",
        data={
            "csrf_token": csrf_now(client),
            "org_unit_id": str(cw.world.county_id),
            "file": (io.BytesIO(data), "g.json"),
        },
        content_type="multipart/form-data",
    )
    assert answer.status_code == 400
    assert "第2项 steps：共10000项，最多20项" in answer.get_data(as_text=True)
    assert guides(app) == []
    answer = client.post(
        "/console/guides/import",
        data={
            "csrf_token": csrf_now(client),
            "org_unit_id": str(cw.world.county_id),
            "file": (io.BytesIO(json.dumps([good]).encode()), "g.json"),
        },
        content_type="multipart/form-data",
    )
    assert answer.status_code == 302
    with Session(database(app).engine) as db:
        assert db.scalar(select(func.count()).select_from(ServiceGuide)) == 1
