"""Layout fit: whether a layout, drawn for a 16:9 wall, reads well on each screen it is sent to.

A layout's regions are fractions of the screen (``layouts.py``), so the player stretches the same
layout over any panel. That is right for a 1920×1080 LCD and a 21:9 wall, but a landscape layout
on a portrait kiosk squeezes every region to a third of its width, and on a 640×64 counter strip a
ticker 8 % high is 5 px tall. This module says which screens a layout does not fit, and why; the
console shows it as a warning (docs/console.md, "Schedules: reach, fit and when it shows"), never
as a refusal: a hall may mean it.

The numbers are the player's (``display_client/static/css/wall.css``): running text is 2.6 % of
the screen height (5 % on small LED panels), clamped between 12 and 72 px. A Chinese character
needs at least 16 px (the smallest dot-matrix font an LED panel draws legibly), and a text region
must hold one such line (with its leading) and a few characters across.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

# The canvas the console draws layouts on (``_layout_preview.html``): a 16:9 landscape wall.
DESIGN_WIDTH: Final = 1920
DESIGN_HEIGHT: Final = 1080
# A screen wider or narrower than the design by more than this factor distorts every region.
ASPECT_TOLERANCE: Final = 1.5
# wall.css: --min-type 2.6vh (5vh on html.led), font-size clamp(12px, var(--min-type), 72px).
TYPE_SHARE: Final = 0.026
LED_TYPE_SHARE: Final = 0.05
TYPE_FLOOR_PX: Final = 12
TYPE_CEILING_PX: Final = 72
# The smallest legible Chinese character, in pixels (a 16×16 dot-matrix glyph).
MIN_TEXT_PX: Final = 16
# A text region holds at least one line (1.25 × the character height) and this many characters across.
LINE_HEIGHT: Final = 1.25
MIN_CHARACTERS_ACROSS: Final = 6
# Regions that show text; every widget does. Playlists and the queue board set their text in the
# page's running type; tickers, the header and the clock scale theirs with the region (cqh).
TEXT_WIDGETS: Final = frozenset({"playlist", "ticker", "queue", "header", "clock"})
PAGE_TYPE_WIDGETS: Final = frozenset({"playlist", "queue"})
LED_MEGAPIXEL_LIMIT: Final = 1_000_000  # content.org.screens.Screen.low_resolution


class Problem(StrEnum):
    SQUEEZED = "squeezed"  # the screen is much narrower than the layout (a portrait kiosk)
    STRETCHED = "stretched"  # the screen is much wider than the layout (a strip)
    TEXT_SMALL = "text_small"  # the page's running text (playlists, queue board) is below MIN_TEXT_PX here
    REGION_SMALL = "region_small"  # some text region cannot hold one legible line


@dataclass(frozen=True)
class ScreenProfile:
    """What the check needs to know of a screen: its size as displayed, panel, and who it is."""

    id: int
    name: str
    kind: str
    hall: str
    width_px: int
    height_px: int
    panel: str = "lcd"

    @property
    def low_resolution(self) -> bool:
        return self.panel == "led" and self.width_px * self.height_px < LED_MEGAPIXEL_LIMIT


@dataclass(frozen=True)
class RegionShape:
    """A layout region's name, widget and size (fractions of the screen)."""

    name: str
    widget: str
    w: float
    h: float


@dataclass(frozen=True)
class Misfit:
    """A screen the layout does not fit, with every problem found and the regions too small on it."""

    screen: ScreenProfile
    problems: tuple[Problem, ...]
    small_regions: tuple[str, ...]
    text_px: float


def text_px(screen: ScreenProfile) -> float:
    """The height of the player's running text on ``screen``, in pixels."""
    share = LED_TYPE_SHARE if screen.low_resolution else TYPE_SHARE
    return min(TYPE_CEILING_PX, max(TYPE_FLOOR_PX, share * screen.height_px))


def aspect_problem(screen: ScreenProfile) -> Problem | None:
    """SQUEEZED or STRETCHED when the screen's shape is too far from the 16:9 design, else None."""
    ratio = (screen.width_px / max(1, screen.height_px)) / (DESIGN_WIDTH / DESIGN_HEIGHT)
    if ratio < 1 / ASPECT_TOLERANCE:
        return Problem.SQUEEZED
    if ratio > ASPECT_TOLERANCE:
        return Problem.STRETCHED
    return None


def small_regions(regions: Iterable[RegionShape], screen: ScreenProfile) -> tuple[str, ...]:
    """The text regions that cannot hold one legible line on ``screen``, in the order given."""
    page = max(MIN_TEXT_PX, text_px(screen))
    small = []
    for r in regions:
        if r.widget not in TEXT_WIDGETS:
            continue
        line = page if r.widget in PAGE_TYPE_WIDGETS else MIN_TEXT_PX
        if r.h * screen.height_px < LINE_HEIGHT * line or r.w * screen.width_px < MIN_CHARACTERS_ACROSS * line:
            small.append(r.name)
    return tuple(small)


def fit(regions: Sequence[RegionShape], screen: ScreenProfile) -> Misfit | None:
    """Why the layout of ``regions`` does not fit ``screen``; None when it does."""
    problems: list[Problem] = []
    shape = aspect_problem(screen)
    if shape is not None:
        problems.append(shape)
    size = text_px(screen)
    if size < MIN_TEXT_PX and any(r.widget in PAGE_TYPE_WIDGETS for r in regions):
        problems.append(Problem.TEXT_SMALL)
    small = small_regions(regions, screen)
    if small:
        problems.append(Problem.REGION_SMALL)
    return Misfit(screen, tuple(problems), small, size) if problems else None


def misfits(regions: Sequence[RegionShape], screens: Iterable[ScreenProfile]) -> list[Misfit]:
    """Every screen the layout does not fit, by hall, kind and name."""
    found = [m for m in (fit(regions, s) for s in screens) if m is not None]
    return sorted(found, key=lambda m: (m.screen.hall, m.screen.kind, m.screen.name, m.screen.id))
