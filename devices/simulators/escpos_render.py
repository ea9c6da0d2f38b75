"""Draw recorded ESC/POS bytes as the slip a thermal printer would print, to look at in tests and docs.

It knows the commands our slips use and nothing more, and refuses anything else with its byte offset,
so a slip that would print garbage on a real printer fails its test instead of looking fine:

``ESC @`` reset, ``ESC a n`` alignment, ``ESC E n`` bold, ``ESC ! n`` print mode (bold, double height
and width), ``GS ! n`` character size (1-8× width and height), ``FS &`` / ``FS .`` Chinese mode on and
off (text in GB18030; outside it ASCII only), ``LF`` print the line, ``ESC d n`` print and feed n
lines, ``GS ( k`` QR code (model 2, module size, error level, store, print; drawn with segno), ``GS V``
cut (a dashed line). Characters are 12 × 24 dots (Chinese 24 × 24) as in the common font A, drawn
with Noto Sans CJK; the paper is 576 dots wide at 80 mm and 384 at 58 mm (203 dpi).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Final

import segno
from PIL import Image, ImageDraw, ImageFont

FONT_PATH: Final = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
DOTS: Final = {80: 576, 58: 384}
MARGIN: Final = 24  # white paper beside the printable width
CELL_HEIGHT: Final = 24
LINE_GAP: Final = 6  # the default line spacing is 30 dots for 24-dot characters
_QR_LEVELS: Final = {48: "l", 49: "m", 50: "q", 51: "h"}
_ESC, _FS, _GS, _LF = 0x1B, 0x1C, 0x1D, 0x0A


class RenderError(ValueError):
    """The bytes hold something the renderer (and so our slips) does not use."""

    def __init__(self, offset: int, command: str, problem: str) -> None:
        super().__init__(f"offset {offset}: {command}: {problem}")
        self.offset = offset
        self.command = command


@dataclass(frozen=True)
class _Style:
    bold: bool = False
    width: int = 1  # multipliers
    height: int = 1


@dataclass(frozen=True)
class _Glyph:
    char: str
    style: _Style

    @property
    def size(self) -> tuple[int, int]:
        cell = 12 if ord(self.char) < 0x80 else 24
        return cell * self.style.width, CELL_HEIGHT * self.style.height


@lru_cache(maxsize=4096)
def _draw_glyph(glyph: _Glyph) -> Image.Image:
    base_width = 12 if ord(glyph.char) < 0x80 else 24
    cell = Image.new("L", (base_width, CELL_HEIGHT), 255)
    font = ImageFont.truetype(FONT_PATH, 22)
    draw = ImageDraw.Draw(cell)
    centre = (base_width / 2, CELL_HEIGHT / 2)
    draw.text(centre, glyph.char, font=font, fill=0, anchor="mm")
    if glyph.style.bold:  # emphasis is a second strike one dot to the right, as the print head does
        draw.text((centre[0] + 1, centre[1]), glyph.char, font=font, fill=0, anchor="mm")
    return cell.resize(glyph.size, Image.Resampling.NEAREST)


class _Paper:
    """The printed blocks, top to bottom."""

    def __init__(self, dots: int) -> None:
        self.dots = dots
        self.blocks: list[tuple[Image.Image, int]] = []  # image, alignment (0 left, 1 centre, 2 right)

    def add(self, image: Image.Image, align: int) -> None:
        self.blocks.append((image, align))

    def feed(self, dots: int) -> None:
        self.blocks.append((Image.new("L", (1, dots), 255), 0))

    def cut(self) -> None:
        line = Image.new("L", (self.dots + 2 * MARGIN, 17), 255)
        draw = ImageDraw.Draw(line)
        for x in range(0, line.width, 16):
            draw.line((x, 8, x + 8, 8), fill=0, width=2)
        self.blocks.append((line, -1))

    def image(self) -> Image.Image:
        height = sum(block.height for block, _ in self.blocks) + 2 * MARGIN
        out = Image.new("L", (self.dots + 2 * MARGIN, height), 255)
        y = MARGIN
        for block, align in self.blocks:
            if align < 0:
                out.paste(block, (0, y))
            else:
                x = MARGIN + (self.dots - block.width) * align // 2
                out.paste(block, (max(MARGIN, x), y))
            y += block.height
        return out


class _Renderer:
    def __init__(self, data: bytes, dots: int) -> None:
        self.data = data
        self.paper = _Paper(dots)
        self.pos = 0
        self.command_start = 0  # where the command being read began, for errors
        self._reset()

    def _reset(self) -> None:
        self.style = _Style()
        self.align = 0
        self.chinese = False
        self.line: list[_Glyph] = []
        self.qr_data = b""
        self.qr_module = 3
        self.qr_level = "l"

    # reading -----------------------------------------------------------------------------------

    def _take(self, count: int, command: str) -> bytes:
        if self.pos + count > len(self.data):
            short = self.pos + count - len(self.data)
            raise RenderError(self.command_start, command, f"the data ends {short} byte(s) early")
        chunk = self.data[self.pos : self.pos + count]
        self.pos += count
        return chunk

    def run(self) -> Image.Image:
        while self.pos < len(self.data):
            start = self.command_start = self.pos
            byte = self.data[self.pos]
            if byte == _ESC:
                self.pos += 1
                self._esc(start)
            elif byte == _GS:
                self.pos += 1
                self._gs(start)
            elif byte == _FS:
                self.pos += 1
                self._fs(start)
            elif byte == _LF:
                self.pos += 1
                self._print_line()
            elif byte < 0x20 or byte == 0x7F:
                raise RenderError(start, f"0x{byte:02x}", "a control byte the renderer does not know")
            else:
                self._text(start)
        if self.line:
            self._print_line()
        return self.paper.image()

    def _esc(self, start: int) -> None:
        code = self._take(1, "ESC")[0]
        name = f"ESC {chr(code) if 0x20 < code < 0x7F else f'0x{code:02x}'}"
        if code == ord("@"):
            self._reset()
        elif code == ord("a"):
            n = self._take(1, name)[0]
            if n not in (0, 1, 2, 48, 49, 50):
                raise RenderError(start, name, f"alignment {n} is not 0, 1 or 2")
            self.align = n % 48
        elif code == ord("E"):
            self.style = replace(self.style, bold=bool(self._take(1, name)[0] & 1))
        elif code == ord("!"):
            n = self._take(1, name)[0]
            if n & 0x81:
                raise RenderError(start, name, f"mode 0x{n:02x}: font B and underline are not drawn")
            self.style = _Style(bool(n & 0x08), 2 if n & 0x20 else 1, 2 if n & 0x10 else 1)
        elif code == ord("d"):
            n = self._take(1, name)[0]
            self._print_line()
            self.paper.feed(max(0, n - 1) * (CELL_HEIGHT + LINE_GAP))
        else:
            raise RenderError(start, name, "not a command the renderer knows")

    def _gs(self, start: int) -> None:
        code = self._take(1, "GS")[0]
        name = f"GS {chr(code) if 0x20 < code < 0x7F else f'0x{code:02x}'}"
        if code == ord("!"):
            n = self._take(1, name)[0]
            width, height = (n >> 4) + 1, (n & 0x0F) + 1
            if n & 0x88:
                raise RenderError(start, name, f"size 0x{n:02x}: at most 8 times")
            self.style = replace(self.style, width=width, height=height)
        elif code == ord("V"):
            m = self._take(1, name)[0]
            if m in (65, 66):
                feed = self._take(1, name)[0]
                self._print_line()
                self.paper.feed(feed)
            elif m not in (0, 1, 48, 49):
                raise RenderError(start, name, f"cut mode {m} is not 0, 1, 48, 49, 65 or 66")
            else:
                self._print_line()
            self.paper.cut()
        elif code == ord("("):
            self._gs_paren(start)
        else:
            raise RenderError(start, name, "not a command the renderer knows")

    def _gs_paren(self, start: int) -> None:
        kind = chr(self._take(1, "GS (")[0])
        name = f"GS ( {kind}"
        if kind != "k":
            raise RenderError(start, name, "only GS ( k (2D codes) is known")
        low, high = self._take(2, name)
        size = low | high << 8
        if size < 2:
            raise RenderError(start, name, f"parameter length {size} is shorter than cn fn")
        body = self._take(size, name)
        cn, fn, params = body[0], body[1], body[2:]
        if cn != 49:
            raise RenderError(start, name, f"symbol cn={cn} is not 49 (QR code)")
        if fn == 65:  # model: n1 = 49 model 1, 50 model 2
            if params[:1] != b"2":
                raise RenderError(start, name, "QR model other than 2")
        elif fn == 67:
            if len(params) != 1 or not 1 <= params[0] <= 16:
                raise RenderError(start, name, "module size must be one byte, 1 to 16")
            self.qr_module = params[0]
        elif fn == 69:
            if len(params) != 1 or params[0] not in _QR_LEVELS:
                raise RenderError(start, name, "error correction must be 48-51")
            self.qr_level = _QR_LEVELS[params[0]]
        elif fn == 80:
            if params[:1] != b"0" or len(params) < 2:
                raise RenderError(start, name, "store needs m = 48 and at least one byte of data")
            self.qr_data = bytes(params[1:])
        elif fn == 81:
            if not self.qr_data:
                raise RenderError(start, name, "print before any data was stored")
            self._print_line()
            self._draw_qr()
        else:
            raise RenderError(start, name, f"QR function fn={fn} is not known")

    def _fs(self, start: int) -> None:
        code = self._take(1, "FS")[0]
        if code == ord("&"):
            self.chinese = True
        elif code == ord("."):
            self.chinese = False
        else:
            name = f"FS {chr(code) if 0x20 < code < 0x7F else f'0x{code:02x}'}"
            raise RenderError(start, name, "not a command the renderer knows")

    # drawing -----------------------------------------------------------------------------------

    def _text(self, start: int) -> None:
        end = self.pos
        while end < len(self.data) and (self.data[end] >= 0x20 and self.data[end] != 0x7F):
            end += 1
        chunk = self.data[self.pos : end]
        if not self.chinese:
            bad = next((i for i, b in enumerate(chunk) if b >= 0x80), None)
            if bad is not None:
                raise RenderError(start + bad, f"0x{chunk[bad]:02x}", "a byte above 0x7f outside Chinese mode (FS &)")
            text = chunk.decode("ascii")
        else:
            try:
                text = chunk.decode("gb18030")
            except UnicodeDecodeError as err:
                raise RenderError(start + err.start, "text", "not GB18030") from None
        self.pos = end
        for char in text:
            glyph = _Glyph(char, self.style)
            if sum(g.size[0] for g in self.line) + glyph.size[0] > self.paper.dots:
                self._print_line()  # the printer wraps a line that does not fit
            self.line.append(glyph)

    def _print_line(self) -> None:
        glyphs, self.line = self.line, []
        if not glyphs:
            self.paper.feed(CELL_HEIGHT * self.style.height + LINE_GAP)
            return
        height = max(g.size[1] for g in glyphs)
        image = Image.new("L", (sum(g.size[0] for g in glyphs), height + LINE_GAP), 255)
        x = 0
        for glyph in glyphs:
            drawn = _draw_glyph(glyph)
            image.paste(drawn, (x, height - drawn.height))  # characters share the baseline
            x += drawn.width
        self.paper.add(image, self.align)

    def _draw_qr(self) -> None:
        code = segno.make_qr(self.qr_data, error=self.qr_level, boost_error=False)
        matrix = code.matrix
        module = self.qr_module
        side = len(matrix) * module
        image = Image.new("L", (side + 8 * module, side + 8 * module), 255)
        draw = ImageDraw.Draw(image)
        for row, cells in enumerate(matrix):
            for col, dark in enumerate(cells):
                if dark:
                    x, y = (col + 4) * module, (row + 4) * module
                    draw.rectangle((x, y, x + module - 1, y + module - 1), fill=0)
        self.paper.add(image, self.align)


def render(data: bytes, paper_mm: int = 80) -> Image.Image:
    """The printed slip as a greyscale image; ``RenderError`` names the offset of anything unknown."""
    if paper_mm not in DOTS:
        raise ValueError(f"paper_mm: expected 80 or 58, got {paper_mm}")
    return _Renderer(bytes(data), DOTS[paper_mm]).run()
