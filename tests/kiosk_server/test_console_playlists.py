"""Playlists in the console: entry rows with field-level errors, items only from the scope, order, audit."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from content.accounts.audit import AuditEntry
from content.library.items import Ticker
from content.outbox import OutboxEvent
from content.signage.playlists import Playlist
from kiosk_server.database import database
from tests.support.console_world import ConsoleWorld, build_console_world, csrf_now, sign_in


@pytest.fixture
def cw(app: Flask) -> ConsoleWorld:
    return build_console_world(app)


def _ticker(app: Flask, org_unit_id: int, title: str) -> int:
    with Session(database(app).engine) as session:
        ticker = Ticker(org_unit_id=org_unit_id, title=title)
        session.add(ticker)
        session.commit()
        return ticker.id


def _province_ticker(app: Flask) -> int:
    with Session(database(app).engine) as session:
        return session.scalars(select(Ticker.id).where(Ticker.title.startswith("本中心工作时间"))).one()


def _form(client: Any, owner: int, entries: list[tuple[str, str, str, str]], **fields: Any) -> dict[str, Any]:
    data = {"csrf_token": csrf_now(client), "name": "城关区循环", "owner": str(owner)}
    for i, (kind, item, position, duration) in enumerate(entries):
        data.update(
            {
                f"e{i}.kind": kind,
                f"e{i}.item": item,
                f"e{i}.position": position,
                f"e{i}.duration": duration,
                f"e{i}.params": "{}",
            }
        )
    data.update(fields)
    return data


def _playlists(app: Flask, name: str) -> list[Playlist]:
    with Session(database(app).engine) as session:
        found = list(
            session.scalars(select(Playlist).where(Playlist.name == name).options(selectinload(Playlist.entries)))
        )
        session.expunge_all()
        return found


def _messages(page: str) -> list[str]:
    return re.findall(r'class="field__error"[^>]*><span aria-hidden="true">⚠ </span>([^<]*)<', page)


def test_an_editor_creates_a_playlist_in_the_chosen_order_audited(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    ticker = _province_ticker(app)
    sign_in(client, "editor")
    answer = client.post(
        "/console/playlists/new",
        data=_form(client, cw.world.city_id, [("item", str(ticker), "2", "20"), ("vacancy_board", "", "1", "10")]),
    )
    assert answer.status_code == 302
    (playlist,) = _playlists(app, "城关区循环")
    assert [(e.position, e.kind, e.item_id, e.duration_seconds) for e in playlist.entries] == [
        (0, "vacancy_board", None, 10),
        (1, "item", ticker, 20),
    ]
    with Session(database(app).engine) as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.object_kind == "playlist")).one()
        assert (entry.actor, entry.action, entry.object_id) == ("editor", "created", str(playlist.id))
        assert [e["kind"] for e in entry.summary["after"]["entries"]] == ["vacancy_board", "item"]
        payloads = [e.payload for e in session.scalars(select(OutboxEvent))]
        assert {"kind": "playlist", "id": playlist.id, "action": "created"}.items() <= payloads[-1].items()


def test_each_entry_row_says_its_own_problem(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    ticker = _province_ticker(app)
    sign_in(client, "editor")
    answer = client.post(
        "/console/playlists/new",
        data=_form(
            client,
            cw.world.city_id,
            [
                ("item", str(ticker), "1", "15"),
                ("item", str(ticker), "x", "2"),  # order not a number; 2 s is below the shortest
                ("notice_feed", str(ticker), "3", "15"),  # a feed picks its own items
                ("item", str(ticker), "4", "99999"),
            ],
        ),
    )
    text = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert _messages(text) == [
        "第2项 顺序：请输入整数",
        "第2项 时长（秒）：须在3到3600之间",
        "第3项 内容：实时列表自动选取内容，请不要选择单项",
        "第4项 时长（秒）：须在3到3600之间",
    ]
    assert 'name="e3.duration" value="99999"' in text
    assert _playlists(app, "城关区循环") == []


def test_a_too_short_duration_is_refused_with_the_range(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "editor")
    client.get("/console/playlists?lang=en")
    text = client.post(
        "/console/playlists/new", data=_form(client, cw.world.city_id, [("vacancy_board", "", "1", "2")])
    ).get_data(as_text=True)
    assert _messages(text) == ["Entry 1 Duration (s): between 3 and 3600"]


def test_items_outside_the_scope_are_neither_offered_nor_accepted(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    theirs = _ticker(app, cw.other_city_id, "天水市专用字幕")
    sign_in(client, "editor")
    page = client.get("/console/playlists/new").get_data(as_text=True)
    assert "天水市专用字幕" not in page and "本中心工作时间" in page
    text = client.post(
        "/console/playlists/new", data=_form(client, cw.world.city_id, [("item", str(theirs), "1", "15")])
    ).get_data(as_text=True)
    assert _messages(text) == ["第1项 内容：请从列表中选择"]
    assert _playlists(app, "城关区循环") == []


def test_scope_province_playlists_read_only_other_city_404(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    (province_list,) = _playlists(app, "岗位与政策")
    sign_in(client, "editor")
    page = client.get(f"/console/playlists/{province_list.id}")
    assert page.status_code == 200 and 'id="read-only"' in page.get_data(as_text=True)
    refused = client.post(
        f"/console/playlists/{province_list.id}",
        data=_form(client, cw.world.city_id, [("vacancy_board", "", "1", "10")], name="岗位与政策"),
    )
    assert refused.status_code == 403
    client.post("/console/playlists/new", data=_form(client, cw.world.city_id, [("vacancy_board", "", "1", "10")]))
    (mine,) = _playlists(app, "城关区循环")
    client.post("/console/logout", data={"csrf_token": csrf_now(client)})
    sign_in(client, "tianshui")
    assert client.get(f"/console/playlists/{mine.id}").status_code == 404
    listing = client.get("/console/playlists").get_data(as_text=True)
    assert f'data-playlist="{mine.id}"' not in listing and f'data-playlist="{province_list.id}"' in listing
    (unchanged,) = _playlists(app, "岗位与政策")
    assert [e.kind for e in unchanged.entries] == ["vacancy_board", "notice_feed"]


def test_an_edit_keeps_a_feeds_params_and_audits_the_change(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "editor")
    client.post(
        "/console/playlists/new",
        data=_form(client, cw.world.city_id, [("vacancy_board", "", "1", "10")], **{"e0.params": '{"page_size": 8}'}),
    )
    (playlist,) = _playlists(app, "城关区循环")
    assert playlist.entries[0].params == {"page_size": 8}
    page = client.get(f"/console/playlists/{playlist.id}").get_data(as_text=True)
    assert 'name="e0.params" value="{&#34;page_size&#34;: 8}"' in page
    answer = client.post(
        f"/console/playlists/{playlist.id}",
        data=_form(client, cw.world.city_id, [("vacancy_board", "", "1", "12")], **{"e0.params": '{"page_size": 8}'}),
    )
    assert answer.status_code == 302
    (playlist,) = _playlists(app, "城关区循环")
    assert [(e.duration_seconds, e.params) for e in playlist.entries] == [(12, {"page_size": 8})]
    with Session(database(app).engine) as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "updated", AuditEntry.object_kind == "playlist")
        ).one()
        assert set(entry.summary["changed"]) == {"entries"}
