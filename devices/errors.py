"""Errors raised by the device drivers: one root, specific subclasses that say what went wrong.

Messages never repeat personal data (names, ID numbers): they may end up in logs.
"""

from __future__ import annotations


class DeviceError(Exception):
    """Root of every error raised by ``devices``."""


class FrameError(DeviceError):
    """A GA/T 467 frame could not be decoded.

    ``reason`` is a short machine-readable key (``bad_checksum``, ``bad_length``, ``truncated``,
    ``bad_preamble``); the message says what was expected and what arrived.
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class BadChecksum(FrameError):
    """The XOR checksum byte does not match the frame's contents."""

    def __init__(self, expected: int, got: int) -> None:
        super().__init__("bad_checksum", f"frame checksum is {got:02X}, computed {expected:02X}")
        self.expected = expected
        self.got = got


class BadLength(FrameError):
    """The LEN field is impossible (too short for the status bytes, or not what the caller expected)."""

    def __init__(self, length: int, detail: str) -> None:
        super().__init__("bad_length", f"frame length {length}: {detail}")
        self.length = length


class TruncatedFrame(FrameError):
    """The bytes ended before the frame announced by LEN was complete."""

    def __init__(self, expected: int, got: int) -> None:
        super().__init__("truncated", f"frame truncated: expected {expected} bytes, got {got}")
        self.expected = expected
        self.got = got


class ReaderStatusError(DeviceError):
    """The reader answered with a status byte (SW3) other than the one the command expects."""

    def __init__(self, command: str, sw3: int, meaning: str) -> None:
        super().__init__(f"{command}: reader status {sw3:02X} ({meaning})")
        self.command = command
        self.sw3 = sw3


class TextBlockError(DeviceError):
    """The 256-byte text block of an ID card could not be decoded."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class InvalidIdNumber(TextBlockError):
    """An ID number failed GB 11643 validation. The message never contains the number."""

    def __init__(self, problem: str) -> None:
        super().__init__("id_number", problem)
        self.problem = problem
