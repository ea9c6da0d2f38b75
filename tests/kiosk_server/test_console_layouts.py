"""Layouts in the console: region rows with field-level errors, the domain's geometry rules, scope, audit, preview."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from content.accounts.audit import AuditEntry
from content.outbox import OutboxEvent
from content.signage.layouts import Layout
from content.signage.playlists import Playlist
from kiosk_server.database import database
from tests.support.console_world import ConsoleWorld, build_console_world, csrf_now, sign_in


@pytest.fixture
def cw(app: Flask) -> ConsoleWorld:
    return build_console_world(app)


def _form(client: Any, owner: int, regions: list[tuple[str, str, str, str, str, str]], **fields: Any) -> dict[str, Any]:
    data = {"csrf_token": csrf_now(client), "name": "城关区竖屏", "owner": str(owner), "background": "#102030"}
    for i, (name, widget, x, y, w, h) in enumerate(regions):
        data.update(
            {
                f"r{i}.name": name,
                f"r{i}.widget": widget,
                f"r{i}.x": x,
                f"r{i}.y": y,
                f"r{i}.w": w,
                f"r{i}.h": h,
                f"r{i}.playlist": "",
            }
        )
    data.update(fields)
    return data


def _layouts(app: Flask, name: str) -> list[Layout]:
    with Session(database(app).engine) as session:
        found = list(session.scalars(select(Layout).where(Layout.name == name).options(selectinload(Layout.regions))))
        session.expunge_all()
        return found


def _box(page: str, row: int) -> str:
    found = re.search(rf'<div class="lay-box[^"]*" data-row="{row}"\s+style="([^"]*)"', page)
    assert found, f"no preview box for row {row}"
    return found.group(1)


def test_an_editor_creates_a_layout_in_percent_and_it_is_stored_in_fractions_audited(
    cw: ConsoleWorld, client: Any, app: Flask
) -> None:
    sign_in(client, "editor")
    answer = client.post(
        "/console/layouts/new",
        data=_form(
            client,
            cw.world.city_id,
            [("main", "playlist", "0", "0", "100", "87.5"), ("ticker", "ticker", "0", "87.5", "100", "12.5")],
        ),
    )
    assert answer.status_code == 302
    (layout,) = _layouts(app, "城关区竖屏")
    assert [(r.name, r.widget, r.x, r.y, r.w, r.h) for r in layout.regions] == [
        ("main", "playlist", 0.0, 0.0, 1.0, 0.875),
        ("ticker", "ticker", 0.0, 0.875, 1.0, 0.125),
    ]
    assert layout.org_unit_id == cw.world.city_id and layout.background == "#102030"
    with Session(database(app).engine) as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.object_kind == "layout")).one()
        assert (entry.actor, entry.action, entry.object_id) == ("editor", "created", str(layout.id))
        assert entry.org_path is not None and entry.summary["after"]["regions"][1]["name"] == "ticker"
        events = [e.payload for e in session.scalars(select(OutboxEvent))]
        assert {"kind": "layout", "id": layout.id, "action": "created"}.items() <= events[-1].items()


def test_each_region_row_says_its_own_problem(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "editor")
    answer = client.post(
        "/console/layouts/new",
        data=_form(
            client,
            cw.world.city_id,
            [
                ("main", "playlist", "0", "0", "100", "50"),
                ("side", "clock", "50", "50", "60", "50"),  # ends at 110 %: off the screen
                ("", "header", "abc", "0", "0", "10"),  # no name, x not a number, zero width
                ("main", "queue", "0", "100", "10", "10"),
            ],
        ),
    )  # the name again, y on the bottom edge
    text = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert "区域2 宽度：超出画面" in text
    assert "区域3 名称：请填写" in text and "区域3 左边距：请输入数字" in text
    assert "区域4 名称：名称重复" in text and "区域4 上边距：超出画面" in text
    assert 'name="r1.w" value="60"' in text and 'aria-describedby="f-r1.w-error"' in text
    messages = re.findall(r'class="field__error"[^>]*><span aria-hidden="true">⚠ </span>([^<]*)<', text)
    assert len(messages) == 6 and not any(m.startswith("区域1 ") for m in messages)  # the first row is fine
    assert _layouts(app, "城关区竖屏") == []


def test_zero_width_is_not_positive_and_english_says_so(cw: ConsoleWorld, client: Any) -> None:
    sign_in(client, "editor")
    client.get("/console/layouts?lang=en")
    text = client.post(
        "/console/layouts/new", data=_form(client, cw.world.city_id, [("main", "playlist", "0", "0", "0", "100")])
    ).get_data(as_text=True)
    assert "Region 1 Width: must be more than 0" in text


def test_overlapping_regions_are_allowed_later_rows_on_top(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "editor")
    answer = client.post(
        "/console/layouts/new",
        data=_form(
            client,
            cw.world.city_id,
            [("main", "playlist", "0", "0", "100", "100"), ("badge", "clock", "80", "0", "20", "15")],
        ),
    )
    assert answer.status_code == 302
    (layout,) = _layouts(app, "城关区竖屏")
    assert [(r.name, r.z) for r in layout.regions] == [("main", 0), ("badge", 1)]


def test_the_preview_draws_each_region_at_its_geometry(cw: ConsoleWorld, client: Any) -> None:
    sign_in(client, "editor")
    page = client.get(f"/console/layouts/{cw.world.layout_id}").get_data(as_text=True)
    assert _box(page, 2) == "left: 0%; top: 10%; width: 100%; height: 82%; z-index: 2;"  # main
    assert _box(page, 1) == "left: 75%; top: 0%; width: 25%; height: 10%; z-index: 1;"  # clock
    # A refused form draws what was typed, the faulty box marked as such.
    text = client.post(
        "/console/layouts/new",
        data=_form(
            client,
            cw.world.city_id,
            [("main", "playlist", "0", "0", "100", "100"), ("side", "clock", "70", "20", "40", "30")],
        ),
    ).get_data(as_text=True)
    assert _box(text, 1) == "left: 70%; top: 20%; width: 40%; height: 30%; z-index: 1;"
    assert 'class="lay-box lay-box--clock lay-box--bad" data-row="1"' in text


def test_the_province_layout_is_read_only_below_it(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "editor")
    page = client.get(f"/console/layouts/{cw.world.layout_id}")
    assert page.status_code == 200 and 'id="read-only"' in page.get_data(as_text=True)
    listing = client.get("/console/layouts").get_data(as_text=True)
    assert f'data-layout="{cw.world.layout_id}"' in listing and "只读" in listing
    answer = client.post(
        f"/console/layouts/{cw.world.layout_id}",
        data=_form(client, cw.world.city_id, [("main", "playlist", "0", "0", "100", "100")], name="大厅横屏"),
    )
    assert answer.status_code == 403
    (layout,) = _layouts(app, "大厅横屏")
    assert len(layout.regions) == 4


def test_another_city_does_not_see_the_layout_at_all(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "editor")
    client.post(
        "/console/layouts/new", data=_form(client, cw.world.city_id, [("main", "playlist", "0", "0", "100", "100")])
    )
    (layout,) = _layouts(app, "城关区竖屏")
    client.post("/console/logout", data={"csrf_token": csrf_now(client)})
    sign_in(client, "tianshui")
    assert client.get(f"/console/layouts/{layout.id}").status_code == 404
    assert f'data-layout="{layout.id}"' not in client.get("/console/layouts").get_data(as_text=True)
    client.post("/console/logout", data={"csrf_token": csrf_now(client)})
    sign_in(client, "admin")  # the whole tree
    assert client.get(f"/console/layouts/{layout.id}").status_code == 200


def test_an_editor_cannot_give_a_layout_to_a_node_above_them(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "editor")
    answer = client.post(
        "/console/layouts/new", data=_form(client, cw.world.province_id, [("main", "playlist", "0", "0", "100", "100")])
    )
    assert answer.status_code == 400 and 'id="f-owner-error"' in answer.get_data(as_text=True)
    assert _layouts(app, "城关区竖屏") == []


def test_an_edit_changes_the_regions_and_audits_what_changed(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "editor")
    client.post(
        "/console/layouts/new", data=_form(client, cw.world.city_id, [("main", "playlist", "0", "0", "100", "100")])
    )
    (layout,) = _layouts(app, "城关区竖屏")
    answer = client.post(
        f"/console/layouts/{layout.id}",
        data=_form(
            client,
            cw.world.city_id,
            [("main", "playlist", "0", "0", "100", "90"), ("ticker", "ticker", "0", "90", "100", "10")],
            **{"r2.name": "gone", "r2.x": "0", "r2.y": "0", "r2.w": "10", "r2.h": "10", "r2.remove": "1"},
        ),
    )
    assert answer.status_code == 302
    (layout,) = _layouts(app, "城关区竖屏")
    assert [(r.name, r.h) for r in layout.regions] == [("main", 0.9), ("ticker", 0.1)]
    with Session(database(app).engine) as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "updated", AuditEntry.object_kind == "layout")
        ).one()
        assert set(entry.summary["changed"]) == {"regions"}


def test_a_hall_manager_reads_the_layouts_above_the_hall_and_owns_none(
    cw: ConsoleWorld, client: Any, app: Flask
) -> None:
    sign_in(client, "manager")
    listing = client.get("/console/layouts").get_data(as_text=True)
    assert f'data-layout="{cw.world.layout_id}"' in listing and "/console/layouts/new" not in listing
    assert 'id="read-only"' in client.get(f"/console/layouts/{cw.world.layout_id}").get_data(as_text=True)
    answer = client.post(
        "/console/layouts/new", data=_form(client, cw.world.county_id, [("main", "playlist", "0", "0", "100", "100")])
    )
    assert answer.status_code == 400 and 'id="f-owner-error"' in answer.get_data(as_text=True)
    assert _layouts(app, "城关区竖屏") == []


def test_a_region_plays_only_a_playlist_the_account_may_use(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    with Session(database(app).engine) as session:
        theirs = Playlist(org_unit_id=cw.other_city_id, name="天水专用")
        session.add(theirs)
        session.commit()
        theirs_id = theirs.id
        province_id = session.scalars(select(Playlist.id).where(Playlist.name == "岗位与政策")).one()
    sign_in(client, "editor")
    assert "天水专用" not in client.get("/console/layouts/new").get_data(as_text=True)
    refused = client.post(
        "/console/layouts/new",
        data=_form(
            client, cw.world.city_id, [("main", "playlist", "0", "0", "100", "100")], **{"r0.playlist": str(theirs_id)}
        ),
    )
    assert "区域1 默认播放列表：请从列表中选择" in refused.get_data(as_text=True)
    client.post(
        "/console/layouts/new",
        data=_form(
            client,
            cw.world.city_id,
            [("main", "playlist", "0", "0", "100", "100")],
            **{"r0.playlist": str(province_id)},
        ),
    )
    (layout,) = _layouts(app, "城关区竖屏")
    assert layout.regions[0].playlist_id == province_id
