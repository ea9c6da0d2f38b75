"""Media upload: the type comes from the bytes, the file lands under its checksum, refusals leave nothing."""

from __future__ import annotations

import hashlib
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest

from kiosk_server import media_store
from kiosk_server.settings_access import settings
from tests.kiosk_server.api_factories import Api, Factory, field_errors, last_outbox, row_counts, tiny_png


def _media_dir(app: Any) -> Path:
    return settings(app).data_dir / "media"


def _files(app: Any) -> list[str]:
    folder = _media_dir(app)
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_png_upload_is_stored_by_checksum_and_served(api: Api, make: Factory, app: Any, client: Any) -> None:
    png = tiny_png()
    media = make.media(png, filename="人社logo.png")
    digest = hashlib.sha256(png).hexdigest()
    assert (media["sha256"], media["size_bytes"], media["mime"], media["media_type"]) == (
        digest,
        len(png),
        "image/png",
        "image",
    )
    assert media["title"] == "人社logo" and media["url"] == f"/media/{digest}"
    assert (_media_dir(app) / digest).read_bytes() == png
    served = client.get(media["url"])
    assert served.status_code == 200 and served.data == png and served.mimetype == "image/png"
    assert last_outbox(app) == {"topic": "content", "kind": "media", "id": media["id"], "action": "created"}


def test_script_renamed_png_is_refused_and_nothing_is_written(api: Api, make: Factory, app: Any) -> None:
    province_id = make.province_id()
    before = row_counts(app)
    form = {"org_unit_id": str(province_id), "file": (BytesIO(b"#!/bin/sh\nrm -rf /\n"), "photo.png", "image/png")}
    answer = api.post("media", data=form, content_type="multipart/form-data", expect=422)
    errors = field_errors(answer)
    assert list(errors) == ["file"] and "PNG, JPEG, GIF, WebP, MP4 or WebM" in errors["file"]
    assert row_counts(app) == before
    assert _files(app) == []


def test_html_disguised_as_gif_is_refused(api: Api, make: Factory) -> None:
    form = {"org_unit_id": str(make.province_id()), "file": (BytesIO(b"<svg onload=alert(1)>"), "a.gif")}
    assert list(field_errors(api.post("media", data=form, content_type="multipart/form-data", expect=422))) == ["file"]


def test_missing_file_is_422_on_file(api: Api, make: Factory) -> None:
    answer = api.post(
        "media", data={"org_unit_id": str(make.province_id())}, content_type="multipart/form-data", expect=422
    )
    assert list(field_errors(answer)) == ["file"]


def test_bad_form_field_is_refused_before_the_file_is_stored(api: Api, make: Factory, app: Any) -> None:
    make.province_id()
    before = row_counts(app)
    form = {"org_unit_id": "999", "file": (BytesIO(tiny_png()), "a.png")}
    answer = api.post("media", data=form, content_type="multipart/form-data", expect=422)
    assert field_errors(answer) == {"org_unit_id": "no org unit with id 999"}
    assert row_counts(app) == before and _files(app) == []


def test_upload_over_the_size_cap_is_refused(
    api: Api, make: Factory, app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(media_store, "MAX_BYTES", 1024)
    monkeypatch.setattr(media_store, "CHUNK", 256)
    make.province_id()
    before = row_counts(app)
    form = {"org_unit_id": str(make.province_id()), "file": (BytesIO(tiny_png() + b"\0" * 2048), "big.png")}
    errors = field_errors(api.post("media", data=form, content_type="multipart/form-data", expect=422))
    assert "limit" in errors["file"]
    assert row_counts(app) == before and _files(app) == []


def test_the_same_bytes_twice_share_one_file(make: Factory, app: Any) -> None:
    first, second = make.media(), make.media(title="again")
    assert first["sha256"] == second["sha256"] and first["id"] != second["id"]
    assert _files(app) == [first["sha256"]]


def test_media_metadata_update_and_delete(api: Api, make: Factory) -> None:
    media = make.media(duration_seconds="8")
    assert media["duration_seconds"] == 8
    changed = api.patch(f"media/{media['id']}", {"title": "新标志", "duration_seconds": 20})
    assert (changed["title"], changed["duration_seconds"], changed["sha256"]) == ("新标志", 20, media["sha256"])
    assert list(field_errors(api.patch(f"media/{media['id']}", {"sha256": "0" * 64}, expect=422))) == ["sha256"]
    api.delete(f"media/{media['id']}")
    api.get(f"media/{media['id']}", expect=404)


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 8, ("image", "image/png")),
        (b"\xff\xd8\xff\xe0\0\x10JFIF", ("image", "image/jpeg")),
        (b"GIF89a\x01\x00", ("image", "image/gif")),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", ("image", "image/webp")),
        (b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00", ("video", "video/mp4")),
        (
            b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08\x42\x82\x84webm",
            ("video", "video/webm"),
        ),
    ],
)
def test_accepted_formats_are_recognised_by_their_first_bytes(head: bytes, expected: tuple[str, str]) -> None:
    found = media_store.sniff(head)
    assert found is not None and (found.media_type, found.mime) == expected


@pytest.mark.parametrize(
    "head",
    [
        b"#!/bin/sh\necho",
        b"<html><script>",
        b"%PDF-1.7",
        b"PK\x03\x04",
        b"MZ\x90\x00",
        b"\x00\x00\x00\x18ftypqt  \x00\x00",
        b"\x00\x00\x00\x1cftypavif",
        b"\x1a\x45\xdf\xa3\x42\x82\x88matroska",
        b"",
    ],
)
def test_other_formats_are_not(head: bytes) -> None:
    assert media_store.sniff(head) is None
