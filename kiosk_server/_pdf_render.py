"""Child process of ``kiosk_server.pdf_pages``: render a PDF's pages to image files, within limits.

Run as a script (``python -I _pdf_render.py PDF OUT_DIR MAX_PAGES LONGEST_PX MEMORY_BYTES CPU_SECONDS``),
never imported by the server: PDFium is a large C library parsing untrusted input, so it runs here
with an address-space and CPU-time limit set before it is loaded; a PDF that exhausts either kills
this process, not the server. It prints one JSON object on stdout: ``{"pages": [...], "total": N}``
on success, ``{"error": reason, ...}`` when the PDF is refused.
"""

from __future__ import annotations

import json
import resource
import sys
from pathlib import Path

# Output format: lossless WebP. Text pages keep every glyph edge (no JPEG ringing) and come out
# far smaller than PNG (the measurements: docs/console.md, "Pages", the 文档 row).
FORMAT = "WEBP"
SUFFIX = ".webp"
MAX_ASPECT = 20.0  # a page longer than 20 times its width (or the reverse) is no page to show on a wall


def _answer(payload: dict[str, object], code: int = 0) -> None:
    sys.stdout.write(json.dumps(payload))
    sys.stdout.flush()
    sys.exit(code)


def main(argv: list[str]) -> None:
    pdf, out_dir, max_pages, longest, memory, cpu = argv
    resource.setrlimit(resource.RLIMIT_AS, (int(memory), int(memory)))
    resource.setrlimit(resource.RLIMIT_CPU, (int(cpu), int(cpu)))
    import pypdfium2 as pdfium  # type: ignore[import-untyped]  # after the limits: its allocations count

    try:
        document = pdfium.PdfDocument(pdf)
    except pdfium.PdfiumError as err:
        reason = "encrypted" if "password" in str(err).lower() else "broken"
        _answer({"error": reason, "detail": str(err)}, 2)
    total = len(document)
    if total == 0:
        _answer({"error": "empty"}, 2)
    if total > int(max_pages):
        _answer({"error": "pages", "total": total, "limit": int(max_pages)}, 2)
    names = []
    for index in range(total):
        page = document[index]
        width, height = page.get_size()  # points, rotation applied
        if not (width > 0 and height > 0) or max(width, height) / min(width, height) > MAX_ASPECT:
            _answer({"error": "page_size", "page": index + 1, "width": width, "height": height}, 2)
        scale = int(longest) / max(width, height)  # fit the longest side, whatever the page's size in points
        image = page.render(scale=scale, may_draw_forms=True).to_pil().convert("RGB")
        name = f"page-{index + 1:04d}{SUFFIX}"
        image.save(Path(out_dir) / name, FORMAT, lossless=True, method=4)
        names.append({"name": name, "width": image.width, "height": image.height})
        page.close()
    _answer({"pages": names, "total": total})


if __name__ == "__main__":
    main(sys.argv[1:])
