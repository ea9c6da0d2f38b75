"""Turn keyboard-wedge input events into scans: key-down decoding with Shift, terminator and gap timeout.

Pure: no device, no clock of its own. The reader feeds ``(timestamp, type, code, value)`` events and,
when the device is idle, calls ``poll(now)`` so a scan that never got its Enter is reported.

Scan contents are credentials (e-card tokens, card tracks): nothing here logs them, only lengths and
key codes that are not part of the text.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from devices.drivers.keymap import (
    ENTER_KEYS,
    EV_KEY,
    KEY_DOWN_VALUE,
    KEY_UP_VALUE,
    SHIFT_KEYS,
    US_KEYMAP,
)
from devices.errors import DeviceError

log = logging.getLogger(__name__)

DEFAULT_INTER_KEY_TIMEOUT_S = 0.080
DEFAULT_MAX_LENGTH = 1024


class ScanError(DeviceError):
    """Root of the keyboard-wedge scanner errors."""


class ScanInputError(ScanError):
    """An input event the decoder cannot use at all (not a kernel event: a bug or a corrupt recording)."""


@dataclass(frozen=True)
class DecoderConfig:
    """How scans end and how long they may be.

    ``require_terminator``: scanners here are configured to send Enter after each scan, so a scan cut
    short by an inter-key gap is incomplete (a fault). Set it False for scanners without a suffix, and
    the gap then ends the scan normally.
    """

    inter_key_timeout_s: float = DEFAULT_INTER_KEY_TIMEOUT_S
    max_length: int = DEFAULT_MAX_LENGTH
    terminators: frozenset[int] = ENTER_KEYS
    require_terminator: bool = True
    keymap: Mapping[int, tuple[str, str]] = field(default_factory=lambda: US_KEYMAP, repr=False, hash=False)

    def __post_init__(self) -> None:
        if not (self.inter_key_timeout_s > 0 and math.isfinite(self.inter_key_timeout_s)):
            raise ScanError(f"inter_key_timeout_s must be a positive number of seconds, got {self.inter_key_timeout_s}")
        if self.max_length < 1:
            raise ScanError(f"max_length must be at least 1, got {self.max_length}")


@dataclass(frozen=True, repr=False)
class Scan:
    """A complete scan. ``repr`` shows its length only: the text may be a credential."""

    text: str
    started_at: float
    ended_at: float

    def __repr__(self) -> str:
        return f"Scan(length={len(self.text)}, started_at={self.started_at}, ended_at={self.ended_at})"

    __str__ = __repr__


@dataclass(frozen=True)
class IncompleteScan:
    """A scan that did not end properly; its partial text is dropped, never merged with the next one."""

    length: int
    reason: str  # "gap" (inter-key timeout before the terminator) or "too_long"
    started_at: float
    ended_at: float

    @property
    def message(self) -> str:
        """A sentence for a reader fault, without any of the scanned characters."""
        if self.reason == "too_long":
            return f"scan longer than {self.length} characters was dropped"
        return f"scan interrupted after {self.length} characters (no terminator before the inter-key timeout)"


ScanResult = Scan | IncompleteScan


class ScanDecoder:
    """Accumulates key-downs into scans; one instance per device, not thread-safe."""

    def __init__(self, config: DecoderConfig | None = None) -> None:
        self.config = config or DecoderConfig()
        self.unknown_key_count = 0  # over the decoder's life, for diagnostics
        self._shift_down: set[int] = set()
        self._chars: list[str] = []
        self._overflow = False
        self._started_at = 0.0
        self._last_key_at: float | None = None
        self._unknown_in_scan = 0

    @property
    def in_progress(self) -> bool:
        """True while characters of an unfinished scan are buffered."""
        return self._last_key_at is not None

    def reset(self) -> None:
        """Forget the partial scan and the Shift state (after the device was reopened)."""
        self._shift_down.clear()
        self._discard()

    def feed(self, timestamp: float, ev_type: int, code: int, value: int) -> list[ScanResult]:
        """Take one input event; return the scans it finished (usually none, at most two)."""
        if not isinstance(timestamp, (int, float)) or not math.isfinite(timestamp):
            raise ScanInputError(f"event timestamp must be a finite number, got {timestamp!r}")
        if ev_type != EV_KEY:
            return []  # SYN_REPORT, MSC_SCAN and the rest carry nothing a wedge scanner needs
        if code in SHIFT_KEYS:
            if value == KEY_DOWN_VALUE:
                self._shift_down.add(code)
            elif value == KEY_UP_VALUE:
                self._shift_down.discard(code)
            return []
        if value != KEY_DOWN_VALUE:
            return []  # releases and auto-repeats

        results = self.poll(timestamp)
        if code in self.config.terminators:
            finished = self._finish(timestamp, terminated=True)
            if finished is not None:
                results.append(finished)
            return results

        char = self.config.keymap.get(code)
        if char is None:
            self.unknown_key_count += 1
            self._unknown_in_scan += 1
            log.debug("ignored key code %d", code)
            return results
        if self._last_key_at is None:
            self._started_at = timestamp
        self._last_key_at = timestamp
        if len(self._chars) >= self.config.max_length:
            self._overflow = True
        else:
            self._chars.append(char[1] if self._shift_down else char[0])
        return results

    def poll(self, now: float) -> list[ScanResult]:
        """End the buffered scan if nothing was typed for longer than the inter-key timeout."""
        if self._last_key_at is None or not now - self._last_key_at > self.config.inter_key_timeout_s:
            return []
        finished = self._finish(self._last_key_at, terminated=False)
        return [] if finished is None else [finished]

    def _finish(self, ended_at: float, *, terminated: bool) -> ScanResult | None:
        if self._last_key_at is None:
            self._unknown_in_scan = 0
            return None  # a lone Enter: nothing to report
        if self._unknown_in_scan:
            log.warning("scan contained %d key codes outside the keymap; they were ignored", self._unknown_in_scan)
        result: ScanResult
        if self._overflow:
            result = IncompleteScan(self.config.max_length, "too_long", self._started_at, ended_at)
        elif terminated or not self.config.require_terminator:
            result = Scan("".join(self._chars), self._started_at, ended_at)
        else:
            result = IncompleteScan(len(self._chars), "gap", self._started_at, ended_at)
        self._discard()
        return result

    def _discard(self) -> None:
        self._chars = []
        self._overflow = False
        self._last_key_at = None
        self._unknown_in_scan = 0
