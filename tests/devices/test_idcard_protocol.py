"""GA/T 467 frames: known frames from docs/cards.md, the checksum, and the streaming FrameReader."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.drivers.idcard_protocol import (
    PREAMBLE,
    Command,
    Frame,
    FrameReader,
    GarbageSkipped,
    Response,
    Status,
    decode_frame,
    encode_frame,
    split_read_data,
)
from devices.errors import BadChecksum, BadLength, DeviceError, FrameError, TruncatedFrame

FIND_OK = bytes.fromhex("AAAAAA9669 0008 00 00 9F 00000000 97".replace(" ", ""))
NO_CARD = bytes.fromhex("AAAAAA9669 0004 00 00 80 84".replace(" ", ""))
SELECT_OK = bytes.fromhex("AAAAAA9669 000C 00 00 90 0000000000000000 9C".replace(" ", ""))


@pytest.mark.parametrize(
    ("command", "frame"),
    [
        (Command.RESET_SAM, "AAAAAA9669 0003 10 FF EC"),
        (Command.SAM_STATUS, "AAAAAA9669 0003 11 FF ED"),
        (Command.READ_SAM_ID, "AAAAAA9669 0003 12 FF EE"),
        (Command.FIND_CARD, "AAAAAA9669 0003 20 01 22"),
        (Command.SELECT_CARD, "AAAAAA9669 0003 20 02 21"),
        (Command.READ_TEXT_PHOTO, "AAAAAA9669 0003 30 01 32"),
        (Command.READ_APPENDED_ADDRESS, "AAAAAA9669 0003 30 03 30"),
        (Command.READ_TEXT_PHOTO_FINGERPRINT, "AAAAAA9669 0003 30 10 23"),
    ],
)
def test_request_frames_match_the_command_table(command: Command, frame: str) -> None:
    assert command.frame == bytes.fromhex(frame.replace(" ", ""))
    assert Command.of(*decode_frame(command.frame).payload) is command


@pytest.mark.parametrize(
    ("raw", "sw3", "data"),
    [
        (FIND_OK, Status.FIND_OK, bytes(4)),
        (NO_CARD, Status.FIND_FAILED, b""),
        (SELECT_OK, Status.SUCCESS, bytes(8)),
    ],
)
def test_known_response_frames_decode_and_reencode(raw: bytes, sw3: Status, data: bytes) -> None:
    answer = Response.from_frame(decode_frame(raw))
    assert (answer.sw1, answer.sw2, answer.sw3, answer.data) == (0, 0, sw3, data)
    assert answer.encode() == raw


def test_status_table_has_both_languages_and_names_unknown_bytes() -> None:
    assert Status(0x80).zh == "寻找证/卡失败" and Status(0x80).en == "no card found"
    assert Status.describe(0x41) == "41 读证/卡操作失败 / read failed"
    assert "unknown status" in Status.describe(0x55)
    assert all(status.zh and status.en for status in Status)


def test_bad_checksum_is_reported_with_both_values() -> None:
    with pytest.raises(BadChecksum) as caught:
        decode_frame(NO_CARD[:-1] + b"\x85")
    assert (caught.value.expected, caught.value.got, caught.value.reason) == (0x84, 0x85, "bad_checksum")


def test_truncated_frame_says_how_many_bytes_were_missing() -> None:
    with pytest.raises(TruncatedFrame) as caught:
        decode_frame(SELECT_OK[:10])
    assert (caught.value.expected, caught.value.got) == (len(SELECT_OK), 10)


@pytest.mark.parametrize("length", [b"\x00\x00", b"\x00\x02", b"\xff\xff"])
def test_impossible_length_is_a_bad_length(length: bytes) -> None:
    with pytest.raises(BadLength):
        decode_frame(PREAMBLE + length + b"\x00\x00\x00\x00")


def test_response_without_status_bytes_is_a_bad_length() -> None:
    with pytest.raises(BadLength):
        Response.from_frame(Frame(b"\x00\x90"))


def test_frame_reader_reassembles_byte_by_byte() -> None:
    reader = FrameReader()
    out = [item for byte in FIND_OK + NO_CARD for item in reader.feed(bytes([byte]))]
    assert [Response.from_frame(f).sw3 for f in out] == [Status.FIND_OK, Status.FIND_FAILED]


def test_frame_reader_reports_garbage_and_keeps_the_frame_after_it() -> None:
    out = FrameReader().feed(b"\x01\x02\x03" + SELECT_OK)
    assert isinstance(out[0], GarbageSkipped) and out[0].count == 3
    assert out[1] == decode_frame(SELECT_OK)


def test_frame_reader_finds_a_frame_hidden_behind_a_bad_checksum() -> None:
    # A false start whose LEN swallows the real frame: the reader resynchronises inside it.
    false_start = PREAMBLE + b"\x00\x20" + b"\x00\x00\x90"
    reader = FrameReader()
    out = reader.feed(false_start + NO_CARD + bytes(40)) + reader.flush()
    assert any(isinstance(item, BadChecksum) for item in out)
    assert [item for item in out if isinstance(item, Frame)] == [decode_frame(NO_CARD)]


def test_frame_reader_flush_reports_an_incomplete_frame_as_truncated() -> None:
    reader = FrameReader()
    assert reader.feed(SELECT_OK[:12]) == []
    out = reader.flush()
    assert isinstance(out[0], TruncatedFrame) and out[0].expected == len(SELECT_OK)


def test_read_data_is_split_into_text_and_photo() -> None:
    data = b"\x01\x00\x04\x00" + b"T" * 256 + b"P" * 1024
    frame = Response(0, 0, Status.SUCCESS, data).encode()
    assert len(frame) == 1295 and frame[5:7] == b"\x05\x08" and frame[14:15] == b"T"
    read = split_read_data(data)
    assert (read.text, read.photo) == (b"T" * 256, b"P" * 1024)
    assert "TTTT" not in repr(read)
    with pytest.raises(BadLength):
        split_read_data(data[:-1])


def test_read_data_with_fingerprint_has_a_third_length() -> None:
    data = b"\x01\x00\x04\x00\x04\x00" + b"T" * 256 + b"P" * 1024 + b"F" * 1024
    assert Response(0, 0, 0x90, data).encode()[16:17] == b"T"
    assert split_read_data(data, fingerprint=True).fingerprint == b"F" * 1024


@settings(max_examples=10_000, deadline=None)
@given(st.binary(max_size=120), st.lists(st.integers(1, 40), max_size=8))
def test_fuzz_arbitrary_bytes_yield_only_frames_or_frame_errors(data: bytes, cuts: list[int]) -> None:
    reader = FrameReader()
    out: list[object] = []
    position = 0
    for size in cuts:
        out += reader.feed(data[position : position + size])
        position += size
    out += reader.feed(data[position:]) + reader.flush()
    assert all(isinstance(item, (Frame, FrameError)) for item in out)
    try:
        decode_frame(data)
    except FrameError:
        pass


_garbage = st.binary(max_size=24).filter(lambda g: PREAMBLE not in g)


@settings(max_examples=10_000, deadline=None)
@given(
    st.lists(st.tuples(_garbage, st.binary(min_size=3, max_size=40)), min_size=1, max_size=4),
    _garbage,
    st.integers(1, 64),
)
def test_fuzz_valid_frames_in_garbage_are_all_recovered(
    pieces: list[tuple[bytes, bytes]], tail: bytes, chunk: int
) -> None:
    stream = b"".join(garbage + encode_frame(payload) for garbage, payload in pieces) + tail
    reader = FrameReader()
    out: list[Frame | FrameError] = []
    for start in range(0, len(stream), chunk):
        out += reader.feed(stream[start : start + chunk])
    out += reader.flush()
    assert [item.payload for item in out if isinstance(item, Frame)] == [payload for _, payload in pieces]
    assert all(isinstance(item, DeviceError) for item in out if not isinstance(item, Frame))
