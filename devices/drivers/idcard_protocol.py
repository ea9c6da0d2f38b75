"""The GA/T 467 SAM serial protocol of resident ID card readers: frames, commands, status bytes.

Pure code, no I/O. A frame is ``AA AA AA 96 69`` · LEN (2 bytes, big-endian) · payload · CHK, where
LEN counts the payload and the checksum byte, and CHK is the XOR of every byte from the first LEN
byte through the last payload byte. A request's payload is CMD PARA [DATA]; a response's is
SW1 SW2 SW3 [DATA]. See ``docs/cards.md`` §2.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from functools import reduce
from typing import Final

from devices.errors import BadChecksum, BadLength, FrameError, TruncatedFrame

PREAMBLE: Final = b"\xaa\xaa\xaa\x96\x69"
HEADER_SIZE: Final = len(PREAMBLE) + 2
MIN_LENGTH: Final = 3  # a request's CMD PARA CHK
# The longest legitimate frame is a read with fingerprint (LEN 0x090A); anything far beyond is noise.
MAX_LENGTH: Final = 0x1000

TEXT_SIZE: Final = 256
PHOTO_SIZE: Final = 1024
FINGERPRINT_SIZE: Final = 1024
APPENDED_ADDRESS_SIZE: Final = 70


def checksum(data: bytes) -> int:
    """XOR of all bytes of ``data``."""
    return reduce(lambda acc, byte: acc ^ byte, data, 0)


def encode_frame(payload: bytes) -> bytes:
    """A whole frame around ``payload`` (request CMD PARA DATA or response SW1 SW2 SW3 DATA)."""
    length = len(payload) + 1
    if not MIN_LENGTH <= length <= MAX_LENGTH:
        raise BadLength(length, f"a payload of {len(payload)} bytes does not fit a frame")
    body = length.to_bytes(2, "big") + payload
    return PREAMBLE + body + bytes([checksum(body)])


class Command(enum.Enum):
    """Request commands as (CMD, PARA)."""

    RESET_SAM = (0x10, 0xFF)
    SAM_STATUS = (0x11, 0xFF)
    READ_SAM_ID = (0x12, 0xFF)
    FIND_CARD = (0x20, 0x01)
    SELECT_CARD = (0x20, 0x02)
    READ_TEXT_PHOTO = (0x30, 0x01)
    READ_APPENDED_ADDRESS = (0x30, 0x03)
    READ_TEXT_PHOTO_FINGERPRINT = (0x30, 0x10)

    @property
    def frame(self) -> bytes:
        """The whole request frame for this command (no data)."""
        return encode_frame(bytes(self.value))

    @classmethod
    def of(cls, cmd: int, para: int) -> Command | None:
        """The command with these CMD and PARA bytes, or None when unknown."""
        try:
            return cls((cmd, para))
        except ValueError:
            return None


class Status(enum.IntEnum):
    """SW3, the reader's status byte, with its meaning in Chinese and English."""

    zh: str
    en: str

    def __new__(cls, value: int, zh: str, en: str) -> Status:
        member = int.__new__(cls, value)
        member._value_ = value
        member.zh = zh
        member.en = en
        return member

    SUCCESS = 0x90, "操作成功", "success"
    FIND_OK = 0x9F, "寻找证/卡成功", "card found"
    ITEM_EMPTY = 0x91, "无此项内容", "item empty"
    CHECKSUM_ERROR = 0x10, "接收业务终端数据的校验和错", "checksum error in the request"
    LENGTH_ERROR = 0x11, "接收业务终端数据的长度错", "length error in the request"
    BAD_COMMAND = 0x21, "接收业务终端的命令错误", "bad command"
    UNAUTHORISED = 0x23, "越权操作", "unauthorised operation"
    UNKNOWN_ERROR = 0x24, "无法识别的错误", "unknown error"
    CARD_AUTH_SAM_FAILED = 0x31, "证/卡认证机具失败", "card failed to authenticate the SAM"
    SAM_AUTH_CARD_FAILED = 0x32, "机具认证证/卡失败", "SAM failed to authenticate the card"
    VERIFY_ERROR = 0x33, "信息验证错误", "verification error"
    UNKNOWN_CARD_TYPE = 0x40, "无法识别的卡类型", "unknown card type"
    READ_FAILED = 0x41, "读证/卡操作失败", "read failed"
    RANDOM_FAILED = 0x47, "取随机数失败", "random number failed"
    SAM_SELF_TEST_FAILED = 0x60, "SAM自检失败", "SAM self-test failed"
    SAM_NOT_AUTHORISED = 0x66, "SAM未经授权", "SAM not authorised"
    FIND_FAILED = 0x80, "寻找证/卡失败", "no card found"
    SELECT_FAILED = 0x81, "选取证/卡失败", "select failed"

    @classmethod
    def describe(cls, sw3: int) -> str:
        """``"80 寻找证/卡失败 / no card found"``, or an 'unknown status' text for bytes not in the table."""
        try:
            # mypy checks a lookup by value against the member-building __new__ (zh, en); at run time
            # EnumMeta.__call__ finds the existing member and never calls it.
            status = cls(sw3)  # type: ignore[call-arg]
        except ValueError:
            return f"{sw3:02X} 未知状态 / unknown status"
        return f"{sw3:02X} {status.zh} / {status.en}"


# What a status byte says about where the trouble lies (docs/cards.md §2, "Status byte SW3").
# The card could not be read as placed: authentication, selection or the read itself failed.
CARD_READ_FAILURES: Final = frozenset(
    {
        Status.CARD_AUTH_SAM_FAILED,
        Status.SAM_AUTH_CARD_FAILED,
        Status.VERIFY_ERROR,
        Status.READ_FAILED,
        Status.RANDOM_FAILED,
        Status.SELECT_FAILED,
    }
)
# The reader's SAM is broken or not authorised: no card will read until it is fixed.
SAM_FAILURES: Final = frozenset({Status.SAM_SELF_TEST_FAILED, Status.SAM_NOT_AUTHORISED})
SAM_ID_SIZE: Final = 16  # the data of a "read SAM id" answer


@dataclass(frozen=True)
class Frame:
    """A decoded frame: the payload between LEN and CHK (checksum already verified)."""

    payload: bytes

    def encode(self) -> bytes:
        return encode_frame(self.payload)

    def __repr__(self) -> str:  # the payload may be a text block: never show it
        return f"Frame({len(self.payload)} bytes)"


@dataclass(frozen=True)
class Response:
    """A reader's answer: SW1 SW2 SW3 and the data."""

    sw1: int
    sw2: int
    sw3: int
    data: bytes = b""

    @classmethod
    def from_frame(cls, frame: Frame) -> Response:
        if len(frame.payload) < 3:
            raise BadLength(len(frame.payload) + 1, "a response needs at least SW1 SW2 SW3 and the checksum")
        return cls(frame.payload[0], frame.payload[1], frame.payload[2], frame.payload[3:])

    def encode(self) -> bytes:
        return encode_frame(bytes((self.sw1, self.sw2, self.sw3)) + self.data)

    def __repr__(self) -> str:  # data may be a text block: never show it
        return f"Response(sw3={self.sw3:02X}, data={len(self.data)} bytes)"


def decode_frame(raw: bytes) -> Frame:
    """Decode exactly one whole frame; raise a specific FrameError for anything else."""
    if len(raw) < HEADER_SIZE:
        raise TruncatedFrame(HEADER_SIZE, len(raw))
    if raw[: len(PREAMBLE)] != PREAMBLE:
        raise FrameError("bad_preamble", "frame does not start with AA AA AA 96 69")
    length = int.from_bytes(raw[5:7], "big")
    if not MIN_LENGTH <= length <= MAX_LENGTH:
        raise BadLength(length, f"outside {MIN_LENGTH}..{MAX_LENGTH}")
    expected = HEADER_SIZE + length
    if len(raw) < expected:
        raise TruncatedFrame(expected, len(raw))
    if len(raw) > expected:
        raise BadLength(length, f"{len(raw) - expected} bytes follow the frame")
    body = raw[5 : expected - 1]
    if checksum(body) != raw[expected - 1]:
        raise BadChecksum(checksum(body), raw[expected - 1])
    return Frame(raw[HEADER_SIZE : expected - 1])


class GarbageSkipped(FrameError):
    """Bytes that were not part of any frame were dropped."""

    def __init__(self, count: int) -> None:
        super().__init__("garbage", f"skipped {count} bytes that were not part of a frame")
        self.count = count


class FrameReader:
    """Reassembles frames from a byte stream cut into arbitrary chunks.

    ``feed`` returns, in stream order, every whole ``Frame`` and every ``FrameError`` met (garbage
    skipped, bad length, bad checksum); it never raises. After an error the reader resynchronises on
    the next preamble *inside* the rejected bytes, so a real frame hidden behind a false start is not
    lost. ``flush`` says the stream has paused (a timeout): an incomplete frame then counts as truncated.
    """

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._skipped = 0

    def feed(self, chunk: bytes) -> list[Frame | FrameError]:
        self._buffer += chunk
        return self._drain(final=False)

    def flush(self) -> list[Frame | FrameError]:
        return self._drain(final=True)

    def _skip(self, count: int) -> None:
        self._skipped += count
        del self._buffer[:count]

    def _drain(self, *, final: bool) -> list[Frame | FrameError]:
        out: list[Frame | FrameError] = []
        while True:
            start = self._buffer.find(PREAMBLE)
            if start < 0:
                # Keep a tail that may be the beginning of a preamble split across chunks.
                keep = 0 if final else min(len(self._buffer), len(PREAMBLE) - 1)
                self._skip(len(self._buffer) - keep)
                if final and self._skipped:
                    out.append(GarbageSkipped(self._skipped))
                    self._skipped = 0
                return out
            if start:
                self._skip(start)
            if self._skipped:
                out.append(GarbageSkipped(self._skipped))
                self._skipped = 0
            if len(self._buffer) < HEADER_SIZE:
                if final:
                    out.append(TruncatedFrame(HEADER_SIZE, len(self._buffer)))
                    self._buffer.clear()
                return out
            length = int.from_bytes(self._buffer[5:7], "big")
            if not MIN_LENGTH <= length <= MAX_LENGTH:
                out.append(BadLength(length, f"outside {MIN_LENGTH}..{MAX_LENGTH}"))
                del self._buffer[:1]
                continue
            end = HEADER_SIZE + length
            if len(self._buffer) < end:
                if not final:
                    return out
                out.append(TruncatedFrame(end, len(self._buffer)))
                del self._buffer[:1]
                continue
            body = bytes(self._buffer[5 : end - 1])
            got = self._buffer[end - 1]
            if checksum(body) != got:
                out.append(BadChecksum(checksum(body), got))
                del self._buffer[:1]
                continue
            out.append(Frame(body[2:]))
            del self._buffer[:end]


@dataclass(frozen=True, repr=False)
class ReadData:
    """The data of a read response: text block, photo (opaque WLT) and optional fingerprint."""

    text: bytes
    photo: bytes
    fingerprint: bytes = b""

    def __repr__(self) -> str:
        return f"ReadData(text={len(self.text)} bytes, photo={len(self.photo)} bytes)"


def split_read_data(data: bytes, *, fingerprint: bool = False) -> ReadData:
    """Split the data of a read (``30 01`` or ``30 10``) response; raise BadLength when it is inconsistent."""
    fields = 3 if fingerprint else 2
    head = 2 * fields
    if len(data) < head:
        raise BadLength(len(data), f"read data shorter than its {fields} length fields")
    sizes = [int.from_bytes(data[2 * i : 2 * i + 2], "big") for i in range(fields)]
    if sizes[0] != TEXT_SIZE:
        raise BadLength(sizes[0], f"text length must be {TEXT_SIZE}")
    if head + sum(sizes) != len(data):
        raise BadLength(len(data), f"read data announces {head + sum(sizes)} bytes")
    text = data[head : head + sizes[0]]
    photo = data[head + sizes[0] : head + sizes[0] + sizes[1]]
    finger = data[head + sizes[0] + sizes[1] :] if fingerprint else b""
    return ReadData(text, photo, finger)
