"""PDFs for tests, drawn with reportlab: a readable zh-CN document, and the bad ones an upload must refuse."""

from __future__ import annotations

import io
from collections.abc import Sequence

from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

FONT = "STSong-Light"  # a CID font reportlab knows; PDFium draws it with a system CJK font
COLOURS = ((0.05, 0.32, 0.65), (0.75, 0.2, 0.15), (0.1, 0.5, 0.25), (0.5, 0.3, 0.6))


def policy_pdf(pages: int = 3, size: tuple[float, float] = landscape(A4)) -> bytes:
    """A policy leaflet: on each page a heading 第N页, a coloured band and lines of text."""
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=size)
    width, height = size
    for number in range(1, pages + 1):
        red, green, blue = COLOURS[(number - 1) % len(COLOURS)]
        pdf.setFillColorRGB(red, green, blue)
        pdf.rect(0, height - 90, width, 90, fill=1, stroke=0)
        pdf.setFillColorRGB(1, 1, 1)
        pdf.setFont(FONT, 34)
        pdf.drawString(40, height - 60, f"就业创业政策解读 第{number}页 Page {number}")
        pdf.setFillColorRGB(0.1, 0.1, 0.1)
        pdf.setFont(FONT, 20)
        for line in range(8):
            pdf.drawString(
                40, height - 140 - line * 34, f"{line + 1}. 高校毕业生到中小微企业就业，可享受社会保险补贴。"
            )
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def plain_pdf(sizes: Sequence[tuple[float, float]], *, password: str | None = None) -> bytes:
    """One near-empty page per size (points); ``password`` encrypts it with that user password."""
    out = io.BytesIO()
    pdf = canvas.Canvas(out, encrypt=password)
    for number, size in enumerate(sizes, start=1):
        pdf.setPageSize(size)
        pdf.drawString(1, 1, f"p{number}")
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def many_pages_pdf(pages: int) -> bytes:
    return plain_pdf([A4] * pages)


BROKEN_PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\nendobj\n% the rest was cut off\n"
