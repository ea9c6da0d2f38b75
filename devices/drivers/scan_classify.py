"""Classify a finished scan: e-card token, magnetic-stripe tracks, barcode, or something else.

The e-card token is opaque (``docs/cards.md`` §4): it is recognised by a configurable prefix and
a base64url body, never parsed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from devices.drivers.scan_events import BarcodeScanned, ECardScanned, MagstripeSwiped, ScanEvent, UnrecognisedScan

DEFAULT_ECARD_PREFIX = "HRSS-ESSC:"

_BASE64URL = re.compile(r"[A-Za-z0-9_-]+={0,2}")
# Track 1 (IATA, alphanumeric) between % and ?; track 2 (ABA, digits and = separators) between ; and ?.
_TRACK1 = re.compile(r"%([\x20-\x3e\x40-\x5f]{1,78})\?")
_TRACK2 = re.compile(r";([0-9=]{1,38})\?")
_MAGSTRIPE = re.compile(rf"(?:{_TRACK1.pattern})?(?:{_TRACK2.pattern})?")
_CODE128_MAX = 48  # longer is beyond what a linear barcode on paper carries; likely a 2-D code
_PRINTABLE_NO_SPACE = re.compile(r"[\x21-\x7e]+")


@dataclass(frozen=True)
class ClassifyRules:
    """What counts as an e-card token. The prefix is the deployment's (demo backend or national platform)."""

    ecard_prefix: str = DEFAULT_ECARD_PREFIX
    ecard_min_body: int = 16
    ecard_max_body: int = 1024
    extra_ecard_prefixes: tuple[str, ...] = field(default=())


def gtin_check_ok(digits: str) -> bool:
    """True when the last digit is the GS1 mod-10 check digit of the others (EAN-8, UPC-A, EAN-13)."""
    body, check = digits[:-1], int(digits[-1])
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def classify(reader_id: str, text: str, rules: ClassifyRules | None = None) -> ScanEvent:
    """The event for one finished scan from reader ``reader_id``."""
    rules = rules or ClassifyRules()
    for prefix in (rules.ecard_prefix, *rules.extra_ecard_prefixes):
        if prefix and text.startswith(prefix):
            body = text[len(prefix) :]
            if not rules.ecard_min_body <= len(body) <= rules.ecard_max_body:
                return UnrecognisedScan(reader_id, len(text), f"e-card prefix with a body of {len(body)} characters")
            if not _BASE64URL.fullmatch(body):
                return UnrecognisedScan(reader_id, len(text), "e-card prefix with a body that is not base64url")
            return ECardScanned(reader_id, text)

    if text[:1] in ("%", ";"):
        match = _MAGSTRIPE.fullmatch(text)
        if match and (match.group(1) is not None or match.group(2) is not None):
            tracks = {n: match.group(n) for n in (1, 2) if match.group(n) is not None}
            return MagstripeSwiped(reader_id, tracks)
        return UnrecognisedScan(reader_id, len(text), "starts with a track sentinel but is not a track")

    if text.isascii() and text.isdigit():
        if len(text) in (8, 12, 13) and gtin_check_ok(text):
            return BarcodeScanned(reader_id, {8: "ean8", 12: "upca", 13: "ean13"}[len(text)], text)
        if len(text) <= _CODE128_MAX:
            return BarcodeScanned(reader_id, "numeric", text)
    if len(text) <= _CODE128_MAX and _PRINTABLE_NO_SPACE.fullmatch(text) and "://" not in text:
        return BarcodeScanned(reader_id, "code128", text)
    return UnrecognisedScan(reader_id, len(text), "not an e-card token, track or barcode")
