"""PDF documents' pages rendered to images on upload and stored by checksum beside the media.

The PDF is written to a private temporary directory (size capped), and a child process
(``kiosk_server/_pdf_render.py``) renders every page to lossless WebP fitting LONGEST_PX, under an
address-space limit, a CPU-time limit and a wall-clock timeout, so a malicious PDF can neither hang
nor exhaust the server. Pages are stored only when every page rendered (all or nothing), under
``media_dir/<sha256>`` like uploaded images, each with its thumbnail; the PDF itself is not kept,
and the temporary directory is always removed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Final

from kiosk_server import media_store
from kiosk_server.media_store import MediaRefused

MAX_BYTES: Final = 50 * 1024 * 1024  # read at call time, so tests may lower it
LONGEST_PX: Final = 1920  # a page fits a 1920×1080 wall region's longest side
PAGE_MIME: Final = "image/webp"
TIMEOUT_SECONDS: Final = 60.0  # the whole render, wall clock
CPU_SECONDS: Final = 60
MEMORY_BYTES: Final = 1024 * 1024 * 1024  # address space of the child, PDFium's allocations included
_CHILD: Final = Path(__file__).with_name("_pdf_render.py")


class DocumentRefused(MediaRefused):
    """A PDF we will not show; ``reason`` starts with ``pdf_``; ``details`` holds the numbers pages say.

    ``details``: ``total`` and ``limit`` (pdf_pages), ``page`` (pdf_page_size).
    """

    def __init__(self, field: str, reason: str, message: str, **details: int) -> None:
        super().__init__(field, reason, message, details.get("limit", 0))
        self.details = details


@dataclass(frozen=True)
class RenderedDocument:
    sha256: str  # of the PDF
    size_bytes: int
    pages: tuple[str, ...]  # the page images' SHA-256, in page order
    page_mime: str
    width: int  # of the first page, in pixels
    height: int


def _refusal(field: str, answer: dict[str, Any]) -> DocumentRefused:
    reason = str(answer.get("error", "broken"))
    if reason == "pages":
        total, limit = int(answer["total"]), int(answer["limit"])
        message = f"PDF 有 {total} 页，最多 {limit} 页 (the PDF has {total} pages; at most {limit})"
        return DocumentRefused(field, "pdf_pages", message, total=total, limit=limit)
    if reason == "encrypted":
        return DocumentRefused(field, "pdf_encrypted", "the PDF is protected by a password: upload it without one")
    if reason == "empty":
        return DocumentRefused(field, "pdf_empty", "the PDF has no pages")
    if reason == "page_size":
        page = int(answer.get("page", 0))
        size = f"{answer.get('width')}×{answer.get('height')} points"
        return DocumentRefused(field, "pdf_page_size", f"page {page} is {size}: no page to show", page=page)
    return DocumentRefused(field, "pdf_broken", f"not a readable PDF ({answer.get('detail', 'the renderer failed')})")


def _render(pdf: Path, out: Path, max_pages: int, field: str) -> list[dict[str, Any]]:
    command = [sys.executable, "-I", str(_CHILD), str(pdf), str(out), str(max_pages), str(LONGEST_PX)]
    command += [str(MEMORY_BYTES), str(CPU_SECONDS)]
    try:
        done = subprocess.run(command, capture_output=True, timeout=TIMEOUT_SECONDS, check=False, cwd=out)
    except subprocess.TimeoutExpired as err:
        raise DocumentRefused(
            field, "pdf_time", f"rendering the PDF took longer than {TIMEOUT_SECONDS:g} seconds"
        ) from err
    try:
        answer = json.loads(done.stdout.decode("utf-8") or "null")
    except ValueError:
        answer = None
    if not isinstance(answer, dict):  # killed by a limit, or crashed inside PDFium
        raise DocumentRefused(field, "pdf_limits", "rendering the PDF exceeded the memory or time limit, or crashed")
    if "error" in answer or done.returncode != 0:
        raise _refusal(field, answer)
    pages = answer.get("pages")
    if not isinstance(pages, list) or not pages:
        raise DocumentRefused(field, "pdf_empty", "the PDF has no pages")
    return pages


def _store_pages(names: list[Path], media_dir: Path) -> list[str]:
    """Move every rendered page under its checksum; if one move fails, take back the ones this call added."""
    digests = [hashlib.sha256(path.read_bytes()).hexdigest() for path in names]
    added: list[Path] = []
    try:
        for path, digest in zip(names, digests, strict=True):
            target = media_dir / digest
            if not target.exists():
                os.replace(path, target)
                added.append(target)
            media_store.make_thumbnail(media_dir, digest)
    except BaseException:
        for target in added:
            target.unlink(missing_ok=True)
            (media_dir / media_store.thumbnail_name(target.name)).unlink(missing_ok=True)
        raise
    return digests


def render_and_store(stream: IO[bytes], media_dir: Path, max_pages: int, field: str = "file") -> RenderedDocument:
    """Render the PDF in ``stream`` page by page and store the pages; MediaRefused on ``field`` if refused."""
    head = stream.read(media_store.CHUNK)
    if not head.lstrip(b"\x00\t\n\r ").startswith(b"%PDF-"):
        raise DocumentRefused(field, "pdf_type", "not a PDF file: it does not start with %PDF-")
    media_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=media_dir, prefix=".pdf-"))
    try:
        pdf = work / "upload.pdf"
        digest, size, limit = hashlib.sha256(), 0, MAX_BYTES
        with open(pdf, "wb") as out:
            chunk = head
            while chunk:
                size += len(chunk)
                if size > limit:
                    megabytes = max(1, limit // (1024 * 1024))
                    raise MediaRefused(field, "size", f"larger than the {megabytes} MB limit", megabytes)
                digest.update(chunk)
                out.write(chunk)
                chunk = stream.read(media_store.CHUNK)
        pages_dir = work / "pages"
        pages_dir.mkdir()
        pages = _render(pdf, pages_dir, max_pages, field)
        files = [pages_dir / Path(str(page["name"])).name for page in pages]
        stored = _store_pages(files, media_dir)
        return RenderedDocument(
            digest.hexdigest(), size, tuple(stored), PAGE_MIME, int(pages[0]["width"]), int(pages[0]["height"])
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
