"""Policy notices in the console: the editor and its checks, sanitized previews, subtrees, the review round trip."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.accounts.notifications import Notification
from content.accounts.staff import StaffAccount
from content.library import approval
from content.library.approval import NoticeFields
from content.library.items import PolicyNotice
from content.outbox import OutboxEvent
from kiosk_server.database import database
from tests.support.console_world import ConsoleWorld, build_console_world, csrf_now, sign_in

HOSTILE = (
    '## 通知\n\n<script>alert("x")</script>\n\n<img src=x onerror=alert(1)>\n\n'
    '[点我](javascript:alert(1))\n\n<iframe src="https://evil.example/"></iframe>'
)


@pytest.fixture
def cw(app: Flask) -> ConsoleWorld:
    return build_console_world(app)


def _db(app: Flask) -> Session:
    return Session(database(app).engine, expire_on_commit=False)


def _form(client: Any, cw: ConsoleWorld, **fields: Any) -> dict[str, Any]:
    base = {
        "csrf_token": csrf_now(client),
        "org_unit_id": str(cw.world.county_id),
        "title": "灵活就业人员社保补贴申领",
        "topic": "就业创业",
        "issuing_office": "兰州市人力资源和社会保障局",
        "effective_date": "2026-12-01",
        "valid_from": "",
        "valid_until": "",
        "body_markdown": "## 申领对象\n\n- 就业困难人员",
        "action": "save",
    }
    base.update(fields)
    return base


def _notices(app: Flask) -> list[PolicyNotice]:
    with _db(app) as db:
        return list(
            db.scalars(select(PolicyNotice).where(PolicyNotice.title != "失业保险金申领指南").order_by(PolicyNotice.id))
        )


def _notice_at(app: Flask, cw: ConsoleWorld, unit_id: int, *, by: str = "editor", status: str = "draft") -> int:
    """A notice written in the domain by ``by``, taken as far as ``status`` by the city's approver."""
    with _db(app) as db:
        editor = db.scalar(select(StaffAccount).where(StaffAccount.username == by))
        approver = db.scalar(select(StaffAccount).where(StaffAccount.username == "admin"))
        notice = approval.create(
            db,
            editor,
            NoticeFields(org_unit_id=unit_id, title="城乡居民养老保险缴费通知", body_markdown="请于年底前缴费"),
            now=cw.clock.now,
        )
        if status != "draft":
            approval.submit(db, notice, editor, now=cw.clock.now)
        if status in ("approved", "published"):
            approval.approve(db, notice, approver, now=cw.clock.now)
        if status == "published":
            approval.publish(db, notice, approver, now=cw.clock.now)
        db.commit()
        return notice.id


def _tianshui_notice(app: Flask, cw: ConsoleWorld) -> int:
    with _db(app) as db:
        notice = PolicyNotice(
            org_unit_id=cw.other_city_id,
            title="天水市稳岗返还公告",
            status="in_review",
            body_markdown="天水",
            body_html="<p>天水</p>",
        )
        db.add(notice)
        db.commit()
        return notice.id


def _post(client: Any, url: str, **fields: Any) -> Any:
    return client.post(url, data={"csrf_token": csrf_now(client), **fields})


def test_the_form_marks_each_wrong_field(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "editor")
    page = client.post(
        "/console/notices/new",
        data=_form(
            client,
            cw,
            title=" ",
            body_markdown="",
            topic="主" * 41,
            effective_date="2026-13-45",
            valid_from="2026-12-10T09:00",
            valid_until="2026-12-09T09:00",
            org_unit_id=str(cw.other_city_id),
        ),
    )
    text = page.get_data(as_text=True)
    assert page.status_code == 400
    expected = {
        "title": "请输入标题",
        "body_markdown": "请输入正文",
        "topic": "不能超过40个字",
        "effective_date": "请按“年-月-日”填写日期",
        "valid_until": "停止显示时间须晚于开始显示时间",
        "org_unit_id": "请选择您管辖范围内的机构",
    }
    for name, words in expected.items():
        found = re.search(rf'<p class="field__error" id="f-{name}-error">.*?</p>', text, re.S)
        assert found and words in found.group(0), name
    assert 'value="2026-13-45"' in text, "what was typed comes back to be corrected"
    assert _notices(app) == []


def test_the_form_speaks_english_when_asked(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "editor")
    client.get("/console/notices?lang=en")
    page = client.post("/console/notices/new", data=_form(client, cw, title=""))
    assert page.status_code == 400 and "Enter a title" in page.get_data(as_text=True)


def test_the_preview_button_shows_sanitized_html_and_saves_nothing(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "editor")
    page = client.post("/console/notices/new", data=_form(client, cw, body_markdown=HOSTILE, action="preview"))
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    preview = text[text.index('id="preview"') :]
    assert "<h2>通知</h2>" in preview
    assert "<script>alert" not in text and "<iframe" not in text and "<img src=x" not in text
    assert "&lt;script&gt;alert" in preview, "raw HTML shows as text"
    assert HOSTILE.split("\n")[0] in text, "the textarea keeps the Markdown as written"
    assert _notices(app) == []


def test_the_live_preview_answers_sanitized_html_to_the_signed_in_editor(
    cw: ConsoleWorld, client: Any, app: Flask
) -> None:
    sign_in(client, "editor")
    token = csrf_now(client)
    answer = client.post("/console/notices/preview", data={"body_markdown": HOSTILE}, headers={"X-CSRF-Token": token})
    html = answer.get_json()["html"]
    assert answer.status_code == 200 and html.startswith("<h2>通知</h2>")
    assert "<script" not in html and "<iframe" not in html and 'href="javascript' not in html
    assert client.post("/console/notices/preview", data={"body_markdown": "x"}).status_code == 400, "CSRF"
    too_long = client.post(
        "/console/notices/preview", data={"body_markdown": "长" * 100_001}, headers={"X-CSRF-Token": token}
    )
    assert too_long.status_code == 400 and too_long.get_json()["html"] == ""


def test_stored_html_is_sanitized_and_so_is_the_page_showing_it(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "editor")
    saved = client.post("/console/notices/new", data=_form(client, cw, body_markdown=HOSTILE))
    assert saved.status_code == 302
    (notice,) = _notices(app)
    assert notice.status == "draft" and notice.body_markdown == HOSTILE.replace("\r\n", "\n")
    assert "<script" not in notice.body_html and "<iframe" not in notice.body_html
    page = client.get(saved.headers["Location"]).get_data(as_text=True)
    body = page[page.index('id="notice-body"') :]
    assert "<script>alert" not in body and "&lt;script&gt;" in body


def test_a_notice_outside_the_subtree_is_not_there(cw: ConsoleWorld, app: Flask) -> None:
    outside = _tianshui_notice(app, cw)
    for username in ("editor", "approver"):
        client = app.test_client()
        sign_in(client, username)
        assert client.get(f"/console/notices/{outside}").status_code == 404, username
        assert "天水市稳岗返还公告" not in client.get("/console/notices").get_data(as_text=True)
        if username == "editor":
            assert client.get(f"/console/notices/{outside}/edit").status_code == 404
            assert _post(client, f"/console/notices/{outside}/edit", **_form(client, cw)).status_code == 404
        else:
            assert "天水市稳岗返还公告" not in client.get("/console/notices/review").get_data(as_text=True)
            for step in ("approve", "reject", "publish", "archive"):
                assert _post(client, f"/console/notices/{outside}/{step}", reason="x").status_code == 404, step
    with _db(app) as db:
        assert db.get(PolicyNotice, outside).status == "in_review"


def test_an_approval_round_trip_through_the_pages(cw: ConsoleWorld, app: Flask) -> None:
    editor, approver = app.test_client(), app.test_client()
    sign_in(editor, "editor")
    sent = editor.post("/console/notices/new", data=_form(editor, cw, action="submit"))
    assert sent.status_code == 302
    (notice,) = _notices(app)
    assert notice.status == "in_review"

    sign_in(approver, "approver")
    home = approver.get("/console/").get_data(as_text=True)
    assert re.search(r'<span class="badge" id="unread-count"[^>]*>1</span>', home), "the unread badge"
    inbox = approver.get("/console/notifications").get_data(as_text=True)
    assert "editor名 提交了政策公告《灵活就业人员社保补贴申领》，请审核" in inbox
    opened = _post(approver, re.search(r'action="(/console/notifications/\d+/open)"', inbox).group(1))
    assert opened.headers["Location"].endswith(f"/console/notices/{notice.id}")
    assert 'id="unread-count"' not in approver.get("/console/").get_data(as_text=True)
    queue = approver.get("/console/notices/review").get_data(as_text=True)
    assert f'data-notice="{notice.id}"' in queue[queue.index('id="in-review"') : queue.index('id="approved"')]
    page = approver.get(f"/console/notices/{notice.id}").get_data(as_text=True)
    assert 'data-step="approved"' in page and 'data-step="rejected"' in page and 'data-step="submitted"' not in page
    assert "/edit" not in page, "approvers do not edit"

    assert _post(approver, f"/console/notices/{notice.id}/approve", revision="1").status_code == 302
    published = _post(approver, f"/console/notices/{notice.id}/publish", revision="1")
    assert published.status_code == 302
    assert "已发布，屏幕即将显示" in approver.get(published.headers["Location"]).get_data(as_text=True)

    with _db(app) as db:
        row = db.get(PolicyNotice, notice.id)
        assert row.status == "published"
        assert [e.step for e in approval.history(db, row)] == ["created", "submitted", "approved", "published"]
        last = db.scalars(select(OutboxEvent).order_by(OutboxEvent.id.desc())).first()
        assert last.payload == {"kind": "policy_notice", "id": notice.id, "action": "published"}
    told = editor.get("/console/notifications").get_data(as_text=True)
    assert "您提交的政策公告《灵活就业人员社保补贴申领》已由 approver名 审核通过" in told
    assert "已由 approver名 发布到屏幕" in told


def test_the_approve_button_is_not_offered_to_whoever_edited_it_and_the_step_is_refused(
    cw: ConsoleWorld, client: Any, app: Flask
) -> None:
    notice_id = _notice_at(app, cw, cw.world.city_id, by="admin", status="in_review")
    sign_in(client, "admin")
    page = client.get(f"/console/notices/{notice_id}").get_data(as_text=True)
    assert 'data-step="approved"' not in page and 'id="four-eyes"' in page
    refused = _post(client, f"/console/notices/{notice_id}/approve", revision="1")
    assert refused.status_code == 403
    assert "您最后编辑或提交了这条公告，须由另一位审核员审核通过" in refused.get_data(as_text=True)
    with _db(app) as db:
        assert db.get(PolicyNotice, notice_id).status == "in_review"


def test_editors_are_offered_no_review_steps(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    notice_id = _notice_at(app, cw, cw.world.county_id, status="in_review")
    sign_in(client, "editor")
    page = client.get(f"/console/notices/{notice_id}").get_data(as_text=True)
    assert 'data-step="approved"' not in page and 'data-step="published"' not in page
    assert f"/console/notices/{notice_id}/edit" in page
    assert _post(client, f"/console/notices/{notice_id}/approve").status_code == 403


def test_a_step_out_of_order_says_why(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    notice_id = _notice_at(app, cw, cw.world.county_id)
    sign_in(client, "approver")
    refused = _post(client, f"/console/notices/{notice_id}/publish")
    assert refused.status_code == 409
    assert "该公告当前为“草稿”，不能发布到屏幕" in refused.get_data(as_text=True)


def test_sending_back_needs_a_reason(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    notice_id = _notice_at(app, cw, cw.world.county_id, status="in_review")
    sign_in(client, "approver")
    refused = _post(client, f"/console/notices/{notice_id}/reject", reason="  ")
    assert refused.status_code == 400 and 'id="f-reason-error"' in refused.get_data(as_text=True)
    assert _post(client, f"/console/notices/{notice_id}/reject", reason="请补充文号").status_code == 302
    with _db(app) as db:
        row = db.get(PolicyNotice, notice_id)
        assert row.status == "draft" and approval.history(db, row)[-1].reason == "请补充文号"


def test_editing_a_published_notice_warns_first_then_takes_it_to_review(
    cw: ConsoleWorld, client: Any, app: Flask
) -> None:
    notice_id = _notice_at(app, cw, cw.world.county_id, status="published")
    sign_in(client, "editor")
    form = client.get(f"/console/notices/{notice_id}/edit").get_data(as_text=True)
    assert "保存修改后，它将从屏幕撤下" in form and "保存并重新提交审核" in form
    saved = _post(
        client,
        f"/console/notices/{notice_id}/edit",
        **{**_form(client, cw, title="城乡居民养老保险缴费通知（更正）"), "revision": "1"},
    )
    assert saved.status_code == 302
    with _db(app) as db:
        row = db.get(PolicyNotice, notice_id)
        assert (row.status, row.revision, row.title) == ("in_review", 2, "城乡居民养老保险缴费通知（更正）")


def test_an_edit_over_someone_elses_newer_change_is_refused_once(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    notice_id = _notice_at(app, cw, cw.world.county_id)
    sign_in(client, "editor")
    mine = _form(client, cw, title="我的标题", revision="1")
    with _db(app) as db:  # someone else saves first
        other = db.scalar(select(StaffAccount).where(StaffAccount.username == "admin"))
        approval.edit(
            db,
            db.get(PolicyNotice, notice_id),
            other,
            NoticeFields(org_unit_id=cw.world.county_id, title="别人的标题", body_markdown="别人的正文"),
        )
        db.commit()
    refused = _post(client, f"/console/notices/{notice_id}/edit", **mine)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "该公告在您打开后已被修改" in text
    assert 'name="revision" value="2"' in text and 'value="我的标题"' in text
    again = _post(client, f"/console/notices/{notice_id}/edit", **{**mine, "revision": "2"})
    assert again.status_code == 302
    with _db(app) as db:
        assert db.get(PolicyNotice, notice_id).title == "我的标题"


def test_the_list_filters_by_state(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    draft = _notice_at(app, cw, cw.world.county_id)
    waiting = _notice_at(app, cw, cw.world.city_id, status="in_review")
    sign_in(client, "editor")
    everything = client.get("/console/notices").get_data(as_text=True)
    assert f'data-notice="{draft}"' in everything and f'data-notice="{waiting}"' in everything
    only = client.get("/console/notices?status=in_review").get_data(as_text=True)
    assert f'data-notice="{draft}"' not in only and f'data-notice="{waiting}"' in only
    assert "失业保险金申领指南" not in everything, "the province's notice lies above the editor's city"


def test_a_hall_manager_sees_the_published_notices_that_reach_the_hall(
    cw: ConsoleWorld, client: Any, app: Flask
) -> None:
    draft = _notice_at(app, cw, cw.world.county_id)
    sign_in(client, "manager")
    listed = client.get("/console/notices").get_data(as_text=True)
    assert "失业保险金申领指南" in listed and f'data-notice="{draft}"' not in listed
    assert client.get(f"/console/notices/{draft}").status_code == 404
    with _db(app) as db:
        provincial = db.scalar(select(PolicyNotice.id).where(PolicyNotice.title == "失业保险金申领指南"))
    page = client.get(f"/console/notices/{provincial}").get_data(as_text=True)
    assert 'data-step="archived"' not in page
    assert _post(client, f"/console/notices/{provincial}/archive").status_code == 403


def test_notifications_are_opened_by_their_recipient_only(cw: ConsoleWorld, app: Flask) -> None:
    _notice_at(app, cw, cw.world.county_id, status="in_review")
    with _db(app) as db:
        note = db.scalars(select(Notification).where(Notification.recipient_id == cw.account_ids["approver"])).one()
    someone_else, approver = app.test_client(), app.test_client()
    sign_in(someone_else, "orgadmin")
    assert _post(someone_else, f"/console/notifications/{note.id}/open").status_code == 404
    sign_in(approver, "approver")
    assert _post(approver, "/console/notifications/read").status_code == 302
    with _db(app) as db:
        assert db.get(Notification, note.id).read_at == cw.clock.now


def test_the_rest_api_still_publishes_directly_and_the_history_says_so(
    cw: ConsoleWorld, client: Any, app: Flask, auth_headers: dict[str, str]
) -> None:
    body = {"org_unit_id": cw.world.city_id, "title": "接口发布的公告", "body_markdown": "正文"}
    created = client.post("/api/v1/policy-notices", json=body, headers=auth_headers)
    assert created.status_code == 201 and created.get_json()["status"] == "published"
    refused = client.post("/api/v1/policy-notices", json={**body, "status": "approved"}, headers=auth_headers)
    assert refused.status_code == 422, "the review's own steps are not the API's to set"
    waiting = _notice_at(app, cw, cw.world.city_id, status="in_review")
    listed = client.get("/api/v1/policy-notices?status=in_review", headers=auth_headers).get_json()
    assert [(n["id"], n["status"]) for n in listed["items"]] == [(waiting, "in_review")]
    patched = client.patch(
        f"/api/v1/policy-notices/{waiting}", json={"status": "published", "body_markdown": "改"}, headers=auth_headers
    )
    assert patched.status_code == 200
    with _db(app) as db:
        row = db.get(PolicyNotice, waiting)
        assert (row.status, row.revision, row.last_edited_by_id) == ("published", 2, None)
        assert [(e.actor, e.step, e.to_status) for e in approval.history(db, row)][-1] == (
            "api-token",
            "published",
            "published",
        )
        first = db.get(PolicyNotice, created.get_json()["id"])
        assert [(e.actor, e.step) for e in approval.history(db, first)] == [("api-token", "created")]
    deleted = client.delete(f"/api/v1/policy-notices/{waiting}", headers=auth_headers)
    assert deleted.status_code == 204, "its review history goes with it"


def test_every_notice_page_has_its_words_in_english(cw: ConsoleWorld, app: Flask) -> None:
    notice_id = _notice_at(app, cw, cw.world.county_id, status="in_review")
    approver = app.test_client()
    sign_in(approver, "admin")
    approver.get("/console/?lang=en")
    pages = {
        "/console/notices": "Policy notices",
        "/console/notices/new": "New notice",
        f"/console/notices/{notice_id}": "Review history",
        f"/console/notices/{notice_id}/edit": "Edit notice",
        "/console/notices/review": "Waiting for review",
        "/console/notifications": "editor名 submitted",
    }
    for url, words in pages.items():
        page = approver.get(url)
        assert page.status_code == 200 and words in page.get_data(as_text=True), url
