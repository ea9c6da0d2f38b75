"""TLV records of the social-security card: parsing, field formats, and a fuzzed parser."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.drivers.ssc_tlv import (
    NameNotGbk,
    TlvError,
    decode_ascii,
    decode_bcd,
    decode_bcd_date,
    decode_gbk,
    decode_name,
    parse_tlv,
    record_value,
)


def test_parses_consecutive_records():
    assert parse_tlv(bytes.fromhex("0701410A0132")) == {0x07: b"A", 0x0A: b"2"}


def test_empty_input_has_no_records():
    assert parse_tlv(b"") == {}


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"\x08", "header truncated"),
        (b"\x08\x05abc", "announces 5 bytes, only 3"),
        (b"\x0a\x011\x0a\x012", "appears twice"),
    ],
)
def test_malformed_tlv_raises_with_a_clear_reason(data, words):
    with pytest.raises(TlvError, match=words):
        parse_tlv(data, field="EF06")


def test_record_value_requires_the_asked_tag():
    with pytest.raises(TlvError, match="does not contain tag 09"):
        record_value(b"\x08\x01X", 0x09, field="EF06/09")


def test_bcd_date_strips_f_padding():
    assert decode_bcd_date(bytes.fromhex("19850312FFFF"), field="d") == "19850312"


@pytest.mark.parametrize("raw", ["198503", "19851332", "1985A312"])
def test_bad_bcd_dates_are_rejected(raw):
    with pytest.raises(TlvError):
        decode_bcd_date(bytes.fromhex(raw), field="EF06/0D birth date")


def test_bcd_number_and_nation_code():
    assert decode_bcd(bytes.fromhex("05"), field="n") == "05"
    assert decode_bcd(bytes.fromhex("6201FF"), field="n") == "6201"


def test_gbk_name_strips_zero_padding_and_appends_extension():
    name = "阿卜杜热合曼".encode("gbk").ljust(30, b"\x00")
    extension = "·买买提".encode("gbk").ljust(20, b"\x00")
    assert decode_name(name, extension) == "阿卜杜热合曼·买买提"
    assert decode_name(name) == "阿卜杜热合曼"


def test_invalid_gbk_name_is_a_specific_error_without_the_bytes():
    with pytest.raises(NameNotGbk) as info:
        decode_gbk("张".encode("gbk") + b"\xff\x00\x00", field="EF06/09 name")
    assert info.value.offset == 2 and "GBK" in str(info.value)


def test_ascii_field_rejects_control_and_high_bytes():
    assert decode_ascii(b"3.00\x00\x00", field="v") == "3.00"
    with pytest.raises(TlvError):
        decode_ascii(b"3.\x9000", field="v")


@settings(max_examples=10_000, deadline=None)
@given(st.binary(max_size=64))
def test_fuzzed_records_either_parse_or_raise_tlv_error(data):
    try:
        items = parse_tlv(data)
    except TlvError:
        return
    assert sum(2 + len(v) for v in items.values()) == len(data)
    for value in items.values():
        for decode in (decode_ascii, decode_gbk, decode_bcd, decode_bcd_date):
            try:
                decode(value, field="f")
            except TlvError:
                pass


@settings(max_examples=2_000, deadline=None)
@given(st.dictionaries(st.integers(0, 255), st.binary(max_size=255), max_size=8))
def test_encoded_records_round_trip(records):
    data = b"".join(bytes([tag, len(value)]) + value for tag, value in records.items())
    assert parse_tlv(data) == records
