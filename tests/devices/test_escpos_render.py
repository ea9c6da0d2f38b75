"""The ESC/POS renderer, on byte sequences written out by hand from the command definitions."""

from __future__ import annotations

import pytest
import segno
from PIL import Image

from devices.simulators.escpos_render import MARGIN, RenderError, render

ESC_AT = b"\x1b\x40"  # ESC @
CENTER = b"\x1b\x61\x01"  # ESC a 1
FOUR_TIMES = b"\x1d\x21\x33"  # GS ! 0x33: width ×4 (bits 4-6 = 3), height ×4 (bits 0-2 = 3)
NORMAL = b"\x1d\x21\x00"
CHINESE_ON = b"\x1c\x26"  # FS &
CHINESE_OFF = b"\x1c\x2e"  # FS .
PARTIAL_CUT_AFTER_FEED = b"\x1d\x56\x42\x00"  # GS V 66 0
# GS ( k, cn = 49 (QR): pL pH count cn, fn and the parameters
QR_MODEL_2 = b"\x1d\x28\x6b\x04\x00\x31\x41\x32\x00"  # fn 65, n1 = 50 (model 2), n2 = 0
QR_MODULE_5 = b"\x1d\x28\x6b\x03\x00\x31\x43\x05"  # fn 67: 5 dots per module
QR_LEVEL_M = b"\x1d\x28\x6b\x03\x00\x31\x45\x31"  # fn 69: 49 = M
QR_STORE_HELLO = b"\x1d\x28\x6b\x08\x00\x31\x50\x30HELLO"  # fn 80, m = 48, 5 bytes: pL = 5 + 3
QR_PRINT = b"\x1d\x28\x6b\x03\x00\x31\x51\x30"  # fn 81, m = 48


def ink(image: Image.Image, box: tuple[int, int, int, int] | None = None) -> tuple[int, int, int, int]:
    """The bounding box of the dark pixels (in ``box`` if given), in image coordinates."""
    region = image.crop(box) if box else image
    bbox = region.point(lambda v: 255 if v < 128 else 0).getbbox()
    assert bbox is not None, "nothing printed there"
    if box:
        return bbox[0] + box[0], bbox[1] + box[1], bbox[2] + box[0], bbox[3] + box[1]
    return bbox


def test_centred_text_sits_in_the_middle_of_the_paper() -> None:
    image = render(ESC_AT + CENTER + b"AB\n", 80)
    left, _top, right, _bottom = ink(image)
    assert image.width == 576 + 2 * MARGIN
    assert abs((left + right) / 2 - image.width / 2) < 12
    assert right - left < 24 + 2  # two 12-dot characters


def test_left_aligned_text_starts_at_the_margin() -> None:
    image = render(ESC_AT + b"AB\n", 58)
    assert image.width == 384 + 2 * MARGIN
    assert ink(image)[0] < MARGIN + 6


def test_gs_exclamation_scales_characters_four_times() -> None:
    small = ink(render(ESC_AT + b"8\n"))
    big = ink(render(ESC_AT + FOUR_TIMES + b"8\n" + NORMAL))
    small_h, big_h = small[3] - small[1], big[3] - big[1]
    assert 3.5 < big_h / small_h < 4.5
    assert 3.5 < (big[2] - big[0]) / (small[2] - small[0]) < 4.5


def test_chinese_mode_reads_gb18030_two_bytes_per_character() -> None:
    text = "中文".encode("gb18030")
    assert text == b"\xd6\xd0\xce\xc4"
    left, _top, right, _bottom = ink(render(ESC_AT + CHINESE_ON + text + b"\n" + CHINESE_OFF))
    assert 36 <= right - left <= 48  # two 24-dot cells


def test_the_qr_code_is_drawn_module_for_module() -> None:
    image = render(ESC_AT + QR_MODEL_2 + QR_MODULE_5 + QR_LEVEL_M + QR_STORE_HELLO + QR_PRINT)
    expected = segno.make_qr(b"HELLO", error="m", boost_error=False)
    assert expected.version == 1  # 21 × 21 modules
    left, top, right, bottom = ink(image)
    assert (right - left, bottom - top) == (21 * 5, 21 * 5)
    for row in range(21):
        for col in range(21):
            dark = image.getpixel((left + col * 5 + 2, top + row * 5 + 2)) < 128
            assert dark == bool(expected.matrix[row][col]), (row, col)


def test_feed_and_cut_add_paper_and_a_dashed_line() -> None:
    short = render(ESC_AT + b"A\n")
    fed = render(ESC_AT + b"A\n" + b"\x1b\x64\x03")  # ESC d 3
    assert fed.height - short.height == 3 * 30  # three lines of 24 dots and 6 of spacing
    cut = render(ESC_AT + b"A\n" + PARTIAL_CUT_AFTER_FEED)
    bottom_rows = [
        [cut.getpixel((x, y)) < 128 for x in range(cut.width)]
        for y in range(cut.height - MARGIN - 17, cut.height - MARGIN)
    ]
    dashed = next(row for row in bottom_rows if any(row))
    assert 0.3 < sum(dashed) / len(dashed) < 0.7  # dashes and gaps


@pytest.mark.parametrize(
    ("data", "offset", "command"),
    [
        (b"\x1b\x74\x00", 0, "ESC t"),  # ESC t: select a code table
        (b"AB\n\x1b\x74\x00", 3, "ESC t"),
        (b"\x1d\x76\x30\x00", 0, "GS v"),  # a raster image
        (b"A\r\n", 1, "0x0d"),  # CR
        (ESC_AT + "中".encode("gb18030"), 2, "0xd6"),  # not in Chinese mode
        (b"\x1d\x28\x6b\x04\x00\x31", 0, "GS ( k"),  # cut short
        (b"\x1d\x28\x6b\x03\x00\x31\x51\x30", 0, "GS ( k"),  # print with nothing stored
        (b"\x1c\x70\x01\x00", 0, "FS p"),  # a stored logo
    ],
)
def test_anything_else_is_refused_with_its_offset(data: bytes, offset: int, command: str) -> None:
    with pytest.raises(RenderError) as caught:
        render(data)
    assert caught.value.offset == offset
    assert caught.value.command == command
    assert str(caught.value).startswith(f"offset {offset}: {command}")


def test_paper_width_must_be_one_we_print_on() -> None:
    with pytest.raises(ValueError, match="paper_mm"):
        render(b"A\n", 76)
