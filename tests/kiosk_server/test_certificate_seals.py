"""The console's 电子印章 page (/console/seals): who may upload a hall's seal, the errors that change nothing, audit."""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.accounts.audit import AuditEntry
from content.citizens.seal_images import MAX_BYTES, SealImage
from kiosk_server.database import database
from kiosk_server.hall_seals import demo_seal_png
from tests.support.console_world import ConsoleWorld, build_console_world, csrf_now, sign_in


@pytest.fixture
def world(app: Flask) -> ConsoleWorld:
    return build_console_world(app)


def png(width: int = 200, height: int = 200) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (width, height), (200, 16, 46, 120)).save(out, format="PNG")
    return out.getvalue()


def upload(client: Any, hall_id: int, data: bytes, name: str = "seal.png") -> Any:
    form = {"csrf_token": csrf_now(client), "seal": (io.BytesIO(data), name)}
    return client.post(f"/console/seals/{hall_id}", data=form, content_type="multipart/form-data")


def stored(app: Flask) -> list[tuple[int | None, int | None, int]]:
    with Session(database(app).engine) as session:
        return [(s.hall_id, s.org_unit_id, s.width) for s in session.scalars(select(SealImage).order_by(SealImage.id))]


def audited(app: Flask, action: str) -> list[AuditEntry]:
    with Session(database(app).engine) as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


@pytest.mark.parametrize("who", ["manager", "orgadmin"])
def test_a_hall_manager_or_org_admin_uploads_the_halls_seal(
    app: Flask, client: Any, world: ConsoleWorld, who: str
) -> None:
    hall_id = world.world.hall_id
    sign_in(client, who)
    page = client.get("/console/seals").get_data(as_text=True)
    assert "城关区公共就业服务中心" in page and "本证明未加盖印章" in page and "未配置签名证书" in page
    answer = upload(client, hall_id, demo_seal_png(), name="whatever.jpg")  # the name says nothing
    assert answer.status_code == 303 and answer.headers["Location"].endswith(f"/console/seals#hall-{hall_id}")
    assert stored(app) == [(hall_id, None, 480)]
    (entry,) = audited(app, "seal_uploaded")
    assert (entry.object_kind, entry.object_id, entry.actor) == ("hall", str(hall_id), who)
    image = client.get(f"/console/seals/{hall_id}.png")
    assert image.status_code == 200 and image.mimetype == "image/png" and image.data == demo_seal_png()
    page = client.get("/console/seals").get_data(as_text=True)
    assert 'data-seal-state="own"' in page and "本大厅的印章" in page
    removed = client.post(f"/console/seals/{hall_id}/remove", data={"csrf_token": csrf_now(client)})
    assert removed.status_code == 303 and stored(app) == [] and len(audited(app, "seal_removed")) == 1


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"%PDF-1.4 not an image", "该文件不是 PNG 图片"),
        (png()[:-30], "该 PNG 图片已损坏或不完整"),
        (png()[:8] + b"\0" * MAX_BYTES, "文件超过 512 KB"),
        (png(2400, 20), "图片边长超过 2000 像素"),
        (b"", "请选择要上传的 PNG 图片"),
    ],
    ids=["not-png", "truncated", "too-big", "too-large", "empty"],
)
def test_a_refused_upload_says_why_and_changes_nothing(
    app: Flask, client: Any, world: ConsoleWorld, data: bytes, words: str
) -> None:
    hall_id = world.world.hall_id
    sign_in(client, "manager")
    assert upload(client, hall_id, png(300, 300)).status_code == 303
    answer = upload(client, hall_id, data)
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert words in page and ("未作更改" in page or not data)
    assert 'aria-invalid="true"' in page
    assert stored(app) == [(hall_id, None, 300)], "the hall keeps its seal"
    assert len(audited(app, "seal_uploaded")) == 1


@pytest.mark.parametrize(("who", "status"), [("editor", 403), ("tech", 403), ("tianshui", 404)])
def test_others_may_not_change_a_halls_seal(
    app: Flask, client: Any, world: ConsoleWorld, who: str, status: int
) -> None:
    sign_in(client, who)
    answer = upload(client, world.world.hall_id, png())
    assert answer.status_code == status and stored(app) == []
    if status == 403:
        assert "只有机构管理员或本大厅的管理员可以更换印章" in answer.get_data(as_text=True)


def test_a_hall_shows_the_seal_it_inherits(app: Flask, client: Any, world: ConsoleWorld) -> None:
    from datetime import UTC, datetime

    from content.citizens import seal_images

    with Session(database(app).engine) as session:
        seal_images.set_seal(
            session, seal_images.check_png(png(150, 150)), "t", datetime.now(UTC), org_unit_id=world.world.province_id
        )
        session.commit()
    sign_in(client, "manager")
    page = client.get("/console/seals").get_data(as_text=True)
    assert 'data-seal-state="inherited"' in page and "沿用上级机构“甘肃省”的印章" in page
    assert "删除本大厅的印章" not in page, "an inherited seal is removed where it was set, not here"
    assert client.get(f"/console/seals/{world.world.hall_id}.png").data == png(150, 150)
