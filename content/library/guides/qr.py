"""The QR code of a guide's online link as rows of modules, so walls and kiosks draw it without a network call.

A manifest carries the rows (``"1"`` dark, ``"0"`` light, no quiet zone), and the player draws them
as one SVG path: the code shows offline, from the cached manifest, like the rest of the guide.
"""

from __future__ import annotations

from functools import lru_cache

import segno


@lru_cache(maxsize=1024)
def qr_rows(url: str) -> tuple[str, ...]:
    """The modules of ``url``'s QR code (error correction M), one string of 0 and 1 per row; () for no URL."""
    if not url:
        return ()
    code = segno.make(url, error="m", micro=False)
    return tuple("".join("1" if module else "0" for module in row) for row in code.matrix)
