"""Media (images and videos): multipart upload, stored by checksum, served from /media/<sha256>."""

from __future__ import annotations

from pathlib import Path, PurePath
from typing import Any

from flask import current_app, request
from pydantic import ConfigDict, Field
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage

from content.errors import ValidationError
from content.library.items import Media
from kiosk_server.api._crud import Resource, check_refs, register, save_change
from kiosk_server.api._items import ITEM_REFS, ItemFields, ItemFilters, ItemOut, save_item
from kiosk_server.api._routing import Operation, parse_form, route
from kiosk_server.api._schemas import partial
from kiosk_server.database import request_session
from kiosk_server.media_store import MAX_BYTES, store
from kiosk_server.settings_access import settings


class MediaFields(ItemFields):
    duration_seconds: int | None = Field(
        None, ge=1, le=86_400, description="how long to show it; null plays a video to its end"
    )


def _with_file_part(schema: dict[str, Any]) -> None:
    schema["properties"]["file"] = {
        "type": "string",
        "contentMediaType": "application/octet-stream",
        "description": f"PNG, JPEG, GIF, WebP, MP4 or WebM, at most {MAX_BYTES} bytes",
    }
    schema["required"] = [*schema.get("required", []), "file"]


class MediaUpload(MediaFields):
    """Multipart form fields sent with ``file``."""

    model_config = ConfigDict(json_schema_extra=_with_file_part)

    # ItemFields requires a title; an upload may leave it out and get the file name instead.
    title: str | None = Field(None, max_length=200, description="defaults to the file name")  # type: ignore[assignment]


MediaUpdate = partial(MediaFields, "MediaUpdate")


class MediaOut(ItemOut):
    media_type: str = Field(description="image or video")
    mime: str
    sha256: str
    size_bytes: int
    duration_seconds: int | None
    url: str = Field(description="where displays load it from")


class MediaFilters(ItemFilters):
    media_type: str | None = None


def save_media(session: Session, media: Media | None, values: dict[str, Any]) -> Media:
    return save_item(session, Media, media, values)


MEDIA: Resource[Media] = Resource(
    path="media",
    kind="media",
    model=Media,
    out=MediaOut,
    save=save_media,
    update=MediaUpdate,
    filters=MediaFilters,
    refs=ITEM_REFS,
    computed=lambda media: {"url": f"/media/{media.sha256}"},
)
register(MEDIA)


def add_media(session: Session, form: MediaUpload, upload: FileStorage | None, media_dir: Path) -> dict[str, Any]:
    """Check the form, then the file; store the file by checksum and record the item (one commit)."""
    if upload is None or not upload.filename:
        raise ValidationError.single("file", "attach the image or video as the multipart field 'file'")
    check_refs(session, form.model_dump(), MEDIA.refs)  # before the file is written
    stored = store(upload.stream, media_dir)
    values = form.model_dump() | {
        "title": form.title or PurePath(upload.filename).stem[:200] or stored.sha256[:12],
        "sha256": stored.sha256,
        "size_bytes": stored.size_bytes,
        "media_type": stored.media_type,
        "mime": stored.mime,
    }
    return save_change(session, MEDIA, None, values)


@route(
    "/media",
    "POST",
    "media_create",
    Operation(
        "Upload an image or video (multipart/form-data)",
        "media",
        body=MediaUpload,
        body_media_type="multipart/form-data",
        response=MediaOut,
        status=201,
        errors=(413,),
    ),
)
def upload_media() -> Any:
    form = parse_form(MediaUpload, skip=frozenset({"file"}))
    media_dir = settings(current_app).data_dir / "media"
    return add_media(request_session(), form, request.files.get("file"), media_dir), 201
