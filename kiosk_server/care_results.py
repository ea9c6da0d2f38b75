"""Reading a ``command_result`` (docs/protocol.md, "Remote care"): a device's answer, checked before it is kept.

A device is trusted with its own answers, not with the server: anything that is not the contract's
shape (a wrong type, a huge result, a PNG that is not one) becomes a failed command with an error
code that says what was wrong, never an exception in the handler. Messages name the problem, never
repeat a value.
"""

from __future__ import annotations

import io
import json
import re
from typing import Any, Final

from content.control_characters import first_control_character
from content.org.device_commands import (
    MAX_MESSAGE,
    MAX_PNG_BYTES,
    Answer,
    BadPng,
    Command,
    png_size,
)

MAX_RESULT_BYTES: Final = 64 * 1024  # a doctor's report in JSON fits many times over
MAX_PIXELS: Final = 8192 * 8192
_ERROR_CODE: Final = re.compile(r"[a-z][a-z0-9_]{0,39}")

# Error codes the server gives an answer it would not keep.
BAD_RESULT: Final = "bad_result"
BAD_PNG: Final = "bad_png"
TOO_LARGE: Final = "too_large"


class NoCommand(Exception):
    """The payload names no command id at all: there is nothing to mark failed, only the ack to refuse."""


class Refused(Exception):
    """The answer to command ``id`` is malformed: the command fails with ``code`` and this message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def command_id(data: Any) -> int:
    """The command id of a result payload; NoCommand when there is none that could be a row id."""
    found = data.get("id") if isinstance(data, dict) else None
    if not isinstance(found, int) or isinstance(found, bool) or not 0 < found < 2**31:
        raise NoCommand('expected {"id": <command id>, "ok": true|false, ...}')
    return found


def read(data: dict[str, Any], command: Command) -> Answer:
    """The answer in ``data`` to a ``command``; Refused when it is not the contract's shape."""
    ok = data.get("ok")
    if not isinstance(ok, bool):
        raise Refused(BAD_RESULT, '"ok" must be true or false')
    png = data.get("png")
    if png is not None and command is not Command.SCREENSHOT:
        raise Refused(BAD_RESULT, f"a {command.value} answer carries no picture")
    if not ok:
        return _failure(data)
    result = _result(data.get("result", {}))
    if command is Command.SCREENSHOT:
        return Answer(True, result, png=_picture(png, result))
    return Answer(True, result)


def _failure(data: dict[str, Any]) -> Answer:
    error = data.get("error")
    if not isinstance(error, str) or not _ERROR_CODE.fullmatch(error):
        raise Refused(BAD_RESULT, '"error" must be a code of lower-case letters, digits and _ (at most 40)')
    message = data.get("message", "")
    if not isinstance(message, str):
        raise Refused(BAD_RESULT, '"message" must be text')
    # Control characters (a terminal escape in a log viewer) are dropped, not refused: the error still counts.
    clean = "".join(ch for ch in message[: 4 * MAX_MESSAGE] if first_control_character(ch) is None)
    return Answer(False, error=error, message=clean[:MAX_MESSAGE])


def _result(result: Any) -> dict[str, Any]:
    if not isinstance(result, dict):
        raise Refused(BAD_RESULT, '"result" must be an object')
    try:
        size = len(json.dumps(result, ensure_ascii=False, allow_nan=False).encode("utf-8"))
    except (TypeError, ValueError, RecursionError) as err:
        raise Refused(BAD_RESULT, '"result" must hold JSON values only') from err
    if size > MAX_RESULT_BYTES:
        raise Refused(TOO_LARGE, f'"result" is {size} bytes; at most {MAX_RESULT_BYTES}')
    return result


def _picture(png: Any, result: dict[str, Any]) -> bytes:
    """The screenshot's bytes, checked: a PNG of the size the result states, that decodes."""
    if not isinstance(png, bytes | bytearray):
        raise Refused(BAD_PNG, 'a screenshot answer carries its PNG as a binary attachment "png"')
    if len(png) > MAX_PNG_BYTES:
        raise Refused(TOO_LARGE, f"the PNG is {len(png)} bytes; at most {MAX_PNG_BYTES}")
    data = bytes(png)
    try:
        width, height = png_size(data)
    except BadPng as err:
        raise Refused(BAD_PNG, str(err)) from err
    if result.get("width") != width or result.get("height") != height:
        raise Refused(BAD_PNG, f'"width" and "height" must state the PNG\'s size ({width}×{height})')
    _decode(data)
    return data


def _decode(data: bytes) -> None:
    """Decode every pixel (a header can be well formed over broken data); Refused when it fails."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != "PNG" or image.width * image.height > MAX_PIXELS:
                raise Refused(BAD_PNG, "not a PNG of a plausible size")
            image.load()
    except Refused:
        raise
    except Exception as err:  # noqa: BLE001 - Pillow raises many kinds for broken data; all mean the same here
        raise Refused(BAD_PNG, f"the PNG does not decode ({type(err).__name__})") from err
