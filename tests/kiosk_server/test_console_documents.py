"""The console's PDF documents: upload renders every page, the list shows page thumbnails, refusals say why."""

from __future__ import annotations

import html
import re
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.accounts.audit import AuditEntry
from content.library.widgets.documents import Document
from content.signage.playlists import Playlist, PlaylistEntry
from kiosk_server.database import database
from kiosk_server.settings_access import settings
from tests.support.console_world import ConsoleWorld, build_console_world, csrf_now, sign_in
from tests.support.pdf_samples import BROKEN_PDF, many_pages_pdf, plain_pdf, policy_pdf

FIELD_ERROR = re.compile(r'<p class="field__error" id="f-([\w-]+)-error"><span aria-hidden="true">⚠ </span>(.*?)</p>')


@pytest.fixture
def cw(app: Flask) -> ConsoleWorld:
    return build_console_world(app)


def field_errors(page: Any) -> dict[str, str]:
    return {name: html.unescape(text) for name, text in FIELD_ERROR.findall(page.get_data(as_text=True))}


def upload(client: Any, data: bytes, lang: str = "", **fields: Any) -> Any:
    form = {"csrf_token": csrf_now(client), "file": (BytesIO(data), "就业政策解读.pdf"), **fields}
    url = f"/console/documents{'?lang=' + lang if lang else ''}"
    return client.post(url, data=form, content_type="multipart/form-data")


def files(app: Flask) -> list[str]:
    folder: Path = settings(app).data_dir / "media"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def stored(app: Flask) -> list[Document]:
    with Session(database(app).engine) as session:
        found = list(session.scalars(select(Document).order_by(Document.id)))
        session.expunge_all()
        return found


def test_an_uploaded_pdf_is_listed_with_a_thumbnail_per_page(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "editor")
    done = upload(client, policy_pdf(3), org_unit_id=str(cw.world.county_id), seconds_per_page="8")
    assert done.status_code == 302, field_errors(done)
    (item,) = stored(app)
    assert (item.title, item.seconds_per_page, len(item.page_hashes)) == ("就业政策解读", 8, 3)
    page = client.get("/console/documents").get_data(as_text=True)
    assert "已上传：就业政策解读（3 页）" in page and "每页 8 秒" in page
    for sha in item.page_hashes:
        assert f'src="/media/{sha}/thumb"' in page
        thumb = client.get(f"/media/{sha}/thumb")
        assert thumb.status_code == 200 and thumb.mimetype == "image/webp"
    with Session(database(app).engine) as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.object_kind == "document")).one()
        assert (entry.actor, entry.action) == ("editor", "created")
        assert entry.summary["after"]["page_hashes"] == item.page_hashes


@pytest.mark.parametrize(
    ("data", "zh", "en"),
    [
        (many_pages_pdf(500), "PDF 有 500 页，最多 50 页", "The PDF has 500 pages; at most 50"),
        (plain_pdf([(595, 842)], password="secret"), "PDF 设有打开密码", "protected by a password"),
        (BROKEN_PDF, "PDF 已损坏或格式不正确", "damaged or malformed"),
        (plain_pdf([(595, 842), (14400, 5)]), "PDF 第 2 页的尺寸异常", "Page 2 of the PDF"),
    ],
    ids=["500-pages", "encrypted", "broken", "sliver"],
)
def test_a_refused_pdf_says_why_in_both_languages_and_stores_nothing(
    cw: ConsoleWorld, client: Any, app: Flask, data: bytes, zh: str, en: str
) -> None:
    sign_in(client, "editor")
    refused = upload(client, data, org_unit_id=str(cw.world.county_id))
    assert refused.status_code == 400 and zh in field_errors(refused)["file"]
    english = upload(client, data, lang="en", org_unit_id=str(cw.world.county_id))
    assert en in field_errors(english)["file"]
    assert stored(app) == [] and files(app) == []


def test_seconds_per_page_is_checked_before_rendering(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "editor")
    refused = upload(client, policy_pdf(1), org_unit_id=str(cw.world.county_id), seconds_per_page="0")
    assert refused.status_code == 400 and "seconds_per_page" in field_errors(refused)
    assert files(app) == []


def test_edit_changes_the_seconds_and_a_playlist_blocks_delete(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    sign_in(client, "editor")
    assert upload(client, policy_pdf(2), org_unit_id=str(cw.world.county_id)).status_code == 302
    (item,) = stored(app)
    form = client.get(f"/console/documents/{item.id}").get_data(as_text=True)
    assert form.count("/thumb") == 2 and "第 1 页" in form
    saved = client.post(
        f"/console/documents/{item.id}",
        data={"csrf_token": csrf_now(client), "title": "政策解读", "org_unit_id": str(cw.world.county_id),
              "seconds_per_page": "20"},
    )  # fmt: skip
    assert saved.status_code == 302, field_errors(saved)
    assert (stored(app)[0].title, stored(app)[0].seconds_per_page) == ("政策解读", 20)
    with Session(database(app).engine) as session:
        playlist = Playlist(org_unit_id=cw.world.county_id, name="政策")
        playlist.entries = [PlaylistEntry(position=0, kind="item", item_id=item.id, duration_seconds=10, params={})]
        session.add(playlist)
        session.commit()
    blocked = client.post(f"/console/documents/{item.id}/delete", data={"csrf_token": csrf_now(client)})
    assert blocked.status_code == 409 and "不能删除" in blocked.get_data(as_text=True)
    assert len(stored(app)) == 1
