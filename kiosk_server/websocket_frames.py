"""RFC 6455 websocket framing for the server side: the opening handshake's answer, frames out, frames in.

The server writes unmasked frames (RFC 6455 §5.1), so one frame's bytes are right for every
connection: ``frame`` builds them once per emit and the fan-out writes the same bytes to each
screen (kiosk_server/direct_websocket.py). ``FrameReader`` parses what a client sends: masked
frames, fragments, control frames between fragments, with every rule a server must enforce, and
turns each violation into a ``ProtocolViolation`` carrying the close code to answer with (§7.4.1),
never an unbounded allocation: a length is checked against the limit before any byte is buffered.
No extension is negotiated (kiosk_server/websocket_compression.py), so every reserved bit must be 0.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import struct
from dataclasses import dataclass
from typing import Final

# RFC 6455 §1.3: the GUID appended to the client's key before hashing.
_GUID: Final = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

CONTINUATION: Final = 0x0
TEXT: Final = 0x1
BINARY: Final = 0x2
CLOSE: Final = 0x8
PING: Final = 0x9
PONG: Final = 0xA
_DATA: Final = frozenset({CONTINUATION, TEXT, BINARY})
_CONTROL: Final = frozenset({CLOSE, PING, PONG})

# Close codes (RFC 6455 §7.4.1).
NORMAL: Final = 1000
GOING_AWAY: Final = 1001
PROTOCOL_ERROR: Final = 1002
INVALID_DATA: Final = 1007
TOO_BIG: Final = 1009
# Codes a peer may not send in a close frame (§7.4.1: reserved, or meant only for reporting locally).
_NOT_ON_THE_WIRE: Final = frozenset({1004, 1005, 1006, 1015})


class HandshakeRefused(ValueError):
    """The request is not a websocket opening handshake this server accepts; the message says why."""


class ProtocolViolation(ValueError):
    """The client broke RFC 6455; ``code`` is the close code to answer with."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code


def accept_key(client_key: str) -> str:
    """The ``Sec-WebSocket-Accept`` answer to a ``Sec-WebSocket-Key`` (RFC 6455 §4.2.2, item 5.4).

    Raises HandshakeRefused unless the key is the base64 of 16 bytes (§4.1, item 7).
    """
    try:
        nonce = base64.b64decode(client_key.strip(), validate=True)
    except (binascii.Error, ValueError) as err:
        raise HandshakeRefused("Sec-WebSocket-Key is not base64") from err
    if len(nonce) != 16:
        raise HandshakeRefused(f"Sec-WebSocket-Key holds {len(nonce)} bytes, not 16")
    digest = hashlib.sha1(client_key.strip().encode("ascii") + _GUID, usedforsecurity=False).digest()
    return base64.b64encode(digest).decode("ascii")


def frame(payload: str | bytes, opcode: int | None = None) -> bytes:
    """One unmasked, final frame: text for ``str``, binary for ``bytes`` unless ``opcode`` says otherwise."""
    data = payload.encode("utf-8") if isinstance(payload, str) else payload
    if opcode is None:
        opcode = TEXT if isinstance(payload, str) else BINARY
    size = len(data)
    if size < 126:
        head = struct.pack("!BB", 0x80 | opcode, size)
    elif size < 1 << 16:
        head = struct.pack("!BBH", 0x80 | opcode, 126, size)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 127, size)
    return head + data


def close_frame(code: int = NORMAL, reason: str = "") -> bytes:
    """A close frame with ``code`` and a reason cut to fit a control frame's 125 bytes."""
    body = struct.pack("!H", code) + reason.encode("utf-8")[:123]
    return frame(body, CLOSE)


def unmask(data: bytes, key: bytes) -> bytes:
    """``data`` XORed with the 4-byte masking ``key`` repeated (§5.3), as one big-integer XOR."""
    size = len(data)
    if not size:
        return b""
    repeated = (key * (size // 4 + 1))[:size]
    return (int.from_bytes(data, "little") ^ int.from_bytes(repeated, "little")).to_bytes(size, "little")


@dataclass(frozen=True)
class Message:
    """What a client sent: a whole text or binary message, or a control frame."""

    opcode: int  # TEXT, BINARY, CLOSE, PING or PONG
    data: bytes
    text: str | None = None  # the decoded text of a TEXT message

    @property
    def close_code(self) -> int | None:
        """The code of a CLOSE frame, None when it carried none."""
        return struct.unpack("!H", self.data[:2])[0] if self.opcode == CLOSE and len(self.data) >= 2 else None


class FrameReader:
    """Turns the bytes a client sends into ``Message``s; raises ProtocolViolation on anything RFC 6455 forbids.

    ``max_message`` bounds a whole message (all its fragments): a frame announcing more is refused
    from its header alone, before its payload is read.
    """

    def __init__(self, max_message: int) -> None:
        self._max = max_message
        self._buffer = bytearray()
        self._fragments: list[bytes] = []
        self._fragments_size = 0
        self._fragments_opcode: int | None = None

    def feed(self, data: bytes) -> list[Message]:
        """Add received bytes; returns the messages they complete, in order."""
        self._buffer += data
        messages: list[Message] = []
        while True:
            message = self._next()
            if message is None:
                return messages
            if message.opcode != CONTINUATION:
                messages.append(message)

    def _next(self) -> Message | None:
        buffer = self._buffer
        if len(buffer) < 2:
            return None
        first, second = buffer[0], buffer[1]
        fin, opcode, masked, size = first & 0x80, first & 0x0F, second & 0x80, second & 0x7F
        if first & 0x70:
            raise ProtocolViolation(PROTOCOL_ERROR, "reserved bits set, and no extension was negotiated")
        if opcode not in _DATA and opcode not in _CONTROL:
            raise ProtocolViolation(PROTOCOL_ERROR, f"unknown opcode {opcode:#x}")
        if not masked:
            raise ProtocolViolation(PROTOCOL_ERROR, "a client frame must be masked")
        offset = 2
        if size == 126:
            if len(buffer) < 4:
                return None
            size, offset = struct.unpack_from("!H", buffer, 2)[0], 4
        elif size == 127:
            if len(buffer) < 10:
                return None
            size, offset = struct.unpack_from("!Q", buffer, 2)[0], 10
            if size >> 63:
                raise ProtocolViolation(PROTOCOL_ERROR, "a 64-bit length with its most significant bit set")
        if opcode in _CONTROL:
            if not fin:
                raise ProtocolViolation(PROTOCOL_ERROR, "a control frame may not be fragmented")
            if size > 125:
                raise ProtocolViolation(PROTOCOL_ERROR, f"a control frame of {size} bytes (at most 125)")
        elif size + self._fragments_size > self._max:
            raise ProtocolViolation(TOO_BIG, f"a message of more than {self._max} bytes")
        end = offset + 4 + size
        if len(buffer) < end:
            return None
        payload = unmask(bytes(buffer[offset + 4 : end]), bytes(buffer[offset : offset + 4]))
        del buffer[:end]
        if opcode in _CONTROL:
            return _control(opcode, payload)
        return self._data(opcode, bool(fin), payload)

    def _data(self, opcode: int, fin: bool, payload: bytes) -> Message:
        if opcode == CONTINUATION:
            if self._fragments_opcode is None:
                raise ProtocolViolation(PROTOCOL_ERROR, "a continuation frame with no message to continue")
            opcode = self._fragments_opcode
        elif self._fragments_opcode is not None:
            raise ProtocolViolation(PROTOCOL_ERROR, "a new message began before the fragmented one ended")
        if not fin:
            self._fragments_opcode = opcode
            self._fragments.append(payload)
            self._fragments_size += len(payload)
            return Message(CONTINUATION, b"")
        if self._fragments:
            payload = b"".join([*self._fragments, payload])
            self._fragments, self._fragments_size, self._fragments_opcode = [], 0, None
        if opcode == BINARY:
            return Message(BINARY, payload)
        try:
            return Message(TEXT, payload, payload.decode("utf-8"))
        except UnicodeDecodeError as err:
            raise ProtocolViolation(INVALID_DATA, "a text message that is not UTF-8") from err


def _control(opcode: int, payload: bytes) -> Message:
    if opcode == CLOSE:
        if len(payload) == 1:
            raise ProtocolViolation(PROTOCOL_ERROR, "a close frame with a one-byte body")
        if len(payload) >= 2:
            code = struct.unpack("!H", payload[:2])[0]
            if code < 1000 or code in _NOT_ON_THE_WIRE or 1016 <= code < 3000 or code >= 5000:
                raise ProtocolViolation(PROTOCOL_ERROR, f"close code {code} may not be sent")
            try:
                payload[2:].decode("utf-8")
            except UnicodeDecodeError as err:
                raise ProtocolViolation(INVALID_DATA, "a close reason that is not UTF-8") from err
    return Message(opcode, payload)
