"""The 参保证明 as an A4 PDF (reportlab), the QR codes it and the kiosk screen carry, and the facts' zh-CN wording.

The PDF is drawn once, at issue, from a certificate's ``facts`` (content/citizens/certificates.py) and
the person's full name and ID number opened from their session (the paper is their own document;
screens stay masked), with the hall's 电子印章 drawn over its name. It is then signed
(kiosk_server/certificate_signing.py). Chinese text uses the PDF viewer's built-in CID font
``STSong-Light`` (Adobe-GB1), so no font file is embedded.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Final
from xml.sax.saxutils import escape

import segno
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import HRFlowable

from content.citizens.sealed import FullIdentity

FONT: Final = "STSong-Light"
LATIN_FONT: Final = "Helvetica"  # one of the PDF standard 14, never embedded either
CODE_FONT: Final = "Courier"  # a code someone may type: l, I and 1 must not look alike
TITLE: Final = "社会保险参保证明"
QR_CAPTION: Final = "扫码核验"
QR_SIZE: Final = 34 * mm
_INK: Final = colors.HexColor("#1f2933")
_RULE: Final = colors.HexColor("#52606d")
_HEAD: Final = colors.HexColor("#e4e7eb")
_MUTED: Final = colors.HexColor("#52606d")
_NONE: Final = "—"
_FRAME_PADDING: Final = 6  # reportlab's Frame pads each side by 6 pt; tables must fit inside that
SEAL_SIZE: Final = 40 * mm  # a round official seal is 38–42 mm across
NO_SEAL: Final = "本证明未加盖印章。"
SIGNED_NOTE: Final = "本证明已加盖电子签名，可在PDF阅读器的签名面板中核验；"
UNSIGNED_NOTE: Final = "本证明未经数字签名；"
MASKED_ID_NOTE: Final = "电子社保卡查询的证明仅显示部分证件号码；"


@lru_cache(maxsize=1)
def _font() -> str:
    """Register the CID font once per process (reportlab keeps registrations globally)."""
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


# -- wording shared by the PDF and the verify page ------------------------------------------------------------------


def zh_date(iso: str | None) -> str:
    """``2015-07-01`` → ``2015年7月1日``; missing → ``—``."""
    if not iso:
        return _NONE
    day = date.fromisoformat(iso)
    return f"{day.year}年{day.month}月{day.day}日"


def zh_month(month: str | None) -> str:
    """``2024-03`` → ``2024年3月``; missing → ``—``."""
    if not month:
        return _NONE
    year, number = month.split("-")
    return f"{int(year)}年{int(number)}月"


def zh_datetime(iso: str) -> str:
    """An ISO instant with its offset (the hall's local time) → ``2026年11月22日 10:05``."""
    moment = datetime.fromisoformat(iso)
    return f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M}"


def contribution_summary(facts: dict[str, Any]) -> str:
    """近36个月（2023年11月至2026年10月）缴费 30 个月."""
    paid = facts["contributions"]
    span = ""
    if paid.get("first_month") and paid.get("last_month"):
        span = f"（{zh_month(paid['first_month'])}至{zh_month(paid['last_month'])}）"
    retired = paid.get("retired_from")
    since = f"；自{zh_month(retired)}起已退休，不再缴费" if retired else ""
    return f"近{paid['total_months']}个月{span}缴费 {paid['paid_months']} 个月{since}"


def gap_lines(facts: dict[str, Any]) -> list[str]:
    """One line per run of unpaid months (``2024年3月至2024年5月，共3个月``); a single month stands alone."""
    lines = []
    for gap in facts["contributions"]["gaps"]:
        span = (
            zh_month(gap["first"])
            if gap["first"] == gap["last"]
            else (f"{zh_month(gap['first'])}至{zh_month(gap['last'])}")
        )
        lines.append(f"{span}，共{gap['months']}个月")
    return lines


# -- QR codes ---------------------------------------------------------------------------------------------------------


def qr_drawing(url: str, size: float = QR_SIZE) -> Drawing:
    """A ``size``-square reportlab drawing of a QR code holding ``url`` (error correction M)."""
    widget = QrCodeWidget(url, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), -x0, -y0])
    drawing.add(widget)
    return drawing


def qr_svg(url: str) -> str:
    """An inline SVG QR code of ``url`` for the kiosk screen: no XML declaration, sized by its viewBox."""
    return str(segno.make(url, error="m").svg_inline(omitsize=True, light="#fff", dark="#000"))


# -- the document -----------------------------------------------------------------------------------------------------


def _styles() -> dict[str, ParagraphStyle]:
    font = _font()
    base = ParagraphStyle("body", fontName=font, fontSize=11.5, leading=18, textColor=_INK, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=24, leading=32, alignment=TA_CENTER, spaceAfter=2),
        "code": ParagraphStyle("code", parent=base, fontSize=9.5, leading=13, alignment=TA_CENTER, textColor=_MUTED),
        "body": base,
        "cell": ParagraphStyle("cell", parent=base, fontSize=11, leading=15),
        "head": ParagraphStyle("head", parent=base, fontSize=11, leading=15, alignment=TA_CENTER),
        "section": ParagraphStyle("section", parent=base, fontSize=13, leading=20, spaceBefore=8, spaceAfter=4),
        "small": ParagraphStyle("small", parent=base, fontSize=9, leading=13, textColor=_MUTED),
        "caption": ParagraphStyle("caption", parent=base, fontSize=10, leading=13, alignment=TA_CENTER),
        "item": ParagraphStyle("item", parent=base, leftIndent=12),
    }


def _p(text: str, style: ParagraphStyle, latin: str = "", latin_font: str = LATIN_FONT) -> Paragraph:
    """A paragraph of ``text`` followed by ``latin`` in a Latin font (codes, URLs, masked numbers).

    STSong-Light's Latin glyphs are spaced for CJK text, which makes a code hard to read or type.
    """
    tail = f'<font name="{latin_font}">{escape(latin)}</font>' if latin else ""
    return Paragraph(escape(text) + tail, style)


def _grid(rows: list[list[Any]], widths: list[float], header: bool) -> Table:
    table = Table(rows, colWidths=widths, hAlign="LEFT")
    commands: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.6, _RULE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
        ("LEFTPADDING", (0, 0), (-1, -1), 6),
        ("RIGHTPADDING", (0, 0), (-1, -1), 6),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), _HEAD))
    else:
        commands.append(("BACKGROUND", (0, 0), (0, -1), _HEAD))
        commands.append(("BACKGROUND", (2, 0), (2, -1), _HEAD))
    table.setStyle(TableStyle(commands))
    return table


def printed_identity(facts: dict[str, Any], identity: FullIdentity | None) -> tuple[str, str]:
    """The name and ID number the paper carries: the full ones when the session gave them, else masked."""
    citizen = facts["citizen"]
    name = identity.name if identity is not None and identity.name else citizen["masked_name"]
    id_number = identity.id_number if identity is not None and identity.id_number else citizen["masked_id"]
    return name, id_number


def _identity(
    facts: dict[str, Any], identity: FullIdentity | None, s: dict[str, ParagraphStyle], width: float
) -> list[Flowable]:
    name, id_number = printed_identity(facts, identity)
    return [
        _p("经查询社会保险信息系统，兹证明下列人员的社会保险参保情况如下：", s["body"]),
        Spacer(1, 3 * mm),
        _grid(
            [
                [
                    _p("姓名", s["head"]),
                    _p(name, s["cell"]),
                    _p("公民身份号码", s["head"]),
                    _p("", s["cell"], id_number),
                ]
            ],
            [0.16 * width, 0.24 * width, 0.2 * width, 0.4 * width],
            header=False,
        ),
    ]


def _enrollments(facts: dict[str, Any], s: dict[str, ParagraphStyle], width: float) -> list[Flowable]:
    rows = [[_p(h, s["head"]) for h in ("险种", "参保状态", "参保起始", "参保地")]]
    rows += [
        [
            _p(e["label"], s["cell"]),
            _p(e["state_label"], s["cell"]),
            _p(zh_date(e["since"]), s["cell"]),
            _p(e["place"] or _NONE, s["cell"]),
        ]
        for e in facts["enrollments"]
    ]
    return [
        _p("一、参保情况", s["section"]),
        _grid(rows, [0.2 * width, 0.2 * width, 0.24 * width, 0.36 * width], header=True),
    ]


def _contributions(facts: dict[str, Any], s: dict[str, ParagraphStyle]) -> list[Flowable]:
    story: list[Flowable] = [_p("二、缴费情况", s["section"]), _p(f"{contribution_summary(facts)}。", s["body"])]
    gaps = gap_lines(facts)
    if gaps:
        story.append(_p("其中未缴费月份：", s["body"]))
        story.extend(_p(f"（{n}）{line}", s["item"]) for n, line in enumerate(gaps, start=1))
    else:
        story.append(_p("期间无中断缴费。", s["body"]))
    story.append(_p(f"以上信息截至{zh_date(facts['as_of'])}。", s["body"]))
    return story


class SealStamp(Flowable):
    """The seal image drawn over the line above it (the hall's name), taking no room of its own."""

    def __init__(self, png: bytes, center_x: float, size: float = SEAL_SIZE) -> None:
        super().__init__()
        self._image = ImageReader(io.BytesIO(png))
        self._center_x = center_x
        self._size = size

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:  # noqa: ARG002
        return 0, 0

    def draw(self) -> None:
        width, height = self._image.getSize()
        scale = self._size / max(width, height)
        w, h = width * scale, height * scale
        # Centred on the text line just above (its baseline sits ~4 pt over this flowable).
        self.canv.drawImage(self._image, self._center_x - w / 2, 7 - h / 2, w, h, mask="auto")


def _issue_block(
    facts: dict[str, Any], verify_url: str, s: dict[str, ParagraphStyle], width: float, seal_png: bytes | None
) -> Table:
    """Issue time and hall (under its seal) on the left, the verify QR with 扫码核验 under it on the right."""
    qr = Table([[qr_drawing(verify_url)], [_p(QR_CAPTION, s["caption"])]], colWidths=[QR_SIZE + 4 * mm])
    qr.setStyle(
        TableStyle(
            [
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    body = s["body"]
    prefix = "出具机构："
    # The seal sits over the hall's name and the date, as on paper; the verify address starts below its edge.
    issued: list[Flowable] = [_p(f"{prefix}{facts['hall_name']}（自助终端）", body)]
    if seal_png is not None:
        name_width = pdfmetrics.stringWidth(facts["hall_name"], _font(), body.fontSize)
        left = pdfmetrics.stringWidth(prefix, _font(), body.fontSize)
        issued.append(SealStamp(seal_png, left + min(name_width, width - QR_SIZE - 10 * mm - left) / 2))
    issued += [
        _p(f"出具时间：{zh_datetime(facts['issued_at'])}", body),
        Spacer(1, SEAL_SIZE / 2 - 9 * mm if seal_png is not None else 2 * mm),
        _p("扫描右侧二维码或访问以下地址，可核验本证明的真实性：", s["small"]),
        _p("", s["small"], verify_url),
    ]
    block = Table([[issued, qr]], colWidths=[width - QR_SIZE - 10 * mm, QR_SIZE + 10 * mm])
    block.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (1, 0), (1, 0), "RIGHT"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return block


def footnote(facts: dict[str, Any], identity: FullIdentity | None, *, sealed: bool, signed: bool) -> str:
    """The 说明 line: who issued it, whether the ID is masked, seal and signature, where to verify."""
    _name, id_number = printed_identity(facts, identity)
    masked = MASKED_ID_NOTE if id_number == facts["citizen"]["masked_id"] else ""
    seal = "" if sealed else NO_SEAL.removesuffix("。") + "；"
    signature = SIGNED_NOTE if signed else UNSIGNED_NOTE
    return (
        f"说明：本证明由自助终端出具，仅供本人使用；{masked}{seal}{signature}"
        "核验页面仅显示脱敏信息，证明内容以扫码核验页面显示为准。"
    )


def _story(
    facts: dict[str, Any],
    code: str,
    verify_url: str,
    width: float,
    identity: FullIdentity | None,
    seal_png: bytes | None,
    signed: bool,
) -> list[Flowable]:
    s = _styles()
    return [
        _p(TITLE, s["title"]),
        _p("证明编号：", s["code"], code, CODE_FONT),
        Spacer(1, 5 * mm),
        *_identity(facts, identity, s, width),
        *_enrollments(facts, s, width),
        *_contributions(facts, s),
        Spacer(1, 8 * mm),
        _issue_block(facts, verify_url, s, width, seal_png),
        Spacer(1, 6 * mm),
        HRFlowable(width="100%", thickness=0.5, color=_RULE, spaceAfter=3),
        _p(footnote(facts, identity, sealed=seal_png is not None, signed=signed), s["small"]),
    ]


def render_certificate_pdf(
    facts: dict[str, Any],
    code: str,
    verify_url: str,
    *,
    identity: FullIdentity | None = None,
    seal_png: bytes | None = None,
    signed: bool = False,
) -> bytes:
    """The certificate as an A4 portrait PDF: the person's name and ID number (full when ``identity`` has them),
    the five insurances, paid months, a verify QR and the hall's seal. ``signed`` only words the note: the
    signature itself is added afterwards (certificate_signing.sign_pdf)."""
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=22 * mm,
        rightMargin=22 * mm,
        topMargin=22 * mm,
        bottomMargin=18 * mm,
        title=TITLE,
        subject=TITLE,
        author=facts.get("hall_name", ""),
        creator="kiosk_server",
        lang="zh-CN",
    )
    doc.build(_story(facts, code, verify_url, doc.width - 2 * _FRAME_PADDING, identity, seal_png, signed))
    return buffer.getvalue()
