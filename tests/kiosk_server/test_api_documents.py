"""PDF documents: rendered page by page on upload, pages stored by checksum, every refusal leaves nothing."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from kiosk_server import pdf_pages
from kiosk_server.config import ConfigError, load_settings
from kiosk_server.settings_access import settings
from tests.conftest import make_app
from tests.kiosk_server.api_factories import Api, Factory, field_errors, last_outbox, row_counts
from tests.support.pdf_samples import BROKEN_PDF, many_pages_pdf, plain_pdf, policy_pdf


def _media_dir(app: Any) -> Path:
    return settings(app).data_dir / "media"


def _files(app: Any) -> list[str]:
    folder = _media_dir(app)
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def _upload(api: Api, make: Factory, data: bytes, expect: int = 201, **fields: Any) -> Any:
    form = {"org_unit_id": str(make.province_id()), **fields, "file": (BytesIO(data), "就业政策.pdf")}
    return api.post("documents", data=form, content_type="multipart/form-data", expect=expect)


def test_a_pdf_becomes_one_stored_image_per_page(api: Api, make: Factory, app: Any, client: Any) -> None:
    pdf = policy_pdf(3)
    document = _upload(api, make, pdf, seconds_per_page="12")
    assert (document["title"], document["sha256"], document["size_bytes"]) == (
        "就业政策",
        hashlib.sha256(pdf).hexdigest(),
        len(pdf),
    )
    assert (document["page_mime"], document["page_width"], document["page_height"]) == ("image/webp", 1920, 1358)
    assert document["seconds_per_page"] == 12 and len(document["page_urls"]) == 3
    served = [client.get(url) for url in document["page_urls"]]
    assert [(r.status_code, r.mimetype) for r in served] == [(200, "image/webp")] * 3
    assert len({r.data for r in served}) == 3  # three different pages
    for url, response in zip(document["page_urls"], served, strict=True):
        assert url == "/media/" + hashlib.sha256(response.data).hexdigest()
    digests = [url.removeprefix("/media/") for url in document["page_urls"]]
    assert _files(app) == sorted(digests + [f"{d}.thumb.webp" for d in digests])  # no PDF, no temporary files
    assert last_outbox(app) == {"topic": "content", "kind": "document", "id": document["id"], "action": "created"}


def test_a_500_page_pdf_is_refused_with_the_page_cap(api: Api, make: Factory, app: Any) -> None:
    make.province_id()
    before = row_counts(app)
    errors = field_errors(_upload(api, make, many_pages_pdf(500), expect=422))
    assert "PDF 有 500 页，最多 50 页" in errors["file"]
    assert row_counts(app) == before and _files(app) == []


@pytest.fixture
def two_page_app(tmp_path: Path, database_url: str) -> Iterator[Flask]:
    from kiosk_server.database import database

    application = make_app(tmp_path, database_url, document_max_pages=2)
    yield application
    database(application).engine.dispose()


def test_the_page_cap_is_a_setting(two_page_app: Flask, auth_headers: dict[str, str]) -> None:
    api = Api(two_page_app.test_client(), auth_headers)
    make = Factory(api)
    assert len(_upload(api, make, policy_pdf(2))["page_urls"]) == 2
    assert "PDF 有 3 页，最多 2 页" in field_errors(_upload(api, make, policy_pdf(3), expect=422))["file"]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (BROKEN_PDF, "not a readable PDF"),
        (plain_pdf([(595, 842)], password="secret"), "protected by a password"),
        (b"GIF89a not a pdf", "not a PDF file"),
        (plain_pdf([(14400, 5)]), "no page to show"),
    ],
    ids=["broken", "encrypted", "not-pdf", "sliver"],
)
def test_unreadable_pdfs_are_refused_and_nothing_is_written(
    api: Api, make: Factory, app: Any, data: bytes, expected: str
) -> None:
    make.province_id()
    before = row_counts(app)
    errors = field_errors(_upload(api, make, data, expect=422))
    assert list(errors) == ["file"] and expected in errors["file"]
    assert row_counts(app) == before and _files(app) == []


def test_a_huge_page_is_scaled_to_the_wall(api: Api, make: Factory, client: Any) -> None:
    document = _upload(api, make, plain_pdf([(14400, 14400)]))  # 5 m square, the largest page PDF allows
    assert (document["page_width"], document["page_height"]) == (1920, 1920)
    assert client.get(document["page_urls"][0]).status_code == 200


def test_a_bad_later_page_stores_no_page_at_all(api: Api, make: Factory, app: Any) -> None:
    make.province_id()
    before = row_counts(app)
    errors = field_errors(_upload(api, make, plain_pdf([(595, 842), (595, 842), (14400, 5)]), expect=422))
    assert "page 3" in errors["file"]
    assert row_counts(app) == before and _files(app) == []  # pages 1 and 2 rendered, none kept


def test_a_render_over_its_time_limit_is_refused(
    api: Api, make: Factory, app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pdf_pages, "TIMEOUT_SECONDS", 0.01)
    make.province_id()
    errors = field_errors(_upload(api, make, policy_pdf(1), expect=422))
    assert "longer than" in errors["file"] and _files(app) == []


def test_a_render_over_its_memory_limit_is_refused(
    api: Api, make: Factory, app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pdf_pages, "MEMORY_BYTES", 64 * 1024 * 1024)  # too little to load PDFium and render
    make.province_id()
    errors = field_errors(_upload(api, make, policy_pdf(1), expect=422))
    assert "memory or time limit" in errors["file"] and _files(app) == []


def test_an_upload_over_the_size_cap_is_refused(
    api: Api, make: Factory, app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pdf_pages, "MAX_BYTES", 1024)
    make.province_id()
    errors = field_errors(_upload(api, make, policy_pdf(3), expect=422))
    assert "limit" in errors["file"] and _files(app) == []


def test_a_bad_form_field_is_refused_before_rendering(api: Api, make: Factory, app: Any) -> None:
    make.province_id()
    form = {"org_unit_id": "999", "file": (BytesIO(policy_pdf(1)), "a.pdf")}
    answer = api.post("documents", data=form, content_type="multipart/form-data", expect=422)
    assert field_errors(answer) == {"org_unit_id": "no org unit with id 999"} and _files(app) == []


def test_seconds_per_page_is_updated_and_checked(api: Api, make: Factory) -> None:
    document = _upload(api, make, policy_pdf(1))
    assert document["seconds_per_page"] == 10
    changed = api.patch(f"documents/{document['id']}", {"seconds_per_page": 20, "title": "政策解读"})
    assert (changed["seconds_per_page"], changed["title"]) == (20, "政策解读")
    assert list(field_errors(api.patch(f"documents/{document['id']}", {"seconds_per_page": 0}, expect=422))) == [
        "seconds_per_page"
    ]
    assert list(field_errors(api.patch(f"documents/{document['id']}", {"pages": []}, expect=422))) == ["pages"]


def test_a_document_can_be_played_from_a_playlist(api: Api, make: Factory) -> None:
    document = _upload(api, make, policy_pdf(1))
    playlist = make.playlist(entries=[{"kind": "item", "item_id": document["id"], "duration_seconds": 10}])
    assert playlist["entries"][0]["item_id"] == document["id"]


def test_openapi_describes_the_pdf_upload(api: Api) -> None:
    spec = api.get("openapi.json")
    upload = spec["paths"]["/api/v1/documents"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert upload == {"$ref": "#/components/schemas/DocumentUpload"}
    form = spec["components"]["schemas"]["DocumentUpload"]
    assert "file" in form["required"] and form["properties"]["file"]["contentMediaType"] == "application/pdf"
    assert "page_urls" in spec["components"]["schemas"]["DocumentOut"]["properties"]


@pytest.mark.parametrize("pages", ["0", "1001", "many"])
def test_a_bad_page_cap_stops_the_server_naming_the_setting(tmp_path: Path, pages: str) -> None:
    with pytest.raises(ConfigError, match="KIOSK_DOCUMENT_MAX_PAGES"):
        load_settings({"data_dir": str(tmp_path), "document_max_pages": pages}, environ={})
