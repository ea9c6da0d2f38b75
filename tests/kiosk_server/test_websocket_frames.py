"""RFC 6455 framing, against the RFC's own examples and against clients that break the rules.

The byte vectors are copied from RFC 6455 §1.3 and §5.7, not produced by the code under test.
Client frames must be masked; where a test needs a masked frame the RFC does not print, it masks
with the all-zero key, which leaves the payload as it is (§5.3), so the vector is still written
out by hand.
"""

from __future__ import annotations

import struct

import pytest

from kiosk_server import websocket_frames as frames

HELLO_MASKED = bytes([0x81, 0x85, 0x37, 0xFA, 0x21, 0x3D, 0x7F, 0x9F, 0x4D, 0x51, 0x58])  # §5.7
PONG_HELLO_MASKED = bytes([0x8A, 0x85, 0x37, 0xFA, 0x21, 0x3D, 0x7F, 0x9F, 0x4D, 0x51, 0x58])  # §5.7
ZERO_KEY = b"\x00\x00\x00\x00"


def zero_masked(first: int, payload: bytes) -> bytes:
    """A client frame masked with the zero key: header byte ``first``, then the payload unchanged."""
    size = len(payload)
    if size < 126:
        head = bytes([first, 0x80 | size])
    elif size < 1 << 16:
        head = bytes([first, 0x80 | 126]) + struct.pack("!H", size)
    else:
        head = bytes([first, 0x80 | 127]) + struct.pack("!Q", size)
    return head + ZERO_KEY + payload


def reader(limit: int = 1 << 20) -> frames.FrameReader:
    return frames.FrameReader(limit)


def test_the_accept_key_of_the_rfc_example() -> None:
    assert frames.accept_key("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="


@pytest.mark.parametrize(
    ("key", "why"),
    [("", "16"), ("not base64!", "base64"), ("AAAA", "3 bytes"), ("QUFBQUFBQUFBQUFBQUFBQUFBQUE=", "20 bytes")],
)
def test_a_key_that_is_not_16_bytes_of_base64_is_refused(key: str, why: str) -> None:
    with pytest.raises(frames.HandshakeRefused, match=why):
        frames.accept_key(key)


def test_server_frames_match_the_rfc_examples() -> None:
    assert frames.frame("Hello") == bytes([0x81, 0x05, 0x48, 0x65, 0x6C, 0x6C, 0x6F])
    assert frames.frame(b"Hello", frames.PING) == bytes([0x89, 0x05, 0x48, 0x65, 0x6C, 0x6C, 0x6F])
    assert frames.frame(bytes(256))[:4] == bytes([0x82, 0x7E, 0x01, 0x00])
    assert frames.frame(bytes(65536))[:10] == bytes([0x82, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0])
    assert len(frames.frame(bytes(65536))) == 10 + 65536


def test_text_is_sent_as_utf8_and_its_length_counts_bytes() -> None:
    sent = frames.frame("岗位")
    assert sent[0] == 0x81 and sent[1] == 6 and sent[2:].decode("utf-8") == "岗位"


def test_the_length_forms_switch_at_126_and_65536() -> None:
    assert frames.frame(bytes(125))[1] == 125
    assert frames.frame(bytes(126))[1:4] == bytes([126, 0, 126])
    assert frames.frame(bytes(65535))[1:4] == bytes([126, 0xFF, 0xFF])
    assert frames.frame(bytes(65536))[1] == 127


def test_the_rfc_masked_hello_and_pong_are_read() -> None:
    got = reader().feed(HELLO_MASKED + PONG_HELLO_MASKED)
    assert [(m.opcode, m.data, m.text) for m in got] == [
        (frames.TEXT, b"Hello", "Hello"),
        (frames.PONG, b"Hello", None),
    ]


def test_a_message_fed_one_byte_at_a_time_comes_out_once_whole() -> None:
    parser = reader()
    got = [message for byte in HELLO_MASKED for message in parser.feed(bytes([byte]))]
    assert [m.text for m in got] == ["Hello"]


def test_fragments_are_joined_and_a_ping_between_them_comes_first() -> None:
    # §5.7's fragmented "Hello" (0x01 "Hel", 0x80 "lo") masked with the zero key, a ping in between (§5.4).
    sent = zero_masked(0x01, b"Hel") + zero_masked(0x89, b"?") + zero_masked(0x80, b"lo")
    got = reader().feed(sent)
    assert [(m.opcode, m.data) for m in got] == [(frames.PING, b"?"), (frames.TEXT, b"Hello")]


def test_large_lengths_in_both_extended_forms_are_read() -> None:
    assert reader().feed(zero_masked(0x82, bytes(300)))[0].data == bytes(300)
    assert reader().feed(zero_masked(0x82, bytes(70000)))[0].data == bytes(70000)


def test_a_nul_and_chinese_text_pass_unchanged() -> None:
    text = '42/screen,["beat","\x00\u62db\u8058"]'
    assert reader().feed(zero_masked(0x81, text.encode("utf-8")))[0].text == text


def test_a_close_frame_gives_its_code() -> None:
    (message,) = reader().feed(zero_masked(0x88, struct.pack("!H", 1001) + "离开".encode()))
    assert message.opcode == frames.CLOSE and message.close_code == 1001
    (empty,) = reader().feed(zero_masked(0x88, b""))
    assert empty.close_code is None


def test_a_close_frame_the_server_sends_fits_a_control_frame() -> None:
    sent = frames.close_frame(frames.TOO_BIG, "超" * 100)
    assert sent[0] == 0x88 and sent[1] <= 125 and struct.unpack("!H", sent[2:4])[0] == 1009


@pytest.mark.parametrize(
    ("sent", "code", "why"),
    [
        (bytes([0x81, 0x05]) + b"Hello", frames.PROTOCOL_ERROR, "masked"),
        (zero_masked(0xC1, b"x"), frames.PROTOCOL_ERROR, "reserved bits"),
        (zero_masked(0x83, b"x"), frames.PROTOCOL_ERROR, "opcode 0x3"),
        (zero_masked(0x8B, b"x"), frames.PROTOCOL_ERROR, "opcode 0xb"),
        (zero_masked(0x09, b"x"), frames.PROTOCOL_ERROR, "fragmented"),
        (zero_masked(0x89, bytes(126)), frames.PROTOCOL_ERROR, "126 bytes"),
        (zero_masked(0x80, b"x"), frames.PROTOCOL_ERROR, "continuation"),
        (zero_masked(0x01, b"a") + zero_masked(0x81, b"b"), frames.PROTOCOL_ERROR, "before the fragmented"),
        (zero_masked(0x81, b"\xff\xfe"), frames.INVALID_DATA, "UTF-8"),
        (zero_masked(0x88, b"\x03"), frames.PROTOCOL_ERROR, "one-byte"),
        (zero_masked(0x88, struct.pack("!H", 1005)), frames.PROTOCOL_ERROR, "1005"),
        (zero_masked(0x88, struct.pack("!H", 999)), frames.PROTOCOL_ERROR, "999"),
        (zero_masked(0x88, struct.pack("!H", 5000)), frames.PROTOCOL_ERROR, "5000"),
        (zero_masked(0x88, struct.pack("!H", 1000) + b"\xff"), frames.INVALID_DATA, "reason"),
    ],
)
def test_a_client_breaking_the_rules_gets_the_matching_close_code(sent: bytes, code: int, why: str) -> None:
    with pytest.raises(frames.ProtocolViolation, match=why) as caught:
        reader().feed(sent)
    assert caught.value.code == code


def test_a_huge_announced_length_is_refused_from_the_header_alone() -> None:
    header = bytes([0x82, 0x80 | 127]) + struct.pack("!Q", 1 << 62)  # 4 EiB: not one payload byte sent
    with pytest.raises(frames.ProtocolViolation) as caught:
        reader(limit=1 << 20).feed(header)
    assert caught.value.code == frames.TOO_BIG


def test_a_64_bit_length_with_the_top_bit_set_is_a_protocol_error() -> None:
    with pytest.raises(frames.ProtocolViolation, match="most significant") as caught:
        reader().feed(bytes([0x82, 0xFF]) + struct.pack("!Q", 1 << 63))
    assert caught.value.code == frames.PROTOCOL_ERROR


def test_fragments_that_add_up_past_the_limit_are_refused() -> None:
    parser = reader(limit=100)
    assert parser.feed(zero_masked(0x02, bytes(60))) == []
    with pytest.raises(frames.ProtocolViolation) as caught:
        parser.feed(zero_masked(0x80, bytes(60)))
    assert caught.value.code == frames.TOO_BIG


def test_a_message_exactly_at_the_limit_is_read() -> None:
    assert reader(limit=100).feed(zero_masked(0x82, bytes(100)))[0].data == bytes(100)


def test_unmask_with_the_rfc_key() -> None:
    assert frames.unmask(HELLO_MASKED[6:], HELLO_MASKED[2:6]) == b"Hello"
    assert frames.unmask(b"", b"abcd") == b""
