"""PDF documents (文档): multipart upload, rendered page by page to images served from /media/<sha256>."""

from __future__ import annotations

from pathlib import Path, PurePath
from typing import Any

from flask import current_app, request
from pydantic import ConfigDict, Field
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage

from content.errors import ValidationError
from content.library.widgets.documents import DEFAULT_SECONDS_PER_PAGE, MAX_SECONDS_PER_PAGE, Document
from kiosk_server.api._crud import Resource, check_refs, register, save_change
from kiosk_server.api._items import ITEM_REFS, ItemFields, ItemFilters, ItemOut, save_item
from kiosk_server.api._routing import Operation, parse_form, route
from kiosk_server.api._schemas import partial
from kiosk_server.database import request_session
from kiosk_server.pdf_pages import MAX_BYTES, render_and_store
from kiosk_server.settings_access import settings


class DocumentFields(ItemFields):
    seconds_per_page: int = Field(
        DEFAULT_SECONDS_PER_PAGE, ge=1, le=MAX_SECONDS_PER_PAGE, description="how long each page shows"
    )


def _with_file_part(schema: dict[str, Any]) -> None:
    schema["properties"]["file"] = {
        "type": "string",
        "contentMediaType": "application/pdf",
        "description": f"a PDF of at most {MAX_BYTES} bytes and at most KIOSK_DOCUMENT_MAX_PAGES pages (50 by default)",
    }
    schema["required"] = [*schema.get("required", []), "file"]


class DocumentUpload(DocumentFields):
    """Multipart form fields sent with ``file``."""

    model_config = ConfigDict(json_schema_extra=_with_file_part)

    # ItemFields requires a title; an upload may leave it out and get the file name instead.
    title: str | None = Field(None, max_length=200, description="defaults to the file name")  # type: ignore[assignment]


DocumentUpdate = partial(DocumentFields, "DocumentUpdate")


class DocumentOut(ItemOut):
    sha256: str = Field(description="of the uploaded PDF (not kept)")
    size_bytes: int
    page_mime: str
    page_width: int = Field(description="the first page's rendered width in pixels")
    page_height: int
    seconds_per_page: int
    page_urls: list[str] = Field(description="where displays load each page, in page order")


class DocumentFilters(ItemFilters):
    pass


def save_document(session: Session, document: Document | None, values: dict[str, Any]) -> Document:
    return save_item(session, Document, document, values)


DOCUMENTS: Resource[Document] = Resource(
    path="documents",
    kind="document",
    model=Document,
    out=DocumentOut,
    save=save_document,
    update=DocumentUpdate,
    filters=DocumentFilters,
    refs=ITEM_REFS,
    computed=lambda document: {"page_urls": [f"/media/{sha}" for sha in document.page_hashes]},
)
register(DOCUMENTS)


def add_document(
    session: Session, form: DocumentUpload, upload: FileStorage | None, media_dir: Path, max_pages: int
) -> dict[str, Any]:
    """Check the form, then render and store the PDF's pages; record the item (one commit)."""
    if upload is None or not upload.filename:
        raise ValidationError.single("file", "attach the PDF as the multipart field 'file'")
    check_refs(session, form.model_dump(), DOCUMENTS.refs)  # before anything is rendered
    rendered = render_and_store(upload.stream, media_dir, max_pages)
    values = form.model_dump() | {
        "title": form.title or PurePath(upload.filename).stem[:200] or rendered.sha256[:12],
        "sha256": rendered.sha256,
        "size_bytes": rendered.size_bytes,
        "page_hashes": list(rendered.pages),
        "page_mime": rendered.page_mime,
        "page_width": rendered.width,
        "page_height": rendered.height,
    }
    return save_change(session, DOCUMENTS, None, values)


@route(
    "/documents",
    "POST",
    "documents_create",
    Operation(
        "Upload a PDF document, shown page by page (multipart/form-data)",
        "documents",
        body=DocumentUpload,
        body_media_type="multipart/form-data",
        response=DocumentOut,
        status=201,
        errors=(413,),
    ),
)
def upload_document() -> Any:
    form = parse_form(DocumentUpload, skip=frozenset({"file"}))
    config = settings(current_app)
    return add_document(
        request_session(), form, request.files.get("file"), config.data_dir / "media", config.document_max_pages
    ), 201
