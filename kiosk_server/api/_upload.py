"""Uploaded media files: type from the first bytes (never the name), size cap, checksum, content-addressed store."""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Final

from content.errors import ValidationError

MAX_BYTES: Final = 50 * 1024 * 1024
CHUNK: Final = 1024 * 1024
ACCEPTED: Final = "PNG, JPEG, GIF, WebP, MP4 or WebM"
# ISO base media brands of ordinary MP4 video; QuickTime, HEIF and AVIF images are refused.
MP4_BRANDS: Final = frozenset({b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42",
                               b"avc1", b"dash", b"mmp4", b"M4V ", b"MSNV", b"f4v "})


@dataclass(frozen=True)
class Sniffed:
    media_type: str  # image | video
    mime: str


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size_bytes: int
    media_type: str
    mime: str


def sniff(head: bytes) -> Sniffed | None:
    """The media type told by a file's first bytes, or None if it is none we show."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Sniffed("image", "image/png")
    if head.startswith(b"\xff\xd8\xff"):
        return Sniffed("image", "image/jpeg")
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return Sniffed("image", "image/gif")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Sniffed("image", "image/webp")
    if head[4:8] == b"ftyp" and head[8:12] in MP4_BRANDS:
        return Sniffed("video", "video/mp4")
    if head.startswith(b"\x1a\x45\xdf\xa3") and b"\x42\x82\x84webm" in head[:64]:  # EBML DocType "webm"
        return Sniffed("video", "video/webm")
    return None


def _describe(head: bytes) -> str:
    if not head:
        return "the file is empty"
    if head.startswith((b"#!", b"<")) or all(32 <= b < 127 or b in b"\r\n\t" for b in head[:64]):
        return "its first bytes are text (a script or markup?)"
    return "its first bytes match no accepted format"


def store(stream: IO[bytes], media_dir: Path, field: str = "file") -> StoredFile:
    """Check and store an upload under ``media_dir/<sha256>``; ValidationError on ``field`` if refused.

    The type is checked before anything is written; the file is written to a temporary name and
    renamed into place, so a half-written or over-size upload never appears under a checksum.
    """
    head = stream.read(CHUNK)
    kind = sniff(head)
    if kind is None:
        raise ValidationError.single(field, f"not a {ACCEPTED} file: {_describe(head)}")
    media_dir.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    fd, temp_name = tempfile.mkstemp(dir=media_dir, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            chunk = head
            while chunk:
                size += len(chunk)
                if size > MAX_BYTES:
                    raise ValidationError.single(field, f"larger than the {MAX_BYTES // (1024 * 1024)} MB limit")
                digest.update(chunk)
                out.write(chunk)
                chunk = stream.read(CHUNK)
        target = media_dir / digest.hexdigest()
        if target.exists():
            os.unlink(temp_name)  # same bytes already stored
        else:
            os.replace(temp_name, target)
    except BaseException:
        if os.path.exists(temp_name):
            os.unlink(temp_name)
        raise
    return StoredFile(digest.hexdigest(), size, kind.media_type, kind.mime)
