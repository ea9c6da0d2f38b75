"""The screen profiles the layout designer draws on: size, panel, safe area and the smallest legible line.

A layout is stored as fractions of the screen, so the designer only changes how the canvas is drawn:
its aspect ratio, the safe area (an inset a panel may hide: LED cabinets' frames, a TV's overscan),
and, on LED panels, a sample line at the smallest size the player sets text there. The text sizes
come from ``content.signage.layout_fit`` (one home for the rule); this module only lists panels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from content.signage.layout_fit import (
    LINE_HEIGHT,
    MIN_CHARACTERS_ACROSS,
    MIN_TEXT_PX,
    PAGE_TYPE_WIDGETS,
    TEXT_WIDGETS,
    ScreenProfile,
    text_px,
)
from kiosk_server.console.words import catalogue, say
from kiosk_server.counter_strings import pick_lang


@dataclass(frozen=True)
class Panel:
    """One profile of the designer's select: ``key`` names its words (``layouts.profile.<key>``)."""

    key: str
    width_px: int
    height_px: int
    panel: str = "lcd"
    safe_percent: float = 0.0  # inset on every side the panel may not show


# What halls hang (the screens page's presets, plus the ultra-wide wall and the LED strip). The
# first is the default: the 16:9 wall the layout list's thumbnails are drawn on.
PANELS: Final = (
    Panel("fhd_landscape", 1920, 1080),
    Panel("fhd_portrait", 1080, 1920),
    Panel("ultra_wide", 3840, 1080),
    Panel("uhd_landscape", 3840, 2160),
    Panel("counter_strip", 1920, 540),
    Panel("led_small", 768, 384, "led", 2.0),
    Panel("led_strip", 640, 64, "led", 2.0),
)


def profiles(lang: str) -> list[dict[str, Any]]:
    """The designer's profiles as JSON-ready dicts (label, size, safe inset, text rule on LED panels)."""
    found = []
    for p in PANELS:
        screen = ScreenProfile(0, p.key, "wall", "", p.width_px, p.height_px, p.panel)
        page = max(MIN_TEXT_PX, text_px(screen))
        found.append(
            {
                "key": p.key,
                "label": say(lang, f"layouts.profile.{p.key}"),
                "width": p.width_px,
                "height": p.height_px,
                "led": p.panel == "led",
                "safe": p.safe_percent,
                # the line each widget must hold, in screen pixels (layout_fit.small_regions)
                "line_px": {w: (page if w in PAGE_TYPE_WIDGETS else MIN_TEXT_PX) for w in sorted(TEXT_WIDGETS)},
                "line_height": LINE_HEIGHT,
                "characters": MIN_CHARACTERS_ACROSS,
            }
        )
    return found


# The designer's sentences with their {placeholders} kept, for the script to fill in (layout-designer.js).
_SCRIPT_WORDS: Final = {
    "designer": "layouts.designer",
    "region": "layouts.designer.region",
    "region_n": "layouts.region",
    "new_name": "layouts.designer.new_name",
    "overlap": "layouts.designer.overlap",
    "overlaps": "layouts.designer.overlaps",
    "no_overlap": "layouts.designer.no_overlap",
    "too_small": "layouts.designer.too_small",
    "full": "layouts.designer.full",
    "safe": "layouts.designer.safe",
    "sample": "layouts.designer.sample",
    "sample_note": "layouts.designer.sample_note",
}


def script_words(lang: str) -> dict[str, str]:
    """The designer's words in ``lang``, placeholders left for the script."""
    return {name: template(lang, key) for name, key in _SCRIPT_WORDS.items()}


def template(lang: str, key: str) -> str:
    """The words of ``key`` in ``lang`` with their placeholders unfilled."""
    zh, en = catalogue()[key]
    return en if pick_lang(lang) == "en" else zh


_ORDER_WORDS: Final = {
    "entry": "playlists.entry",
    "handle": "playlists.order.handle",
    "up": "playlists.order.up",
    "down": "playlists.order.down",
    "up_label": "playlists.order.up_label",
    "down_label": "playlists.order.down_label",
    "moved": "playlists.order.moved",
}


def order_words(lang: str) -> dict[str, str]:
    """The playlist ordering script's words in ``lang``, placeholders left for the script (playlist-order.js)."""
    return {name: template(lang, key) for name, key in _ORDER_WORDS.items()}
