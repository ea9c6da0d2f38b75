"""Decoding the 256-byte UCS-2LE text block of each document kind, and ID number validation."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from content.citizens.idnumbers import check_character, id_number_problem, mask_id_number
from devices.drivers.codes import NATIONS, SEXES
from devices.drivers.idcard_text import decode_text_block
from devices.errors import InvalidIdNumber, TextBlockError
from devices.events import DocumentKind

RESIDENT_ID = "62010219900307123X"  # passes GB 11643
PERMIT_ID = "810000198505120022"


def block(**fields: tuple[int, str]) -> bytes:
    """A text block with each field's text placed at its byte offset, space-padded like a card."""
    raw = bytearray(" ".encode("utf-16-le") * 128)
    for offset, text in fields.values():
        encoded = text.encode("utf-16-le")
        raw[offset : offset + len(encoded)] = encoded
    return bytes(raw)


def resident_block(**overrides: tuple[int, str]) -> bytes:
    fields = dict(
        name=(0, "欧阳娜娜"),
        sex=(30, "2"),
        nation=(32, "05"),
        birth=(36, "19900307"),
        address=(52, "新疆维吾尔自治区乌鲁木齐市天山区解放南路88号"),
        id_number=(122, RESIDENT_ID),
        authority=(158, "乌鲁木齐市公安局天山分局"),
        valid_from=(188, "20100101"),
        valid_to=(204, "长期"),
    )
    return block(**{**fields, **overrides})


def test_resident_card_fields_are_decoded_and_stripped() -> None:
    read = decode_text_block(resident_block(), reader_id="r1")
    assert read.kind is DocumentKind.RESIDENT
    assert (read.name, read.sex_code, read.sex, read.nation_code, read.nation) == (
        "欧阳娜娜",
        "2",
        "女",
        "05",
        "维吾尔",
    )
    assert (read.birth_date, read.id_number, read.valid_from, read.valid_to) == (
        "19900307",
        RESIDENT_ID,
        "20100101",
        "长期",
    )
    assert read.address == "新疆维吾尔自治区乌鲁木齐市天山区解放南路88号"
    assert read.issuing_authority == "乌鲁木齐市公安局天山分局"


def test_j_permit_has_permit_number_and_issue_count_and_no_nation() -> None:
    raw = resident_block(
        nation=(32, "  "), id_number=(122, PERMIT_ID), permit=(220, "H60012345"), count=(238, "02"), kind=(248, "J")
    )
    read = decode_text_block(raw)
    assert read.kind is DocumentKind.HK_MACAO_TAIWAN
    assert (read.permit_number, read.issue_count, read.id_number) == ("H60012345", "02", PERMIT_ID)
    assert (read.nation_code, read.nation) == ("", None)


def test_old_foreigner_card_layout() -> None:
    raw = block(
        english=(0, "SMITH, JOHN"),
        sex=(120, "1"),
        number=(122, "USA310085030101"),
        nationality=(152, "USA"),
        name=(158, "史密斯"),
        issued=(188, "20150101"),
        expires=(204, "20250101"),
        birth=(220, "19850301"),
        version=(236, "01"),
        authority=(240, "1500"),
        kind=(248, "I"),
    )
    read = decode_text_block(raw)
    assert read.kind is DocumentKind.FOREIGNER_OLD
    assert (read.english_name, read.name, read.sex, read.id_number, read.nationality) == (
        "SMITH, JOHN",
        "史密斯",
        "男",
        "USA310085030101",
        "USA",
    )
    assert (read.birth_date, read.valid_from, read.valid_to, read.card_version, read.issuing_authority) == (
        "19850301",
        "20150101",
        "20250101",
        "01",
        "1500",
    )


def test_2023_foreigner_card_joins_the_two_parts_of_the_english_name() -> None:
    english = "WILLIAMSON-MONTGOMERY, ALEXANDRA CATHERINE"  # 42 characters: 35 + 7
    raw = block(
        name=(0, "威廉森"),
        sex=(30, "2"),
        renewals=(32, "01"),
        birth=(36, "19880808"),
        english1=(52, english[:35]),
        number=(122, "936840198808080025"),
        issued=(188, "20230101"),
        expires=(204, "20330101"),
        english2=(220, english[35:]),
        nationality=(242, "GBR"),
        kind=(248, "Y"),
        link=(250, "123"),
    )
    read = decode_text_block(raw)
    assert read.kind is DocumentKind.FOREIGNER_2023
    assert (read.english_name, read.name, read.sex, read.nationality) == (english, "威廉森", "女", "GBR")
    assert (read.card_version, read.previous_number_link, read.id_number) == ("01", "123", "936840198808080025")


@pytest.mark.parametrize("bad", ["620102199003071234", "62010219901307123X", "6201021990030712", "62010219900307123Y"])
def test_invalid_id_numbers_are_rejected_without_repeating_them(bad: str) -> None:
    with pytest.raises(InvalidIdNumber) as caught:
        decode_text_block(resident_block(id_number=(122, bad)))
    message = str(caught.value)
    assert message.startswith("id_number: ") and len(message) > len("id_number: ") + 10
    assert bad not in message and bad[:14] not in message


def test_check_character_and_mask() -> None:
    assert check_character("11010519491231002") == "X"
    assert id_number_problem("11010519491231002X") is None
    assert mask_id_number(RESIDENT_ID) == "620102********123X"


def test_id_card_read_repr_hides_the_number_and_name() -> None:
    read = decode_text_block(resident_block())
    assert RESIDENT_ID not in repr(read) and RESIDENT_ID not in str(read) and "欧阳" not in repr(read)
    assert read.logged_id_number in repr(read) and read.masked_id_number not in repr(read)


def test_unknown_codes_keep_the_code_without_a_label() -> None:
    read = decode_text_block(resident_block(sex=(30, "7"), nation=(32, "77")))
    assert (read.sex_code, read.sex, read.nation_code, read.nation) == ("7", None, "77", None)


def test_code_tables_are_complete() -> None:
    assert len(NATIONS) == 58 and NATIONS["56"] == "基诺" and NATIONS["98"] == "外国血统中国籍人士"
    assert SEXES["1"] == "男" and SEXES["2"] == "女"


def test_wrong_size_and_bad_ucs2_are_text_block_errors() -> None:
    with pytest.raises(TextBlockError, match="256 bytes, got 255"):
        decode_text_block(resident_block()[:255])
    lone_surrogate = "\ud800".encode("utf-16-le", "surrogatepass")
    raw = bytearray(resident_block())
    raw[0:2] = lone_surrogate
    with pytest.raises(TextBlockError, match="name: bytes 0..29"):
        decode_text_block(bytes(raw))


@settings(max_examples=10_000, deadline=None)
@given(st.binary(min_size=256, max_size=256) | st.binary(max_size=300))
def test_fuzz_text_decoder_raises_only_text_block_errors(raw: bytes) -> None:
    for validate in (True, False):
        try:
            read = decode_text_block(raw, validate_id_number=validate)
        except TextBlockError:
            continue
        assert read.kind in DocumentKind
