"""Stored media files: type from the first bytes (never the name), size cap, full image decode, checksum,
a content-addressed store under the data directory, and thumbnails next to the files.

The REST API (``kiosk_server/api/media.py``) and the console's media library both upload through
``store``, so one policy decides what a screen may ever be asked to show.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Final

from content.errors import ValidationError

MAX_BYTES: Final = 50 * 1024 * 1024  # read at call time, so tests may lower it
CHUNK: Final = 1024 * 1024
ACCEPTED: Final = "PNG, JPEG, GIF, WebP, MP4 or WebM"
# ISO base media brands of ordinary MP4 video; QuickTime, HEIF and AVIF images are refused.
MP4_BRANDS: Final = frozenset(
    {
        b"isom",
        b"iso2",
        b"iso3",
        b"iso4",
        b"iso5",
        b"iso6",
        b"mp41",
        b"mp42",
        b"avc1",
        b"dash",
        b"mmp4",
        b"M4V ",
        b"MSNV",
        b"f4v ",
    }
)
# Above this many pixels an image is refused before it is decoded (a small file can inflate to gigabytes).
MAX_PIXELS: Final = 40_000_000
THUMB_PX: Final = 320
_PILLOW_FORMAT: Final = {"image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF", "image/webp": "WEBP"}


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
    existed: bool = False  # the same bytes were already stored: this upload reuses that file


class MediaRefused(ValidationError):
    """An upload we will not store; ``reason`` (empty, text, unknown, size, broken, pixels) lets pages say why.

    The message (English, for the API) names what to fix; ``limit`` is the cap in MB for "size".
    """

    def __init__(self, field: str, reason: str, message: str, limit: int = 0) -> None:
        super().__init__({field: message})
        self.field, self.reason, self.limit = field, reason, limit


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


def _refuse_type(field: str, head: bytes) -> MediaRefused:
    if not head:
        reason, what = "empty", "the file is empty"
    elif head.startswith((b"#!", b"<")) or all(32 <= b < 127 or b in b"\r\n\t" for b in head[:64]):
        reason, what = "text", "its first bytes are text (a script or markup?)"
    else:
        reason, what = "unknown", "its first bytes match no accepted format"
    return MediaRefused(field, reason, f"not a {ACCEPTED} file: {what}")


def _png_end(path: Path) -> int:
    """Where a PNG's IEND chunk ends (bytes after it are no part of the image), or -1 if it has none."""
    with open(path, "rb") as f:
        f.seek(8)
        while len(header := f.read(8)) == 8:
            length = int.from_bytes(header[:4], "big")
            f.seek(length + 4, os.SEEK_CUR)  # data and CRC
            if header[4:] == b"IEND":
                return f.tell()
    return -1


def check_image(path: Path, mime: str, field: str = "file") -> None:
    """Decode the image at ``path`` completely as the format its bytes claim; MediaRefused if it is not one.

    A script or page behind an image's first bytes fails here: ``verify`` checks the structure
    (and PNG checksums), a second open then decodes every pixel. A PNG must also end at its IEND.
    """
    from PIL import Image

    try:
        with Image.open(path, formats=[_PILLOW_FORMAT[mime]]) as image:
            if image.width * image.height > MAX_PIXELS:
                raise MediaRefused(
                    field,
                    "pixels",
                    f"{image.width}×{image.height} pixels: more than {MAX_PIXELS // 1_000_000} megapixels",
                )
            image.verify()
        with Image.open(path, formats=[_PILLOW_FORMAT[mime]]) as image:
            image.load()
    except MediaRefused:
        raise
    except Exception as err:  # Pillow's decoders fail on malformed data with many exception types
        raise MediaRefused(field, "broken", f"not a complete {mime} image ({err})") from err
    if mime == "image/png" and _png_end(path) != path.stat().st_size:
        raise MediaRefused(field, "broken", "the PNG image has bytes after its end (IEND)")


def store(stream: IO[bytes], media_dir: Path, field: str = "file") -> StoredFile:
    """Check and store an upload under ``media_dir/<sha256>``; MediaRefused on ``field`` if refused.

    The type is checked before anything is written; the file is written to a temporary name,
    decoded in full if it is an image, and only then renamed into place, so a refused, half-written
    or over-size upload never appears under a checksum.
    """
    head = stream.read(CHUNK)
    kind = sniff(head)
    if kind is None:
        raise _refuse_type(field, head)
    media_dir.mkdir(parents=True, exist_ok=True)
    digest, size, limit = hashlib.sha256(), 0, MAX_BYTES
    fd, temp_name = tempfile.mkstemp(dir=media_dir, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            chunk = head
            while chunk:
                size += len(chunk)
                if size > limit:
                    megabytes = max(1, limit // (1024 * 1024))
                    raise MediaRefused(field, "size", f"larger than the {megabytes} MB limit", megabytes)
                digest.update(chunk)
                out.write(chunk)
                chunk = stream.read(CHUNK)
        if kind.media_type == "image":
            check_image(Path(temp_name), kind.mime, field)
        target = media_dir / digest.hexdigest()
        existed = target.exists()
        if existed:
            os.unlink(temp_name)  # same bytes already stored
        else:
            os.replace(temp_name, target)
    except BaseException:
        if os.path.exists(temp_name):
            os.unlink(temp_name)
        raise
    return StoredFile(digest.hexdigest(), size, kind.media_type, kind.mime, existed)


def thumbnail_name(sha256: str) -> str:
    return f"{sha256}.thumb.webp"


def make_thumbnail(media_dir: Path, sha256: str) -> Path:
    """The stored image ``sha256`` shrunk to fit THUMB_PX square, upright (EXIF), as WebP beside it; made once."""
    from PIL import Image, ImageOps

    target = media_dir / thumbnail_name(sha256)
    if target.exists():
        return target
    with Image.open(media_dir / sha256) as image:
        upright = ImageOps.exif_transpose(image)
        small = upright.convert("RGBA" if upright.mode in ("RGBA", "LA", "PA", "P") else "RGB")
        small.thumbnail((THUMB_PX, THUMB_PX))
        fd, temp_name = tempfile.mkstemp(dir=media_dir, prefix=".thumb-")
        try:
            with os.fdopen(fd, "wb") as out:
                small.save(out, "WEBP", quality=80)
            os.replace(temp_name, target)
        except BaseException:
            if os.path.exists(temp_name):
                os.unlink(temp_name)
            raise
    return target
