"""Events a keyboard-wedge scanner emits for finished scans; ``repr`` never shows what was scanned."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ECardScanned:
    """An electronic social-security card QR: an opaque, short-lived token for the records backend."""

    reader_id: str
    token: str = field(repr=False)


@dataclass(frozen=True)
class BarcodeScanned:
    """A one-dimensional barcode. ``symbology`` is ``ean13``, ``ean8``, ``upca``, ``numeric`` or ``code128``."""

    reader_id: str
    symbology: str
    data: str = field(repr=False)


@dataclass(frozen=True)
class MagstripeSwiped:
    """A magnetic-stripe swipe. ``tracks`` maps track number (1, 2) to its data without sentinels."""

    reader_id: str
    tracks: dict[int, str] = field(repr=False, hash=False, compare=True)

    @property
    def track_numbers(self) -> tuple[int, ...]:
        """Which tracks were read, in order."""
        return tuple(sorted(self.tracks))


@dataclass(frozen=True)
class UnrecognisedScan:
    """A scan that is none of the kinds above (a URL, another app's QR, a malformed e-card token)."""

    reader_id: str
    length: int
    hint: str  # why it was not recognised, without the content


ScanEvent = ECardScanned | BarcodeScanned | MagstripeSwiped | UnrecognisedScan
