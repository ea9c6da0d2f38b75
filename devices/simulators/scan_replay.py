"""Recorded keyboard-wedge event sequences: a text format, a loader, a replayer and a synthesiser.

Format: one event per line, ``t type code value`` (``t`` in seconds, the rest integers); blank lines
and ``#`` comments are ignored. It is what ``evtest`` shows, reduced to the four numbers.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from devices.drivers.keymap import (
    EV_KEY,
    EV_MSC,
    EV_SYN,
    KEY_DOWN_VALUE,
    KEY_ENTER,
    KEY_LEFTSHIFT,
    KEY_UP_VALUE,
    MSC_SCAN,
    SYN_REPORT,
    US_CHAR_TO_KEY,
)
from devices.drivers.scan_decoder import ScanDecoder, ScanInputError, ScanResult


@dataclass(frozen=True)
class RecordedEvent:
    """One input event as recorded: seconds, type, code, value."""

    t: float
    type: int
    code: int
    value: int


class RecordingError(ScanInputError):
    """A recording line that is not ``t type code value``."""

    def __init__(self, line_number: int, problem: str) -> None:
        super().__init__(f"recording line {line_number}: {problem}")
        self.line_number = line_number


def parse_recording(text: str) -> list[RecordedEvent]:
    """The events of a recording in the text format."""
    events = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) != 4:
            raise RecordingError(number, f"expected 4 fields (t type code value), got {len(parts)}")
        try:
            t = float(parts[0])
            ev_type, code, value = (int(p) for p in parts[1:])
        except ValueError as err:
            raise RecordingError(number, f"not numbers: {err}") from err
        if not math.isfinite(t):
            raise RecordingError(number, "time is not a finite number")
        events.append(RecordedEvent(t, ev_type, code, value))
    return events


def load_recording(path: str | Path) -> list[RecordedEvent]:
    """The events of a recording file."""
    return parse_recording(Path(path).read_text(encoding="utf-8"))


def dump_recording(events: Iterable[RecordedEvent], header: str = "") -> str:
    """The text format for ``events``, with ``header`` as leading comment lines."""
    lines = [f"# {h}" if h else "#" for h in header.splitlines()]
    lines += [f"{e.t:.6f} {e.type} {e.code} {e.value}" for e in events]
    return "\n".join(lines) + "\n"


def replay(events: Iterable[RecordedEvent], decoder: ScanDecoder | None = None) -> list[ScanResult]:
    """Feed ``events`` to a decoder and return every scan, including one left open at the end."""
    decoder = decoder or ScanDecoder()
    results: list[ScanResult] = []
    last_t = 0.0
    for event in events:
        results += decoder.feed(event.t, event.type, event.code, event.value)
        last_t = event.t
    # The device then stays idle: what an idle poll by the reader would report.
    results += decoder.poll(last_t + decoder.config.inter_key_timeout_s * 2)
    return results


def record_from_text(
    text: str,
    shift_map: Mapping[str, tuple[int, bool]] = US_CHAR_TO_KEY,
    inter_key_ms: float = 4.0,
    *,
    start: float = 0.0,
    terminator: int | None = KEY_ENTER,
    shift_key: int = KEY_LEFTSHIFT,
) -> list[RecordedEvent]:
    """The events a US-layout wedge scanner sends when it types ``text`` (then ``terminator``).

    ``shift_map`` maps each character to (scan code, needs Shift). Like real scanners, each key goes
    down and up with MSC_SCAN and SYN_REPORT events (the MSC_SCAN value is 0x70000 + code, a stand-in
    for the HID usage, which the decoder ignores); Shift is held across runs of shifted characters.
    """
    step = inter_key_ms / 1000.0
    half = step / 2
    t = start
    events: list[RecordedEvent] = []

    def key(code: int, value: int, at: float) -> None:
        events.append(RecordedEvent(round(at, 6), EV_MSC, MSC_SCAN, 0x70000 + code))
        events.append(RecordedEvent(round(at, 6), EV_KEY, code, value))
        events.append(RecordedEvent(round(at, 6), EV_SYN, SYN_REPORT, 0))

    shifted_now = False
    for char in text:
        try:
            code, shifted = shift_map[char]
        except KeyError:
            raise ValueError(f"character U+{ord(char):04X} has no key in the shift map") from None
        if shifted != shifted_now:
            key(shift_key, KEY_DOWN_VALUE if shifted else KEY_UP_VALUE, t)
            shifted_now = shifted
        key(code, KEY_DOWN_VALUE, t)
        key(code, KEY_UP_VALUE, t + half)
        t += step
    if shifted_now:
        key(shift_key, KEY_UP_VALUE, t)
    if terminator is not None:
        key(terminator, KEY_DOWN_VALUE, t)
        key(terminator, KEY_UP_VALUE, t + half)
    return events
